"""kg.store.dialects: each SPARQL server's conventions, the guess from the URL, and --server.

The Oxigraph and Virtuoso behaviour itself is pinned on real servers in test_store_remote.py and
test_store_virtuoso.py; here: the declarations, the guess, and that --server reaches the store.
"""

from __future__ import annotations

import contextlib
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest_servers import serving

from kg.cli import main
from kg.errors import KgError
from kg.store import RemoteStore, endpoints_for, open_store
from kg.store.dialects import AUTO, DIALECTS, FUSEKI, GENERIC, OXIGRAPH, VIRTUOSO, dialect_for, guess
from kg.store.union import UNION_GRAPH

pytest_plugins = ["conftest_servers"]

DATA = Path(__file__).parent / "data"
FILES = [DATA / "store_article_a.ttl", DATA / "store_article_b.ttl"]
EMPTY_SELECT = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'


@pytest.mark.parametrize(
    ("url", "dialect", "expected"),
    [
        ("http://h:7878", OXIGRAPH, ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
        ("http://h:7878/", OXIGRAPH, ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
        ("http://h:7878/query", OXIGRAPH, ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
        ("http://h:8890/sparql", VIRTUOSO, ("http://h:8890/sparql", "http://h:8890/sparql",
                                            "http://h:8890/sparql-graph-crud")),
        ("http://h:8890/sparql-auth", VIRTUOSO, ("http://h:8890/sparql-auth", "http://h:8890/sparql",
                                                 "http://h:8890/sparql-graph-crud")),
        # Fuseki's graph store is /DATASET/data (not Oxigraph's /store)
        ("http://h:3030/ds/query", FUSEKI, ("http://h:3030/ds/query", "http://h:3030/ds/update",
                                            "http://h:3030/ds/data")),
    ],
)
def test_the_guess_from_typical_urls(url, dialect, expected):
    assert guess(url) is dialect
    found = endpoints_for(url)
    assert (found.query, found.update, found.gsp) == expected


def test_a_named_server_overrides_the_guess():
    found = endpoints_for("http://h:7878/ds/query", server="oxigraph")
    assert (found.update, found.gsp) == ("http://h:7878/ds/update", "http://h:7878/ds/store")
    root = endpoints_for("http://h:8890", server="virtuoso", auth=True)
    assert (root.query, root.update, root.gsp) == ("http://h:8890/sparql", "http://h:8890/sparql-auth",
                                                   "http://h:8890/sparql-graph-crud-auth")
    dataset = endpoints_for("http://h:3030/ds", server="fuseki")
    assert (dataset.query, dataset.update, dataset.gsp) == ("http://h:3030/ds/query", "http://h:3030/ds/update",
                                                            "http://h:3030/ds/data")


def test_a_generic_server_takes_everything_at_the_url_given():
    found = endpoints_for("http://h/repositories/kg", server="sparql11", update="http://h/repositories/kg/statements")
    assert (found.query, found.update, found.gsp) == ("http://h/repositories/kg", "http://h/repositories/kg/statements",
                                                      "http://h/repositories/kg")
    assert guess("http://h/repositories/kg") is OXIGRAPH  # today's guess for a path without a known endpoint


def test_the_registry_is_the_declarations():
    assert list(DIALECTS) == ["oxigraph", "virtuoso", "fuseki", "sparql11"]
    assert all(DIALECTS[name].name == name for name in DIALECTS)
    assert AUTO not in DIALECTS
    assert dialect_for("http://h:8890/sparql", AUTO) is VIRTUOSO
    assert dialect_for("http://h:8890/sparql", "sparql11") is GENERIC
    # only Virtuoso keeps kg's union in a named graph; the others in their default graph
    assert [d.name for d in DIALECTS.values() if d.union_graph] == ["virtuoso"]
    assert VIRTUOSO.union_graph == UNION_GRAPH


def test_an_unknown_server_name_is_a_usage_error():
    with pytest.raises(KgError, match="unknown SPARQL server 'nope'; known: auto, oxigraph, virtuoso") as err:
        dialect_for("http://h:7878", "nope")
    assert err.value.exit_code == 2


def test_a_bad_server_option_exits_2_naming_the_choices():
    result = CliRunner().invoke(main, ["query", "ASK {}", "--endpoint", "http://127.0.0.1:9/query", "--server", "nope"])
    assert result.exit_code == 2
    error = [line for line in result.stderr.splitlines() if "--server" in line]
    assert len(error) == 1 and all(name in error[0] for name in [AUTO, *DIALECTS])
    assert "Traceback" not in result.output


# --- --server reaches the real Oxigraph server ---------------------------------------------


def test_server_option_overrides_the_guess_on_a_real_server(oxigraph_server):
    runner = CliRunner()
    loaded = runner.invoke(main, ["load", *map(str, FILES), "--no-validate", "--endpoint", oxigraph_server.url])
    assert loaded.exit_code == 0, loaded.output
    ask = ["query", "ASK { ?s ?p ?o }", "--endpoint", oxigraph_server.url]
    assert runner.invoke(main, ask).exit_code == 0
    assert runner.invoke(main, [*ask, "--server", "oxigraph"]).exit_code == 0
    # told it is Virtuoso, kg asks Virtuoso's /sparql below the root, with Virtuoso's pragma,
    # which Oxigraph's parser rejects
    wrong = runner.invoke(main, [*ask, "--server", "virtuoso"])
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith(f"kg: error: {oxigraph_server.url}/sparql: ")
    assert wrong.stderr.count("\n") == 1
    from_env = runner.invoke(main, ask, env={"KG_SERVER": "virtuoso"})
    assert from_env.exit_code == 1 and f"{oxigraph_server.url}/sparql:" in from_env.stderr


def test_a_named_dialect_with_its_endpoints_given_works_on_a_real_server(oxigraph_server):
    """Fuseki's query and update names are Oxigraph's; a generic server needs the update URL given."""
    fuseki = open_store(endpoint=oxigraph_server.url, server="fuseki")
    fuseki.load(FILES, validate=False)
    assert fuseki.query("ASK { ?s ?p ?o }").boolean is True
    generic = RemoteStore(f"{oxigraph_server.url}/query", server="sparql11",
                          update_endpoint=f"{oxigraph_server.url}/update")
    assert generic.dialect is GENERIC and generic.union_graph is None
    assert len(generic.drop(sorted(g for g, _ in generic.article_graphs()))) == 2
    assert fuseki.query("ASK { ?s ?p ?o }").boolean is False


# --- request parameters and partial-answer signals, per dialect -----------------------------


@contextlib.contextmanager
def stand_in(headers: dict[str, str]):
    """A server that answers every POST with an empty SELECT result and ``headers``; records the forms."""
    forms: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            forms.append(urllib.parse.parse_qs(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(EMPTY_SELECT)))
            self.end_headers()
            self.wfile.write(EMPTY_SELECT)

        def log_message(self, *args):
            pass

    with serving(Handler) as url:
        yield url, forms


@pytest.mark.parametrize(("server", "timeout"), [("virtuoso", ["2500"]), ("oxigraph", ["2500"]),
                                                 ("fuseki", ["2.5"]), ("sparql11", None)])
def test_the_time_limit_goes_in_the_dialects_parameter(server, timeout):
    with stand_in({}) as (url, forms):
        RemoteStore(f"{url}/sparql", server=server, timeout=2.5).query("SELECT ?s WHERE { ?s ?p ?o }")
    assert forms[0].get("timeout") == timeout


def test_the_union_graph_goes_by_pragma_on_virtuoso_and_by_parameter_elsewhere():
    with stand_in({}) as (url, forms):
        RemoteStore(f"{url}/sparql").query("SELECT ?s WHERE { ?s ?p ?o }")
        RemoteStore(f"{url}/query", union_graph="https://example.org/u").query("SELECT ?s WHERE { ?s ?p ?o }")
    assert forms[0]["query"][0].startswith(f"define input:default-graph-uri <{UNION_GRAPH}>\n")
    assert "default-graph-uri" not in forms[0]
    assert forms[1]["default-graph-uri"] == ["https://example.org/u"]
    assert not forms[1]["query"][0].startswith("define")


def test_partial_answer_headers_count_only_for_the_server_that_sends_them():
    signals = {"X-SQL-State": "S1TAT", "X-SQL-Message": "RC...: Returning incomplete results Activity: 1R"}
    with stand_in(signals) as (url, _):
        virtuoso = RemoteStore(f"{url}/sparql").query("SELECT ?s WHERE { ?s ?p ?o }")
        oxigraph = RemoteStore(url, server="oxigraph").query("SELECT ?s WHERE { ?s ?p ?o }")
    assert virtuoso.partial and "S1TAT" in virtuoso.reason and "Activity" not in virtuoso.reason
    assert not oxigraph.partial
    with stand_in({"X-SPARQL-MaxRows": "10"}) as (url, _):
        capped = RemoteStore(f"{url}/sparql").query("SELECT ?s WHERE { ?s ?p ?o }")
    assert capped.partial and "10 rows" in capped.reason
