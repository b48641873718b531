"""The embedded store: an on-disk Oxigraph (pyoxigraph) database, no server to run."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.store.base import QueryError, QueryResult, Store, check_query, tidy_message
from kg.store.guard import check_query_shape, sparql_term

if TYPE_CHECKING:
    from kg.store.sources import GraphUnit

DEFAULT_LOCATION = "kg-store"


def default_location() -> Path:
    """``$KG_STORE`` or ./kg-store."""
    return Path(os.environ.get("KG_STORE") or DEFAULT_LOCATION)


class EmbeddedStore(Store):
    """pyoxigraph.Store in a folder. Queries see the union of all graphs as the default graph.

    ``read_only`` opens an existing store without taking the writer's lock, so
    queries can run while another process loads.
    """

    def __init__(self, location: str | Path | None = None, *, read_only: bool = False):
        import pyoxigraph as ox

        self.location = Path(location) if location else default_location()
        self.description = f"embedded store {self.location}"
        self._read_only = False
        self._worker = None
        try:
            if read_only:
                if not self.location.is_dir():
                    raise KgError(f"{self.location}: no store here yet; load articles first with `kg load FILE…`")
                self._store = ox.Store.read_only(str(self.location))
                self._read_only = True
            else:
                self.location.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.location))
        except OSError as err:
            if "lock" in str(err).lower():  # RocksDB lets one writer at a time open the folder
                raise KgError(f"{self.location}: the store is in use by another process (a running kg load?); "
                              "try again when it is done") from None
            raise KgError(f"{self.location}: cannot open the store ({_first_line(err)})") from None

    def load_units(self, units: Sequence[GraphUnit], replace: bool = True) -> None:
        """Write all units in one Oxigraph transaction (all or nothing).

        A graph being replaced that only gains triples (a reload of the same file gains none) takes
        just the new ones; a graph that loses some is dropped and written whole. Without drops the
        quads go in through ``Store.extend``, one transaction without SPARQL text (a 54 MB N-Quads
        file loads in 0.7 GB instead of 1.1 GB). A drop and its insertion need one transaction,
        which only a SPARQL update gives: it is built from pyoxigraph terms
        (kg.store.guard.sparql_term), and a graph name is a NamedNode, which cannot hold ">" or
        spaces, so no value can close its <…> and add operations.
        """
        import pyoxigraph as ox

        plan: list[tuple] = []  # (graph, triples to add)
        dropped: list = []
        for unit in units:
            graph = _graph_node(unit.graph)
            triples = unit.triples
            # we hold the writer's lock, so no graph can appear or change meanwhile
            if replace and self._store.contains_named_graph(graph):
                old = {q.triple for q in self._store.quads_for_pattern(None, None, None, graph)}
                new = set(triples)
                if old <= new:
                    triples = [t for t in triples if t not in old]
                else:
                    dropped.append(graph)
            plan.append((graph, triples))
        quads = (ox.Quad(t.subject, t.predicate, t.object, graph) for graph, triples in plan for t in triples)
        try:
            if dropped:
                operations = [f"DROP SILENT GRAPH {sparql_term(graph)}" for graph in dropped]
                self._store.update(" ;\n".join([*operations, _data_block("INSERT DATA", list(quads))]))
            else:
                self._store.extend(quads)
            self._store.flush()
        except OSError as err:
            raise KgError(f"{self.location}: cannot write to the store ({_first_line(err)})") from None

    def query(self, sparql: str, *, update: bool = False, default_graphs: Sequence[str] | None = None,
              timeout: float | None = None) -> QueryResult | None:
        """Run a query (or, with ``update``, an update).

        With ``timeout`` a query runs in a child process (kg.store.worker) that is killed at the
        deadline; the answer is then empty and ``partial``. Updates always run to the end.
        """
        form = check_query(sparql, update=update)
        is_update = update and form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
        check_query_shape(sparql, update=is_update)  # before the parser: a hostile shape would crash the process
        graphs = [g.value for g in map(_graph_node, default_graphs or [])]
        if is_update:
            try:
                self._store.update(sparql)
            except SyntaxError as err:
                raise QueryError(f"SPARQL syntax {_first_line(err)}") from None
            except OSError as err:
                raise QueryError(f"{self.location}: {_first_line(err)}") from None
            return None
        if timeout and self._read_only:  # a worker may open the folder only while no writer holds it
            return self._query_in_worker(sparql, graphs, timeout)
        return run_query(self._store, sparql, graphs, str(self.location))

    def _query_in_worker(self, sparql: str, graphs: list[str], timeout: float) -> QueryResult:
        from kg.store.worker import Worker, WorkerCrashed, WorkerError, WorkerTimeout

        if self._worker is None:  # one worker serves every query of this store (--with-source runs many)
            self._worker = Worker(self.location, "kg.store.embedded:query_handler", {"location": str(self.location)})
        try:
            return self._worker.call((sparql, graphs), timeout)
        except WorkerTimeout:
            self._worker = None
            form = check_query(sparql, update=False)
            return QueryResult(form if form in ("SELECT", "ASK") else "CONSTRUCT", partial=True,
                               reason=f"the query ran past the timeout of {timeout:g} s and was stopped")
        except WorkerCrashed as err:
            self._worker = None
            raise QueryError(f"{self.location}: {err}") from None
        except WorkerError as err:
            if not self._worker.alive():
                self._worker = None
            if err.kind in ("QueryError", "KgError"):
                raise QueryError(err.message) from None
            raise QueryError(f"{self.location}: {err.kind}: {err.message}") from None

    def drop(self, graphs: Iterable[str]) -> list[str]:
        dropped = []
        for graph in graphs:
            node = _graph_node(graph)
            if self._store.contains_named_graph(node):
                self._store.remove_graph(node)
                dropped.append(graph)
        self._store.flush()
        return dropped

    def drop_everything(self) -> None:
        """Empty the store, graphs that hold no article included."""
        self._store.clear()
        self._store.flush()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
        self._store = None


def _graph_node(iri: str):
    import pyoxigraph as ox

    try:
        return ox.NamedNode(iri)
    except ValueError as err:
        raise KgError(f"{iri!r}: not a graph IRI ({err})", exit_code=2) from None


def _data_block(operation: str, quads: list) -> str:
    """``DELETE DATA { GRAPH <g> { … } … }`` (or INSERT DATA) from quads, every term through sparql_term."""
    by_graph: dict = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(quad)
    body = "\n".join(
        f"GRAPH {sparql_term(graph)} {{\n" + "\n".join(_triple_text(q) for q in group) + "\n}"
        for graph, group in by_graph.items()
    )
    return f"{operation} {{\n{body}\n}}"


def _triple_text(t) -> str:
    return f"{sparql_term(t.subject)} {sparql_term(t.predicate)} {sparql_term(t.object)} ."


def run_query(store, sparql: str, graphs: Sequence[str], location: str) -> QueryResult:
    """Evaluate one query on a pyoxigraph store: the union of all graphs, or ``graphs`` as the default graph."""
    import pyoxigraph as ox

    try:
        if graphs:
            answer = store.query(sparql, default_graph=[ox.NamedNode(g) for g in graphs])
        else:
            answer = store.query(sparql, use_default_graph_as_union=True)
        return _result(answer)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax {_first_line(err)}") from None
    except OSError as err:
        raise QueryError(f"{location}: {_first_line(err)}") from None


def query_handler(store, location: str):
    """The request handler of a query worker (kg.store.worker): (sparql, graphs) → QueryResult."""
    return lambda sparql, graphs: run_query(store, sparql, graphs, location)


def _result(answer) -> QueryResult:
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        return QueryResult("SELECT", variables=names, rows=[tuple(s[n] for n in names) for s in answer])
    return QueryResult("CONSTRUCT", triples=list(answer))  # DESCRIBE prints the same way


def _first_line(err: BaseException) -> str:
    return tidy_message(str(err)) or type(err).__name__
