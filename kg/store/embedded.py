"""The embedded store: an on-disk Oxigraph (pyoxigraph) database, no server to run."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.store.base import QueryError, QueryResult, Store, check_query, tidy_message

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
        try:
            if read_only:
                if not self.location.is_dir():
                    raise KgError(f"{self.location}: no store here yet; load articles first with `kg load FILE…`")
                self._store = ox.Store.read_only(str(self.location))
            else:
                self.location.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.location))
        except OSError as err:
            if "lock" in str(err).lower():  # RocksDB lets one writer at a time open the folder
                raise KgError(f"{self.location}: the store is in use by another process (a running kg load?); "
                              "try again when it is done") from None
            raise KgError(f"{self.location}: cannot open the store ({_first_line(err)})") from None

    def load_units(self, units: Sequence[GraphUnit], replace: bool = True) -> None:
        """One SPARQL update for all units: Oxigraph runs it as one transaction (all or nothing)."""
        import pyoxigraph as ox

        # Only graphs that exist need dropping (we hold the writer's lock, so none can appear meanwhile);
        # a DROP costs time even when there is nothing to drop.
        existing = [u.graph for u in units if replace and self._store.contains_named_graph(ox.NamedNode(u.graph))]
        parts = [f"DROP SILENT GRAPH <{graph}>" for graph in existing]
        body = "\n".join(
            f"GRAPH <{u.graph}> {{\n" + "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in u.triples) + "\n}"
            for u in units
        )
        parts.append(f"INSERT DATA {{\n{body}\n}}")
        try:
            self._store.update(" ;\n".join(parts))
            self._store.flush()
        except OSError as err:
            raise KgError(f"{self.location}: cannot write to the store ({_first_line(err)})") from None

    def query(self, sparql: str, *, update: bool = False, default_graphs: Sequence[str] | None = None,
              timeout: float | None = None) -> QueryResult | None:
        """Run a query (or, with ``update``, an update). ``timeout`` is not enforced in-process."""
        import pyoxigraph as ox

        form = check_query(sparql, update=update)
        try:
            if update and form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                self._store.update(sparql)
                return None
            if default_graphs:
                answer = self._store.query(sparql, default_graph=[ox.NamedNode(g) for g in default_graphs])
            else:
                answer = self._store.query(sparql, use_default_graph_as_union=True)
            return _result(answer)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax {_first_line(err)}") from None
        except OSError as err:
            raise QueryError(f"{self.location}: {_first_line(err)}") from None

    def drop(self, graphs: Iterable[str]) -> list[str]:
        import pyoxigraph as ox

        dropped = []
        for graph in graphs:
            node = ox.NamedNode(graph)
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
        self._store = None


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
