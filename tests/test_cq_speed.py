"""The faster query paths give the answers of the slow ones, row for row and in the same order:
the final ORDER BY sorted in Python (kg.store.ordering) against Oxigraph's own sort, and
--with-source in one query (kg.store.sourced) against one query per article graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_support import generate_articles

import kg.store.answers as answers
import kg.store.sourced as sourced
from kg.cq import bind
from kg.store import cq_names, cq_query, open_store
from kg.store.embedded import _result, run_query
from kg.store.ordering import sort_rows, split_order
from kg.store.sourced import rewrite

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "seed.txt"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The seed and 24 generated articles (bench/generate_corpus.py), exported and loaded."""
    from kg.corpus import export_corpus

    folder = tmp_path_factory.mktemp("corpus")
    articles = [SEED, *generate_articles(folder, 24, seed=3)]
    location = tmp_path_factory.mktemp("store") / "s"
    summary = export_corpus(articles, output=folder / "all.nq.gz", jobs=1, progress=False, load=True,
                            store=str(location))
    assert summary.failed == 0
    opened = open_store(location, read_only=True)
    yield opened
    opened.close()


@pytest.mark.parametrize("name", cq_names())
def test_kept_rows_give_the_engines_order(store, name):
    """kg.store.answers: the kept rows, put back in the CQ's order, are the engine's answer."""
    query = cq_query(name)
    engine = _result(store._store.query(query))
    kept = run_query(store._store, query, [], str(store.location))
    assert kept.rows == engine.rows


@pytest.mark.parametrize("name", cq_names())
def test_python_sort_gives_the_engines_order(store, name, monkeypatch):
    monkeypatch.setattr(answers, "shipped_plan", lambda sparql: None)  # the query itself, not kept rows
    query = cq_query(name)
    engine = _result(store._store.query(query))
    ours = run_query(store._store, query, [], "test")
    assert ours.variables == engine.variables
    assert ours.rows == engine.rows
    assert engine.rows or name == "appointments", f"{name}: the test corpus should give rows"


@pytest.mark.parametrize("name", cq_names())
def test_with_source_in_one_query_equals_one_query_per_graph(store, name, monkeypatch):
    query = cq_query(name)
    assert rewrite(query) is not None, f"{name}: every shipped CQ is answered in one query"
    one = store.query_with_source(query)
    monkeypatch.setattr(sourced, "rewrite", lambda q: None)
    per_graph = store.query_with_source(query)
    assert one.variables == per_graph.variables
    assert one.rows == per_graph.rows


def test_with_source_with_parameters(store, monkeypatch):
    query = bind(cq_query("holders"), {"post": "Bí thư"})
    assert rewrite(query) is not None
    one = store.query_with_source(query)
    monkeypatch.setattr(sourced, "rewrite", lambda q: None)
    assert one.rows == store.query_with_source(query).rows


def test_a_plain_query_is_wrapped_whole(store, monkeypatch):
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "SELECT DISTINCT ?o ?name WHERE { ?o a <https://w3id.org/pgkg/ontology#Organization> ; "
             "rdfs:label ?name } ORDER BY ?name ?o")
    assert "GRAPH ?kgSourceGraph { ?o a" in rewrite(query)
    one = store.query_with_source(query)
    monkeypatch.setattr(sourced, "rewrite", lambda q: None)
    assert one.rows == store.query_with_source(query).rows


@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10",  # per graph, not overall
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",  # an empty graph would give a row of 0
    "SELECT ?s WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s a ?c } }",
    "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s ?n WHERE { ?s ?p ?o { SELECT DISTINCT ?s ?n WHERE { ?s <http://e/p> ?n } } }",  # bare + sub-select
    "SELECT ?s ?n WHERE { { SELECT ?s ?n WHERE { ?s <http://e/p> ?n } } FILTER (?n > 1 || EXISTS { ?s ?q ?r }) }",
])
def test_shapes_the_rewrite_leaves_to_the_per_graph_path(query):
    assert rewrite(query) is None


def test_words_in_strings_iris_and_variables_are_not_keywords():
    query = ('PREFIX ex: <http://e/limit/graph#> SELECT ?from WHERE { ?from ex:p "LIMIT 1 GRAPH { }" '
             '# a comment: OFFSET EXISTS }\n }')
    assert rewrite(query) is not None


def test_split_order_only_when_the_engine_order_can_be_kept():
    query, keys = split_order("SELECT DISTINCT ?a (STR(?x) AS ?b) WHERE { ?a ?p ?x } ORDER BY DESC(?b) ?a")
    assert "ORDER" not in query and keys == [("b", True), ("a", False)]
    assert split_order("SELECT ?a WHERE { ?a ?p ?x } ORDER BY ?a LIMIT 3") is None
    assert split_order("SELECT ?a WHERE { ?a ?p ?x } ORDER BY ?x") is None  # not a column
    assert split_order("SELECT ?a WHERE { ?a ?p ?x } ORDER BY STRLEN(?a)") is None
    assert split_order("SELECT ?a WHERE { ?a ?p ?x }") is None


def test_sort_rows_declines_other_terms_and_orders_unbound_first():
    import pyoxigraph as ox

    rows = [(ox.Literal("b"),), (None,), (ox.Literal("a"),)]
    assert sort_rows(["v"], rows, [("v", False)]) == [(None,), (ox.Literal("a"),), (ox.Literal("b"),)]
    assert sort_rows(["v"], rows, [("v", True)]) == [(ox.Literal("b"),), (ox.Literal("a"),), (None,)]
    numbers = [(ox.Literal("10", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),)]
    assert sort_rows(["v"], numbers, [("v", False)]) is None  # 9 < 10 as numbers, not as strings
    assert sort_rows(["v"], [(ox.NamedNode("http://e/x"),)], [("v", False)]) is None
    assert sort_rows(["v"], [(ox.Literal("x", language="vi"),)], [("v", False)]) is None


def test_a_group_of_patterns_beside_sub_selects_is_read_in_the_same_graph(store, monkeypatch):
    """A label looked up for the nodes a nested sub-select found (the shipped CQs' shape): the group
    is wrapped in the same GRAPH as its siblings, a VALUES block and a FILTER are left as they are."""
    query = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX org: <http://www.w3.org/ns/org#> '
             'SELECT DISTINCT ?o ?name WHERE { VALUES ?lang { "vi" } '
             '{ SELECT DISTINCT ?o WHERE { ?t org:organization ?o } } '
             '{ ?o rdfs:label ?name } FILTER (LANG(?name) = ?lang) } ORDER BY ?name ?o')
    rewritten = rewrite(query)
    assert "{ GRAPH ?kgSourceGraph { ?o rdfs:label ?name } }" in rewritten
    assert 'VALUES ?lang { "vi" }' in rewritten and "} FILTER (LANG" in rewritten
    one = store.query_with_source(query)
    assert one.rows
    monkeypatch.setattr(sourced, "rewrite", lambda q: None)
    assert one.rows == store.query_with_source(query).rows


def test_sort_rows_with_keys_in_both_directions():
    import pyoxigraph as ox

    rows = [(ox.Literal(a), ox.Literal(b) if b else None) for a, b in
            [("x", "2"), ("y", "1"), ("x", None), ("x", "1"), ("y", "3")]]
    got = sort_rows(["a", "b"], rows, [("a", True), ("b", False)])
    assert [(r[0].value, r[1].value if r[1] else None) for r in got] == [
        ("y", "1"), ("y", "3"), ("x", None), ("x", "1"), ("x", "2")]
