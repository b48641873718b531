"""Validate graphs against the SHACL shapes in shapes/ with pySHACL, and report for people.

``validate(graph)`` returns a ``ValidationReport``: ``conforms`` is true when there is no
Violation (and, with ``strict=True``, no Warning either; Info never fails). Results carry the
focus node with its label, the path, the value and the message in Vietnamese and English, and
render as text, Turtle (the pySHACL report graph, canonical) or JSON.

The shapes target pg: classes that kg.map states explicitly, so no RDFS inference runs
(it would cost 6-8x) and no ontology graph is mixed in.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg import formats
from kg.errors import InputError
from kg.iri import normalise_base
from kg.namespaces import NIF, SKOS, new_graph, prefixes
from kg.resources import shapes_dir
from kg.store.guard import MAX_DTD_BYTES, check_jsonld_contexts, check_xml_entities

SEVERITIES = ("Violation", "Warning", "Info")

# File extension → (rdflib format, pyoxigraph format name), from kg.formats. pyoxigraph checks syntax
# first because its errors give the line and column; JSON-LD is checked as JSON (no remote contexts).
FORMATS = {ext: (f.rdflib, None if f is formats.JSONLD else f.oxigraph) for f in formats.ALL for ext in f.extensions}


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
    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    strict: bool = False
    report_graph: Graph | None = field(default=None, repr=False, compare=False)

    def to_text(self) -> str:
        """A report a person can read: one block per result, Vietnamese and English."""
        verdict = "hợp lệ / conforms" if self.conforms else "KHÔNG hợp lệ / does not conform"
        tally = ", ".join(f"{self.counts.get(s, 0)} {s}" for s in SEVERITIES)
        lines = [f"Kết quả kiểm tra SHACL / SHACL validation: {verdict} ({tally})"]
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
        data = {"conforms": self.conforms, "strict": self.strict, "counts": self.counts,
                "results": [asdict(r) for r in self.results]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        """The pySHACL report graph as canonical Turtle (blank nodes relabelled, sorted)."""
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


@lru_cache(maxsize=1)
def _speed_up_pyshacl() -> None:
    # pySHACL checks every predicate of a shape against a *list* of constraint parameters
    # (rdflib URIRef.__eq__ in Python) once per focus node and property shape: about 30 %
    # of our validation time. It caches that list on pyshacl.shape as CONSTRAINT_PARAMS;
    # seeding the cache with a set-backed list gives the same results faster. Skipped
    # when a pySHACL version no longer has this cache.
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
    from pyshacl import validate as shacl_validate

    _speed_up_pyshacl()

    data = _as_graph(graph)
    with quiet_rdflib():
        _, report_graph, _ = shacl_validate(data, shacl_graph=corpus_shapes_graph() if corpus else shapes_graph(),
                                            inference="none", advanced=False, allow_infos=True)
    results = sorted([*_results(report_graph, data), *ill_typed_results(data)], key=_order)
    counts = {s: sum(1 for r in results if r.severity == s) for s in SEVERITIES}
    conforms = counts["Violation"] == 0 and not (strict and counts["Warning"])
    return ValidationReport(conforms=conforms, results=results, counts=counts, strict=strict,
                            report_graph=report_graph)


# --- many articles per pySHACL call (corpus mode) ------------------------------------
# Validate many articles per pySHACL call, with the results split back per article.
#
# pySHACL pays per call for harvesting the shapes (~12 ms with our shapes) and per
# node shape for target selection; validating 10-20 articles per call costs about
# half as much per article as one call each. Two things keep the answer the same as
# ``kg.validate.validate`` on each article alone:
#
# * the compiled shapes (pySHACL's ShapesGraph) are built once per process and reused;
# * articles share entity IRIs (the same person in two articles is one IRI), and a
#   union would merge their descriptions (two ``pg:attestedOn`` dates break
#   ``sh:maxCount 1``). So every data IRI under ``{base}id/`` is renamed apart per
#   article (``urn:kg-batch:{k}:…``) in the batch graph, and renamed back in the
#   results. Vocabulary concepts (``skos:inScheme`` checked with ``sh:hasValue``)
#   are not renamed: every article carries the same copy, so the union is unchanged,
#   and a result on one is given to each article of the batch that has it.
#
# The shapes have no ``sh:pattern``/``sh:in``/``sh:targetNode`` on data IRIs, which
# is what makes the renaming invisible; tests/test_corpus.py checks equal results.

_BATCH_TAG = "urn:kg-batch:"
_BATCH_TAGGED = re.compile(r"urn:kg-batch:(\d+):")


@lru_cache(maxsize=1)
def _compiled_shapes():
    """pySHACL's ShapesGraph over kg's shapes, shapes harvested once per process."""
    from pyshacl.shapes_graph import ShapesGraph

    compiled = ShapesGraph(shapes_graph())
    compiled.shapes  # noqa: B018 - the property harvests and caches the shapes
    return compiled


def validate_many(graphs: list[Graph], base: str, *, strict: bool = False) -> list[ValidationReport]:
    """One ValidationReport per graph, equal to ``validate`` on each, from one pySHACL run over all.

    For corpus workers: see the comment above on how articles are kept apart in the batch.
    """
    if not graphs:
        return []
    batch = _batch_graph(graphs, normalise_base(base) + "id/")
    results = _run(batch)
    per_article: list[list] = [[] for _ in graphs]
    for result in results:
        for k in _owners(result.focus, graphs):
            per_article[k].append(_untag(result, normalise_base(base) + "id/"))
    reports = []
    for found in per_article:
        found.sort(key=_order)
        counts = {s: sum(1 for r in found if r.severity == s) for s in SEVERITIES}
        conforms = counts["Violation"] == 0 and not (strict and counts["Warning"])
        reports.append(ValidationReport(conforms=conforms, results=found, counts=counts, strict=strict))
    return reports


def _batch_graph(graphs: list, prefix: str):
    batch = Graph(bind_namespaces="none")
    cut = len(prefix)
    for k, graph in enumerate(graphs):
        tag = f"{_BATCH_TAG}{k}:"
        renamed: dict = {}

        def rename(term, tag=tag, renamed=renamed):
            if type(term) is URIRef and term.startswith(prefix):
                new = renamed.get(term)
                if new is None:
                    new = renamed[term] = URIRef(tag + term[cut:])
                return new
            return term

        batch.addN((rename(s), p, rename(o), batch) for s, p, o in graph)
    return batch


def _run(batch) -> list:
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph

    _speed_up_pyshacl()
    validator = Validator(DataGraph.from_rdflib(batch), shacl_graph=shapes_graph(),
                          options={"inference": "none", "advanced": False, "allow_infos": True})
    validator.shacl_graph = _compiled_shapes()  # reuse the harvested shapes
    _, report_graph, _ = validator.run()
    return _results(report_graph, batch)


def _owners(focus: str, graphs: list) -> list[int]:
    match = _BATCH_TAGGED.match(focus)
    if match:
        return [int(match.group(1))]
    node = URIRef(focus)  # a shared vocabulary node: every article that describes it
    return [k for k, g in enumerate(graphs) if (node, None, None) in g]


def _untag(result, prefix: str):
    def back(text):
        return _BATCH_TAGGED.sub(prefix, text) if isinstance(text, str) else text

    return dataclasses.replace(result, focus=back(result.focus), value=back(result.value),
                               focus_label=back(result.focus_label))


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


def ill_typed_results(data: Graph) -> list[ValidationResult]:
    """A Violation for each literal whose text is not a value of its datatype (rdflib's ``ill_typed``)."""
    out = []
    for s, p, o in data:
        if isinstance(o, Literal) and getattr(o, "ill_typed", False):
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
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        messages = list(report.objects(node, SH.resultMessage))
        value = report.value(node, SH.value)
        path = report.value(node, SH.resultPath)
        severity = report.value(node, SH.resultSeverity)
        out.append(ValidationResult(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            focus=str(focus),
            focus_label=label_of(data, focus),
            path=compact(path) if isinstance(path, URIRef) else (str(path) if path else None),
            value=None if value is None else (str(value) if isinstance(value, Literal) else compact(value)),
            message_vi=_message(messages, "vi"),
            message_en=_message(messages, "en"),
            shape=compact(report.value(node, SH.sourceShape)),
        ))
    return out


def _message(messages: list, lang: str) -> str:
    """The message in ``lang``; pySHACL drops tags on SPARQL messages, so fall back to any."""
    for m in sorted(messages):
        if getattr(m, "language", None) == lang:
            return str(m)
    untagged = sorted(str(m) for m in messages if not getattr(m, "language", None))
    return untagged[0] if untagged else (str(sorted(messages)[0]) if messages else "")


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
    """pg:startYear for an IRI in the prefix table, else <iri>."""
    if term is None:
        return ""
    text = str(term)
    best = ""
    for prefix, ns in prefixes().items():
        if text.startswith(ns) and len(ns) > len(prefixes().get(best, "")):
            best = prefix
    if best and "/" not in text[len(prefixes()[best]):] and "#" not in text[len(prefixes()[best]):]:
        return f"{best}:{text[len(prefixes()[best]):]}"
    return f"<{text}>"


# --- files ------------------------------------------------------------------------------


def validate_file(path: str | Path, *, strict: bool = False, corpus: bool = False) -> ValidationReport:
    """Parse any RDF file (format from its extension) and validate it (``corpus``: with the checks
    across articles of shapes/corpus/)."""
    return validate(load_rdf(path), strict=strict, corpus=corpus)


def load_rdf(path: str | Path) -> Graph:
    """An RDF file as one Graph; InputError naming the file (and line) when it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = " ".join(sorted(FORMATS))
        raise InputError(f"{path}: unknown RDF file extension {suffix or '(none)'!r}; use one of {known}")
    text = _read_text(path)
    rdflib_format, ox_format = FORMATS[suffix]
    if rdflib_format == "xml":  # before any XML parser expands entities
        check_xml_entities(text.encode("utf-8")[:MAX_DTD_BYTES], str(path))
    if ox_format:
        _check_syntax(path, text, ox_format)
    elif rdflib_format == "json-ld":
        _check_json(path, text)
    target = Dataset()  # TriG, N-Quads and JSON-LD may hold named graphs: validated as one
    try:
        with quiet_rdflib():
            target.parse(data=text, format=rdflib_format, publicID=path.resolve().as_uri())
    except RecursionError:  # rdflib's parsers recurse on nested blank nodes and lists
        raise InputError(f"{path}: nests blank nodes or lists too deeply for the validator (rdflib)") from None
    except Exception as err:  # rdflib's parsers raise many types; all mean "bad file"
        raise InputError(f"{path}: not valid {rdflib_format}: {_first_line(err)}") from err
    return _as_graph(target)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: file is empty")
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: not UTF-8 (byte 0x{data[err.start]:02x})") from err


def _check_syntax(path: Path, text: str, ox_format: str) -> None:
    import pyoxigraph

    try:
        for _ in pyoxigraph.parse(text.encode("utf-8"), getattr(pyoxigraph.RdfFormat, ox_format),
                                  base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as err:
        detail = re.sub(r"^Parser error (at|between) line .*?: ", "", _first_line(err.msg))
        raise InputError(f"{path}: line {err.lineno}, column {err.offset}: syntax error: {detail}") from err


def _check_json(path: Path, text: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: line {err.lineno}, column {err.colno}: bad JSON: {err.msg}") from err
    except RecursionError:
        raise InputError(f"{path}: the JSON nests too deeply to read") from None
    check_jsonld_contexts(doc, str(path))  # rdflib would fetch a remote @context over HTTP


def _first_line(err) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
