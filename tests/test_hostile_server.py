"""Hostile requests to `kg serve` (and hostile data in `kg publish`): a clear 4xx, the server stays up
and keeps answering, no request reaches other hosts, no script runs from the data.

Every server runs on 127.0.0.1 (a `kg serve` subprocess from publish_support, plus small stdlib HTTP
servers standing in for third-party hosts); loops and connection counts are bounded.
"""

from __future__ import annotations

import html
import json
import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from publish_support import Server, build_seed_store

ARTICLE = "https://w3id.org/pgkg/id/article/487884fead530d2e"
GRAPH = "https://w3id.org/pgkg/graph/487884fead530d2e"
SPARQL_QUERY = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    """The seed export, plus a hostile schema:url on the article (a javascript: IRI is a valid IRI)."""
    folder = build_seed_store(tmp_path_factory.mktemp("hostile") / "kg-store")
    store = ox.Store(str(folder))
    for graph in (ox.NamedNode(GRAPH), ox.DefaultGraph()):  # the article's graph and the union (kg.store.union)
        store.add(ox.Quad(ox.NamedNode(ARTICLE), ox.NamedNode("http://schema.org/url"),
                          ox.NamedNode("javascript:alert(4)"), graph))
    store.flush()
    del store
    return folder


@pytest.fixture(scope="module")
def server(store_path):
    srv = Server(store_path, "--timeout", "1.5")
    yield srv
    srv.stop()


def post_query(server: Server, query: str):
    return server.request("POST", "/sparql", query, SPARQL_QUERY)


def still_answers(server: Server) -> None:
    status, _, body = post_query(server, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True


# --- item 3: one request must not crash the server ----------------------------------------------

CRASHERS = {
    "10 KB of nested {": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "10 KB of nested (": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "20 KB of !": "SELECT * WHERE { FILTER(" + "!" * 20000 + "true) }",
    "10,000 triple patterns": "SELECT * WHERE { " + " ".join(f"?s{i} <http://p> ?o{i} ." for i in range(10000)) + " }",
    "10,000 alternatives": "SELECT * WHERE { FILTER(" + "||".join(["true"] * 10000) + ") }",
}


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_query_shapes_that_crash_the_parser_get_400(server, name):
    status, headers, body = post_query(server, CRASHERS[name])
    assert status == 400, body[:300]
    assert body.startswith(b"Query refused: ") and b"limit" in body
    assert server.proc.poll() is None  # still running
    still_answers(server)


def test_overlong_query_gets_400(server):
    status, _, body = post_query(server, "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000)
    assert status == 400 and b"characters long" in body


# --- item 4: a timed-out query stops using CPU -------------------------------------------------


def _children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry))
    return kids


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def test_timed_out_query_is_stopped(server):
    still_answers(server)  # the workers are up
    started = time.monotonic()
    status, headers, body = post_query(server, CROSS_JOIN)
    assert status == 503 and b"timed out after 1.5 s" in body and b"stopped" in body
    assert time.monotonic() - started < 10
    time.sleep(0.5)
    tree = [server.proc.pid, *_children(server.proc.pid)]
    before = _cpu_ticks(tree)
    time.sleep(2)
    used = (_cpu_ticks(tree) - before) / os.sysconf("SC_CLK_TCK")
    assert used < 0.6, f"the server tree used {used:.2f} s of CPU in 2 s after the timeout"
    still_answers(server)


def test_four_timeouts_do_not_hold_the_slots(server):
    results = []

    def heavy():
        results.append(post_query(server, CROSS_JOIN)[0])

    threads = [threading.Thread(target=heavy) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [503] * 4
    status, _, _ = post_query(server, "ASK { ?s ?p ?o }")
    assert status == 200


# --- item 5: no federation (SSRF) unless the operator asks ---------------------------------------


@pytest.fixture
def third_party():
    """A stand-in for some other host (here on loopback): it records every request it receives."""
    from conftest_servers import recording_http_server

    body = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
    with recording_http_server("/sparql", body, "application/sparql-results+json") as (url, hits):
        yield url, hits


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?x ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE#comment\n<{url}> {{ ?x ?p ?o }} }}",
    "PREFIX e: <{url}#> SELECT * WHERE {{ SERVICE e: {{ ?x ?p ?o }} }}",
])
def test_service_is_refused_by_default(server, third_party, template):
    url, hits = third_party
    status, _, body = post_query(server, template.format(url=url))
    assert status == 400 and b"SERVICE" in body and b"--allow-federation" in body
    time.sleep(0.2)
    assert hits == []


