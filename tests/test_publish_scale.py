"""kg serve at scale, the correctness parts: paginated class indexes, counts kept per store version
(equal to a recount), caches dropped when the store changes, the search index, /sparql past 10,000 rows.

Names and articles here are invented.
"""

from __future__ import annotations

import io
import json
import re
import time

import pyoxigraph as ox
import pytest
from publish_support import build_seed_store

from kg.publish import make_app
from kg.publish.catalogue import Catalogue, SearchIndex
from kg.publish.dataset import dump_lines, void_triples
from kg.publish.pages import PAGE_SIZE
from kg.publish.site import Site, fold
from kg.vietnamese import search_key

BASE = "https://example.org/kg/"
PG = "https://w3id.org/pgkg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLES = ["Văn", "Thị", "Minh", "Quốc", "Hữu", "Đức", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khoa", "Lâm", "Nam", "Phúc", "Quân", "Sơn", "Tâm",
         "Uyên", "Vinh", "Xuân", "Yến"]


def invented_people(n: int) -> list[tuple[str, str]]:
    """n (IRI, name) pairs; names repeat (two people may share a name: the IRI breaks the tie)."""
    out = []
    for i in range(n):
        name = f"{SURNAMES[i % 12]} {MIDDLES[(i // 12) % 7]} {GIVEN[(i * 7) % 17]}"
        out.append((f"{BASE}id/person/p{i:04d}", name))
    return out


def kg_layout_store(people: list[tuple[str, str]], graphs: int = 3) -> ox.Store:
    """People spread over ``graphs`` article graphs, each triple also in the default graph (kg.store.union)."""
    store = ox.Store()
    quads = []
    for i, (iri, name) in enumerate(people):
        graph = ox.NamedNode(f"{BASE}graph/{i % graphs:016x}")
        for p, o in ((RDF_TYPE, ox.NamedNode(PG + "Person")), (LABEL, ox.Literal(name, language="vi"))):
            quads.append(ox.Quad(ox.NamedNode(iri), p, o, graph))
            quads.append(ox.Quad(ox.NamedNode(iri), p, o, ox.DefaultGraph()))
    store.extend(quads)
    return store


def call(app, path: str, query: str = "", accept: str = "text/html") -> tuple[int, dict, bytes]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_ACCEPT": accept,
               "wsgi.errors": io.StringIO(), "wsgi.input": io.BytesIO(b""), "SCRIPT_NAME": ""}
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


# --- paginated class indexes -------------------------------------------------------------------

@pytest.fixture(scope="module")
def people():
    return invented_people(2 * PAGE_SIZE + 37)


@pytest.fixture(scope="module")
def app(people):
    return make_app(kg_layout_store(people), BASE)


def _page_members(body: bytes) -> list[str]:
    return re.findall(r'href="\.\./doc/person/(p\d{4})"', body.decode("utf-8"))


def test_every_member_is_on_exactly_one_page_in_label_order(app, people):
    seen, query, pages = [], "", 0
    while True:
        status, _, body = call(app, "/index/people", query)
        assert status == 200
        pages += 1
        seen += _page_members(body)
        nxt = re.search(r'<link rel="next" href="people\?page=(\d+)">', body.decode())
        if not nxt:
            break
        query = f"page={nxt.group(1)}"
    assert pages == 3
    assert sorted(seen) == sorted(iri.rsplit("/", 1)[1] for iri, _ in people)  # all, each once
    by_iri = dict(people)
    order = [(fold(by_iri[f"{BASE}id/person/{m}"]), m) for m in seen]
    assert order == sorted(order)  # stable: the label order, the IRI breaking ties


def test_pages_link_to_their_neighbours_and_say_where_they_are(app, people):
    first = call(app, "/index/people")[2].decode()
    assert 'rel="prev"' not in first and '<link rel="next" href="people?page=2">' in first
    middle = call(app, "/index/people", "page=2")[2].decode()
    assert '<link rel="prev" href="people">' in middle and '<link rel="next" href="people?page=3">' in middle
    assert f"{PAGE_SIZE + 1}–{2 * PAGE_SIZE}" in middle and str(len(people)) in middle
    last = call(app, "/index/people", "page=3")[2].decode()
    assert '<link rel="prev" href="people?page=2">' in last and 'rel="next"' not in last
    assert len(_page_members(last.encode())) == len(people) - 2 * PAGE_SIZE
    english = call(app, "/index/people", "page=2&lang=en")[2].decode()
    assert '<link rel="next" href="people?page=3&amp;lang=en">' in english


@pytest.mark.parametrize("query", ["page=4", "page=0", "page=-1", "page=x", "page=99999999999"])
def test_a_page_past_the_end_or_not_a_number_is_404(app, query):
    assert call(app, "/index/people", query)[0] == 404


def test_a_small_index_has_one_page_without_links():
    app = make_app(kg_layout_store(invented_people(5)), BASE)
    body = call(app, "/index/people")[2].decode()
    assert len(_page_members(body.encode())) == 5 and 'rel="next"' not in body and 'class="pager"' not in body


