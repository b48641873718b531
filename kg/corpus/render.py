"""An article's sorted N-Quads → the file format asked for, with pyoxigraph.

rdflib writes Turtle at ~15k triples/s, pyoxigraph at ~1M/s; the input is
sorted N-Quads, so the output is deterministic (pyoxigraph keeps input order).
"""

from __future__ import annotations

from functools import lru_cache

# format name → (file extension, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    "turtle": (".ttl", False),
    "trig": (".trig", True),
    "nt": (".nt", False),
    "nquads": (".nq", True),
    "jsonld": (".jsonld", False),
}


@lru_cache(maxsize=1)
def _prefixes() -> dict[str, str]:
    from kg.namespaces import prefixes

    return dict(prefixes())


def _ox_format(fmt: str):
    import pyoxigraph as ox

    return {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
            "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}[fmt]


def parse_nquads(nquads: str) -> list:
    import pyoxigraph as ox

    return list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def render(nquads: str, fmt: str) -> str:
    """One article's N-Quads as a document in ``fmt`` (prefixes from ontology/prefixes.tsv)."""
    if fmt == "nquads":
        return nquads
    import pyoxigraph as ox

    quads = parse_nquads(nquads)
    if FORMATS[fmt][1]:
        items = quads
    else:
        items = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    if fmt not in ("turtle", "trig"):
        return ox.serialize(items, format=_ox_format(fmt)).decode("utf-8")
    return prefix_header() + _body(ox.serialize(items, format=_ox_format(fmt), prefixes=_prefixes()))


def _body(data: bytes) -> str:
    # pyoxigraph writes the prefixes in an order of its own; ours come from the
    # prefix table, in its order, so output does not depend on a library's hashing.
    lines = data.decode("utf-8").splitlines(keepends=True)
    start = 0
    while start < len(lines) and (lines[start].startswith("@prefix") or not lines[start].strip()):
        start += 1
    return "".join(lines[start:])


def trig_block(nquads: str) -> str:
    """The ``GRAPH <g> { … }`` part of a TriG document, without prefix lines.

    Shards write the prefixes once at the top and then one block per article.
    """
    import pyoxigraph as ox

    return _body(ox.serialize(parse_nquads(nquads), format=ox.RdfFormat.TRIG, prefixes=_prefixes()))


def prefix_header() -> str:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in _prefixes().items()) + "\n"