def test_words_like_service_in_strings_and_names_are_fine(server):
    query = 'PREFIX ex: <http://example.org/> SELECT ?service WHERE { BIND("SERVICE <http://x/>" AS ?service) }'
    status, _, body = post_query(server, query)
    assert status == 200, body


def test_service_description_does_not_advertise_federation(server):
    status, _, body = server.get("/sparql", "text/turtle")
    assert status == 200 and b"UnionDefaultGraph" in body and b"BasicFederatedQuery" not in body


def test_allow_federation_turns_service_on(store_path, third_party):
    url, hits = third_party
    srv = Server(store_path, "--allow-federation")
    try:
        status, _, body = srv.get("/sparql", "text/turtle")
        assert b"BasicFederatedQuery" in body
        status, _, body = post_query(srv, f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
        assert status == 200, body
        assert hits  # the operator asked for it: the server did call the other host
    finally:
        srv.stop()


# --- item 8: stored XSS ------------------------------------------------------------------------


def test_javascript_url_is_not_a_link_and_pages_carry_a_csp(server):
    status, headers, body = server.get("/doc/article/487884fead530d2e", "text/html")
    assert status == 200
    page = body.decode("utf-8")
    assert "javascript:alert(4)" in page  # shown as text
    assert 'href="javascript:' not in page.replace(" ", "")
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"


def test_only_http_links_are_links():
    from kg.publish.pages import web_link

    assert web_link("https://example.org/a?b=c") == "https://example.org/a?b=c"
    assert web_link("HTTP://example.org/") == "HTTP://example.org/"
    for bad in ("javascript:alert(4)", "JavaScript:alert(4)", "data:text/html,<script>x</script>",
                "vbscript:x", "http:alert(1)", "urn:isbn:123", "", None):
        assert web_link(bad) is None


def test_published_site_has_no_script_link_and_a_csp(store_path, tmp_path):
    from kg.publish import open_read_only, publish_site

    out = tmp_path / "site"
    publish_site(open_read_only(store_path), out)
    page = (out / "doc" / "article" / "487884fead530d2e.html").read_text(encoding="utf-8")
    assert "javascript:alert(4)" in page and 'href="javascript:' not in page
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\'' in html.unescape(page)
    assert "Content-Security-Policy" in (out / ".htaccess").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in (out / "nginx.conf").read_text(encoding="utf-8")


# --- item 9: slowloris ---------------------------------------------------------------------------


def test_idle_connections_do_not_lock_out_a_real_request(store_path):
    srv = Server(store_path)
    idle: list[socket.socket] = []
    try:
        for _ in range(200):  # the count; waitress's default limit is 100 connections
            sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and never finish the request
            idle.append(sock)
        started = time.monotonic()
        conn = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        conn.settimeout(5)
        conn.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/turtle\r\nConnection: close\r\n\r\n")
        answer = conn.recv(64)
        conn.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()
        srv.stop()


def test_waitress_is_configured_deliberately():
    from kg.publish.server import WAITRESS_SETTINGS

    assert WAITRESS_SETTINGS["connection_limit"] >= 500
    assert WAITRESS_SETTINGS["channel_timeout"] <= 30
    assert WAITRESS_SETTINGS["asyncore_use_poll"] is True


# --- item 10 (server side): IRIs that cannot exist are 404, not 500 ---------------------------


@pytest.mark.parametrize("path", ["/id/person/a%20b", "/doc/person/a%20b", "/data/person/a%20b.ttl",
                                  "/id/person/a%3Cb%3E", "/graph/a%20b", "/vocab/role/a%22b"])
def test_impossible_iris_are_404(server, path):
    status, _, body = server.get(path)
    assert status == 404, (status, body[:200])


def test_update_and_form_query_limits(server):
    body = urlencode({"query": CRASHERS["20 KB of !"]})
    status, _, answer = server.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and answer.startswith(b"Query refused")


def test_prologue_that_made_the_update_check_backtrack_is_answered_fast(server):
    """"PREFIX a:<<<<…" took the update check quadratic time (a 1 MiB body: half an hour of one thread)."""
    for query in ("PREFIX a:" + "<" * 900_000, "#" * 900_000, "PREFIX a: <" + " " * 900_000):
        started = time.monotonic()
        status, _, _ = post_query(server, query)
        assert status == 400 and time.monotonic() - started < 5
    still_answers(server)
