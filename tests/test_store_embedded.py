"""kg.store: load / query / idempotency / drop, the same tests on the embedded store and on a
real Oxigraph server (SPARQL 1.1 Protocol + Graph Store Protocol), plus embedded-only checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError, KgError
from kg.iri import graph_for_article_iri
from kg.store import EmbeddedStore, QueryError, UpdateRefused, load_graphs, open_store

pytest_plugins = ["conftest_servers"]

DATA = Path(__file__).parent / "data"
ARTICLE_A = "https://w3id.org/pgkg/id/article/aaaaaaaaaaaaaaaa"
ARTICLE_B = "https://w3id.org/pgkg/id/article/bbbbbbbbbbbbbbbb"
PREFIXES = """PREFIX pg: <https://w3id.org/pgkg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# Posts per person across articles, written the way the shipped CQs are (STR columns).
POSTS = PREFIXES + """SELECT DISTINCT ?person ?post ?organization WHERE {
  ?t a pg:Tenure ; org:member ?p ; org:role ?r ; org:organization ?o .
  ?p rdfs:label ?pl . ?r skos:prefLabel ?rl . ?o rdfs:label ?ol .
  FILTER(lang(?rl) = "vi")
  BIND(STR(?pl) AS ?person) BIND(STR(?rl) AS ?post) BIND(STR(?ol) AS ?organization)
} ORDER BY ?person ?post ?organization"""
# every article graph's triples; the embedded store's own counts (kg.store.counts) left out
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/pgkg/graph/stats>) }"


@pytest.fixture
def files() -> list[Path]:
    return [DATA / "store_article_a.ttl", DATA / "store_article_b.ttl"]


@pytest.fixture(params=["embedded", "oxigraph-server"])
def store(request, tmp_path):
    """The same tests run on pyoxigraph on disk and on `oxigraph serve` over HTTP."""
    if request.param == "embedded":
        opened = open_store(tmp_path / "kg-store")
    else:
        opened = open_store(endpoint=request.getfixturevalue("oxigraph_server").url)
    yield opened
    opened.close()


def count(store) -> int:
    return int(store.query(COUNT).rows[0][0].value)


def test_each_article_gets_its_own_named_graph(store, files):
    store.load(files, validate=False)
    assert store.article_graphs() == [
        (graph_for_article_iri(ARTICLE_A), ARTICLE_A),
        (graph_for_article_iri(ARTICLE_B), ARTICLE_B),
    ]
    info = store.stats()
    assert info["graphs"] == 2
    # 63 triples in the two graphs, 3 of them in both: the store holds 60 distinct triples
    assert count(store) == sum(g["triples"] for g in info["graph_list"]) == 63
    assert info["triples"] == int(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0].value) == 60
    # the same person IRI in both articles is one entity
    assert info["classes"]["https://w3id.org/pgkg/ontology#Person"] == 1
    assert info["classes"]["http://schema.org/NewsArticle"] == 2


def test_reloading_replaces_instead_of_adding(store, files, tmp_path):
    store.load(files, validate=False)
    first = count(store)
    store.load(files, validate=False)
    assert count(store) == first
    # a re-export with one fact less replaces the old graph: the fact is gone
    shorter = tmp_path / "a.ttl"
    text = (DATA / "store_article_a.ttl").read_text(encoding="utf-8")
    shorter.write_text(text.replace('    pg:attestedOn "2021-01-06"^^xsd:date ;\n', ""), encoding="utf-8")
    store.load([shorter], validate=False)
    assert count(store) == first - 1
    store.load([shorter], validate=False, replace=False)
    assert count(store) == first - 1  # --append adds nothing new either: RDF graphs are sets


def test_queries_see_the_union_of_all_articles(store, files):
    store.load(files, validate=False)
    rows = [tuple(r.values()) for r in store.query(POSTS).values()]
    assert rows == [
        ("Lại Xuân Lâm", "Phó Bí thư", "Đảng ủy Khối các cơ quan Trung ương"),
        ("Lại Xuân Lâm", "Ủy viên", "Ban Thường vụ Đảng ủy Khối các cơ quan Trung ương"),
    ]


def test_with_source_names_the_article_behind_each_row(store, files):
    store.load(files, validate=False)
    result = store.query_with_source(POSTS)
    assert result.variables == ["person", "post", "organization", "source"]
    assert [(r["post"], r["source"]) for r in result.values()] == [
        ("Phó Bí thư", ARTICLE_A),
        ("Ủy viên", ARTICLE_B),
    ]
    label = PREFIXES + 'SELECT DISTINCT ?name WHERE { ?p a pg:Person ; rdfs:label ?l BIND(STR(?l) AS ?name) }'
    sourced = store.query_with_source(label).values()
    assert sourced == [{"name": "Lại Xuân Lâm", "source": ARTICLE_A}, {"name": "Lại Xuân Lâm", "source": ARTICLE_B}]


