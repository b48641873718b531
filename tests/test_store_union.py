"""The union graph (kg.store.union): a query over everything sees each triple once, on the embedded
store, a real `oxigraph serve` and a real Virtuoso; replacing and dropping an article keeps what
another article still holds and removes the rest."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest

from kg.iri import graph_for_article_iri
from kg.store import load_graphs, open_store

pytest_plugins = ["conftest_servers"]

BASE = "https://w3id.org/pgkg/"
BODY = f"{BASE}id/org/ban-kinh-tees-tirnh-ury-thuwr-nghieejm"
PLAIN = """PREFIX pg: <https://w3id.org/pgkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name { ?b a pg:Organization ; rdfs:label ?name }"""
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ARTICLES = [f"{n:016x}" for n in (0xA1, 0xA2, 0xA3, 0xA4)]


def article_nt(article_id: str, *, with_body: bool = True) -> str:
    """One invented article naming the shared body (two triples about it) and a fact of its own."""
    article = f"<{BASE}id/article/{article_id}>"
    lines = [
        f'{article} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/NewsArticle> .',
        f'{article} <http://schema.org/headline> "Tin thử nghiệm {article_id}"@vi .',
        f'{article} <http://schema.org/mentions> <{BODY}> .',
    ]
    if with_body:
        lines += [
            f'<{BODY}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/pgkg/ontology#Organization> .',
            f'<{BODY}> <http://www.w3.org/2000/01/rdf-schema#label> "Ban Kinh tế Tỉnh ủy Thử Nghiệm"@vi .',
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(params=["embedded", "oxigraph-server", pytest.param("virtuoso", marks=pytest.mark.virtuoso)])
def store(request, tmp_path):
    if request.param == "embedded":
        opened = open_store(tmp_path / "kg-store")
    elif request.param == "oxigraph-server":
        opened = open_store(endpoint=request.getfixturevalue("oxigraph_server").url)
    else:
        server = request.getfixturevalue("virtuoso_server")
        opened = open_store(endpoint=server.url, user=server.user, password=server.password)
        opened.drop_all()  # the server lives for the module
    yield opened
    opened.close()


def load_four(store) -> None:
    load_graphs(store, [(graph_for_article_iri(f"{BASE}id/article/{a}"), article_nt(a)) for a in ARTICLES])


def count_all(store) -> int:
    return int(store.query(COUNT_ALL).rows[0][0].value)


def test_a_body_four_articles_share_comes_back_once(store):
    load_four(store)
    assert store.query(PLAIN).values() == [{"name": "Ban Kinh tế Tỉnh ủy Thử Nghiệm"}]
    # 4 articles × 3 triples of their own + the body's 2 triples, once
    assert count_all(store) == store.stats()["triples"] == 14
    assert sum(g["triples"] for g in store.stats()["graph_list"]) == 20


def test_with_source_still_finds_every_article(store):
    load_four(store)
    rows = store.query_with_source(PLAIN).values()
    assert [r["source"] for r in rows] == [f"{BASE}id/article/{a}" for a in ARTICLES]


def test_dropping_an_article_keeps_what_another_still_holds(store):
    load_four(store)
    assert store.drop([graph_for_article_iri(f"{BASE}id/article/{ARTICLES[0]}")])
    assert len(store.query(PLAIN).rows) == 1  # the body: three articles still hold it
    assert count_all(store) == store.stats()["triples"] == 3 * 3 + 2  # the dropped article's own facts are gone
    for article in ARTICLES[1:]:
        store.drop([graph_for_article_iri(f"{BASE}id/article/{article}")])
    assert store.query(PLAIN).rows == [] and count_all(store) == 0


def test_a_reload_without_the_body_releases_it_only_when_no_article_has_it(store):
    load_four(store)
    for i, article in enumerate(ARTICLES):
        load_graphs(store, [(graph_for_article_iri(f"{BASE}id/article/{article}"), article_nt(article, with_body=False))])
        expected = 1 if i < len(ARTICLES) - 1 else 0
        assert len(store.query(PLAIN).rows) == expected
    assert count_all(store) == store.stats()["triples"] == 12


def test_a_plain_client_sees_the_union_without_kg(oxigraph_server):
    """SPARQLWrapper, YASGUI, curl: no union flag, no graph named; the default graph answers, each triple once."""
    store = open_store(endpoint=oxigraph_server.url)
    load_four(store)
    url = f"{oxigraph_server.url}/query?" + urllib.parse.urlencode({"query": PLAIN})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    bindings = json.loads(urllib.request.urlopen(request).read())["results"]["bindings"]
    assert [b["name"]["value"] for b in bindings] == ["Ban Kinh tế Tỉnh ủy Thử Nghiệm"]


def test_an_embedded_store_written_before_the_union_gets_one(tmp_path):
    """A store that holds article graphs and an empty default graph (kg before the union graph):
    read-only queries fall back to the union of the graphs; the first writable open fills it."""
    import pyoxigraph as ox

    folder = tmp_path / "old-store"
    old = ox.Store(str(folder))
    for article in ARTICLES:
        graph = ox.NamedNode(graph_for_article_iri(f"{BASE}id/article/{article}"))
        old.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                   for t in ox.parse(input=article_nt(article).encode(), format=ox.RdfFormat.N_TRIPLES))
    old.flush()
    del old
    with open_store(folder, read_only=True) as reader:
        assert len(reader.query(PLAIN).rows) == 16  # the old bag union (4 × 4 rows), still answering
    with open_store(folder) as writer:
        assert len(writer.query(PLAIN).rows) == 1 and count_all(writer) == 14


