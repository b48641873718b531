"""Deterministic serialization: the same graph gives the same bytes in every run and process.

One path for every format and both modes (one article, a corpus): the graph is first
written as sorted, de-duplicated N-Quads lines (``graph_to_nquads``, our own writer:
rdflib's costs ~10 ms an article), then ``render_nquads`` turns them into the format asked
for. pyoxigraph writes Turtle, TriG and N-Triples in input order (~1M triples/s against
rdflib's ~15k/s), with the prefixes of ontology/prefixes.tsv in the table's order. JSON-LD
goes through rdflib, compacted with the published context (kg/publish/context.jsonld, served at
/context.jsonld: the prefixes plus a term per property, with @id / @language / datatype
coercion, so a JSON user reads ``"name": "Lại Xuân Lâm"``), and is normalised
(nodes sorted by @id, keys and value arrays sorted). kg graphs have no blank nodes, so
sorted lines are a canonical form.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg import formats
from kg.namespaces import bind, prefixes

# Kept for callers that want plain names: derived from the one table in kg.formats.
FORMATS = formats.NAMES
EXTENSIONS = {f.name: f.extension for f in formats.ALL}


def serialize(graph: Graph | Dataset, fmt: str) -> str:
    """``graph`` (one article's Graph or a Dataset of many) as text in ``fmt``."""
    fmt = formats.by_name(fmt).name
    if fmt == "jsonld":
        return _jsonld_dataset(graph) if isinstance(graph, Dataset) else _jsonld(graph)
    return render_nquads(to_nquads(graph, with_graphs=fmt in ("trig", "nquads")), fmt)


def to_nquads(graph: Graph | Dataset, with_graphs: bool = True) -> str:
    """Sorted N-Quads of a Graph (in its named graph) or a Dataset; N-Triples lines without graphs."""
    if isinstance(graph, Dataset):
        lines = set()
        for s, p, o, context in graph.quads((None, None, None, None)):
            name = getattr(context, "identifier", context)
            named = with_graphs and isinstance(name, URIRef) and name != DATASET_DEFAULT_GRAPH_ID
            lines.add(_line(s, p, o, name if named else None))
        return "".join(sorted(lines))
    named = with_graphs and isinstance(graph.identifier, URIRef)
    return graph_to_nquads(graph, graph.identifier if named else None)


def graph_to_nquads(graph: Graph, graph_iri: str | None = None) -> str:
    """Every triple of ``graph`` as a sorted, de-duplicated line in ``graph_iri`` (none: N-Triples)."""
    return "".join(sorted({_line(s, p, o, graph_iri) for s, p, o in graph}))


def _line(s, p, o, graph_iri) -> str:
    tail = f" <{graph_iri}> .\n" if graph_iri is not None else " .\n"
    return f"{_term(s)} {_term(p)} {_term(o)}{tail}"


def _term(term) -> str:
    if isinstance(term, Literal):
        # N-Triples escaping as rdflib writes it: backslash, newline, quote, carriage return.
        text = str(term).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"^^<{term.datatype}>' if term.datatype else f'"{text}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    return f"<{term}>"


def render_nquads(nquads: str, fmt: str) -> str:
    """Sorted N-Quads (or N-Triples) lines as a document in ``fmt``: the one writer of every output."""
    fmt = formats.by_name(fmt).name
    if fmt == "nquads":
        return nquads
    if fmt == "jsonld":
        dataset = Dataset()
        dataset.parse(data=nquads, format="nquads")
        named = [g for g in dataset.graphs() if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID]
        return _jsonld_dataset(dataset) if len(named) > 1 else _jsonld(_as_graph(dataset))
    import pyoxigraph as ox

    quads = _reading_order(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    if fmt == "trig":
        return prefix_header() + _body(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes()))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    if fmt == "rdfxml":  # subjects in reading order, as for Turtle; pyoxigraph escapes and declares prefixes
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes()).decode("utf-8")
    if fmt == "nt":  # sorted lines, one per triple, as N-Triples users diff them
        lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8").splitlines(keepends=True)
        return "".join(sorted(set(lines)))
    return prefix_header() + _body(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes()))