def test_home_counts_the_members_without_listing_them(app, people):
    body = call(app, "/")[2].decode()
    assert re.search(rf'<span class="n">{len(people)}</span>\s*<span class="t">Nhân vật</span>', body)


# --- counts equal a recount ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_site(tmp_path_factory):
    folder = build_seed_store(tmp_path_factory.mktemp("scale") / "kg-store")
    store = ox.Store.read_only(str(folder))
    return Site(store)


def _old_all_things(site: Site) -> list[str]:
    """What all_things computed before: every subject of every quad, filtered."""
    from kg.publish.site import safe_path

    found = set()
    for store in (site.data, site.terms):
        for q in store.quads_for_pattern(None, None, None):
            s = q.subject
            if isinstance(s, ox.NamedNode) and "#" not in s.value:
                path = site.path_for_iri(s.value)
                if path and path.startswith(("id/", "vocab/")) and safe_path(path):
                    found.add(s.value)
    return sorted(found)


def test_kept_counts_equal_a_recount(seed_site):
    from kg.store.counts import is_stats_graph  # kg load's kept counts: bookkeeping, not data

    site = seed_site
    assert site.triple_count() == len({q.triple for q in site.data.quads_for_pattern(None, None, None)
                                       if not is_stats_graph(q.graph_name)})
    assert site.graph_count() == sum(1 for g in site.data.named_graphs() if not is_stats_graph(g))
    assert site.catalogue.named_quad_count() == len(dump_lines(site))
    assert site.all_things() == _old_all_things(site)
    assert site.thing_count() == len(_old_all_things(site))
    partitions: dict[str, set[str]] = {}
    for q in site.data.quads_for_pattern(None, RDF_TYPE, None):
        partitions.setdefault(q.object.value, set()).add(str(q.subject))
    assert site.catalogue.class_counts() == {c: len(m) for c, m in sorted(partitions.items())}
    for index in site.indexes:
        members = sorted(index["members"].unsorted)
        if members:
            best = max(members, key=lambda m: (len(site.mentions_of(m)), m))
            assert site.catalogue.most_mentioned(index["key"], members) == best
        old_order = sorted(members, key=lambda iri: (fold(site.label(iri)), iri))
        assert list(index["members"]) == old_order


def test_void_reads_the_kept_counts(seed_site):
    triples = void_triples(seed_site)
    numbers = {t.predicate.value.rsplit("#", 1)[1]: int(t.object.value) for t in triples
               if t.subject.value.endswith("#dataset") and t.predicate.value.endswith(("#triples", "#entities"))}
    assert numbers == {"triples": len(dump_lines(seed_site)), "entities": len(_old_all_things(seed_site))}


def test_the_counts_kg_load_kept_are_read_not_counted(seed_site, tmp_path):
    catalogue = Catalogue(seed_site.data, keep=tmp_path / "counts.json", version=[1, 2, 3])
    catalogue._count = lambda text: pytest.fail("counted")  # noqa: ARG005
    assert catalogue.triple_count() == seed_site.triple_count() > 0
    assert catalogue.graph_count() == seed_site.graph_count() > 0


def test_counts_are_kept_across_restarts_for_the_same_store_version_only(seed_site, tmp_path):
    from kg.store.counts import is_stats_graph

    keep = tmp_path / "counts.json"
    uncounted = ox.Store()  # a store written by another tool: no counts kept by kg load
    uncounted.extend([q for q in seed_site.data if not is_stats_graph(q.graph_name)])
    first = Catalogue(uncounted, keep=keep, version=[1, 2, 3])
    n = first.triple_count()
    assert json.loads(keep.read_text())["values"]["triples"] == n
    again = Catalogue(uncounted, keep=keep, version=[1, 2, 3])
    again._count = lambda text: pytest.fail("counted again")  # noqa: ARG005
    assert again.triple_count() == n
    changed = Catalogue(uncounted, keep=keep, version=[1, 2, 4])
    counted = []
    changed._count = lambda text: counted.append(text) or 7
    assert changed.triple_count() == 7 and counted


# --- caches follow the store ---------------------------------------------------------------------

NEW_ARTICLE = """---
url: https://example.org/tin/hoi-nghi-tinh-uy-binh-lieu
title: Hội nghị Ban Thường vụ Tỉnh ủy bàn về công tác cán bộ
date: 2024-03-05
---
Ngày 5/3/2024, đồng chí Quách Văn Thưởng, Bí thư Tỉnh ủy Hà Giang, chủ trì hội nghị Ban Thường vụ Tỉnh ủy.
"""


