"""kg.store.RemoteStore against real servers: partial answers, auth, unreachable endpoints.

The shared load/query/idempotency tests run on a real Oxigraph server in test_store_embedded.py.
"""

from __future__ import annotations

import base64
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest_servers import recording_http_server

from kg.cli import main
from kg.errors import KgError
from kg.store import EXIT_PARTIAL, QueryError, RemoteStore, endpoints_for, open_store
from kg.store.remote import _json_result

pytest_plugins = ["conftest_servers"]

DATA = Path(__file__).parent / "data"
FILES = [DATA / "store_article_a.ttl", DATA / "store_article_b.ttl"]
# Every triple of every graph three times over: far more rows than a server gives in one second.
CARTESIAN = "SELECT ?a ?b ?c WHERE { GRAPH ?g1 { ?a ?p ?x } GRAPH ?g2 { ?b ?q ?y } GRAPH ?g3 { ?c ?r ?z } }"


def bulk_graph(tmp_path: Path, n: int = 400) -> Path:
    path = tmp_path / "bulk.nt"
    path.write_text("".join(f'<https://example.org/s{i}> <https://example.org/p> "{i}" .\n' for i in range(n)))
    return path


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:7878", ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
                                   "http://127.0.0.1:7878/store")),
        ("http://127.0.0.1:7878/query", ("http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
                                         "http://127.0.0.1:7878/store")),
        ("http://h:8890/sparql", ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud")),
    ],
)
def test_endpoint_layout_is_guessed_from_the_url(url, expected):
    found = endpoints_for(url)
    assert (found.query, found.update, found.gsp) == expected


def test_virtuoso_writes_go_to_the_auth_endpoints_with_a_user():
    found = endpoints_for("http://h:8890/sparql", auth=True)
    assert (found.update, found.gsp) == ("http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth")
    assert endpoints_for("http://h/sparql", gsp="http://h/data").gsp == "http://h/data"


def test_not_a_url_is_a_usage_error():
    with pytest.raises(KgError, match="not an http"):
        endpoints_for("127.0.0.1:7878")


def test_oxigraph_cancelling_mid_stream_is_reported_as_partial(oxigraph_server_1s, tmp_path):
    store = open_store(endpoint=oxigraph_server_1s.url)
    store.load([bulk_graph(tmp_path)], validate=False, graph="https://example.org/bulk")
    result = store.query(CARTESIAN)
    assert result.partial
    assert "cancelled" in result.reason
    assert 0 < len(result.rows) < 400**3
    assert all(len(row) == 3 and all(term is not None for term in row) for row in result.rows)


def test_the_cli_prints_what_arrived_warns_and_exits_3(oxigraph_server_1s, tmp_path):
    store = open_store(endpoint=oxigraph_server_1s.url)
    store.load([bulk_graph(tmp_path)], validate=False, graph="https://example.org/bulk")
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g1 { ?a ?p ?x } GRAPH ?g2 { ?b ?q ?y } GRAPH ?g3 { ?c ?r ?z } }"
    result = CliRunner().invoke(main, ["query", count, "--endpoint", oxigraph_server_1s.url, "--format", "csv"])
    assert result.exit_code == EXIT_PARTIAL == 3
    assert result.stdout_bytes == b"n\r\n"  # the header arrived, the count never did
    assert "answer is partial" in result.stderr and "cancelled" in result.stderr


def test_a_truncated_json_result_keeps_its_complete_rows():
    body = (b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://e/1"}},'
            b'{"s":{"type":"literal","value":"L\xe1\xba\xa1i","xml:lang":"vi"}},{"s":{"type":"ur'
            b'The SPARQL operation has been cancelled')
    result = _json_result(body)
    assert result.partial
    assert [row[0].value for row in result.rows] == ["http://e/1", "Lại"]
    assert result.rows[1][0].language == "vi"
    complete = _json_result(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')
    assert not complete.partial and complete.variables == ["s"]


def test_an_unreachable_endpoint_is_one_clear_line():
    from conftest_servers import free_port

    store = RemoteStore(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(KgError, match="cannot reach the SPARQL endpoint"):
        store.query("ASK {}")
    result = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", store.endpoints.query])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("kg: error: http://127.0.0.1:")
    assert "Traceback" not in result.output


def test_a_server_side_syntax_error_is_passed_on(oxigraph_server):
    with pytest.raises(QueryError, match=r"rejected the request: error at 1:\d+"):
        open_store(endpoint=oxigraph_server.url).query("SELECT * WHERE { ?s ?p ")


def test_queries_see_named_graphs_without_the_server_flag(oxigraph_server):
    """`oxigraph serve` was started without --union-default-graph: kg keeps the union in the
    server's default graph, so a bare query (any client, no flag) sees the articles."""
    store = open_store(endpoint=oxigraph_server.url)
    store.load(FILES, validate=False)
    bare = urllib.request.urlopen(f"{oxigraph_server.url}/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D").read()
    assert b"true" in bare
    assert store.query("ASK { ?s ?p ?o }").boolean is True


class BasicAuthProxy(BaseHTTPRequestHandler):
    """The Oxigraph maintainers' advice for auth: a proxy in front that checks credentials."""

    upstream = ""
    credentials = base64.b64encode(b"editor:s3cret").decode()

    def _forward(self):
        if self.headers.get("Authorization") != f"Basic {self.credentials}":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        request = urllib.request.Request(self.upstream + self.path, data=body, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(request) as response:
                status, payload, kind = response.status, response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as err:
            status, payload, kind = err.code, err.read(), "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args):
        pass


@pytest.fixture
def guarded(oxigraph_server):
    handler = type("Proxy", (BasicAuthProxy,), {"upstream": oxigraph_server.url})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_basic_auth_from_the_environment_is_used_and_never_echoed(guarded, monkeypatch):
    denied = CliRunner().invoke(main, ["load", "--no-validate", str(FILES[0]), "--endpoint", guarded])
    assert denied.exit_code == 1 and "HTTP 401" in denied.stderr and "KG_ENDPOINT_USER" in denied.stderr
    monkeypatch.setenv("KG_ENDPOINT_USER", "editor")
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", "s3cret")
    loaded = CliRunner().invoke(main, ["load", "--no-validate", *map(str, FILES), "--endpoint", guarded])
    assert loaded.exit_code == 0, loaded.output
    asked = CliRunner().invoke(main, ["query", "--endpoint", guarded, "--format", "csv",
                                      "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://schema.org/NewsArticle> }"])
    assert asked.stdout_bytes == b"n\r\n2\r\n"
    assert all("s3cret" not in r.output for r in (denied, loaded, asked))


def test_a_wrong_password_is_refused_clearly(guarded):
    store = open_store(endpoint=guarded, user="editor", password="wrong")
    with pytest.raises(KgError, match="HTTP 401"):
        store.query("ASK {}")


def test_a_statement_virtuoso_cancels_at_the_time_limit_is_a_partial_answer():
    """Virtuoso may stop an anytime query before any row with HTTP 500 SR203 instead of S1TAT rows."""
    from kg.store import open_store

    body = b"Virtuoso HY008 Error SR203: Async statement killed by SQLCancel."
    with recording_http_server("/sparql", body, "text/plain", status=500) as (endpoint, _):
        store = open_store(endpoint=endpoint)
        result = store.query("SELECT * WHERE { ?s ?p ?o }", timeout=1)
        assert result.partial and "SR203" in result.reason and result.rows == []
        with pytest.raises(Exception, match="SR203"):  # without a time limit it is an error, as before
            store.query("SELECT * WHERE { ?s ?p ?o }")
