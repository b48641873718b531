"""kg.store against Virtuoso 7 (Debian's virtuoso-opensource): GSP loads with digest auth,
union queries, and Virtuoso's silent limits (row cap, anytime timeout) reported as partial.

Run with: pytest -m virtuoso tests/test_store_virtuoso.py (skips when virtuoso-t is absent;
.ci/virtuoso.sh installs it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.iri import graph_for_article_iri
from kg.store import EXIT_PARTIAL, QueryError, open_store

pytest_plugins = ["conftest_servers"]
pytestmark = pytest.mark.virtuoso

DATA = Path(__file__).parent / "data"
FILES = [DATA / "store_article_a.ttl", DATA / "store_article_b.ttl"]
ARTICLE_A = "https://w3id.org/pgkg/id/article/aaaaaaaaaaaaaaaa"
ARTICLE_B = "https://w3id.org/pgkg/id/article/bbbbbbbbbbbbbbbb"
NAMES = ('SELECT DISTINCT ?name WHERE { ?p a <https://w3id.org/pgkg/ontology#Person> ; '
         '<http://www.w3.org/2000/01/rdf-schema#label> ?l BIND(STR(?l) AS ?name) }')
# the article graphs, not the union graph kg keeps beside them (kg.store.union.UNION_GRAPH)
KG_TRIPLES = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a a <http://schema.org/NewsArticle> . ?s ?p ?o } "
              "FILTER (?g != <https://w3id.org/pgkg/graph/union>) }")


@pytest.fixture
def store(virtuoso_server):
    opened = open_store(endpoint=virtuoso_server.url, user=virtuoso_server.user, password=virtuoso_server.password)
    opened.drop_all()  # the server lives for the module; each test starts without kg graphs
    return opened


def kg_triples(store) -> int:
    return int(store.query(KG_TRIPLES).rows[0][0].value)


def test_load_query_and_reload(store):
    store.load(FILES, validate=False)
    assert store.article_graphs() == [(graph_for_article_iri(ARTICLE_A), ARTICLE_A),
                                      (graph_for_article_iri(ARTICLE_B), ARTICLE_B)]
    assert kg_triples(store) == 63
    store.load(FILES, validate=False)
    assert kg_triples(store) == 63  # PUT replaces the graph
    assert store.query(NAMES).values() == [{"name": "Lại Xuân Lâm"}]  # UTF-8 survives the round trip


def test_with_source_and_stats(store):
    store.load(FILES, validate=False)
    assert [r["source"] for r in store.query_with_source(NAMES).values()] == [ARTICLE_A, ARTICLE_B]
    info = store.stats()
    assert (info["graphs"], info["triples"]) == (2, 60)  # Virtuoso's own system graphs are not counted
    assert sum(g["triples"] for g in info["graph_list"]) == 63  # 3 triples are in both articles
    assert info["classes"]["https://w3id.org/pgkg/ontology#Person"] == 1


def test_the_row_cap_is_reported_as_partial(store):
    store.load(FILES, validate=False)
    result = store.query("SELECT ?a ?b WHERE { GRAPH ?g { ?a ?p ?x } GRAPH ?h { ?b ?q ?y } }")
    assert result.partial and "X-SPARQL-MaxRows: 50" in result.reason
    assert len(result.rows) == 50


def test_the_anytime_timeout_is_reported_as_partial(store, virtuoso_server):
    # every graph, system graphs included, makes it large (kg's union graph alone is small)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?p ?x } GRAPH ?h { ?b ?q ?y } GRAPH ?i { ?c ?r ?z } }"
    result = store.query(slow, timeout=1)
    # Virtuoso stops an anytime query either with partial rows (S1TAT) or, before any row, by
    # cancelling it (SR203); both are the time limit, reported as a partial answer
    assert result.partial and ("S1TAT" in result.reason or "SR203" in result.reason)
    cli = CliRunner().invoke(main, ["query", slow, "--endpoint", virtuoso_server.url, "--timeout", "1"])
    assert cli.exit_code == EXIT_PARTIAL and "answer is partial" in cli.stderr


def test_drop_one_article(store):
    store.load(FILES, validate=False)
    assert store.drop([graph_for_article_iri(ARTICLE_A)]) == [graph_for_article_iri(ARTICLE_A)]
    assert [a for _, a in store.article_graphs()] == [ARTICLE_B]


def test_syntax_errors_come_back_from_virtuoso(store):
    with pytest.raises(QueryError, match="SP030"):
        store.query("SELECT ?s WHERE { ?s ?p ")


def test_the_cli_loads_with_a_password_from_the_environment(virtuoso_server, store, monkeypatch):
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso_server.password)
    loaded = CliRunner().invoke(main, ["load", "--no-validate", *map(str, FILES), "--endpoint", virtuoso_server.url,
                                       "--user", virtuoso_server.user])
    assert loaded.exit_code == 0, loaded.output
    asked = CliRunner().invoke(main, ["query", NAMES, "--endpoint", virtuoso_server.url, "--format", "csv"])
    assert asked.stdout.splitlines() == ["name", "Lại Xuân Lâm"]
    anonymous = CliRunner().invoke(main, ["load", "--no-validate", str(FILES[0]), "--endpoint", virtuoso_server.url])
    assert anonymous.exit_code == 1 and "not allowed" in anonymous.stderr and "--user" in anonymous.stderr
    assert "<" not in anonymous.stderr  # the HTML error page is boiled down to its title


def test_the_shipped_cqs_run_on_virtuoso(store, exports):
    from kg.store import cq_names, cq_query

    store.load([exports["dir"] / "seed.ttl", exports["dir"] / "second.ttl"])
    for name in cq_names():  # Virtuoso's SPARQL dialect accepts every shipped CQ
        rows = store.query(cq_query(name)).rows
        assert rows or name == "appointments", name  # the seed reports no personnel decision: runs, no rows
    rows = store.query_with_source(cq_query("people")).values()
    sources = {r["source"] for r in rows if (r["person"], r["post"]) == ("Lại Xuân Lâm", "Phó Bí thư")}
    assert sources == {exports["seed"].article_iri, exports["second"].article_iri}


def test_the_test_server_never_refuses_a_query_on_its_cost_estimate(tmp_path):
    """The anytime-timeout test must not depend on Virtuoso's cost estimate (see virtuoso_ini)."""
    from conftest_servers import VIRTUOSO_INI, virtuoso_ini

    if not VIRTUOSO_INI.is_file():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; see .ci/virtuoso.sh)")
    text = virtuoso_ini(tmp_path, 8890, 1111, max_rows=50).read_text()
    assert re.search(r"(?m)^MaxQueryCostEstimationTime\s*=\s*0\b", text)
    assert str(tmp_path) in text and "127.0.0.1:8890" in text