def test_a_reload_drops_the_cached_pages_counts_and_search(tmp_path, monkeypatch):
    from kg.pipeline import export_text
    from kg.publish.app import STORE_SETTLE_SECONDS
    from kg.publish.server import open_read_only
    from kg.store import load_graphs
    from kg.store import open_store as open_writable

    monkeypatch.setenv("KG_SERVE_CACHE", str(tmp_path / "cache"))
    folder = build_seed_store(tmp_path / "kg-store")
    app = make_app(open_read_only(folder), "https://w3id.org/pgkg/", location=folder)
    try:
        home = call(app, "/")[2].decode()
        articles = call(app, "/index/articles")[2].decode()
        assert "Quách Văn Thưởng" not in call(app, "/search", "q=quach+van")[2].decode()
        assert call(app, "/index/articles")[2].decode() == articles  # answered from the page cache
        export = export_text(NEW_ARTICLE, "new.md")
        with open_writable(folder) as store:
            load_graphs(store, [(None, export.nquads)])
        deadline = time.monotonic() + 15
        while True:  # the folder must be unchanged for STORE_SETTLE_SECONDS before the server reopens it
            time.sleep(STORE_SETTLE_SECONDS / 2)
            app._next_check = 0
            if app.refresh():
                break
            assert time.monotonic() < deadline, "the server did not reopen the store"
        after = call(app, "/index/articles")[2].decode()
        assert "Hội nghị Ban Thường vụ Tỉnh ủy bàn về công tác cán bộ" in after and after != articles
        assert call(app, "/")[2].decode() != home  # the counts on the home page changed
        assert "Quách Văn Thưởng" in call(app, "/search", "q=quach+van")[2].decode()
        article = re.search(r'href="\.\./(doc/article/[0-9a-f]{16})"', after).group(1)
        assert call(app, "/" + article)[0] == 200
    finally:
        app.close()


# --- search ----------------------------------------------------------------------------------------

def test_search_finds_diacritic_insensitive_word_prefixes():
    people = invented_people(300)
    site = Site(kg_layout_store(people), BASE)
    hits = dict(site.search("nguy va"))
    assert hits and all(search_key(label).startswith("nguyen van") for label in hits.values())
    expected = {iri for iri, name in people if search_key(name).startswith("nguyen van")}
    assert set(site.search("NGUYỄN VĂN", limit=1000)) <= {(i, n) for i, n in people}
    assert {iri for iri, _ in site.search("NGUYỄN VĂN", limit=1000)} == expected
    assert site.search("guyen") == []  # a word's inside is not a prefix: "Nguyễn" is not found by "guyen"
    uyen = {iri for iri, _ in site.search("uyen", limit=1000)}
    assert uyen == {iri for iri, name in people if "Uyên" in name.split()}


def test_search_ranks_labels_starting_with_the_first_word_first_and_stops_at_the_limit():
    entries = sorted([(search_key(t), f"x:{i}") for i, t in enumerate(
        ["Văn phòng Tỉnh ủy", "Nguyễn Văn An", "Trần Văn Bình", "Văn Tiến Dũng", "Lê Văn"])])
    index = SearchIndex(entries)
    found = index.search(["van"], limit=10)
    assert [dict((i, t) for t, i in entries)[x].startswith("van") for x in found] == [True, True, False, False, False]
    assert len(index.search(["van"], limit=2)) == 2
    assert index.search(["van", "an"], limit=10) == ["x:1"]
    assert index.search(["zz"], limit=10) == []


# --- /sparql past the old 10,000-row cap ------------------------------------------------------------

def test_sparql_answers_more_than_ten_thousand_rows_by_default():
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"{BASE}id/x/{i}"), LABEL, ox.Literal(str(i)), ox.DefaultGraph())
                 for i in range(12000))
    app = make_app(store, BASE, timeout=60)
    query = "query=" + "SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
    status, headers, body = call(app, "/sparql", query, "application/sparql-results+json")
    assert status == 200 and headers["X-Kg-Result-Rows"] == "12000"
    assert len(json.loads(body)["results"]["bindings"]) == 12000
    capped = make_app(store, BASE, timeout=60, max_rows=11999)
    status, _, body = call(capped, "/sparql", query, "application/sparql-results+json")
    assert status == 500 and b"more than 11999 rows" in body  # still an error, never a cut


def test_a_page_quotes_the_first_mentions_and_says_how_many_there_are(seed_site, monkeypatch):
    """A body named in every article would quote them all: the page shows the first few in article
    order and the count; every mention stays in its RDF."""
    from kg.iri import key_to_iri, slug
    from kg.publish import views

    body = key_to_iri("org:" + slug("Đảng ủy Khối các cơ quan Trung ương"))
    every = seed_site.mentions_of(body)
    assert len(every) > 2
    shown, total = seed_site.evidence_of(body, 2)
    assert total == len(every) and shown == every[:2]
    monkeypatch.setattr(views, "EVIDENCE_SHOWN", 2)
    view = views.resource_view(seed_site, body)
    assert len(view["evidence"]) == 2 and view["evidence_total"] == len(every)
    app = make_app(seed_site.data, "https://w3id.org/pgkg/")
    status, _, page = call(app, "/" + seed_site.doc_path(body))
    assert status == 200
    assert f"The first 2 of {len(every)} quotes" in call(app, "/" + seed_site.doc_path(body), "lang=en")[2].decode()
    assert f"Hiển thị 2 trong {len(every)} trích dẫn" in page.decode()