def trig_block(nquads: str) -> str:
    """The ``GRAPH <g> { … }`` blocks of a TriG document, without prefix lines (shards write those once)."""
    import pyoxigraph as ox

    quads = _reading_order(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    return _body(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes()))


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _reading_order(quads) -> list:
    """Graph by graph, subject by subject, ``a`` first: pyoxigraph writes in input order.

    The sort is stable, so within a subject the sorted lines keep their order.
    """
    def key(quad):
        graph = getattr(quad.graph_name, "value", "")
        return graph, str(quad.subject), quad.predicate.value != _RDF_TYPE

    return sorted(quads, key=key)


def prefix_header() -> str:
    """The prefix table as @prefix lines, in the table's order."""
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in prefixes().items()) + "\n"


def _body(data: bytes) -> str:
    # pyoxigraph writes the prefixes in an order of its own: drop them (ours come first, in the
    # table's order), and leave a blank line after each subject's statements, for people reading.
    lines = data.decode("utf-8").splitlines(keepends=True)
    start = 0
    while start < len(lines) and (lines[start].startswith("@prefix") or not lines[start].strip()):
        start += 1
    out = []
    for line in lines[start:]:
        out.append(line)
        if line.rstrip("\n").endswith(" .") and not line.startswith("GRAPH"):
            out.append("\n")
    return "".join(out).rstrip("\n") + "\n" if out else ""


def _as_graph(graph: Graph | Dataset) -> Graph:
    if not isinstance(graph, Dataset):
        return graph
    union = Graph(bind_namespaces="none")
    bind(union)
    for s, p, o, _ in graph.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


CONTEXT_FILE = Path(__file__).resolve().parent / "publish" / "context.jsonld"


@lru_cache(maxsize=1)
def _published_context() -> str:
    return CONTEXT_FILE.read_text(encoding="utf-8")


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD @context: the prefix table and the terms of kg/publish/context.jsonld.

    Embedded in every document (never referenced by URL: a reader must not have to fetch it, and
    kg load refuses remote contexts). Prefixes come from ontology/prefixes.tsv, so a new prefix
    needs no edit here; a property without a term is written as a prefixed name.
    """
    context = dict(prefixes())
    context.update(json.loads(_published_context())["@context"])
    return context


def jsonld_from_triples(triples) -> str:
    """pyoxigraph triples as the same compacted JSON-LD document kg export writes (kg serve's JSON-LD)."""
    graph = Graph(bind_namespaces="none")
    for t in triples:
        graph.add((_rdflib_term(t.subject), URIRef(t.predicate.value), _rdflib_term(t.object)))
    return _jsonld(graph)


def _rdflib_term(term):
    kind = type(term).__name__
    if kind == "NamedNode":
        return URIRef(term.value)
    if kind == "BlankNode":
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    # a plain string is written as a plain JSON string, as kg export writes it
    return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _jsonld_nodes(graph: Graph) -> list[Any]:
    raw = graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
    data = json.loads(raw)
    nodes = data.get("@graph", [data] if "@id" in data else [])
    return sorted((_normalise(n) for n in nodes), key=lambda n: str(n.get("@id", "")))


def _dump(nodes: list[Any]) -> str:
    out = {"@context": jsonld_context(), "@graph": nodes}
    return json.dumps(out, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _jsonld(graph: Graph) -> str:
    return _dump(_jsonld_nodes(graph))


def _jsonld_dataset(dataset: Dataset) -> str:
    """Named graphs as JSON-LD named-graph objects ({"@id": graph, "@graph": [...]})."""
    nodes = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        plain = Graph(bind_namespaces="none")
        for triple in graph:
            plain.add(triple)
        if graph.identifier == DATASET_DEFAULT_GRAPH_ID:
            nodes.extend(_jsonld_nodes(plain))
        else:
            nodes.append({"@id": str(graph.identifier), "@graph": _jsonld_nodes(plain)})
    return _dump(sorted(nodes, key=lambda n: str(n.get("@id", ""))))


def _normalise(value: Any) -> Any:
    """Sort keys and unordered arrays (never @list) so equal graphs give equal JSON."""
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _normalise(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_normalise(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


