"""/sparql on a running `kg serve`: SPARQL 1.1 Protocol variants, result formats, read-only, limits, CORS."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from publish_support import Server, build_seed_store

from kg.resources import cq_dir

# The deadline of the test server: long enough for every other query here on a busy machine
# (0.25 s once gave a CONSTRUCT a 503 while both cores ran other work), short beside SLOW.
TIMEOUT = 1.0
CAP = 100
PEOPLE = (cq_dir() / "people.rq").read_text(encoding="utf-8")
# ~800² × 2 SHA-512s: about 6 s here (6× the deadline), all before the first row, so only the
# deadline can answer it; its worker is stopped there
SLOW = ('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?a ?b ?c '
        'FILTER(STRSTARTS(SHA512(SHA512(CONCAT(STR(?o), STR(?c)))), "zzz")) }')
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_seed_store(tmp_path_factory.mktemp("sparql") / "kg-store")


@pytest.fixture(scope="module")
def server(store_path):
    srv = Server(store_path, "--timeout", str(TIMEOUT), "--max-rows", str(CAP))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def expected_people():
    """The people CQ evaluated directly with pyoxigraph on the same export (what HTTP must return)."""
    from publish_support import SEED

    from kg.pipeline import export_article

    store = ox.Store()
    store.load(export_article(str(SEED)).nquads, format=ox.RdfFormat.N_QUADS)
    rows = store.query(PEOPLE, use_default_graph_as_union=True)
    names = [v.value for v in rows.variables]
    return names, [tuple(r[n].value if r[n] is not None else "" for n in names) for r in rows]


def select_json(body: bytes) -> tuple[list[str], list[tuple[str, ...]]]:
    doc = json.loads(body)
    names = doc["head"]["vars"]
    return names, [tuple(b[n]["value"] if n in b else "" for n in names) for b in doc["results"]["bindings"]]


# --- protocol variants -------------------------------------------------------------------------

def test_get_json(server, expected_people):
    status, headers, body = server.get("/sparql?" + urlencode({"query": PEOPLE}), "application/sparql-results+json")
    assert status == 200
    assert headers["content-type"].startswith("application/sparql-results+json")
    assert select_json(body) == expected_people
    assert ("Lại Xuân Lâm", "Phó Bí thư", "Đảng ủy Khối các cơ quan Trung ương") in expected_people[1]


def test_post_urlencoded(server, expected_people):
    status, _, body = server.request("POST", "/sparql", urlencode({"query": PEOPLE}),
                                     {**FORM, "Accept": "application/sparql-results+json"})
    assert status == 200 and select_json(body) == expected_people


def test_post_direct(server, expected_people):
    status, _, body = server.request("POST", "/sparql", PEOPLE, {"Content-Type": "application/sparql-query",
                                                                 "Accept": "application/json"})
    assert status == 200 and select_json(body) == expected_people


def test_no_accept_gives_json(server):
    status, headers, _ = server.request("GET", "/sparql?query=" + quote("ASK { ?s ?p ?o }"))
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")


def test_xml_results(server, expected_people):
    status, headers, body = server.get("/sparql?" + urlencode({"query": PEOPLE}), "application/sparql-results+xml")
    assert status == 200 and headers["content-type"].startswith("application/sparql-results+xml")
    ns = "{http://www.w3.org/2005/sparql-results#}"
    results = ET.fromstring(body).findall(f"{ns}results/{ns}result")
    assert len(results) == len(expected_people[1])


def test_csv_and_tsv_results(server, expected_people):
    status, headers, body = server.get("/sparql?" + urlencode({"query": PEOPLE}), "text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == expected_people[0]
    assert [tuple(r) for r in rows[1:]] == expected_people[1]
    status, headers, body = server.get("/sparql?" + urlencode({"query": PEOPLE}), "text/tab-separated-values")
    lines = body.decode("utf-8").splitlines()
    assert status == 200 and lines[0] == "\t".join("?" + v for v in expected_people[0])
    assert '"Lại Xuân Lâm"\t"Phó Bí thư"' in body.decode("utf-8")


def test_ask(server):
    status, _, body = server.get("/sparql?" + urlencode({"query": "ASK { ?p a <https://w3id.org/pgkg/ontology#Person> }"}))
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("accept, fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                         ("application/ld+json", ox.RdfFormat.JSON_LD),
                                         ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_construct_in_rdf_formats(server, accept, fmt):
    query = ("PREFIX org: <http://www.w3.org/ns/org#> "
             "CONSTRUCT { ?p org:holds ?post } WHERE { ?p org:holds ?post }")
    status, headers, body = server.get("/sparql?" + urlencode({"query": query}), accept)
    assert status == 200 and headers["content-type"].startswith(accept)
    triples = list(ox.parse(body, format=fmt))
    assert any(t.subject.value.endswith("/id/person/laji-xuaan-laam") for t in triples)


def test_406_for_unsupported_result_type(server):
    status, _, body = server.get("/sparql?" + urlencode({"query": PEOPLE}), "image/png")
    assert status == 406 and b"application/sparql-results+json" in body


def test_default_graph_uri_restricts_the_dataset(server):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    status, _, body = server.get("/sparql?" + urlencode({"query": query, "default-graph-uri": "https://example.org/none"}))
    assert status == 200 and select_json(body)[1] == [("0",)]


def test_syntax_error_is_400_with_message(server):
    status, _, body = server.get("/sparql?query=" + quote("SELEKT * WHERE { ?s ?p ?o }"))
    assert status == 400 and b"syntax" in body.lower()


def test_missing_query_is_400_for_machines(server):
    assert server.get("/sparql", "application/sparql-results+json")[0] == 400


# --- read-only ---------------------------------------------------------------------------------

UPDATE = 'INSERT DATA { <https://example.org/a> <https://example.org/b> "c" }'


@pytest.mark.parametrize("method, path, body, headers", [
    ("POST", "/sparql", urlencode({"update": UPDATE}), FORM),
    ("POST", "/sparql", UPDATE, {"Content-Type": "application/sparql-update"}),
    ("GET", "/sparql?" + urlencode({"update": UPDATE}), None, {}),
    ("GET", "/sparql?" + urlencode({"query": UPDATE}), None, {}),
    ("POST", "/sparql", urlencode({"query": "PREFIX ex: <https://example.org/>\nDROP ALL"}), FORM),
])
def test_updates_are_refused(server, method, path, body, headers):
    status, _, answer = server.request(method, path, body, headers)
    assert status == 403
    assert b"read-only" in answer
    check = "ASK { <https://example.org/a> ?p ?o }"
    assert json.loads(server.get("/sparql?" + urlencode({"query": check}))[2])["boolean"] is False


def test_unknown_post_content_type(server):
    assert server.request("POST", "/sparql", "x", {"Content-Type": "text/plain"})[0] == 415


# --- limits ------------------------------------------------------------------------------------

def test_limits_are_announced(server):
    _, headers, _ = server.get("/sparql?" + urlencode({"query": PEOPLE}))
    assert headers["x-kg-query-timeout"] == f"{TIMEOUT:g}"
    assert headers["x-kg-result-cap"] == str(CAP)
    assert int(headers["x-kg-result-rows"]) >= 2


def test_result_cap_is_an_error_never_a_cut(server):
    query = "SELECT * WHERE { ?s ?p ?o }"  # the seed graph has several hundred triples
    status, headers, body = server.get("/sparql?" + urlencode({"query": query}), "text/csv")
    assert status == 500
    assert f"more than {CAP} rows".encode() in body
    assert headers["content-type"].startswith("text/plain")
    status, _, body = server.get("/sparql?" + urlencode({"query": query + f" LIMIT {CAP}"}), "text/csv")
    # Records, not lines: a value may hold line breaks (the article text, nif:isString).
    assert status == 200 and len(list(csv.reader(io.StringIO(body.decode(), newline="")))) == CAP + 1


def test_timeout_is_reported(server):
    started = time.monotonic()
    status, headers, body = server.get("/sparql?" + urlencode({"query": SLOW}))
    elapsed = time.monotonic() - started
    assert status == 503
    assert b"timed out" in body and headers["x-kg-query-timeout"] == f"{TIMEOUT:g}"
    assert elapsed < TIMEOUT + 2
    # the server keeps answering while the slow query finishes in the background
    status, _, _ = server.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert status == 200


# --- CORS and the HTML query page --------------------------------------------------------------

def test_cors(server):
    _, headers, _ = server.request("POST", "/sparql", PEOPLE, {"Content-Type": "application/sparql-query",
                                                               "Origin": "https://example.org"})
    assert headers["access-control-allow-origin"] == "*"
    status, headers, _ = server.request("OPTIONS", "/sparql", headers={"Origin": "https://example.org",
                                                                        "Access-Control-Request-Method": "POST"})
    assert status == 204 and "POST" in headers["access-control-allow-methods"]


def test_query_page_lists_the_competency_questions(server):
    status, headers, body = server.get("/sparql", "text/html")
    html = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    names = sorted(p.stem for p in cq_dir().glob("*.rq"))
    assert names and all(f'id="cq-{n}"' in html for n in names)


def test_query_page_runs_a_query_into_a_table(server, expected_people):
    status, _, body = server.get("/sparql?" + urlencode({"query": PEOPLE}), "text/html,*/*;q=0.8")
    html = body.decode()
    assert status == 200 and '<table class="results" id="results">' in html
    assert len(re.findall(r"<tr><td>", html)) == len(expected_people[1])
    assert "Lại Xuân Lâm" in html
    status, _, body = server.get("/sparql?" + urlencode({"query": "SELEKT"}), "text/html")
    assert status == 400 and 'class="error"' in body.decode()


def test_service_description_for_rdf_clients(server):
    status, headers, body = server.get("/sparql", "text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
    endpoint = "https://w3id.org/pgkg/sparql"
    assert any(t.subject.value == endpoint and t.object == ox.NamedNode("http://www.w3.org/ns/sparql-service-description#Service")
               for t in triples)
