"""Read-only SPARQL 1.1 Protocol over a pyoxigraph store, with a deadline and a result cap.

Every query is first checked by a linear scan (kg.store.guard): too long, too deeply nested, too
many parts, or a SERVICE clause while federation is off → 400 before the parser sees it (a hostile
shape would crash the parser with SIGSEGV).

pyoxigraph cannot cancel a query, so when the store is on disk (``kg serve``) each query runs in one
of ``max_concurrent`` worker processes (kg.store.worker) holding the store read-only; at the
deadline the worker is killed — the query stops using CPU — and the answer is 503. A store in
memory (tests, the Python API) has no folder a worker could open: its queries run in a thread that
checks a cancel flag between rows, so one that computes everything before its first row runs on.

Results are never silently cut: when a SELECT has more than ``max_rows`` rows (or a CONSTRUCT more
than ``max_rows`` triples) the answer is HTTP 500 with a message, not a truncated 200. Every answer
carries ``X-Kg-Query-Timeout`` and ``X-Kg-Result-Cap`` so clients know the limits up front. The cap
(``MAX_ROWS``, 1,000,000 by default) is far above what the shipped competency questions return at
100,000 articles; a result is written row by row (no list of solution objects), so its memory is
about the size of the answer. Answers (200 only) are kept per store version in a bounded
``AnswerCache``: a new store version gets a new SparqlService, hence a new, empty cache.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import prefixes
from kg.publish import conneg
from kg.store.base import UPDATE_FORMS, query_form
from kg.store.guard import QueryTooComplex, check_query_shape
from kg.store.results import json_term as term_json

READ_ONLY = "This SPARQL endpoint is read-only: SPARQL Update is not accepted."
MAX_ROWS = 1_000_000  # the default result cap: rows of a SELECT, triples of a CONSTRUCT
ANSWER_CACHE_BYTES = 128 << 20
WORKER_WAIT = 5.0


@dataclass
class Answer:
    """An HTTP answer: status, content type, body and extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"), dict(headers))


class _Cancelled(Exception):
    pass


class _TooMany(Exception):
    pass


class AnswerCache:
    """200 answers of one store version by (query, Accept, dataset), bounded in bytes, LRU."""

    def __init__(self, budget: int = ANSWER_CACHE_BYTES) -> None:
        from collections import OrderedDict

        self.budget, self.size = budget, 0
        self._answers: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
                return Answer(answer.status, answer.content_type, answer.body, dict(answer.headers))
        return None

    def put(self, key: tuple, answer: Answer) -> None:
        if answer.status != 200 or len(answer.body) > self.budget // 8:
            return
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = Answer(answer.status, answer.content_type, answer.body, dict(answer.headers))
            self.size += len(answer.body)
            while self.size > self.budget:
                _, old = self._answers.popitem(last=False)
                self.size -= len(old.body)


