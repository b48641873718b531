"""RDF formats as values, in one table (like pyoxigraph's ``RdfFormat``).

Each format knows its names, file extensions, media types, its pyoxigraph and rdflib names and
whether it holds named graphs. The CLI, the serializer, the readers, content negotiation,
publishing and corpus mode look formats up here; adding a format is one row below plus its
writer in kg.serialize.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import KgError


@dataclass(frozen=True)
class RdfFormat:
    name: str  # kg's name, as in --format
    aliases: tuple[str, ...]  # other names users type (rapper, riot, rdfpipe)
    extensions: tuple[str, ...]  # the first is what kg writes
    media_types: tuple[str, ...]  # the first is what kg sends
    oxigraph: str  # pyoxigraph.RdfFormat attribute
    rdflib: str  # rdflib parser / serializer name
    datasets: bool  # holds named graphs (one per article)

    @property
    def extension(self) -> str:
        return self.extensions[0]

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    def ox(self):
        import pyoxigraph

        return getattr(pyoxigraph.RdfFormat, self.oxigraph)


TURTLE = RdfFormat("turtle", ("ttl",), (".ttl", ".turtle"), ("text/turtle", "application/x-turtle"), "TURTLE", "turtle", False)
NTRIPLES = RdfFormat("nt", ("ntriples", "n-triples"), (".nt",), ("application/n-triples",), "N_TRIPLES", "nt", False)
JSONLD = RdfFormat("jsonld", ("json-ld",), (".jsonld", ".json"), ("application/ld+json",), "JSON_LD", "json-ld", True)
TRIG = RdfFormat("trig", (), (".trig",), ("application/trig",), "TRIG", "trig", True)
NQUADS = RdfFormat("nquads", ("nq", "n-quads"), (".nq",), ("application/n-quads",), "N_QUADS", "nquads", True)
# What SPARQLWrapper, Protégé and older tools ask for; one graph (a TriG/N-Quads dataset merges).
RDFXML = RdfFormat("rdfxml", ("rdf/xml", "xml", "rdf"), (".rdf", ".owl", ".xml"), ("application/rdf+xml",), "RDF_XML", "xml",
                   False)

ALL: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, JSONLD, TRIG, NQUADS, RDFXML)
NAMES: tuple[str, ...] = tuple(f.name for f in ALL)

_BY_NAME = {n: f for f in ALL for n in (f.name, *f.aliases)}
_BY_EXTENSION = {e: f for f in ALL for e in f.extensions}
_BY_MEDIA_TYPE = {m: f for f in ALL for m in f.media_types}


def by_name(name: str) -> RdfFormat:
    """The format called ``name`` (or one of its aliases, any case); KgError (exit 2) otherwise."""
    found = _BY_NAME.get(name.strip().lower())
    if found is None:
        raise KgError(f"unknown RDF format {name!r}; use one of: {', '.join(NAMES)}", exit_code=2)
    return found


def by_extension(suffix: str) -> RdfFormat | None:
    """The format a file suffix (".ttl", ".nq" …) names; None when no format has it."""
    return _BY_EXTENSION.get(suffix.lower())


def by_media_type(media_type: str) -> RdfFormat | None:
    """The format of a media type (parameters such as charset ignored); None when unknown."""
    return _BY_MEDIA_TYPE.get(media_type.split(";", 1)[0].strip().lower())
