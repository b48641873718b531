"""Constants and small helpers the parts of kg.publish.site share (terms, paths, Mention, Members)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import namespaces
from kg.namespaces import prefixes
from kg.publish.catalogue import fold as catalogue_fold

HERE = Path(__file__).resolve().parent.parent  # kg/publish: display.yaml, labels.ttl
P = prefixes()
RDF_TYPE = ox.NamedNode(P["rdf"] + "type")
SUBCLASS = ox.NamedNode(P["rdfs"] + "subClassOf")
DENOTED_BY = ox.NamedNode(P["gaf"] + "denotedBy")
SAME_AS = ox.NamedNode(P["owl"] + "sameAs")
NIF = P["nif"]
PROJECT_ROOT = P["pg"].rsplit("ontology#", 1)[0]  # https://w3id.org/pgkg/
Term = ox.NamedNode | ox.Literal | ox.BlankNode
# Documents of the site itself that the data can name ({base}dump.nq.gz in VoID): linked locally
# (not sparql: a static copy has no endpoint, so that link stays the public IRI).
SITE_DOCUMENTS = ("ontology", "shapes", "dump.nq.gz", "sitemap.xml", ".well-known/void")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~=,-]*$")


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return P[prefix] + local


def fold(text: str) -> str:
    """Search key (kg.vietnamese.search_key): "Lại Xuân Lâm" → "lai xuan lam" (the Catalogue's
    table-driven equivalent: fast enough to fold every label of a store)."""
    return catalogue_fold(text)


def curie(iri: str) -> str:
    """Prefixed name when a prefix of ontology/prefixes.tsv fits (kg.namespaces.curie), else the IRI."""
    return namespaces.curie(iri) or iri


@dataclass(frozen=True)
class Mention:
    """One place in an article where a thing is named (a nif:String)."""

    iri: str
    article: str
    start: int
    end: int
    anchor: str
    before: str = ""  # the sentence around it, for an evidence quote
    after: str = ""

    @property
    def fragment(self) -> str:
        return f"char={self.start},{self.end}"




class Members:
    """An index page's members: their number at once, their set and order (by label) on first use.

    ``unsorted`` and ``count`` are callables (kept by the Catalogue): every page's menu asks whether
    an index has members, and after a restart that is a number read back, not a scan of every
    rdf:type triple (4 s at 100,000 articles, which the first page of a restart used to wait for).
    """

    def __init__(self, unsorted, order, count=None) -> None:
        self._unsorted = unsorted if callable(unsorted) else (lambda: unsorted)
        self._order = order
        self._count = count

    @property
    def unsorted(self) -> set[str]:
        return self._unsorted()

    def __len__(self) -> int:
        return self._count() if self._count is not None else len(self.unsorted)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __contains__(self, iri: object) -> bool:
        return iri in self.unsorted

    def __iter__(self):
        return iter(self._order())

    def __getitem__(self, item):
        return self._order()[item]

    def among(self, iris) -> list[str]:
        """The members that are in ``iris``, in member order, without walking every member (an
        article page's "mentioned" groups: proportional to what the article names, not to the corpus)."""
        rank = self._rank()
        unsorted = self.unsorted
        return sorted((i for i in set(iris) if i in unsorted), key=rank.__getitem__)

    def _rank(self) -> dict[str, int]:
        if getattr(self, "_ranks", None) is None:
            self._ranks = {iri: n for n, iri in enumerate(self._order())}
        return self._ranks


def doc_for_thing(thing: str) -> str:
    """"id/person/x" → "doc/person/x"; "vocab/role/x" → "doc/vocab/role/x"; a scheme "vocab/role/" → ".../index"."""
    rest = thing.removeprefix("id/")
    if rest.endswith("/"):
        rest += "index"
    return "doc/" + rest


def safe_path(path: str) -> bool:
    """True when every segment is a plain name (no "..", no "%", no "/" tricks): safe as a file name."""
    thing = path.split("#", 1)[0].rstrip("/")
    return bool(thing) and all(_SAFE_SEGMENT.match(seg) for seg in thing.split("/"))


def sentence_around(text: str, start: int, end: int, limit: int = 160) -> tuple[str, str]:
    """The text before and after a span, out to the sentence ends (at most ``limit`` chars each)."""
    lo = max(0, start - limit)
    head = text[lo:start]
    cut = max(head.rfind(". "), head.rfind("\n"), head.rfind(": "))
    head = head[cut + 1:].lstrip() if cut >= 0 else ("…" + head.lstrip() if lo > 0 else head)
    tail = text[end:end + limit]
    stops = [i for i in (tail.find(". "), tail.find("\n"), tail.find("; ")) if i >= 0]
    tail = tail[: min(stops) + 1] if stops else (tail + "…" if end + limit < len(text) else tail)
    return head, tail.rstrip()


def fallback_label(iri: str) -> str:
    name = curie(iri)
    return name if name != iri else iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def _term_key(term: Term) -> tuple:
    if isinstance(term, ox.Literal):
        return (1, term.value, term.language or "", term.datatype.value)
    return (0, str(term))


def _triple_key(t: ox.Triple) -> tuple:
    return (str(t.subject), t.predicate.value, _term_key(t.object))
