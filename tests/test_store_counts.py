"""The counts the embedded store keeps for kg stats (kg.store.counts) equal what the queries count,
after every kind of write: bulk load, transactions, reload (replace), --append, drop, drop --all,
a SPARQL update, a graph without an article, and a store written before the counts existed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from corpus_support import export_each, generate_articles

from kg.store import Store, open_store
from kg.store import counts as kept
from kg.store.sources import read_files

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
FILES = [DATA / "store_article_a.ttl", DATA / "store_article_b.ttl"]


def by_query(store) -> dict:
    """kg stats as any store computes it: by query (Store.stats), the reference."""
    return Store.stats(store)


def same(store) -> dict:
    kept_stats = store.stats()
    assert kept_stats == by_query(store)
    assert store.triple_count() == Store.triple_count(store)
    return kept_stats


@pytest.fixture(scope="module")
def nquads(tmp_path_factory) -> list[Path]:
    """Eight generated articles exported as one N-Quads file each (bench/generate_corpus.py)."""
    folder = tmp_path_factory.mktemp("corpus")
    return export_each(folder, generate_articles(folder, 8, seed=11))


def test_counts_follow_loads_reloads_and_drops(tmp_path, nquads):
    with open_store(tmp_path / "s") as store:
        store.load(nquads[:5], validate=False)  # small: one transaction
        first = same(store)
        assert first["graphs"] == 5
        store.load(nquads[3:], validate=False)  # two of them again (replace) and three new
        assert same(store)["graphs"] == 8
        graphs = [g for g, _ in store.article_graphs()]
        store.drop(graphs[:3])
        assert same(store)["graphs"] == 5
        held = {g for g, _ in store.article_graphs()}
        store.load(nquads[:2], validate=False)  # back, or replacing some still held: kept counts agree
        assert same(store)["graphs"] == len(held | {g for g, _ in store.article_graphs()})
        store.drop(graphs)
        assert same(store) == {**by_query(store), "graphs": 0, "triples": 0, "classes": {}}


def test_replace_with_fewer_triples_and_append(tmp_path):
    units = read_files(FILES, validate=False)
    with open_store(tmp_path / "s") as store:
        store.load_units(units)
        same(store)
        smaller = [type(u)(u.graph, u.triples[:-3], u.sources) for u in units]
        store.load_units(smaller)  # a reload that removes triples
        same(store)
        store.load_units(units, replace=False)  # --append: adds them back
        same(store)


def test_counts_survive_reopening_and_read_only(tmp_path, nquads):
    with open_store(tmp_path / "s") as store:
        store.load(nquads, validate=False)
        expected = same(store)
    with open_store(tmp_path / "s", read_only=True) as store:
        assert kept.read(store._store) is not None
        assert store.stats() == expected == by_query(store)
    with open_store(tmp_path / "s") as store:
        store.drop_everything()
    with open_store(tmp_path / "s", read_only=True) as store:
        assert store.stats()["graphs"] == 0 and store.triple_count() == 0


def test_bulk_load_keeps_counts(tmp_path, nquads, monkeypatch):
    from kg.store import bulk

    monkeypatch.setattr(bulk, "BULK_MIN_QUADS", 1)
    with open_store(tmp_path / "s") as store:
        store.load(nquads, validate=False)  # into an empty store: the bulk loader and the swap
        assert kept.read(store._store).records == 1
        same(store)
        store.drop([store.article_graphs()[0][0]])
        same(store)


def test_records_are_folded(tmp_path, nquads, monkeypatch):
    monkeypatch.setattr(kept, "FOLD_AFTER", 3)
    with open_store(tmp_path / "s") as store:
        for path in nquads:
            store.load([path], validate=False)
            assert kept.read(store._store).records <= 4
        same(store)


def test_update_and_graph_without_article_are_counted_by_query(tmp_path, nquads):
    with open_store(tmp_path / "s") as store:
        store.load(nquads[:3], validate=False)
        store.query("DELETE WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }", update=True)
        same(store)
        store.load([DATA / "store_article_a.ttl"], validate=False, graph="http://example.org/no-article")
        same(store)
        store.load(nquads[3:5], validate=False)
        same(store)
        store.drop(["http://example.org/no-article"])
        same(store)
        store.load(nquads[5:], validate=False)
        same(store)


def test_store_written_before_the_counts_is_counted_once(tmp_path, nquads):
    with open_store(tmp_path / "s") as store:
        store.load(nquads, validate=False)
        expected = same(store)
        import pyoxigraph as ox

        store._store.remove_graph(ox.NamedNode(kept.STATS_GRAPH))
        store._store.flush()
    with open_store(tmp_path / "s", read_only=True) as store:
        assert kept.read(store._store) is None
        assert store.stats() == expected  # by query until a writer counts
    with open_store(tmp_path / "s") as store:
        assert kept.read(store._store) is not None
        assert store.stats() == expected


def test_the_counts_stay_out_of_queries_and_of_a_reload(tmp_path, nquads):
    with open_store(tmp_path / "s") as store:
        store.load(nquads[:2], validate=False)
        union = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s <https://w3id.org/pgkg/store#counts> ?o }")
        assert union.rows[0][0].value == "0"  # not in the union that queries read
        assert all(g != kept.STATS_GRAPH for g, _ in store.article_graphs())
        dump = tmp_path / "dump.nq"
        import pyoxigraph as ox

        named = [q for q in store._store.quads_for_pattern(None, None, None, None)
                 if not isinstance(q.graph_name, ox.DefaultGraph)]
        assert any(q.graph_name.value == kept.STATS_GRAPH for q in named)
        dump.write_bytes(ox.serialize(named, format=ox.RdfFormat.N_QUADS))
    with open_store(tmp_path / "t") as store:
        store.load([dump], validate=False)  # a dump with the counts' graph in it: counted anew
        assert same(store)["graphs"] == 2


def test_stats_is_quick_on_kept_counts(tmp_path, nquads):
    with open_store(tmp_path / "s") as store:
        store.load(nquads, validate=False)
    with open_store(tmp_path / "s", read_only=True) as store:
        start = time.process_time()
        for _ in range(20):
            store.stats()
        assert (time.process_time() - start) / 20 < 0.05
