"""kg load keeps what kg serve's VoID needs (kg.store.counts: the things count and each class's
most-mentioned member), so the first `kg serve` after a load answers VoID without counting; a
delta load (reload of a changed article, a drop) keeps them equal to a recount from scratch."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from corpus_support import export_each, generate_articles

from kg.publish import make_app
from kg.publish.server import open_read_only
from kg.publish.site import Site
from kg.publish.site.indexes import Indexes
from kg.store import counts as kept
from kg.store import open_store

BASE = "https://w3id.org/pgkg/"
VOID = "http://rdfs.org/ns/void#"


def export(folder: Path, articles: list[Path]) -> list[Path]:
    return export_each(folder, articles)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """Eight generated articles (people and bodies shared between them) and their exports."""
    folder = tmp_path_factory.mktemp("kept-corpus")
    articles = [Path(a) for a in generate_articles(folder, 8, seed=5)]
    return articles, export(folder, articles)


def recount(folder: Path) -> tuple[int, dict]:
    """The things and examples of the store by scan, from scratch (not from its records)."""
    store = ox.Store.read_only(str(folder))
    fresh = kept.keep_extras(store, kept.Counts())
    return fresh.things, fresh.examples


def kept_now(folder: Path) -> tuple[int, dict]:
    found = kept.read(ox.Store.read_only(str(folder)))
    return found.things, found.examples


def void_of(folder: Path, cache: Path, monkeypatch) -> tuple[ox.Store, int]:
    """VoID of a first `kg serve` on the store (an empty cache folder), and the things it names."""
    monkeypatch.setenv("KG_SERVE_CACHE", str(cache))
    app = make_app(open_read_only(folder), BASE, location=str(folder), warm=False)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/.well-known/void.nt", "QUERY_STRING": "",
               "wsgi.errors": io.StringIO(), "wsgi.input": io.BytesIO(b""), "SCRIPT_NAME": ""}
    seen = {}
    body = b"".join(app(environ, lambda status, headers: seen.setdefault("status", status)))
    assert seen["status"].startswith("200")
    graph = ox.Store()
    graph.load(body, format=ox.RdfFormat.N_TRIPLES)
    entities = [q.object.value for q in graph.quads_for_pattern(ox.NamedNode(BASE + ".well-known/void#dataset"),
                                                                 ox.NamedNode(VOID + "entities"), None)]
    return graph, int(entities[0])


def from_scratch(folder: Path) -> tuple[int, list[str]]:
    """What VoID said before kg load kept anything: every thing listed, every member's mentions counted."""
    site = Site(ox.Store.read_only(str(folder)))
    examples = sorted(site.catalogue.most_mentioned(index["key"], sorted(index["members"].unsorted))
                      for index in site.indexes if index["members"] and index["key"] != "articles")
    return len(site.all_things()), examples


def examples_in(graph: ox.Store) -> list[str]:
    return sorted(q.object.value for q in graph.quads_for_pattern(None, ox.NamedNode(VOID + "exampleResource"), None))


@pytest.mark.parametrize("path", ["bulk", "transaction"])
def test_the_first_serve_after_a_load_answers_void_from_what_the_load_kept(tmp_path, corpus, monkeypatch, path):
    from kg.store import bulk

    _, nquads = corpus
    monkeypatch.setattr(bulk, "BULK_MIN_QUADS", 1 if path == "bulk" else 10**9)
    folder = tmp_path / "kg-store"
    with open_store(folder) as store:
        store.load(nquads, validate=False)
    assert kept_now(folder) == recount(folder) and kept_now(folder)[0] > 0
    things, examples = from_scratch(folder)

    def no_listing(self):
        raise AssertionError("VoID listed every thing instead of reading the kept count")

    monkeypatch.setattr(Indexes, "all_things", no_listing)
    graph, entities = void_of(folder, tmp_path / "cache", monkeypatch)
    assert entities == things
    assert examples_in(graph) == examples


