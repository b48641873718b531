"""Loads into an empty embedded store at bulk speed, still all or nothing.

Oxigraph's bulk loader (``Store.bulk_extend``) writes sorted files straight into RocksDB, several
times faster than a transaction, but it is not atomic: a crash half-way leaves half the data. So a
load into an empty store goes into a fresh store in a sibling folder, and only a complete one takes
the place of the empty one (two renames in the same parent folder). A failure removes the fresh
folder and leaves the empty store as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError

if TYPE_CHECKING:
    from kg.store.sources import GraphUnit

# Below this a transaction is as quick as building a second store and swapping folders.
BULK_MIN_QUADS = 50_000


def bulk_into_fresh_store(location: Path, units: Iterable[GraphUnit], release=None) -> None:
    """Write ``units`` (and their union as the default graph) into a fresh store, then swap it in.

    ``units`` may be a stream (kg.store.sources.iter_units): an exception it raises half-way (a
    file that does not parse or validate) removes the fresh store, and ``location`` stays as it
    was, or absent if it was. ``release`` closes the caller's handle on the empty store: it is
    called once the fresh store is complete, just before the folders move (RocksDB writes to
    its folder's path when it closes, so no handle may stay open across the move); until then
    its lock keeps other writers out.
    """
    import pyoxigraph as ox

    location.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{location.name}.bulk-", dir=location.parent))
    retired = fresh.with_name(fresh.name.replace(".bulk-", ".old-"))
    try:
        store = ox.Store(str(fresh))
        try:
            graphs: dict = {}
            store.bulk_extend(_quads(_tallied(units, graphs)))
            _keep_counts(store, graphs)
            store.flush()
        finally:
            store = None  # closes RocksDB (and frees its lock) before the folder moves or goes
        if release is not None:
            release()
        existed = location.exists()
        if existed:
            os.rename(location, retired)
        try:
            os.rename(fresh, location)
        except OSError:
            if existed:
                os.rename(retired, location)
            raise
    except OSError as err:
        shutil.rmtree(fresh, ignore_errors=True)
        raise KgError(f"{location}: cannot write to the store ({err})") from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _tallied(units: Iterable[GraphUnit], graphs: dict):
    """The units, passed through; ``graphs`` gets each graph's (distinct triples, article), or None
    for a graph met twice in the stream (then counted by query)."""
    from kg.store.counts import STATS_GRAPH, article_of

    for unit in units:
        if unit.graph != STATS_GRAPH:
            graphs[unit.graph] = (None if unit.graph in graphs
                                  else (len(set(unit.triples)), article_of(unit.triples)))
        yield unit


def _quads(units: Iterable[GraphUnit]):
    """Every unit's quads in its graph, each with its copy in the default graph.

    A triple several articles share is handed over once per article: the bulk loader writes each
    key once (RocksDB keys are the quads), so the default graph holds it once without kg keeping
    a set of every triple in Python.
    """
    import pyoxigraph as ox

    from kg.store.counts import STATS_GRAPH

    default = ox.DefaultGraph()
    for unit in units:
        if unit.graph == STATS_GRAPH:  # derived (a dump's copy): counted anew (_keep_counts)
            continue
        graph = _graph_node(unit.graph)
        for t in unit.triples:
            yield ox.Quad(t.subject, t.predicate, t.object, graph)
            yield ox.Quad(t.subject, t.predicate, t.object, default)


def _keep_counts(store, graphs: dict) -> None:
    """The counts kg stats reads (kg.store.counts) for the complete fresh store: each graph's size and
    article from the stream; distinct triples and entities per class from the union (one scan each)."""
    from kg.store import counts

    if not graphs:
        return
    if any(entry is None or not entry[1] for entry in graphs.values()):  # a graph twice, or one without article
        kept = counts.count_by_query(store)
    else:
        kept = counts.Counts(graphs=dict(graphs))
        kept.triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
        # every graph holds an article, so the union's typed entities are the articles' (stats_classes)
        for row in store.query("SELECT ?class (COUNT(?entity) AS ?entities) WHERE { ?entity a ?class } GROUP BY ?class"):
            kept.classes[row["class"].value] = int(row["entities"].value)
    store.extend([counts.record_quad(kept.whole())])


def _graph_node(iri: str):
    import pyoxigraph as ox

    try:
        return ox.NamedNode(iri)
    except ValueError as err:
        raise KgError(f"{iri!r}: not a graph IRI ({err})", exit_code=2) from None


class Counted:
    """Units passed through, counted (for the one line ``kg load`` prints)."""

    def __init__(self, units: Iterable[GraphUnit]) -> None:
        self._units, self.graphs, self.triples = units, set(), 0

    def __iter__(self):
        for unit in self._units:
            self.graphs.add(unit.graph)
            self.triples += len(unit.triples)
            yield unit
