"""What the publisher knows: the data store, the ontology/shapes/vocabularies, and how IRIs map to paths.

The data base IRI (default https://w3id.org/pgkg/) is mapped onto the local site root: the request
path ``/id/person/x`` is the IRI ``{base}id/person/x``. Ontology, shapes and vocabulary IRIs live under
the fixed project namespace (``pg:`` → https://w3id.org/pgkg/ontology#) and are mapped the same way
(``/ontology``, ``/shapes``, ``/vocab/…``). Nothing here reads files after start-up.

Everything a page needs is read with ``quads_for_pattern`` on two pyoxigraph stores: ``data`` (the
articles' named graphs, opened read-only by ``kg serve``) and ``terms`` (an in-memory store holding
ontology/*.ttl, ontology/vocab/*.ttl, shapes/*.ttl and kg/publish/labels.ttl). ``data`` may also be
a kg.publish.remote_data.EndpointData (``kg serve --endpoint``): the same calls, answered by a SPARQL server.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
import yaml

from kg import namespaces
from kg.errors import KgError
from kg.publish.catalogue import Catalogue
from kg.iri import DEFAULT_BASE, normalise_base
from kg.namespaces import prefixes
from kg.resources import ontology_dir, shapes_dir
from kg.vietnamese import search_key

HERE = Path(__file__).resolve().parent
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
    """Search key (kg.vietnamese.search_key): "Lại Xuân Lâm" → "lai xuan lam"."""
    return search_key(text)


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


class Site:
    """Read-only view of the published graph, shared by ``kg serve`` and ``kg publish``."""

    def __init__(self, store: ox.Store, base: str = DEFAULT_BASE, *,
                 ontology: Path | None = None, shapes: Path | None = None) -> None:
        self.data = store
        self.catalogue = Catalogue(store)  # counts, members, search: once per store, shared by languages
        self.base = normalise_base(base)
        self.terms = ox.Store()
        self.ontology_path = ontology or ontology_dir()
        self.shapes_path = shapes or shapes_dir()
        self._load_terms()
        self.config = yaml.safe_load((HERE / "display.yaml").read_text(encoding="utf-8"))
        self.label_properties = [ox.NamedNode(expand(c)) for c in self.config["label_properties"]]
        self._labels: dict[str, str] = {}
        self.language = "vi"  # the language of labels on pages (with_language); the data's own is Vietnamese

    def with_language(self, language: str) -> Site:
        """The same site showing labels in ``language`` first ("en": the ontology's @en labels)."""
        other = copy.copy(self)
        other.language = language
        for name in ("indexes", "index_of"):  # sorted by label: each language sorts its own
            other.__dict__.pop(name, None)
        return other

    def with_data(self, store: ox.Store) -> Site:
        """The same site over another data store (kg serve after a `kg load`): the ontology, shapes and
        display settings are kept, everything computed from the data (labels, indexes, search) is not."""
        fresh = copy.copy(self)
        fresh.data = store
        fresh.catalogue = Catalogue(store)
        fresh._labels = {}
        for name in ("indexes", "index_of", "search_entries"):  # cached_property values live in __dict__
            fresh.__dict__.pop(name, None)
        return fresh

    def keep_counts(self, path, version) -> None:
        """Keep the whole-store counts in the JSON file ``path`` for the store version ``version``
        (kg serve: they then survive a restart on an unchanged store). Before with_language copies."""
        self.catalogue = Catalogue(self.data, keep=path, version=version)

    # --- loading ------------------------------------------------------------------------------

    def _load_terms(self) -> None:
        groups = {
            "ontology": sorted(self.ontology_path.glob("*.ttl")),
            "vocab": sorted((self.ontology_path / "vocab").glob("*.ttl")),
            "shapes": sorted(self.shapes_path.glob("*.ttl")),
            "labels": [HERE / "labels.ttl"],
        }
        for name, files in groups.items():
            graph = ox.NamedNode(f"{PROJECT_ROOT}{name}")
            for path in files:
                self.terms.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)

    def terms_graph(self, group: str) -> ox.NamedNode:
        return ox.NamedNode(f"{PROJECT_ROOT}{group}")

    # --- IRIs and paths -----------------------------------------------------------------------

    def iri_for_path(self, path: str) -> str | None:
        """Site path (no leading "/") of a thing → its IRI, for the IRI spaces we serve."""
        if path.startswith(("id/", "graph/")):
            return self.base + path
        if path.startswith("vocab/"):
            return PROJECT_ROOT + path
        return None

    def path_for_iri(self, iri: str) -> str | None:
        """IRI → site path of the thing ("id/person/x", "ontology#Person"), or None if not ours."""
        for root in (self.base, PROJECT_ROOT):
            if iri.startswith(root):
                rest = iri[len(root):]
                if rest.startswith(("id/", "graph/", "vocab/", "ontology#", "shapes#")):
                    return rest
                if rest in SITE_DOCUMENTS:
                    return rest
        return None

    def doc_path(self, iri: str) -> str | None:
        """Path of the HTML page about ``iri`` ("doc/person/x", "ontology#Person")."""
        path = self.path_for_iri(iri)
        if path is None:
            return None
        if path.startswith(("ontology", "shapes")) or path in SITE_DOCUMENTS:
            return path
        thing, _, frag = path.partition("#")
        doc = doc_for_thing(thing)
        return f"{doc}#{frag}" if frag else doc

    def thing_for_doc(self, rest: str) -> str | None:
        """Inverse of doc_path for "doc/…"/"data/…" paths without the prefix: "person/x" → IRI."""
        if rest.startswith("vocab/"):
            thing = rest[:-len("index")] if rest.endswith("/index") else rest
            return PROJECT_ROOT + thing
        return self.base + "id/" + rest

    def check_base(self) -> None:
        """KgError when the store holds data but none of it under ``base`` (a --base that does not match)."""
        seen = None
        for q in self.data.quads_for_pattern(None, RDF_TYPE, None):
            if isinstance(q.subject, ox.NamedNode) and "/id/" in q.subject.value:
                if q.subject.value.startswith(self.base + "id/"):
                    return
                seen = seen or q.subject.value.split("/id/", 1)[0] + "/"
        if seen:
            raise KgError(f"no resources under the base {self.base} in the store; its data uses {seen} "
                          f"(pass --base {seen})", exit_code=2)

    # --- triples ------------------------------------------------------------------------------

    def _stores(self) -> tuple[ox.Store, ox.Store]:
        return (self.data, self.terms)

    def _quads(self, store: ox.Store, s=None, p=None, o=None):
        """quads_for_pattern; in the data store only the graph that holds each triple once (the
        default graph of the kg layout, kg.store.union; every graph on a store without it), so a
        body named in N articles costs its triples once per lookup, not N+1 times."""
        if store is self.data:
            return store.quads_for_pattern(s, p, o, self.catalogue.graph)
        return store.quads_for_pattern(s, p, o)

    def outgoing(self, iri: str) -> list[tuple[ox.NamedNode, Term]]:
        """Distinct (predicate, object) of ``iri`` over every graph, sorted."""
        subject = ox.NamedNode(iri)
        seen = {(q.predicate, q.object) for s in self._stores() for q in self._quads(s, subject)}
        return sorted(seen, key=lambda po: (po[0].value, _term_key(po[1])))

    def incoming(self, iri: str) -> list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]]:
        """Distinct (subject, predicate) pointing at ``iri``, sorted."""
        obj = ox.NamedNode(iri)
        seen = {(q.subject, q.predicate) for s in self._stores() for q in self._quads(s, o=obj)}
        return sorted(seen, key=lambda sp: (sp[1].value, _term_key(sp[0])))

    def objects(self, iri: str, predicate: str) -> list[Term]:
        """Distinct objects of ``iri`` ``predicate``, sorted (one pattern lookup: a body's types are
        found without reading its thousands of mentions)."""
        try:
            subject, pred = ox.NamedNode(iri), ox.NamedNode(predicate)
        except (TypeError, ValueError):
            return []
        seen = {q.object for s in self._stores() for q in self._quads(s, subject, pred)}
        return sorted(seen, key=_term_key)

    def value(self, iri: str, predicate: str) -> Term | None:
        values = self.objects(iri, predicate)
        return values[0] if values else None

    def exists(self, iri: str | None) -> bool:
        try:
            node = ox.NamedNode(iri)
        except (TypeError, ValueError):  # /id/person/a%20b: no IRI can hold a space, so nothing is there
            return False
        return any(next(iter(s.quads_for_pattern(node, None, None)), None) is not None for s in self._stores())

    def merged_into(self, iri: str | None) -> str | None:
        """The IRI a curation merge (kg.curation) folded ``iri`` into: it is left with ``owl:sameAs`` and no
        type of its own. None for everything else (a typed thing's sameAs links stay ordinary facts)."""
        try:
            node = ox.NamedNode(iri)
        except (TypeError, ValueError):
            return None
        if next(iter(self.data.quads_for_pattern(node, RDF_TYPE, None)), None) is not None:
            return None
        targets = sorted({q.object.value for q in self.data.quads_for_pattern(node, SAME_AS, None)
                          if isinstance(q.object, ox.NamedNode) and q.object.value != iri})
        return targets[0] if targets and self.path_for_iri(targets[0]) else None

    def exists_graph(self, iri: str) -> bool:
        try:
            return self.data.contains_named_graph(ox.NamedNode(iri))
        except (TypeError, ValueError):
            return False

    def types(self, iri: str) -> list[str]:
        return [o.value for o in self.objects(iri, RDF_TYPE.value) if isinstance(o, ox.NamedNode)]

    def describe(self, iri: str) -> list[ox.Triple]:
        """The RDF document about ``iri``: its triples, its hash children's (mentions), and backlinks."""
        triples: set[ox.Triple] = set()
        for store in self._stores():
            for q in self._quads(store, ox.NamedNode(iri)):
                triples.add(q.triple)
            for q in self._quads(store, o=ox.NamedNode(iri)):
                triples.add(q.triple)
        for mention in self._hash_children(iri):
            for q in self._quads(self.data, ox.NamedNode(mention)):
                triples.add(q.triple)
        return sorted(triples, key=_triple_key)

    def _hash_children(self, iri: str) -> list[str]:
        """Mention IRIs ``{iri}#char=…`` (only articles have them)."""
        node = ox.NamedNode(iri)
        ref = ox.NamedNode(NIF + "referenceContext")
        return sorted({q.subject.value for q in self._quads(self.data, None, ref, node)})

    def graph_quads(self, iri: str) -> list[ox.Triple]:
        """All triples of one named graph (``{base}graph/{id}``), sorted; empty when unknown."""
        if not self.exists_graph(iri):
            return []
        return sorted({q.triple for q in self.data.quads_for_pattern(None, None, None, ox.NamedNode(iri))},
                      key=_triple_key)

    # --- labels -------------------------------------------------------------------------------

    def label(self, term: Term | str, lang: str | None = None) -> str:
        """Display name: a label in ``lang`` (the site's language by default), else untagged, else any;
        else a prefixed name."""
        lang = lang or self.language
        iri = term if isinstance(term, str) else getattr(term, "value", str(term))
        if isinstance(term, ox.Literal):
            return term.value
        key = f"{lang}|{iri}"
        if key not in self._labels:
            self._labels[key] = self._find_label(iri, lang) or fallback_label(iri)
        return self._labels[key]

    def _find_label(self, iri: str, lang: str) -> str | None:
        node = ox.NamedNode(iri)
        for prop in self.label_properties:
            values = {q.object for s in self._stores() for q in self._quads(s, node, prop)}
            literals = sorted((v for v in values if isinstance(v, ox.Literal)), key=lambda v: v.value)
            for wanted in (lang, None, "vi", "en"):
                for value in literals:
                    if value.language == wanted:
                        return value.value
            if literals:
                return literals[0].value
        return None

    def labels_by_language(self, iri: str) -> dict[str, list[str]]:
        """{"vi": [...], "en": [...], "": [...]} of rdfs:label / skos:prefLabel / schema:name."""
        out: dict[str, set[str]] = {}
        node = ox.NamedNode(iri)
        for prop in self.label_properties[:3]:
            for store in self._stores():
                for q in self._quads(store, node, prop):
                    if isinstance(q.object, ox.Literal):
                        out.setdefault(q.object.language or "", set()).add(q.object.value)
        return {k: sorted(v) for k, v in sorted(out.items())}

    # --- classes, indexes, search -------------------------------------------------------------

    def subclasses(self, classes: Iterable[str]) -> set[str]:
        """The classes and every class declared below them (rdfs:subClassOf*) in ontology/."""
        found = set(classes)
        todo = list(found)
        while todo:
            cls = ox.NamedNode(todo.pop())
            for q in self.terms.quads_for_pattern(None, SUBCLASS, cls):
                if isinstance(q.subject, ox.NamedNode) and q.subject.value not in found:
                    found.add(q.subject.value)
                    todo.append(q.subject.value)
        return found

    def instances(self, classes: Iterable[str]) -> list[str]:
        """IRIs typed with any of ``classes`` (or their subclasses) in the data, sorted by label."""
        return list(self._members(classes))

    def _members(self, classes: Iterable[str]) -> Members:
        every = frozenset(self.subclasses(classes))
        found = self.catalogue.members(every)
        key = f"{self.language}|" + "|".join(sorted(every))
        return Members(found, lambda: self.catalogue.sorted_members(
            key, lambda: sorted(found, key=lambda iri: (fold(self._bulk_label(iri)), iri))))

    def _bulk_label(self, iri: str) -> str:
        """``label(iri)``, from the Catalogue's one scan per label property when only the data
        describes ``iri`` (the same choice as _find_label), so sorting N things costs no N lookups."""
        key = f"{self.language}|{iri}"
        if key in self._labels:
            return self._labels[key]
        if iri in self._terms_subjects:
            return self.label(iri)
        found = self.catalogue.literals(tuple(p.value for p in self.label_properties)).get(iri)
        if not found:
            return self.label(iri)
        best = min(rank for rank, _ in found)
        literals = sorted((lit for rank, lit in found if rank == best), key=lambda v: v.value)
        chosen = next((v for wanted in (self.language, None, "vi", "en") for v in literals if v.language == wanted),
                      literals[0])
        self._labels[key] = chosen.value
        return chosen.value

    @cached_property
    def _terms_subjects(self) -> set[str]:
        return {q.subject.value for q in self.terms.quads_for_pattern(None, None, None)
                if isinstance(q.subject, ox.NamedNode)}

    @cached_property
    def indexes(self) -> list[dict]:
        """The index pages of display.yaml with their members: [{key, title, classes, members}].

        ``members`` counts at once (kept by the Catalogue) and is sorted by label on first iteration.
        """
        out = []
        for entry in self.config["indexes"]:
            classes = [expand(c) for c in entry["classes"]]
            out.append({**entry, "classes": classes, "members": self._members(classes)})
        return out

    @cached_property
    def index_of(self) -> dict[str, str]:
        """IRI → key of the first index page that lists it (for colouring mentions by kind)."""
        found: dict[str, str] = {}
        for index in self.indexes:
            for member in sorted(index["members"].unsorted):
                found.setdefault(member, index["key"])
        return found

    def index(self, key: str) -> dict | None:
        return next((i for i in self.indexes if i["key"] == key), None)

    @cached_property
    def relation_classes(self) -> set[str]:
        return self.subclasses(expand(c) for c in self.config["relation_classes"])

    def is_relation(self, iri: str) -> bool:
        return bool(self.relation_classes.intersection(self.types(iri)))

    @cached_property
    def search_entries(self) -> list[tuple[str, str, str]]:
        """(folded label, label, IRI) for every labelled thing in the data."""
        rows = set()
        props = [ox.NamedNode(expand(c)) for c in ("rdfs:label", "skos:prefLabel", "skos:altLabel", "schema:name")]
        for prop in props:
            for q in self._quads(self.data, None, prop):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                    rows.add((fold(q.object.value), q.object.value, q.subject.value))
        return sorted(rows)

    def search(self, text: str, limit: int = 100) -> list[tuple[str, str]]:
        """Things with a label whose words start with the words of ``text`` (case and diacritics
        ignored), labels starting with the first word first: [(IRI, label)]. An index kept per store
        (kg.publish.catalogue.SearchIndex), so a search costs a few binary searches, not a scan."""
        words = fold(text).split()
        if not words:
            return []
        hits = self.catalogue.search_index(expand).search(words, limit)
        return [(iri, self.label(iri)) for iri in hits]

    def all_things(self) -> list[str]:
        """Every IRI under our IRI spaces that has triples (subjects), sorted; mentions excluded.

        In the data, a thing is typed or labelled (kg.map types and labels every node it writes), so
        the subjects come from one scan of rdf:type and the label properties, not of every triple;
        the list is kept for the store version."""
        return list(self.catalogue.kept(f"things|{self.base}", self._all_things))

    def thing_count(self) -> int:
        """len(all_things()), kept across restarts on the same store version (VoID's void:entities)."""
        return self.catalogue.kept(f"things count|{self.base}", lambda: len(self.all_things()), persist=True)

    def _all_things(self) -> list[str]:
        found = set()
        candidates = set(self.catalogue.typed_subjects())
        candidates.update(self.catalogue.literals(tuple(p.value for p in self.label_properties)))
        candidates.update(iri for iri in self._terms_subjects if "#" not in iri)
        for iri in candidates:
            path = self.path_for_iri(iri)
            if path and path.startswith(("id/", "vocab/")) and safe_path(path):
                found.add(iri)
        return sorted(found)

    # --- mentions and articles ----------------------------------------------------------------

    def article_text(self, article: str) -> str:
        value = self.value(article, NIF + "isString")
        return value.value if isinstance(value, ox.Literal) else ""

    def mention(self, iri: str, context: bool = True) -> Mention | None:
        props = {p.value: o for p, o in self.outgoing(iri)}
        try:
            start = int(props[NIF + "beginIndex"].value)
            end = int(props[NIF + "endIndex"].value)
            article = props[NIF + "referenceContext"].value
        except (KeyError, ValueError):
            return None
        anchor = props[NIF + "anchorOf"].value if NIF + "anchorOf" in props else ""
        before = after = ""
        if context:
            before, after = sentence_around(self.article_text(article), start, end)
        return Mention(iri, article, start, end, anchor, before, after)

    def mentions_of(self, iri: str) -> list[Mention]:
        """Where the text names ``iri`` (gaf:denotedBy), in article order."""
        found = [self.mention(o.value) for o in self.objects(iri, DENOTED_BY.value) if isinstance(o, ox.NamedNode)]
        return sorted((m for m in found if m), key=lambda m: (m.article, m.start, m.end))

    def mentions_in(self, article: str) -> list[tuple[Mention, list[str]]]:
        """Every mention in an article with the things it denotes."""
        out = []
        for iri in self._hash_children(article):
            m = self.mention(iri, context=False)
            if m:
                denoted = sorted({q.subject.value for q in self._quads(self.data, None, DENOTED_BY, ox.NamedNode(iri))})
                out.append((m, denoted))
        return sorted(out, key=lambda md: (md[0].start, -md[0].end))

    def triple_count(self) -> int:
        """Distinct triples of the data (kept by the Catalogue, counted by the store's engine)."""
        return self.catalogue.triple_count()

    def graph_count(self) -> int:
        return self.catalogue.graph_count()


class Members:
    """An index page's members: their number at once, their order (by label) computed on first use."""

    def __init__(self, unsorted: set[str], order) -> None:
        self.unsorted = unsorted
        self._order = order

    def __len__(self) -> int:
        return len(self.unsorted)

    def __bool__(self) -> bool:
        return bool(self.unsorted)

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
        return sorted((i for i in set(iris) if i in self.unsorted), key=rank.__getitem__)

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