def test_with_source_keeps_the_order_the_query_asks_for(store, files):
    store.load(files, validate=False)
    descending = POSTS.replace("ORDER BY ?person ?post ?organization", "ORDER BY DESC(?post)")
    assert [r["post"] for r in store.query_with_source(descending).values()] == ["Ủy viên", "Phó Bí thư"]
    with pytest.raises(QueryError, match="needs a SELECT"):
        store.query_with_source("ASK { ?s ?p ?o }")


def test_a_bad_file_leaves_the_store_as_it_was(store, files, tmp_path):
    store.load(files[:1], validate=False)
    before = count(store)
    broken = tmp_path / "broken.ttl"
    text = (DATA / "store_article_b.ttl").read_text(encoding="utf-8")
    broken.write_text(text.replace('schema:name "Lại Xuân Lâm"@vi ;', 'schema:name "Lại Xuân Lâm ;', 1),
                      encoding="utf-8")
    with pytest.raises(InputError) as err:
        store.load([files[1], broken], validate=False)
    line = next(i for i, text in enumerate(broken.read_text().splitlines(), 1) if 'schema:name "Lại Xuân Lâm ;' in text)
    assert str(err.value).startswith(f"{broken}: line {line}, column ")  # kg.rdfio's error style
    assert count(store) == before
    assert [g for g, _ in store.article_graphs()] == [graph_for_article_iri(ARTICLE_A)]


def test_several_articles_in_one_turtle_graph_are_refused(store, files, tmp_path):
    both = tmp_path / "both.ttl"
    both.write_text("".join(f.read_text(encoding="utf-8") for f in files), encoding="utf-8")
    with pytest.raises(InputError, match=r"both\.ttl: holds 2 articles .*--format trig"):
        store.load([both], validate=False)
    assert count(store) == 0


def test_trig_keeps_its_graphs(store, files, tmp_path):
    import pyoxigraph as ox

    quads = [
        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph_for_article_iri(article)))
        for path, article in zip(files, (ARTICLE_A, ARTICLE_B))
        for q in ox.parse(path=path)
    ]
    trig = tmp_path / "both.trig"
    ox.serialize(quads, trig, format=ox.RdfFormat.TRIG)
    store.load([trig], validate=False)
    assert [a for _, a in store.article_graphs()] == [ARTICLE_A, ARTICLE_B]
    assert count(store) == 63


def test_a_file_without_an_article_needs_a_graph_name(store, tmp_path):
    data = tmp_path / "extra.nt"
    data.write_text('<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    with pytest.raises(InputError, match=r"extra\.nt: no schema:NewsArticle.*--graph"):
        store.load([data], validate=False)
    store.load([data], validate=False, graph="https://example.org/g")
    assert count(store) == 1


def test_drop_one_article_then_all(store, files):
    store.load(files, validate=False)
    assert store.drop([graph_for_article_iri(ARTICLE_A)]) == [graph_for_article_iri(ARTICLE_A)]
    assert [a for _, a in store.article_graphs()] == [ARTICLE_B]
    assert store.drop([graph_for_article_iri(ARTICLE_A)]) == []  # already gone
    assert store.drop_all() == [graph_for_article_iri(ARTICLE_B)]
    assert count(store) == 0


def test_ask_and_construct(store, files):
    store.load(files, validate=False)
    assert store.query(PREFIXES + 'ASK { ?p rdfs:label "Lại Xuân Lâm"@vi }').boolean is True
    assert store.query(PREFIXES + 'ASK { ?p rdfs:label "Nguyễn Văn Không"@vi }').boolean is False
    graph = store.query(PREFIXES + "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a pg:Person ; rdfs:label ?l }")
    assert [(t.subject.value, t.object.value) for t in graph.triples] == [
        ("https://w3id.org/pgkg/id/person/laji-xuaan-laam", "Lại Xuân Lâm")
    ]


def test_syntax_errors_say_where(store):
    with pytest.raises(QueryError, match=r"1:\d+"):
        store.query("SELECT ?s WHERE { ?s ?p ?o ")


def test_updates_need_to_be_asked_for(store, files):
    store.load(files, validate=False)
    with pytest.raises(UpdateRefused, match="--update"):
        store.query("# clean up\nPREFIX ex: <http://example.org/>\nDROP ALL")
    assert count(store) == 63
    store.query(f"DROP GRAPH <{graph_for_article_iri(ARTICLE_B)}>", update=True)
    assert [a for _, a in store.article_graphs()] == [ARTICLE_A]


def test_load_graphs_takes_in_memory_graphs(store, files):
    import rdflib

    graph = rdflib.Graph().parse(files[0])
    ntriples = rdflib.Graph().parse(files[1]).serialize(format="nt")
    units = load_graphs(store, [(None, graph), (None, ntriples)])
    assert sorted(u.graph for u in units) == [graph_for_article_iri(ARTICLE_A), graph_for_article_iri(ARTICLE_B)]
    assert count(store) == 63


# --- embedded only ----------------------------------------------------------------------


def test_the_embedded_store_persists_on_disk(tmp_path, files):
    with open_store(tmp_path / "s") as store:
        store.load(files, validate=False)
    with open_store(tmp_path / "s", read_only=True) as again:
        assert count(again) == 63


def test_a_missing_store_is_not_created_by_a_query(tmp_path):
    with pytest.raises(KgError, match="no store here yet"):
        open_store(tmp_path / "nothing", read_only=True)
    assert not (tmp_path / "nothing").exists()


def test_the_default_location_comes_from_kg_store(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "from-env"))
    store = EmbeddedStore()
    assert store.location == tmp_path / "from-env"
    store.close()