def test_a_delta_load_keeps_the_figures_equal_to_a_recount(tmp_path, corpus, monkeypatch):
    articles, nquads = corpus
    folder = tmp_path / "kg-store"
    with open_store(folder) as store:
        store.load(nquads, validate=False)
    before = kept_now(folder)

    # one article changed: its first named person renamed (an invented name), a sentence added
    text = articles[0].read_text(encoding="utf-8")
    names = re.findall(r"đồng chí ([A-ZĐ]\w+(?: [A-ZĐ]\w+){1,3})", text)
    assert names, "the generated article names a person"
    changed = tmp_path / "changed"
    changed.mkdir()
    edited = changed / articles[0].name
    edited.write_text(text.replace(names[0], "Khổng Văn Thịnh") + "\nĐồng chí Khổng Văn Thịnh phát biểu tại hội nghị.\n",
                      encoding="utf-8")
    with open_store(folder) as store:
        store.load(export(changed, [edited]), validate=False)  # replaces the article's graph
    after = kept_now(folder)
    assert after == recount(folder)
    assert after != before  # a new person: one more thing
    monkeypatch.setattr(Indexes, "all_things", lambda self: pytest.fail("VoID listed every thing"))
    graph, entities = void_of(folder, tmp_path / "cache", monkeypatch)
    monkeypatch.undo()
    things, examples = from_scratch(folder)
    assert (entities, examples_in(graph)) == (things, examples)

    asked = []
    best_after = kept._best_after
    monkeypatch.setattr(kept, "_best_after", lambda *a: asked.append(a[1]) or best_after(*a))
    with open_store(folder) as store:  # drop articles one by one: most-mentioned members lose mentions
        graphs = [g for g, _ in store.article_graphs()]
        for graph_iri in graphs[:5]:
            store.drop([graph_iri])
            found = kept.read(store._store)  # the writer's own view (no second open while it writes)
            fresh = kept.keep_extras(store._store, kept.Counts())
            assert (found.things, found.examples) == (fresh.things, fresh.examples)
    assert asked  # a class whose best member lost was asked again, and stayed exact


def test_kg_load_prepares_the_search_index_so_the_first_serve_answers_search_at_once(tmp_path, corpus,
                                                                                   monkeypatch):
    """`kg load` leaves kg serve's search index (and sorted indexes) for the store version it wrote:
    the first start after the load answers a search from it, without building anything."""
    from click.testing import CliRunner

    from kg.cli import main
    from kg.publish import prepare
    from kg.publish.catalogue import Catalogue, SearchIndex, kept_counts_file, kept_search_file
    from kg.store.changes import store_generation

    _, nquads = corpus
    cache = tmp_path / "cache"
    monkeypatch.setenv("KG_SERVE_CACHE", str(cache))
    monkeypatch.setattr(prepare, "PREPARE_TRIPLES", 0)  # the seed-sized corpus counts as big here
    folder = tmp_path / "kg-store"
    result = CliRunner().invoke(main, ["load", "--no-validate", "--store", str(folder), *map(str, nquads)])
    assert result.exit_code == 0, result.output
    index_file = kept_search_file(kept_counts_file(folder))
    version = list(store_generation(str(folder)))
    assert SearchIndex.header(index_file, version) is not None

    def no_scan(self, prop):
        raise AssertionError("the first start scanned the labels")

    monkeypatch.setattr(Catalogue, "_literals_of", no_scan)
    monkeypatch.setattr(Catalogue, "_scan_search", no_scan)
    monkeypatch.setattr(Catalogue, "members", lambda *a, **k: pytest.fail("the first start scanned the members"))
    app = make_app(open_read_only(folder), BASE, location=str(folder), warm=False)
    label = next(iter(app.site.catalogue.search_index(lambda c: c).entries))[0]
    for path, query in (("/search", "q=" + label.split()[0]), ("/", ""), ("/index/people", ""),
                        ("/.well-known/void", "")):
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_ACCEPT": "text/html",
                   "wsgi.errors": io.StringIO(), "wsgi.input": io.BytesIO(b""), "SCRIPT_NAME": ""}
        seen = {}
        b"".join(app(environ, lambda status, headers, seen=seen: seen.setdefault("status", status)))
        assert seen["status"].startswith("200"), (path, seen)
    assert index_file.stat().st_size > 0

    # a reload of one article: a new store version, prepared again (not the old version's files)...
    monkeypatch.undo()
    monkeypatch.setenv("KG_SERVE_CACHE", str(cache))
    monkeypatch.setattr(prepare, "PREPARE_TRIPLES", 0)
    monkeypatch.setattr(prepare, "PREPARE_WRITTEN", 0.0)
    result = CliRunner().invoke(main, ["load", "--no-validate", "--store", str(folder), str(nquads[0])])
    assert result.exit_code == 0, result.output
    newer = list(store_generation(str(folder)))
    assert newer != version
    assert SearchIndex.header(index_file, newer) is not None
    # ... unless it wrote too little of the store to be worth it (then kg serve builds it, as before)
    monkeypatch.setattr(prepare, "PREPARE_WRITTEN", 2.0)  # more than all of it: never
    result = CliRunner().invoke(main, ["load", "--no-validate", "--store", str(folder), str(nquads[1])])
    assert result.exit_code == 0, result.output
    assert SearchIndex.header(index_file, list(store_generation(str(folder)))) is None


