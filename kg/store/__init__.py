"""Load kg exports into a triple store and query them with SPARQL.

    from kg.store import open_store
    with open_store() as store:                      # ./kg-store, or $KG_STORE
        store.load(["out/seed.ttl"])                 # one named graph per article; reload replaces
        result = store.query(cq_query("people"))     # union of all graphs
        print(result.values())

``open_store(endpoint="http://127.0.0.1:7878")`` gives the same interface over
any SPARQL 1.1 server (Protocol + Graph Store Protocol).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.cq import cq_names, cq_query
from kg.store.base import (
    EXIT_ASK_FALSE,
    EXIT_PARTIAL,
    QueryError,
    QueryResult,
    Store,
    UpdateRefused,
    query_form,
)
from kg.store.embedded import DEFAULT_LOCATION, EmbeddedStore, default_location
from kg.store.remote import RemoteStore, endpoints_for
from kg.store.sources import GraphUnit, read_files, units_from_graphs

__all__ = [
    "DEFAULT_LOCATION", "EXIT_ASK_FALSE", "EXIT_PARTIAL", "EmbeddedStore", "GraphUnit", "QueryError",
    "QueryResult", "RemoteStore", "Store", "UpdateRefused", "cq_names", "cq_query", "default_location",
    "endpoints_for", "load_graphs", "load_stream", "open_store", "query_form", "read_files",
]


def open_store(location: str | Path | None = None, *, endpoint: str | None = None, read_only: bool = False,
               **remote) -> Store:
    """The embedded store at ``location`` (default ./kg-store or $KG_STORE), or a SPARQL server.

    ``remote`` takes RemoteStore's keywords: user, password, timeout, update_endpoint, gsp_endpoint,
    server (a kg.store.dialects name, default the guess from the URL).
    """
    if endpoint:
        return RemoteStore(endpoint, **remote)
    return EmbeddedStore(location, read_only=read_only)


def load_graphs(store: Store, graphs: Iterable[tuple[str | None, object]], *, replace: bool = True) -> list[GraphUnit]:
    """Load in-memory graphs: (graph IRI or None, rdflib.Graph or N-Triples/N-Quads text) pairs.

    ``None`` derives the graph from the article in the data; N-Quads keep their graphs.
    All graphs are written together (one transaction in the embedded store).
    """
    units = units_from_graphs(graphs)
    store.load_units(units, replace=replace)
    return units


def load_stream(location: str | Path | None, units: Iterable[GraphUnit], *, replace: bool = True,
                chunk: int = 200, fast=None) -> tuple[int, int]:
    """Load a stream of units into the embedded store at ``location``: (graphs, triples) written.

    Into an empty (or absent) store the whole stream goes through the bulk loader into a fresh
    store that takes its place when complete (all or nothing, memory for one unit at a time);
    into a store that holds data, ``chunk`` units per transaction (each chunk all or nothing).
    ``units``: kg.store.sources.iter_units(paths), or ``units_from_graphs([(graph, nquads)])``.
    ``fast`` (optional): the same data as kg.store.bulk.NQuadsSource values, which an empty store
    takes through Oxigraph's parser alone (no validation: for data already validated); ``units``
    is then read only if they hold what that path cannot load (kg.store.bulk.NotFast).
    For ``kg export --load`` and other programs that write a corpus into the store.
    """
    from kg.store.bulk import Counted, NotFast, bulk_into_fresh_store
    from kg.store.embedded import claim_if_empty

    folder = Path(location) if location else default_location()
    empty, lock = claim_if_empty(folder)
    counted = Counted(units)
    if empty:
        release = lock.close if lock is not None else None
        try:
            if fast:
                try:
                    return bulk_into_fresh_store(folder, (), release, fast=fast)
                except NotFast:
                    pass
            bulk_into_fresh_store(folder, counted, release)
        finally:
            if lock is not None:
                lock.close()
        return len(counted.graphs), counted.triples
    with EmbeddedStore(folder) as store:
        pending: list[GraphUnit] = []
        for unit in counted:
            pending.append(unit)
            if len(pending) >= chunk:
                store.load_units(pending, replace=replace)
                pending = []
        if pending:
            store.load_units(pending, replace=replace)
    return len(counted.graphs), counted.triples