# --- real exports of the seed and of a second article (the `exports` fixture) ------------------

def test_the_shipped_cqs_answer_across_real_exports(store, exports):
    store.load([exports["dir"] / "seed.ttl", exports["dir"] / "second.ttl"])  # validated on the way in
    from kg.store import cq_query

    people = [tuple(r.values()) for r in store.query(cq_query("people")).values()]
    assert ("Lại Xuân Lâm", "Phó Bí thư", "Đảng ủy Khối các cơ quan Trung ương") in people
    assert ("Nguyễn Minh Chung", "Trưởng Ban", "Ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương") in people
    assert people.count(("Lại Xuân Lâm", "Phó Bí thư", "Đảng ủy Khối các cơ quan Trung ương")) == 1
    meetings = {r["date"] for r in store.query(cq_query("meetings")).values()}
    assert {"2021-01-06", "2021-03-01"} <= meetings


def test_with_source_gives_both_articles_as_evidence(store, exports):
    store.load([exports["dir"] / "seed.ttl", exports["dir"] / "second.ttl"])
    from kg.store import cq_query

    seed, second = exports["seed"].article_iri, exports["second"].article_iri
    rows = store.query_with_source(cq_query("people")).values()
    sources = {r["source"] for r in rows if (r["person"], r["post"]) == ("Lại Xuân Lâm", "Phó Bí thư")}
    assert sources == {seed, second}
    assert {r["source"] for r in rows if r["person"] == "Nguyễn Minh Chung"} == {seed}
    documents = store.query_with_source(cq_query("documents")).values()
    assert {r["source"] for r in documents if r["number"] == "35-NQ/TW"} == {seed, second}
    assert {r["source"] for r in documents if r["number"] == "05-CT/TW"} == {seed}


def test_real_exports_reload_idempotently(store, exports):
    files = [exports["dir"] / "seed.ttl", exports["dir"] / "second.ttl"]
    expected = exports["seed"].triples + exports["second"].triples
    store.load(files)
    assert count(store) == expected
    store.load(files)
    assert count(store) == expected
    assert store.stats()["graph_list"] == sorted(
        [{"graph": e.graph_iri, "article": e.article_iri, "triples": e.triples}
         for e in (exports["seed"], exports["second"])], key=lambda g: g["graph"])


def test_a_merged_multi_article_turtle_is_refused_and_trig_is_not(store, exports):
    with pytest.raises(InputError, match="--format trig"):
        store.load([exports["dir"] / "both.ttl"])
    assert count(store) == 0
    store.load([exports["dir"] / "both.trig"])
    assert sorted(a for _, a in store.article_graphs()) == sorted(
        [exports["seed"].article_iri, exports["second"].article_iri])
    assert count(store) == exports["seed"].triples + exports["second"].triples


def test_an_export_that_breaks_the_shapes_is_not_loaded(store, exports, tmp_path):
    store.load([exports["dir"] / "second.ttl"])
    before = count(store)
    text = (exports["dir"] / "seed.ttl").read_text(encoding="utf-8")
    broken = tmp_path / "seed-without-number.ttl"
    broken.write_text(text.replace('\n\teli:id_local "35-NQ/TW" ;', "", 1), encoding="utf-8")
    assert broken.read_text(encoding="utf-8") != text
    with pytest.raises(InputError, match=r"(?s)seed-without-number\.ttl: does not validate.*eli:id_local"):
        store.load([exports["dir"] / "seed.ttl", broken])
    assert count(store) == before
    store.load([broken], validate=False)  # --no-validate is the user's call
    assert count(store) == before + exports["seed"].triples - 1


def test_load_graphs_takes_what_the_exporter_returns(store, exports):
    """kg export --load hands over ArticleExport graphs; the result equals loading the files."""
    done = exports["seed"]
    units = load_graphs(store, [(done.graph_iri, done.graph), (None, exports["second"].nquads)])
    assert [u.graph for u in units] == [done.graph_iri, exports["second"].graph_iri]
    assert count(store) == done.triples + exports["second"].triples
