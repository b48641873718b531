"""The one prefix table (ontology/prefixes.tsv) and the namespaces kg writes.

Every graph kg serialises is bound with exactly these prefixes, so output never
shows rdflib's invented ``ns1:`` or the https/http ``schema1:`` clash.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, Namespace

from kg.resources import ontology_dir


@lru_cache(maxsize=1)
def prefixes() -> dict[str, str]:
    """prefix → namespace IRI, in the file's order."""
    table: dict[str, str] = {}
    for line in (ontology_dir() / "prefixes.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            prefix, iri = line.split("\t")
            table[prefix.strip()] = iri.strip()
    return table


def curie(iri: str) -> str | None:
    """The prefixed name of ``iri`` ("pg:startYear"), else None: the longest namespace of the prefix
    table that ``iri`` starts with, when what follows it is a local name (not empty, no "/" or "#").

    The one rule for every place kg shows an IRI short (validation reports, query tables, pages);
    each caller only chooses what to show when there is none (the IRI, or ``<iri>``).
    """
    for prefix, namespace in _longest_first():
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            return f"{prefix}:{local}" if local and "/" not in local and "#" not in local else None
    return None


@lru_cache(maxsize=1)
def _longest_first() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(prefixes().items(), key=lambda item: -len(item[1])))


def new_graph(identifier=None) -> Graph:
    """An rdflib Graph bound to the project's prefixes and nothing else."""
    graph = Graph(identifier=identifier, bind_namespaces="none")
    bind(graph)
    return graph


def bind(graph) -> None:
    for prefix, iri in prefixes().items():
        graph.bind(prefix, iri, override=True, replace=True)


PG = Namespace(prefixes()["pg"])
PGSH = Namespace(prefixes()["pgsh"])
PGROLE = Namespace(prefixes()["pgrole"])
PGDOC = Namespace(prefixes()["pgdoc"])
PGPART = Namespace(prefixes()["pgpart"])
PGORG = Namespace(prefixes()["pgorg"])
PGSTATE = Namespace(prefixes()["pgstate"])
PGAPPT = Namespace(prefixes()["pgappt"])
ORG = Namespace(prefixes()["org"])
SCHEMA = Namespace(prefixes()["schema"])
ELI = Namespace(prefixes()["eli"])
PROV = Namespace(prefixes()["prov"])
TIME = Namespace(prefixes()["time"])
SKOS = Namespace(prefixes()["skos"])
DCTERMS = Namespace(prefixes()["dcterms"])
FOAF = Namespace(prefixes()["foaf"])
NIF = Namespace(prefixes()["nif"])
GAF = Namespace(prefixes()["gaf"])
VOID = Namespace(prefixes()["void"])
DCAT = Namespace(prefixes()["dcat"])
