"""The embedded store: an on-disk Oxigraph (pyoxigraph) database, no server to run."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.store import answers, changes
from kg.store import counts as kept
from kg.store.base import QueryError, QueryForm, QueryResult, Store, check_query, tidy_message
from kg.store.guard import check_query_shape, sparql_term
from kg.store.union import build_union, needs_union_fallback, orphans, quads_text, to_default

if TYPE_CHECKING:
    from kg.store.sources import GraphUnit

DEFAULT_LOCATION = "kg-store"


def default_location() -> Path:
    """``$KG_STORE`` or ./kg-store."""
    return Path(os.environ.get("KG_STORE") or DEFAULT_LOCATION)


class EmbeddedStore(Store):
    """pyoxigraph.Store in a folder: a named graph per article, their de-duplicated union as the default graph.

    ``read_only`` opens an existing store without taking the writer's lock, so
    queries can run while another process loads.
    """

    def __init__(self, location: str | Path | None = None, *, read_only: bool = False):
        import pyoxigraph as ox

        self.location = Path(location) if location else default_location()
        self.description = f"embedded store {self.location}"
        self._read_only = False
        self._session: changes.Session | None = None  # what this writer changes (kg.store.changes)
        self._worker = None
        self._counts: kept.Counts | None = None  # kept by the writer (kg.store.counts)
        self._answers = answers.Keeper(self.location)  # the shipped CQs' kept rows (kg.store.answers)
        try:
            if read_only:
                if not self.location.is_dir():
                    raise KgError(f"{self.location}: no store here yet; load articles first with `kg load FILE…`")
                self._store = ox.Store.read_only(str(self.location))
                self._read_only = True
            else:
                self._session = changes.Session(self.location)  # its version before the writer opens it
                self.location.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.location))
                if build_union(self._store):
                    self._session.unfollowed()
                self._counts = self._current_counts()
        except OSError as err:
            if "lock" in str(err).lower():  # RocksDB lets one writer at a time open the folder
                raise KgError(f"{self.location}: the store is in use by another process (a running kg load?); "
                              "try again when it is done") from None
            raise KgError(f"{self.location}: cannot open the store ({_first_line(err)})") from None

    def load_units(self, units: Sequence[GraphUnit], replace: bool = True) -> None:
        """Write all units in one Oxigraph transaction (all or nothing), keeping the union graph.

        The store's layout (kg.store.union): one named graph per article, and the default graph
        holding the de-duplicated union of every named graph, which is what queries read. A
        graph being replaced gains its new triples and loses the ones it no longer has; a lost
        triple leaves the default graph only when no other named graph still holds it. Without
        losses the quads go in through ``Store.extend``, one transaction without SPARQL text. A
        loss and its insertions need one transaction, which only a SPARQL update gives: it is
        built from pyoxigraph terms (kg.store.guard.sparql_term), and a graph name is a
        NamedNode, which cannot hold ">" or spaces, so no value can close its <…> and add
        operations.
        """
        import pyoxigraph as ox

        units = [u for u in units if u.graph != kept.STATS_GRAPH]  # derived (a dump's copy): kept anew here
        if self._bulk_candidate(units):
            self._bulk_swap(units)
            return
        added: list = []  # quads for the named graphs
        removed: list = []
        entries: dict = {}  # graph → (triples, article) after this write (kg.store.counts)
        for unit in units:
            graph = _graph_node(unit.graph)
            new = dict.fromkeys(unit.triples)
            # we hold the writer's lock, so no graph can appear or change meanwhile
            exists = self._store.contains_named_graph(graph)
            if replace and exists:
                old = {q.triple for q in self._store.quads_for_pattern(None, None, None, graph)}
                added.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in new if t not in old)
                removed.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in old if t not in new)
                entries[unit.graph] = (len(new), kept.article_of(new))
            elif exists:  # --append: the graph keeps what it had
                fresh = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in new]
                fresh = [q for q in fresh if q not in self._store]
                added.extend(fresh)
                size, article = self._graph_entry(unit.graph, graph)
                articles = [a for a in (article, kept.article_of(new)) if a]
                entries[unit.graph] = (size + len(fresh), min(articles) if articles else "")
            else:
                added.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in new)
                entries[unit.graph] = (len(new), kept.article_of(new))
        union_added = list(dict.fromkeys(to_default(q) for q in added))
        union_removed = orphans(self._store, removed, added)
        union_new = [q for q in union_added if q not in self._store]  # not in the union yet (another article's)
        upkeep = self._answers.start(self._store, answers.token_of(self._counts), union_new, union_removed)
        self._touch(union_new, union_removed)
        record = self._record(union_new, union_removed, entries)
        try:
            if any(map(_has_blank_node, removed)):  # DELETE DATA takes no blank nodes
                self._replace_with_blank_nodes(added, removed, [*union_added, *record])
                for quad in union_removed:
                    self._store.remove(quad)
            elif removed:
                operations = [_data_block("DELETE DATA", removed + union_removed),
                              _data_block("INSERT DATA", added + union_added + record)]
                self._store.update(" ;\n".join(operations))
            else:
                self._store.extend([*added, *union_added, *record])
            self._store.flush()
        except OSError as err:
            self._counts = None
            raise KgError(f"{self.location}: cannot write to the store ({_first_line(err)})") from None
        self._after_write()
        if upkeep is not None:
            self._answers.finish(upkeep, self._store, answers.token_of(self._counts))

    # --- the counts kg stats reads (kg.store.counts) -------------------------------------------

    def _current_counts(self) -> kept.Counts | None:
        """The counts the store keeps; counted (and kept from now on) when it keeps none yet."""
        found = kept.read(self._store)
        if found is not None or self._read_only:
            return found
        if self._is_empty():
            return kept.Counts()
        found = kept.count_by_query(self._store)
        kept.rewrite(self._store, found)
        self._store.flush()
        return found

    def _graph_entry(self, iri: str, graph) -> tuple[int, str]:
        """(triples, article) of a graph already in the store."""
        if self._counts is not None and iri in self._counts.graphs:
            return self._counts.graphs[iri]
        triples = [q.triple for q in self._store.quads_for_pattern(None, None, None, graph)]
        return len(triples), kept.article_of(triples)

    def _record(self, new: list, union_removed: list, entries: dict) -> list:
        """The counts' record for this write, as the one quad to write with it (none if not kept).

        ``new``: the default-graph quads the write adds that are not there yet (not another article's).
        """
        if self._counts is None:
            return []
        counts = self._counts
        # a graph without an article: from now on the counts are made by query (_after_write)
        others = counts.others + sum(1 for entry in entries.values() if entry is not None and not entry[1])
        extras = kept.extras_change(self._store, counts, new, union_removed)  # kg serve's VoID (kg.store.counts)
        return [kept.record_quad(kept.change(counts, union_added=new, union_removed=union_removed,
                                             graphs=entries, others=others, extras=extras))]

    def _after_write(self) -> None:
        """Fold the records now and then; count again by query when a graph holds no article."""
        counts = self._counts
        if counts is None:
            return
        try:
            if counts.others > 0:  # exact only by query then (see kg.store.counts)
                self._counts = kept.count_by_query(self._store)
                kept.rewrite(self._store, self._counts)
            elif counts.records > kept.FOLD_AFTER:
                kept.rewrite(self._store, counts)
            else:
                return
            self._store.flush()
        except OSError as err:
            raise KgError(f"{self.location}: cannot write to the store ({_first_line(err)})") from None

    def kept_counts(self) -> kept.Counts | None:
        if self._counts is None and self._read_only:
            return kept.read(self._store) if not needs_union_fallback(self._store) else None
        return self._counts

    def stats(self) -> dict:
        """From the counts the store keeps (kg.store.counts), else by query like any store."""
        counts = self.kept_counts()
        if counts is None and self._read_only and self._is_empty():
            counts = kept.Counts()
        return counts.stats(self.description) if counts is not None else super().stats()

    def triple_count(self) -> int:
        counts = self.kept_counts()
        return counts.triples if counts is not None else super().triple_count()

    def _replace_with_blank_nodes(self, added: list, removed: list, union_added: list) -> None:
        """Graphs that lose triples with blank nodes: DROP them and write them whole, in one update."""
        graphs = list(dict.fromkeys(q.graph_name for q in removed))
        gone = set(removed)
        keep = [q for g in graphs for q in self._store.quads_for_pattern(None, None, None, g) if q not in gone]
        operations = [f"DROP SILENT GRAPH {sparql_term(graph)}" for graph in graphs]
        quads = list(dict.fromkeys([*keep, *added, *union_added]))
        if quads:
            operations.append(_data_block("INSERT DATA", quads))
        self._store.update(" ;\n".join(operations))

    def _bulk_candidate(self, units: Sequence[GraphUnit]) -> bool:
        """A load into an empty store goes through the bulk loader (kg.store.bulk)."""
        from kg.store.bulk import BULK_MIN_QUADS

        for unit in units:
            _graph_node(unit.graph)  # a bad graph name is refused before any folder is made
        if sum(len(u.triples) for u in units) < BULK_MIN_QUADS:
            return False
        return self._is_empty()

    def _is_empty(self) -> bool:
        """No data: nothing in the default graph nor in any named graph but the counts' (kg.store.counts)."""
        import pyoxigraph as ox

        if next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
            return False
        return all(kept.is_stats_graph(g) for g in self._store.named_graphs())

    def _bulk_swap(self, units: Sequence[GraphUnit]) -> None:
        import pyoxigraph as ox

        from kg.store.bulk import bulk_into_fresh_store

        def release():
            self._store = None

        self._unfollowed()  # everything is new: kg load prepares what kg serve keeps (kg.publish.prepare)
        # the empty store stays open (its lock keeps other writers out) until the fresh one is complete
        try:
            bulk_into_fresh_store(self.location, units, release)
        finally:
            self._store = None
            self._store = ox.Store(str(self.location))
            self._counts = self._current_counts()
            self._answers.close()  # a fresh folder: nothing kept yet

    def query(self, sparql: str, *, update: bool = False, default_graphs: Sequence[str] | None = None,
              timeout: float | None = None) -> QueryResult | None:
        """Run a query (or, with ``update``, an update).

        With ``timeout`` a query runs in a child process (kg.store.worker) that is killed at the
        deadline; the answer is then empty and ``partial``. Updates always run to the end.
        """
        form = check_query(sparql, update=update)
        is_update = update and form not in tuple(QueryForm)
        check_query_shape(sparql, update=is_update)  # before the parser: a hostile shape would crash the process
        graphs = [g.value for g in map(_graph_node, default_graphs or [])]
        if is_update:
            try:
                self._store.update(sparql)
            except SyntaxError as err:
                raise QueryError(f"SPARQL syntax {_first_line(err)}") from None
            except OSError as err:
                raise QueryError(f"{self.location}: {_first_line(err)}") from None
            self._recount()  # the update may have written anything, the counts' graph included
            return None
        if timeout and self._read_only:  # a worker may open the folder only while no writer holds it
            return self._query_in_worker(sparql, graphs, timeout)
        return run_query(self._store, sparql, graphs, str(self.location), counts=self.kept_counts, keeper=self._answers)

    def _query_in_worker(self, sparql: str, graphs: list[str], timeout: float) -> QueryResult:
        from kg.store.worker import Worker, WorkerCrashed, WorkerError, WorkerTimeout

        if self._worker is None:  # one worker serves every query of this store (--with-source runs many)
            self._worker = Worker(self.location, "kg.store.embedded:query_handler", {"location": str(self.location)})
        try:
            return self._worker.call((sparql, graphs), timeout)
        except WorkerTimeout:
            self._worker = None
            form = check_query(sparql, update=False)
            return QueryResult(QueryForm(form) if form in (QueryForm.SELECT, QueryForm.ASK) else QueryForm.CONSTRUCT, partial=True,
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
        """Remove the graphs and, from the default graph, the triples no remaining graph holds (one update)."""
        nodes = [node for node in dict.fromkeys(map(_graph_node, graphs)) if self._store.contains_named_graph(node)]
        if not nodes:
            return []
        removed = [q for node in nodes for q in self._store.quads_for_pattern(None, None, None, node)]
        union_removed = orphans(self._store, removed, [])
        upkeep = self._answers.start(self._store, answers.token_of(self._counts), [], union_removed)
        self._touch(union_removed)
        record = self._record([], union_removed, {node.value: None for node in nodes})
        operations = [f"DROP SILENT GRAPH {sparql_term(node)}" for node in nodes]
        text_safe = [q for q in union_removed if not _has_blank_node(q)]
        if text_safe:
            operations.append(_data_block("DELETE DATA", text_safe))
        if record:
            operations.append(_data_block("INSERT DATA", record))
        try:
            self._store.update(" ;\n".join(operations))
            for quad in union_removed:
                if _has_blank_node(quad):
                    self._store.remove(quad)
            self._store.flush()
        except OSError as err:
            self._counts = None
            raise KgError(f"{self.location}: cannot write to the store ({_first_line(err)})") from None
        self._after_write()
        if upkeep is not None:
            self._answers.finish(upkeep, self._store, answers.token_of(self._counts))
        return [node.value for node in nodes]

    def drop_everything(self) -> None:
        """Empty the store, graphs that hold no article included."""
        self._unfollowed()
        self._store.clear()
        self._store.flush()
        self._counts = kept.Counts()
        self._answers.close()
        answers.forget(self.location)

    def _recount(self) -> None:
        if self._read_only:
            return
        self._unfollowed()
        self._answers.close()  # an update may have changed anything:
        answers.forget(self.location)  # the kept answers are made again by the next query
        self._counts = kept.count_by_query(self._store)
        kept.rewrite(self._store, self._counts)
        self._store.flush()

    def close(self) -> None:
        self._answers.close()
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
        self._store = None  # RocksDB closes here (its last files written): then the version after
        session, self._session = self._session, None
        if session is not None:
            session.record()

    def _touch(self, *changed: list) -> None:
        """Note the subjects of union triples this write adds or removes (kg.store.changes)."""
        if self._session is not None:
            for quads in changed:
                self._session.touch(quads)

    def _unfollowed(self) -> None:
        if self._session is not None:
            self._session.unfollowed()


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
    body = quads_text(by_graph)
    return f"{operation} {{\n{body}\n}}"


def _has_blank_node(quad) -> bool:
    import pyoxigraph as ox

    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def run_query(store, sparql: str, graphs: Sequence[str], location: str, counts=None, keeper=None) -> QueryResult:
    """Evaluate one query on a pyoxigraph store: the union of all graphs, or ``graphs`` as the default graph.

    A shipped CQ that keeps its answer (kg.store.answers) is read from the kept rows of this store
    version; ``counts`` gives the store's kept counts (default: read from the store), ``keeper``
    the kg.store.answers.Keeper of the store's folder (default: a new one).
    """
    import pyoxigraph as ox

    from kg.store.ordering import sort_rows, split_order

    def evaluate(text: str):
        if graphs:
            return store.query(text, default_graph=[ox.NamedNode(g) for g in graphs])
        if needs_union_fallback(store):  # a store written before the union graph, opened read-only
            return store.query(text, use_default_graph_as_union=True)
        return store.query(text)  # the default graph is the de-duplicated union (kg.store.union)

    try:
        plan = answers.shipped_plan(sparql) if not graphs else None
        if plan is not None:
            keeper = keeper or answers.Keeper(location)
            found = keeper.answer(store, plan, counts() if counts else _read_counts(store))
            if found is not None:
                return found
        unordered = split_order(sparql)  # the final ORDER BY sorted here: Oxigraph's sort is slow (kg.store.ordering)
        if unordered is not None:
            result = _result(evaluate(unordered[0]))
            rows = sort_rows(result.variables, result.rows, unordered[1]) if result.form == QueryForm.SELECT else None
            if rows is not None:
                result.rows = rows
                return result
        return _result(evaluate(sparql))
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax {_first_line(err)}") from None
    except OSError as err:
        raise QueryError(f"{location}: {_first_line(err)}") from None


def _read_counts(store):
    return None if needs_union_fallback(store) else kept.read(store)


def query_handler(store, location: str):
    """The request handler of a query worker (kg.store.worker): (sparql, graphs) → QueryResult."""
    keeper = answers.Keeper(location)
    return lambda sparql, graphs: run_query(store, sparql, graphs, location, keeper=keeper)


def _result(answer) -> QueryResult:
    import pyoxigraph as ox

    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(QueryForm.ASK, boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        return QueryResult(QueryForm.SELECT, variables=names, rows=[tuple(s) for s in answer])  # values in variable order
    return QueryResult(QueryForm.CONSTRUCT, triples=list(answer))  # DESCRIBE prints the same way


def _first_line(err: BaseException) -> str:
    return tidy_message(str(err)) or type(err).__name__


def claim_if_empty(location: Path):
    """(True, lock) when ``location`` holds no store yet or an empty one, else (False, None).

    ``lock`` is the empty store opened for writing (None when there is none yet): holding it keeps
    other writers out until the fresh store has taken its place; a store in use is the usual
    clear error. Never creates a folder.
    """
    if not location.exists():
        return True, None
    if not (location / "CURRENT").is_file():  # RocksDB's marker
        return (not any(location.iterdir())), None
    store = EmbeddedStore(location)
    if store._is_empty():
        return True, store
    store.close()
    return False, None