# --- the bulk path: a load into an empty embedded store ------------------------------------------


def test_a_load_into_an_empty_store_goes_in_bulk_with_the_union(tmp_path, monkeypatch):
    import kg.store.bulk as bulk

    monkeypatch.setattr(bulk, "BULK_MIN_QUADS", 1)
    calls = []
    real = bulk.bulk_into_fresh_store
    monkeypatch.setattr(bulk, "bulk_into_fresh_store", lambda *a: calls.append(a) or real(*a))
    with open_store(tmp_path / "kg-store") as store:
        load_four(store)
        assert len(calls) == 1
        assert store.query(PLAIN).values() == [{"name": "Ban Kinh tế Tỉnh ủy Thử Nghiệm"}]
        assert count_all(store) == store.stats()["triples"] == 14
        load_four(store)  # the store is no longer empty: a transaction, same triples
        assert len(calls) == 1 and count_all(store) == 14
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg-store"]  # no fresh or retired folder left


def test_a_bulk_load_that_fails_leaves_the_empty_store_as_it_was(tmp_path, monkeypatch):

    import kg.store.bulk as bulk

    monkeypatch.setattr(bulk, "BULK_MIN_QUADS", 1)

    real_quads = bulk._quads

    def failing_quads(units):
        for i, quad in enumerate(real_quads(units)):
            if i == 5:
                raise OSError("disk full (simulated)")
            yield quad

    monkeypatch.setattr(bulk, "_quads", failing_quads)
    with open_store(tmp_path / "kg-store") as store:
        with pytest.raises(Exception, match="disk full"):
            load_four(store)
        assert count_all(store) == 0 and store.article_graphs() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg-store"]


def test_kg_load_into_an_empty_store_streams_into_a_fresh_one(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kg.cli import main

    monkeypatch.chdir(tmp_path)
    shard = tmp_path / "four.nq"
    shard.write_text("".join(
        line[:-2] + f" <{graph_for_article_iri(f'{BASE}id/article/{a}')}> .\n"
        for a in ARTICLES for line in article_nt(a).splitlines(keepends=True)), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["load", "--no-validate", str(shard)])
    assert first.exit_code == 0 and "bulk" in first.stderr and "loaded 4 graphs (20 triples)" in first.stderr
    assert runner.invoke(main, ["drop", "--all", "--yes"]).exit_code == 0  # an empty store, still there
    again = runner.invoke(main, ["load", "--no-validate", str(shard)])
    assert again.exit_code == 0 and "bulk" in again.stderr
    asked = runner.invoke(main, ["query", PLAIN, "--format", "csv"])
    assert asked.stdout.splitlines() == ["name", "Ban Kinh tế Tỉnh ủy Thử Nghiệm"]
    counted = runner.invoke(main, ["query", COUNT_ALL, "--format", "csv"])
    assert counted.stdout.splitlines()[1] == "14"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["four.nq", "kg-store"]


def test_which_queries_name_graphs():
    from kg.store.remote import _names_graphs

    assert _names_graphs("SELECT * { GRAPH ?g { ?s ?p ?o } }")
    assert _names_graphs("ASK { graph <http://e/g> { ?s ?p ?o } }")
    assert _names_graphs("PREFIX g: <http://e/> ASK { GRAPH g:one { ?s ?p ?o } }")
    assert not _names_graphs("# the union graph that queries read\nSELECT (COUNT(*) AS ?n) { ?s ?p ?o }")


def test_load_stream_bulk_into_empty_then_chunked_transactions(tmp_path):
    from kg.store import load_stream
    from kg.store.sources import units_from_graphs

    def units(with_body=True):
        for a in ARTICLES:
            yield from units_from_graphs([(graph_for_article_iri(f"{BASE}id/article/{a}"),
                                           article_nt(a, with_body=with_body))])

    assert load_stream(tmp_path / "s", units()) == (4, 20)
    assert load_stream(tmp_path / "s", units(with_body=False), chunk=3) == (4, 12)  # replaces, 2 transactions
    with open_store(tmp_path / "s") as store:
        assert store.query(PLAIN).rows == [] and count_all(store) == 12
