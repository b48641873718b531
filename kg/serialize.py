"""Deterministic serialization: the same graph gives the same bytes in every run and process.

kg graphs have no blank nodes, so rdflib's Turtle/TriG writers (which sort subjects,
predicates and objects) are already stable; N-Triples / N-Quads lines are sorted here;
JSON-LD is written through a small context built from the one prefix table and then
normalised (nodes sorted by @id, keys and value arrays sorted).
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import KgError
from kg.namespaces import bind, prefixes

FORMATS = ("turtle", "nt", "jsonld", "trig", "nquads")
EXTENSIONS = {"turtle": ".ttl", "nt": ".nt", "jsonld": ".jsonld", "trig": ".trig", "nquads": ".nq"}
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
_ALIASES = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld", "nq": "nquads",
            "n-quads": "nquads"}


def serialize(graph: Graph | Dataset, fmt: str) -> str:
    """``graph`` (one article's Graph or a Dataset of many) as text in ``fmt``."""
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise KgError(f"unknown output format {fmt!r}; use one of: {', '.join(FORMATS)}", exit_code=2)
    if fmt in ("trig", "nquads"):
        return _SERIALIZERS[fmt](_as_dataset(graph))
    if fmt == "jsonld" and isinstance(graph, Dataset):
        return _jsonld_dataset(graph)
    return _SERIALIZERS[fmt](_as_graph(graph))


def _as_graph(graph: Graph | Dataset) -> Graph:
    if not isinstance(graph, Dataset):
        return graph
    union = Graph(bind_namespaces="none")
    bind(union)
    for s, p, o, _ in graph.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def _as_dataset(graph: Graph | Dataset) -> Dataset:
    if isinstance(graph, Dataset):
        return graph
    dataset = Dataset()
    bind(dataset)
    target = dataset.graph(graph.identifier)
    for triple in graph:
        target.add(triple)
    return dataset


def _turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + ("\n" if lines else "")


def _nt(graph: Graph) -> str:
    return _sorted_lines(graph.serialize(format="nt"))


def _nquads(dataset: Dataset) -> str:
    return _sorted_lines(dataset.serialize(format="nquads"))


def _trig(dataset: Dataset) -> str:
    # rdflib writes graphs in store order; write each graph on its own, sorted by name.
    blocks: list[str] = []
    header: dict[str, str] = {}
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        single = Dataset()
        bind(single)
        target = single.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
        text = single.serialize(format="trig")
        body = []
        for line in text.splitlines():
            if line.startswith("@prefix"):
                header[line] = line
            else:
                body.append(line)
        blocks.append("\n".join(body).strip("\n"))
    prefix_block = "\n".join(sorted(header))
    return prefix_block + "\n\n" + "\n\n".join(blocks) + "\n" if blocks else ""


def jsonld_context() -> dict[str, str]:
    """The JSON-LD @context: the prefix table, nothing else."""
    return dict(prefixes())


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


_SERIALIZERS = {"turtle": _turtle, "nt": _nt, "jsonld": _jsonld, "trig": _trig, "nquads": _nquads}