def test_an_article_page_reads_its_mentions_from_its_graph_with_the_same_page(tmp_path, corpus, monkeypatch):
    """On a store kg load wrote, an article page reads its mentions from the article's graph in one
    scan: the page is the same as from a look-up per mention over the union."""
    from kg.publish.catalogue import Catalogue
    from kg.publish.pages import Pages

    _, nquads = corpus
    folder = tmp_path / "kg-store"
    with open_store(folder) as store:
        store.load(nquads, validate=False)
    site = Site(ox.Store.read_only(str(folder)))
    articles = sorted(q.subject.value for q in site.data.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("http://schema.org/NewsArticle"),
        ox.DefaultGraph()))
    assert len(articles) == 8
    assert all(site.catalogue.graph_of_article(a) for a in articles)
    fast = {a: (site.mentions_in(a), Pages(site).resource(a, site.doc_path(a))) for a in articles}
    assert all(mentions for mentions, _ in fast.values())

    monkeypatch.setattr(Catalogue, "graph_of_article", lambda self, article: None)  # a look-up per mention
    slow_site = Site(ox.Store.read_only(str(folder)))
    for a in articles:
        assert slow_site.mentions_in(a) == fast[a][0]
        assert Pages(slow_site).resource(a, slow_site.doc_path(a)) == fast[a][1]


def test_the_warm_up_leaves_nothing_for_the_first_article_page_to_compute(tmp_path, corpus, monkeypatch):
    """What kg serve's warm-up computes before the first visitor: the page templates compiled, and
    the index map and member ranks of the site copies pages are rendered with (one per language
    and ?lang= choice), not only of the site they were copied from. The first article page after
    it compiles no template and ranks no index (0.7 s at 100,000 articles before, for 8 visitors)."""
    from jinja2 import Environment

    from kg.publish.catalogue import Catalogue
    from kg.publish.site.common import Members

    _, nquads = corpus
    monkeypatch.setenv("KG_SERVE_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "kg-store"
    with open_store(folder) as store:
        store.load(nquads, validate=False)
    app = make_app(open_read_only(folder), BASE, location=str(folder), warm=False)
    app.listening.set()  # as kg serve does once its port is bound
    app._warm_up(app.site)  # what kg serve runs in its warm-up thread (the query workers too)
    article = next(q.subject.value for q in app.site.data.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://schema.org/NewsArticle"), ox.DefaultGraph()))

    real_once, real_rank = Catalogue._once, Members._rank

    def once(self, name, make, **kw):
        if name == "kept|index of" and name not in self._values:
            pytest.fail("the first article page computed the index map")
        return real_once(self, name, make, **kw)

    def rank(self):
        if getattr(self, "_ranks", None) is None:
            pytest.fail("the first article page ranked an index's members")
        return real_rank(self)

    monkeypatch.setattr(Environment, "compile", lambda *a, **k: pytest.fail("a request compiled a template"))
    monkeypatch.setattr(Catalogue, "_once", once)
    monkeypatch.setattr(Members, "_rank", rank)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/" + app.site.doc_path(article), "QUERY_STRING": "",
               "HTTP_ACCEPT": "text/html", "wsgi.errors": io.StringIO(), "wsgi.input": io.BytesIO(b""),
               "SCRIPT_NAME": ""}
    seen = {}
    try:
        body = b"".join(app(environ, lambda status, headers: seen.setdefault("status", status)))
    finally:
        app.close()
    assert seen["status"].startswith("200"), (seen, body[:300])
    assert b"<html" in body