class _Flight:
    """A question being answered: later askers of the same question wait for its answer."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: Answer | None = None


class SparqlService:
    """Runs SELECT/ASK/CONSTRUCT/DESCRIBE against ``store``; updates are refused."""

    def __init__(self, store: ox.Store, *, timeout: float = 10.0, max_rows: int = MAX_ROWS,
                 max_concurrent: int = 4, location: str | None = None, allow_federation: bool = False,
                 keeper=None) -> None:
        self.store = store
        self.keeper = keeper  # kg.store.answers.Keeper of the store's folder: a shipped CQ from its kept rows
        self.answers = AnswerCache()
        self._inflight: dict[tuple, _Flight] = {}  # the same question asked while it runs waits for it
        self._inflight_lock = threading.Lock()
        self.timeout = timeout
        self.max_rows = max_rows
        self.allow_federation = allow_federation
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self.workers = None
        if location is not None:
            from kg.store.worker import WorkerPool

            self.workers = WorkerPool(location, "kg.publish.sparql:worker_handler",
                                      {"max_rows": max_rows, "location": str(location)}, size=max_concurrent)

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()

    def limits(self) -> dict[str, str]:
        return {"X-Kg-Query-Timeout": f"{self.timeout:g}", "X-Kg-Result-Cap": str(self.max_rows)}

    def run(self, query: str, accept: str | None, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None) -> Answer:
        """Evaluate ``query`` and serialise it as ``accept`` asks; never raises for a bad query."""
        if is_update(query):
            return Answer.text(403, READ_ONLY, **self.limits())
        try:
            check_query_shape(query, allow_service=self.allow_federation)
        except QueryTooComplex as err:
            return Answer.text(400, f"Query refused: {err}.", **self.limits())
        key = (query, accept or "", tuple(default_graphs or ()), tuple(named_graphs or ()))
        kept = self.answers.get(key)
        if kept is not None:
            return kept
        with self._inflight_lock:
            running = self._inflight.get(key)
            if running is None:
                self._inflight[key] = _Flight()
        if running is not None:  # eight clients asking one question cost one evaluation
            if running.done.wait(self.timeout + WORKER_WAIT + 1) and running.answer is not None:
                a = running.answer
                return Answer(a.status, a.content_type, a.body, dict(a.headers))
            return Answer.text(503, "Too many queries are running; try again shortly.", **self.limits())
        flight = self._inflight[key]
        try:
            flight.answer = self._evaluate_once(query, accept, default_graphs, named_graphs, key)
            return flight.answer
        finally:
            with self._inflight_lock:
                self._inflight.pop(key, None)
            flight.done.set()

    def _evaluate_once(self, query, accept, default_graphs, named_graphs, key) -> Answer:
        if self.workers is not None:
            answer = self._run_in_worker(query, accept, default_graphs, named_graphs)
            answer.headers.update(self.limits())
            self.answers.put(key, answer)
            return answer
        if not self._slots.acquire(timeout=0.5):
            return Answer.text(503, "Too many queries are running; try again shortly.", **self.limits())
        box: dict[str, Answer] = {}
        cancel = threading.Event()
        done = threading.Event()

        def work() -> None:
            try:
                box["answer"] = self._evaluate(query, accept, default_graphs, named_graphs, cancel)
            finally:
                done.set()
                self._slots.release()

        threading.Thread(target=work, name="kg-sparql", daemon=True).start()
        if not done.wait(self.timeout):
            cancel.set()
            return Answer.text(503, f"Query timed out after {self.timeout:g} s (the limit of this endpoint). "
                               "Narrow the patterns or add LIMIT.", **self.limits())
        answer = box["answer"]
        answer.headers.update(self.limits())
        self.answers.put(key, answer)
        return answer

    def _run_in_worker(self, query, accept, default_graphs, named_graphs) -> Answer:
        from kg.store.worker import PoolBusy, WorkerCrashed, WorkerError, WorkerTimeout

        try:
            # a query waits up to WORKER_WAIT seconds for a free worker before "busy"
            return self.workers.call((query, accept, default_graphs, named_graphs), self.timeout, wait=WORKER_WAIT)
        except PoolBusy:
            return Answer.text(503, "Too many queries are running; try again shortly.")
        except WorkerTimeout:
            return Answer.text(503, f"Query timed out after {self.timeout:g} s (the limit of this endpoint) and was "
                               "stopped. Narrow the patterns or add LIMIT.")
        except WorkerCrashed:
            return Answer.text(500, "The query could not be evaluated: it stopped the query worker.")
        except WorkerError as err:
            return Answer.text(500, f"Query failed: {err.kind}: {err.message[:300]}")

    def _evaluate(self, query, accept, default_graphs, named_graphs, cancel) -> Answer:
        try:
            kwargs = _dataset(self.store, default_graphs, named_graphs)
            kept = self._kept(query) if not kwargs else None
            if kept is not None:
                return self._solutions(kept.variables, kept.rows, accept, cancel)
            result = self.store.query(query, prefixes=None, **kwargs)
            if isinstance(result, ox.QueryBoolean):
                return _boolean(result, accept)
            if isinstance(result, ox.QuerySolutions):
                return self._solutions([v.value for v in result.variables], result, accept, cancel)
            return self._triples(result, accept, cancel)
        except SyntaxError as err:
            return Answer.text(400, f"SPARQL syntax error: {err}")
        except _Cancelled:
            return Answer.text(503, "Query cancelled at the deadline.")
        except _TooMany:
            return Answer.text(500, f"The result has more than {self.max_rows} rows, the cap of this endpoint; "
                               "nothing was cut silently. Add LIMIT (at most the cap) or narrow the query.")
        except (OSError, ValueError, RuntimeError) as err:
            return Answer.text(400, f"Query failed: {err}")

    def _collect(self, iterator, cancel) -> list:
        rows = []
        for row in iterator:
            if cancel.is_set():
                raise _Cancelled()
            rows.append(row)
            if len(rows) > self.max_rows:
                raise _TooMany()
        return rows

    def _kept(self, query: str):
        """A shipped CQ's answer from the rows the store keeps (kg.store.answers), or None."""
        from kg.store import answers
        from kg.store import counts as kept_counts
        from kg.store.union import needs_union_fallback

        plan = answers.shipped_plan(query) if self.keeper is not None else None
        if plan is None or needs_union_fallback(self.store):  # kept rows are of kg's union graph
            return None
        return self.keeper.answer(self.store, plan, kept_counts.read(self.store))

    def _solutions(self, variables: list[str], rows, accept, cancel) -> Answer:
        """``rows`` (QuerySolutions, or tuples in ``variables``' order) in the negotiated results format."""
        fmt = conneg.negotiate(accept, conneg.RESULT_FORMATS)
        if fmt is None:
            return _not_acceptable(conneg.RESULT_FORMATS)
        bindings = []  # one JSON text per row, written as the rows come: no list of solution objects
        for row in rows:
            if cancel.is_set():
                raise _Cancelled()
            if len(bindings) == self.max_rows:
                raise _TooMany()
            bindings.append(_binding_json(variables, row))
        body = _solutions_document(variables, bindings)
        if fmt is not conneg.SPARQL_JSON:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            body = parsed.serialize(format=_RESULTS[fmt.name])
        return Answer(200, fmt.content_type, body, {"X-Kg-Result-Rows": str(len(bindings))})

    def _triples(self, result, accept, cancel) -> Answer:
        fmt = conneg.negotiate(accept, conneg.RDF_FORMATS)
        if fmt is None:
            return _not_acceptable(conneg.RDF_FORMATS)
        triples = sorted(set(self._collect(result, cancel)), key=str)
        return Answer(200, fmt.content_type, serialize_triples(triples, fmt), {"X-Kg-Result-Rows": str(len(triples))})


