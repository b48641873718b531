"""Validate graphs against the SHACL shapes in shapes/ with pySHACL, and report for people.

``validate(graph)`` returns a ``ValidationReport`` with two verdicts, never mixed up:

* ``conforms`` — SHACL's meaning (and pySHACL's, pyrudof's, the ``sh:conforms`` of the Turtle
  report): there is no validation result at all, of any severity;
* ``accepted`` — kg's verdict (what ``kg export`` and ``kg validate`` exit on): no Violation,
  and with ``strict=True`` no Warning either; Info never rejects.

Results carry the focus node with its label, the path, the value and the message in Vietnamese
and English, and render as text, Turtle (the SHACL report graph, canonical) or JSON.

The shapes target pg: classes that kg.map states explicitly, so no RDFS inference runs
(it would cost 6-8x) and no ontology graph is mixed in.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg import formats
from kg.errors import InputError
from kg.namespaces import NIF, SKOS, curie, new_graph
from kg.resources import shapes_dir
from kg.store.guard import MAX_DTD_BYTES, check_jsonld_contexts, check_xml_entities

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True, order=True)
class ValidationResult:
    severity: str  # Violation | Warning | Info
    focus: str  # IRI of the node that fails
    focus_label: str | None  # its rdfs:label (or prefLabel / quoted text) in the data
    path: str | None  # compact IRI of the property, "pg:startYear"
    value: str | None  # the offending value, as text
    message_vi: str
    message_en: str
    shape: str  # compact IRI of the shape, "pgsh:Term-yearOrder"


@dataclass
class ValidationReport:
    conforms: bool  # SHACL's meaning: no result of any severity
    results: list[ValidationResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    strict: bool = False
    report_graph: Graph | None = field(default=None, repr=False, compare=False)

    @property
    def accepted(self) -> bool:
        """kg's verdict: no Violation (with ``strict``: no Warning either); Info never rejects."""
        return not self.counts.get("Violation") and not (self.strict and self.counts.get("Warning"))

    def verdict_lines(self) -> list[str]:
        """Both verdicts, plainly: SHACL's (any result breaks it) and kg's (what the exit code says)."""
        tally = ", ".join(f"{self.counts.get(s, 0)} {s}" for s in SEVERITIES)
        shacl = "hợp lệ / conforms" if self.conforms else "KHÔNG hợp lệ / does not conform"
        kg = "chấp nhận / accepted" if self.accepted else "BỊ TỪ CHỐI / rejected"
        rule = ("--strict: Violation hoặc Warning thì từ chối / a Violation or a Warning rejects" if self.strict
                else "chỉ Violation mới từ chối / only a Violation rejects")
        return [f"Kết quả kiểm tra SHACL / SHACL validation: {shacl} ({tally})",
                f"Kết luận của kg / kg's verdict: {kg} ({rule})"]

    def to_text(self) -> str:
        """A report a person can read: both verdicts, then one block per result, Vietnamese and English."""
        lines = self.verdict_lines()
        for r in self.results:
            label = f' "{r.focus_label}"' if r.focus_label else ""
            lines.append(f"\n[{r.severity}] <{r.focus}>{label}")
            detail = []
            if r.path:
                detail.append(f"path: {r.path}")
            if r.value is not None:
                detail.append(f"value: {r.value}")
            if detail:
                lines.append("  " + "   ".join(detail))
            lines.append(f"  vi: {r.message_vi}")
            lines.append(f"  en: {r.message_en}")
            lines.append(f"  shape: {r.shape}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """``conforms``: SHACL's meaning; ``accepted``: kg's verdict (under ``strict``)."""
        data = {"conforms": self.conforms, "accepted": self.accepted, "strict": self.strict,
                "counts": self.counts, "results": [asdict(r) for r in self.results]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        """The SHACL report graph as canonical Turtle (blank nodes relabelled, sorted)."""
        graph = new_graph()
        if self.report_graph is not None:
            for triple in self.report_graph:
                graph.add(triple)
        return graph.serialize(format="longturtle", canon=True)


# --- shapes, loaded once ----------------------------------------------------------------


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """Every shapes/*.ttl in one graph (parsed once per process)."""
    graph = new_graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


# --- validation -------------------------------------------------------------------------


class _ParameterList(list):
    """A list with set-speed ``in``: same behaviour, same order, for pySHACL's parameter scan."""

    def __init__(self, items):
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._members


class IndexedGraph(Graph):
    """An rdflib Graph whose triple lookups come from plain dict indexes, for pySHACL to read.

    pySHACL asks the data and shapes graphs hundreds of thousands of small questions per batch
    (the objects of a focus node on a path; a shape's parameters again on every nested
    ``sh:node`` call); rdflib's Memory store answers each through its context bookkeeping, about
    half of validation time. The same triples come from three dict indexes
    (s→p→[o], p→o→[s], o→s→[p]). Over an existing store (``IndexedGraph(store=g.store,
    identifier=g.identifier)``) the index is built on the first lookup and dropped on any change,
    and every other Graph method works as usual. ``IndexedGraph.of(triples)`` keeps the triples in
    the index alone (no rdflib store: for a batch graph pySHACL only reads through ``triples``).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("bind_namespaces", "none")
        super().__init__(*args, **kwargs)
        self._index = None
        self._detached = False

    @classmethod
    def of(cls, triples) -> IndexedGraph:
        """A read-only graph of ``triples`` (each given once), held in the index alone."""
        graph = cls()
        graph._detached = True
        graph._index = _index(triples)
        return graph

    def _insert(self, triple) -> None:
        spo, pos, osp, every = self._index
        s, p, o = triple
        if o in spo.get(s, {}).get(p, ()):
            return
        every.append(triple)
        spo.setdefault(s, {}).setdefault(p, []).append(o)
        pos.setdefault(p, {}).setdefault(o, []).append(s)
        osp.setdefault(o, {}).setdefault(s, []).append(p)

    def add(self, triple):
        if self._detached:
            self._insert(tuple(triple))
            return self
        self._index = None
        return super().add(triple)

    def addN(self, quads):  # noqa: N802 - rdflib's name
        if self._detached:
            for s, p, o, _ in quads:
                self._insert((s, p, o))
            return self
        self._index = None
        return super().addN(quads)

    def remove(self, triple):
        if self._detached:
            raise TypeError("a detached IndexedGraph is read-only")
        self._index = None
        return super().remove(triple)

    def __len__(self) -> int:
        return len(self._index[3]) if self._detached else super().__len__()

    def __iter__(self):
        return self.triples((None, None, None))

    def _build(self):
        self._index = _index(super().triples((None, None, None)))  # a graph's triples are distinct
        return self._index

    def triples(self, triple):
        s, p, o = triple
        if p is not None and not isinstance(p, (URIRef, BNode)):  # a property path: rdflib evaluates it
            for s_, o_ in p.eval(self, s, o):
                yield s_, p, o_
            return
        spo, pos, osp, every = self._index or self._build()
        if s is not None:
            by_predicate = spo.get(s)
            if not by_predicate:
                return
            if p is not None:
                objects = by_predicate.get(p, ())
                if o is None:
                    for value in objects:
                        yield s, p, value
                elif o in objects:
                    yield s, p, o
            elif o is None:
                for predicate, objects in by_predicate.items():
                    for value in objects:
                        yield s, predicate, value
            else:
                for predicate in osp.get(o, {}).get(s, ()):
                    yield s, predicate, o
        elif p is not None:
            by_object = pos.get(p)
            if not by_object:
                return
            if o is not None:
                for subject in by_object.get(o, ()):
                    yield subject, p, o
            else:
                for value, subjects in by_object.items():
                    for subject in subjects:
                        yield subject, p, value
        elif o is not None:
            for subject, predicates in osp.get(o, {}).items():
                for predicate in predicates:
                    yield subject, predicate, o
        else:
            yield from every

    def __contains__(self, triple) -> bool:
        for _ in self.triples(triple):
            return True
        return False

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803 - rdflib's names
              initBindings=None, use_store_provided=True, **kwargs):
        # pySHACL sends a SPARQL constraint's text again for every shape it runs on, and rdflib
        # parses and translates a text on every call (pyparsing: ~6 ms a query, more than the
        # rest of validating an article). The same text with the same prefixes gives the same
        # algebra, which rdflib's prepared queries are made to run again with other bindings.
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            namespaces = initNs or dict(self.namespaces())
            query_object = _prepared_query(query_object, tuple(sorted(namespaces.items())))
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


@lru_cache(maxsize=256)
def _prepared_query(text: str, namespaces: tuple):
    """``text`` parsed and translated once per process (rdflib.plugins.sparql.prepareQuery)."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


def _index(triples) -> tuple:
    """(s→p→[o], p→o→[s], o→s→[p], [triples]) of distinct triples (one pass, no calls)."""
    spo: dict = {}
    pos: dict = {}
    osp: dict = {}
    every = []
    append = every.append
    for triple in triples:
        append(triple)
        s, p, o = triple
        by_p = spo.get(s)
        if by_p is None:
            spo[s] = {p: [o]}
        else:
            objects = by_p.get(p)
            if objects is None:
                by_p[p] = [o]
            else:
                objects.append(o)
        by_o = pos.get(p)
        if by_o is None:
            pos[p] = {o: [s]}
        else:
            subjects = by_o.get(o)
            if subjects is None:
                by_o[o] = [s]
            else:
                subjects.append(s)
        by_s = osp.get(o)
        if by_s is None:
            osp[o] = {s: [p]}
        else:
            predicates = by_s.get(s)
            if predicates is None:
                by_s[s] = [p]
            else:
                predicates.append(p)
    return spo, pos, osp, every


_PLAIN = {"on": False}  # plain_pyshacl() switches kg's speed-ups off (benchmarks, reference tests)


@contextlib.contextmanager
def plain_pyshacl():
    """pySHACL as it comes, for the duration: no parameter-list patch, shapes re-harvested on every
    call, rdflib's own graphs. For benchmarks and for tests that compare kg's fast path with it."""
    import pyshacl.shape as shape_module

    before = (_PLAIN["on"], getattr(shape_module, "CONSTRAINT_PARAMS", (None, None)))
    _PLAIN["on"] = True
    shape_module.CONSTRAINT_PARAMS = (None, None)
    try:
        yield
    finally:
        _PLAIN["on"] = before[0]
        shape_module.CONSTRAINT_PARAMS = before[1]


def _speed_up_pyshacl() -> None:
    # pySHACL checks every predicate of a shape against a *list* of constraint parameters
    # (rdflib URIRef.__eq__ in Python) once per focus node and property shape: about 30 %
    # of our validation time. It caches that list on pyshacl.shape as CONSTRAINT_PARAMS;
    # seeding the cache with a set-backed list gives the same results faster. Skipped
    # when a pySHACL version no longer has this cache, and inside plain_pyshacl().
    if _PLAIN["on"]:
        return
    try:
        import pyshacl.shape as shape_module
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:
        return
    if getattr(shape_module, "CONSTRAINT_PARAMS", (None, None)) == (None, None) and hasattr(
            shape_module.Shape, "validate"):
        shape_module.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


@lru_cache(maxsize=1)
def corpus_shapes_graph() -> Graph:
    """shapes/*.ttl and the corpus-level checks of shapes/corpus/*.ttl (conflicts between articles)."""
    graph = new_graph()
    for path in sorted(shapes_dir().glob("*.ttl")) + sorted((shapes_dir() / "corpus").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def validate(graph: Graph | Dataset, *, strict: bool = False, corpus: bool = False) -> ValidationReport:
    """Validate ``graph`` (a Graph, or a Dataset whose graphs are validated as one) against shapes/;
    ``corpus`` adds the checks across articles of shapes/corpus/ (for a union of many articles)."""
    data = _as_graph(graph)
    if not _PLAIN["on"]:  # the same triples, read through dict indexes
        if type(data) in (Graph, IndexedGraph):  # a plain graph: its own context of the store, shared
            data = IndexedGraph(store=data.store, identifier=data.identifier, namespace_manager=data.namespace_manager)
        else:  # a ConjunctiveGraph or another Graph subclass: its triples, once each
            data = IndexedGraph.of(dict.fromkeys(data))
    report_graph = _pyshacl(data, corpus=corpus)
    results = _results(report_graph, data)
    ill_typed = ill_typed_results(data)
    if ill_typed:
        _add_ill_typed(report_graph, data)
    return _report(sorted([*results, *ill_typed], key=_order), strict, report_graph)


def _add_ill_typed(report_graph: Graph, data: Graph) -> None:
    """kg's ill-typed-literal Violations into the SHACL report graph too, so that its results and its
    ``sh:conforms`` are those of the text and JSON reports."""
    report = next(report_graph.subjects(RDF.type, SH.ValidationReport), None)
    if report is None:
        return
    report_graph.set((report, SH.conforms, Literal(False)))
    for s, p, o in _ill_typed_triples(data):
        node = BNode()
        datatype = compact(o.datatype)
        report_graph.add((report, SH.result, node))
        for predicate, value in ((RDF.type, SH.ValidationResult), (SH.focusNode, s), (SH.resultPath, p),
                                 (SH.value, o), (SH.resultSeverity, SH.Violation),
                                 (SH.sourceConstraintComponent, SH.DatatypeConstraintComponent),
                                 (SH.resultMessage, Literal(f"Giá trị “{o}” không phải là một {datatype} hợp lệ",
                                                            lang="vi")),
                                 (SH.resultMessage, Literal(f"The value “{o}” is not a valid {datatype}", lang="en"))):
            report_graph.add((node, predicate, value))


def _report(results: list, strict: bool, report_graph=None) -> ValidationReport:
    counts = {s: sum(1 for r in results if r.severity == s) for s in SEVERITIES}
    return ValidationReport(conforms=not results, results=results, counts=counts, strict=strict,
                            report_graph=report_graph)


def _pyshacl(data: Graph, *, corpus: bool = False) -> Graph:
    """pySHACL's report graph for ``data``: with the shapes compiled once per process (unless
    plain_pyshacl() is on, then exactly as ``pyshacl.validate`` runs)."""
    shapes = corpus_shapes_graph() if corpus else shapes_graph()
    with quiet_rdflib():
        if _PLAIN["on"]:
            from pyshacl import validate as shacl_validate

            return shacl_validate(data, shacl_graph=shapes, inference="none", advanced=False)[1]
        from pyshacl import Validator
        from pyshacl.graph_abstraction import DataGraph

        _speed_up_pyshacl()
        validator = Validator(DataGraph.from_rdflib(data), shacl_graph=Graph(),
                              options={"inference": "none", "advanced": False})
        validator.shacl_graph = _compiled_shapes(corpus)  # reuse the harvested shapes
        return validator.run()[1]


# --- many articles per pySHACL call (corpus mode) ------------------------------------
# Validate many articles per pySHACL call, with the results split back per article.
#
# pySHACL pays per call for harvesting the shapes (~12 ms with our shapes) and per
# node shape for target selection; validating 10-20 articles per call costs less per
# article than one call each. Two things keep the answer the same as
# ``kg.validate.validate`` on each article alone:
#
# * the compiled shapes (pySHACL's ShapesGraph) are built once per process and reused;
# * articles share IRIs (the same person in two articles is one IRI, every article points
#   to the same vocabulary concepts), and a union would merge their descriptions (two
#   ``pg:attestedOn`` dates break ``sh:maxCount 1``; one article's copy of a concept
#   would satisfy the check of another that only points to it). So every IRI in subject
#   or object position is renamed apart per article (``urn:kg-batch:{k}:{iri}``) in the
#   batch graph, and renamed back in the results; only IRIs the shapes name (classes,
#   ``sh:hasValue``/``sh:in`` values) and properties keep their names, as the shapes
#   compare them. A result on such a kept node goes to every article that mentions it.
#
# The shapes have no ``sh:pattern`` on IRIs, which is what makes the renaming
# invisible; tests/test_validate_batch.py checks equal results on a generated corpus.

_BATCH_TAG = "urn:kg-batch:"
_BATCH_TAGGED = re.compile(r"urn:kg-batch:(\d+):")
_BATCH_BLANK = re.compile(r"kgbatch(\d+)x")


@lru_cache(maxsize=1)
def _shape_terms() -> frozenset:
    """Every IRI the shapes graph mentions: these are compared by the shapes, never renamed."""
    graph = shapes_graph()
    return frozenset(t for triple in graph for t in triple if type(t) is URIRef)


@lru_cache(maxsize=2)
def _compiled_shapes(corpus: bool = False):
    """pySHACL's ShapesGraph over kg's shapes (with shapes/corpus/ for ``corpus``), harvested once
    per process, reading an IndexedGraph copy of them."""
    from pyshacl.shapes_graph import ShapesGraph

    indexed = IndexedGraph()
    for triple in corpus_shapes_graph() if corpus else shapes_graph():
        indexed.add(triple)
    compiled = ShapesGraph(indexed)
    compiled.shapes  # noqa: B018 - the property harvests and caches the shapes
    return compiled


def validate_many(graphs: list[Graph], base: str, *, strict: bool = False) -> list[ValidationReport]:
    """One ValidationReport per graph, equal to ``validate`` on each, from one pySHACL run over all.

    For corpus workers: see the comment above on how articles are kept apart in the batch.
    """
    if not graphs:
        return []
    del base  # every IRI is renamed apart, not only those under the base
    per_article: list[list] = [ill_typed_results(g) for g in graphs]
    for owners, result in _run(_batch_graph(graphs), graphs):
        for k in owners:
            per_article[k].append(result)
    return [_report(sorted(found, key=_order), strict) for found in per_article]


def _batch_graph(graphs: list):
    keep = _shape_terms() | {p for graph in graphs for p in graph.predicates(unique=True)}
    triples, untouched = [], set()
    for k, graph in enumerate(graphs):
        tag = f"{_BATCH_TAG}{k}:"
        renamed: dict = {}
        for s, p, o in graph:
            new_s, new_o = renamed.get(s), renamed.get(o)
            if new_s is None:
                new_s = renamed[s] = _renamed(s, k, tag, keep)
            if new_o is None:
                new_o = renamed[o] = _renamed(o, k, tag, keep)
            if new_s is s and new_o is o:  # nothing renamed: another article may have the same triple
                if (s, p, o) in untouched:
                    continue
                untouched.add((s, p, o))
            triples.append((new_s, p, new_o))
    if _PLAIN["on"]:
        batch = Graph(bind_namespaces="none")
        batch.addN((s, p, o, batch) for s, p, o in triples)
        return batch
    return IndexedGraph.of(triples)


def _renamed(term, k: int, tag: str, keep):
    kind = type(term)
    if kind is URIRef:
        return term if term in keep else URIRef(tag + term)
    if kind is BNode:  # a blank node stays blank (sh:nodeKind), with the article in its id
        return BNode(f"kgbatch{k}x{term}")
    return term


def _run(batch: Graph, graphs: list) -> list[tuple[list[int], ValidationResult]]:
    """pySHACL on the batch graph: each result with the articles it belongs to, terms renamed back."""
    report_graph = _pyshacl(batch)
    return [(_owners(focus, graphs), result) for focus, result in _focus_results(report_graph, batch, _original)]


def _original(term):
    """A batch term renamed back: urn:kg-batch:3:https://… → https://…"""
    if type(term) is URIRef and term.startswith(_BATCH_TAG):
        return URIRef(_BATCH_TAGGED.sub("", term, count=1))
    if type(term) is BNode and _BATCH_BLANK.match(term):
        return BNode(_BATCH_BLANK.sub("", term, count=1))
    return term


def _owners(focus, graphs: list) -> list[int]:
    """The articles a result belongs to: the one whose renamed node is its focus, else (a node the
    shapes name, kept as it is) every article that mentions the node."""
    match = (_BATCH_TAGGED.match(focus) if type(focus) is URIRef
             else _BATCH_BLANK.match(focus) if type(focus) is BNode else None)
    if match:
        return [int(match.group(1))]
    return [k for k, g in enumerate(graphs) if (focus, None, None) in g or (None, None, focus) in g]


@contextlib.contextmanager
def quiet_rdflib():
    """rdflib logs a warning with a traceback for every ill-typed literal ("2021-13-45"^^xsd:date);
    kg reports them itself (``ill_typed_results``), so its logger is silenced meanwhile."""
    logger = logging.getLogger("rdflib")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)


def _ill_typed_triples(data: Graph) -> list:
    return [(s, p, o) for s, p, o in data if isinstance(o, Literal) and getattr(o, "ill_typed", False)]


def ill_typed_results(data: Graph) -> list[ValidationResult]:
    """A Violation for each literal whose text is not a value of its datatype (rdflib's ``ill_typed``)."""
    out = []
    for s, p, o in _ill_typed_triples(data):
        datatype = compact(o.datatype) if o.datatype else "?"
        out.append(ValidationResult(
            severity="Violation", focus=str(s), focus_label=label_of(data, s),
            path=compact(p) if isinstance(p, URIRef) else str(p), value=str(o),
            message_vi=f"Giá trị “{o}” không phải là một {datatype} hợp lệ",
            message_en=f"The value “{o}” is not a valid {datatype}",
            shape="kg:ill-typed-literal"))
    return out


def _as_graph(graph: Graph | Dataset) -> Graph:
    if isinstance(graph, Dataset):
        union = new_graph()
        for s, p, o, _ in graph.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return graph


def _order(result: ValidationResult) -> tuple:
    return (SEVERITIES.index(result.severity), result.focus, result.path or "", result.shape,
            result.value or "")


def _results(report: Graph, data: Graph) -> list[ValidationResult]:
    """The results of a pySHACL report graph."""
    return [result for _, result in _focus_results(report, data)]


def _focus_results(report: Graph, data: Graph, original=None) -> list[tuple]:
    """(focus node as in the data, result) for each result; ``original`` maps a batch's renamed terms back."""
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        messages = list(report.objects(node, SH.resultMessage))
        templates = _sparql_message_templates().get(report.value(node, SH.sourceConstraint), ())
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        severity = report.value(node, SH.resultSeverity)
        label, data_focus = label_of(data, focus), focus
        if original is not None:
            focus, value = original(focus), original(value)
        out.append((data_focus, ValidationResult(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=str(focus),
            focus_label=label,
            path=compact(path) if isinstance(path, URIRef) else (str(path) if path else None),
            value=None if value is None else (str(value) if isinstance(value, Literal) else compact(value)),
            message_vi=_message(messages, "vi", templates),
            message_en=_message(messages, "en", templates),
            shape=compact(report.value(node, SH.sourceShape)),
        )))
    return out


def _message(messages: list, lang: str, templates: tuple = ()) -> str:
    """The message in ``lang``. pySHACL drops the tags of a SPARQL constraint's messages after filling
    in their {?variables}: the one that matches the constraint's template in ``lang`` is that language's."""
    for m in sorted(messages):
        if getattr(m, "language", None) == lang:
            return str(m)
    untagged = sorted(str(m) for m in messages if not getattr(m, "language", None))
    for template_lang, pattern in templates:
        if template_lang == lang:
            for m in untagged:
                if pattern.fullmatch(m):
                    return m
    return untagged[0] if untagged else (str(sorted(messages)[0]) if messages else "")


@lru_cache(maxsize=1)
def _sparql_message_templates() -> dict:
    """SPARQL constraint → ((language, pattern of its filled-in message), …), from every shapes file."""
    out: dict = {}
    for graph in (shapes_graph(), corpus_shapes_graph()):
        for constraint in sorted(set(graph.subjects(RDF.type, SH.SPARQLConstraint))):
            found = []
            for message in sorted(graph.objects(constraint, SH.message)):
                parts = re.split(r"\{[?$]\w+\}", str(message))
                found.append((getattr(message, "language", None),
                              re.compile("(?s:.*?)".join(re.escape(part) for part in parts))))
            out[constraint] = tuple(found)
    return out


def label_of(graph: Graph, node) -> str | None:
    """Display label of a node in the data: rdfs:label@vi, prefLabel@vi, any label, quoted text."""
    for prop in (RDFS.label, SKOS.prefLabel):
        values = sorted(graph.objects(node, prop))
        for value in values:
            if getattr(value, "language", None) == "vi":
                return str(value)
        if values:
            return str(values[0])
    anchor = graph.value(node, NIF.anchorOf)
    return str(anchor) if anchor is not None else None


def compact(term) -> str:
    """pg:startYear for an IRI in the prefix table (kg.namespaces.curie), else <iri>."""
    if term is None:
        return ""
    return curie(str(term)) or f"<{term}>"


# --- files ------------------------------------------------------------------------------


def validate_file(path: str | Path, *, strict: bool = False, corpus: bool = False,
                  fmt: str | None = None) -> ValidationReport:
    """Parse an RDF file (``-``: standard input; format ``fmt``, else from its extension) and validate
    it (``corpus``: with the checks across articles of shapes/corpus/)."""
    return validate(load_rdf(path, fmt), strict=strict, corpus=corpus)


def load_rdf(path: str | Path, fmt: str | None = None) -> Graph:
    """An RDF file (``-``: standard input) as one Graph; InputError naming the file (and line) when it
    cannot be read. ``fmt`` is a kg.formats name or alias; without it the extension (before a ``.gz``)
    says the format, as for every kg reader. Reading and the syntax check are kg.rdfio's; rdflib
    then parses the checked text for pySHACL."""
    from kg import rdfio

    stdin = str(path) == "-"
    name = "-" if stdin else str(path)
    if stdin and not fmt:
        raise InputError("-: standard input has no extension to tell its format; give --input-format "
                         f"({', '.join(formats.NAMES)})")
    if not stdin:
        path = Path(path)
    rdf_format = rdfio.format_of(name, fmt)
    text = rdfio.read_text(path)
    rdflib_format = rdf_format.rdflib
    base = None if stdin else path.resolve().as_uri()
    if rdflib_format == "xml":  # before any XML parser expands entities
        check_xml_entities(text.encode("utf-8")[:MAX_DTD_BYTES], name)
    if rdf_format is formats.JSONLD:  # checked as JSON: no remote contexts
        _check_json(name, text)
    else:
        rdfio.check_syntax(name, text.encode("utf-8"), rdf_format, base)
    target = Dataset()  # TriG, N-Quads and JSON-LD may hold named graphs: validated as one
    try:
        with quiet_rdflib():
            target.parse(data=text, format=rdflib_format, publicID=base)
    except RecursionError:  # rdflib's parsers recurse on nested blank nodes and lists
        raise InputError(f"{name}: nests blank nodes or lists too deeply for the validator (rdflib)") from None
    except Exception as err:  # rdflib's parsers raise many types; all mean "bad file"
        raise InputError(f"{name}: not valid {rdflib_format}: {_first_line(err)}") from err
    return _as_graph(target)


def _check_json(path: str, text: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: line {err.lineno}, column {err.colno}: bad JSON: {err.msg}") from err
    except RecursionError:
        raise InputError(f"{path}: the JSON nests too deeply to read") from None
    check_jsonld_contexts(doc, path)  # rdflib would fetch a remote @context over HTTP


def _first_line(err) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