def worker_handler(store: ox.Store, max_rows: int, location: str | None = None):
    """The request handler of a query worker process (kg.store.worker): the same evaluation, no deadline
    of its own (the parent kills the process at the deadline); a shipped CQ from the kept rows of the
    store at ``location`` (kg.store.answers), made there by its first run."""
    from kg.store.answers import Keeper

    service = SparqlService(store, timeout=float("inf"), max_rows=max_rows,
                            keeper=Keeper(location) if location else None)
    never = threading.Event()
    return lambda query, accept, defaults, named: service._evaluate(query, accept, defaults, named, never)


_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def is_update(text: str) -> bool:
    """True when the text is a SPARQL Update request (INSERT, DELETE, LOAD, CLEAR, …).

    kg.store.base.query_form skips the prologue one anchored token at a time, in linear time (a
    single regular expression over the whole prologue backtracked quadratically on "PREFIX a:<<<<…").
    """
    return query_form(text) in UPDATE_FORMS


def serialize_triples(triples: list[ox.Triple], fmt: conneg.Format, graph: str | None = None) -> bytes:
    """Triples in one of conneg's RDF syntaxes; Turtle, TriG and RDF/XML with the project's prefixes.

    ``graph`` names the graph the triples belong to: TriG and N-Quads then write them in it (the
    other syntaxes hold one graph and write the triples alone). Blank nodes (SHACL property shapes)
    get canonical labels (RDFC-1.0), so the same input gives the same bytes on every run.
    """
    triples = canonical(triples)
    if fmt is conneg.JSONLD:  # the compacted form of kg export, with the published context
        from kg.serialize import jsonld_from_triples

        return jsonld_from_triples(triples).encode("utf-8")
    target = fmt.rdf.ox()
    data: list = triples
    if graph is not None and fmt.rdf.datasets and fmt is not conneg.JSONLD:
        name = ox.NamedNode(graph)
        data = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    if fmt.name in ("turtle", "trig", "rdfxml"):
        return ox.serialize(data, format=target, prefixes=_used_prefixes(triples))
    return ox.serialize(data, format=target)


def canonical(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Sorted triples; blank nodes relabelled canonically when there are any."""
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        triples = [q.triple for q in dataset]
    return sorted(triples, key=str)


def _used_prefixes(triples: list[ox.Triple]) -> dict[str, str]:
    """The project prefixes that some IRI in ``triples`` starts with (so Turtle declares no unused ones)."""
    iris = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
    iris |= {tr.object.datatype.value for tr in triples if isinstance(tr.object, ox.Literal)}
    return {p: ns for p, ns in prefixes().items() if any(i.startswith(ns) for i in iris)}


def solutions_json(variables: list[str], rows: list[ox.QuerySolution]) -> bytes:
    """SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)."""
    return _solutions_document(variables, [_binding_json(variables, row) for row in rows])


def _binding_json(variables: list[str], row) -> str:
    binding = {}
    for i, name in enumerate(variables):
        term = row[i]  # a QuerySolution or a tuple, in the variables' order
        if term is not None:
            binding[name] = term_json(term)
    return json.dumps(binding, ensure_ascii=False)


def _solutions_document(variables: list[str], bindings: list[str]) -> bytes:
    """The same bytes as json.dumps of the whole document, from the rows' JSON texts."""
    head = json.dumps({"vars": variables}, ensure_ascii=False)
    return f'{{"head": {head}, "results": {{"bindings": [{", ".join(bindings)}]}}}}'.encode()


def _boolean(result: ox.QueryBoolean, accept) -> Answer:
    offers = (conneg.SPARQL_JSON, conneg.SPARQL_XML, conneg.SPARQL_CSV, conneg.SPARQL_TSV)
    fmt = conneg.negotiate(accept, offers)
    if fmt is None:
        return _not_acceptable(offers)
    return Answer(200, fmt.content_type, result.serialize(format=_RESULTS[fmt.name]))


def _dataset(store, default_graphs, named_graphs) -> dict:
    """SPARQL Protocol default-graph-uri / named-graph-uri; otherwise the store's default graph, which
    holds every article's triples once (kg.store.union), or, on a store written before that layout,
    the union of all graphs."""
    from kg.store.union import needs_union_fallback

    kwargs: dict = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    elif needs_union_fallback(store):
        kwargs["use_default_graph_as_union"] = True
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    return kwargs


def _not_acceptable(offers) -> Answer:
    types = ", ".join(f.media_type for f in offers)
    return Answer.text(406, f"None of the requested media types can be produced; this result is available as: {types}.")
