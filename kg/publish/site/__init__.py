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
from pathlib import Path

import pyoxigraph as ox
import yaml

from kg.iri import DEFAULT_BASE, normalise_base
from kg.publish.catalogue import Catalogue
from kg.publish.site.common import (  # the package's public names: callers import them from kg.publish.site
    HERE,
    NIF,
    PROJECT_ROOT,
    RDF_TYPE,
    SAME_AS,
    SITE_DOCUMENTS,
    Members,
    Mention,
    P,
    Term,
    _term_key,
    _triple_key,
    curie,
    doc_for_thing,
    expand,
    fallback_label,
    fold,
    safe_path,
    sentence_around,
)
from kg.publish.site.indexes import Indexes
from kg.publish.site.labels import Labels
from kg.publish.site.mentions import Mentions
from kg.publish.site.paths import Paths
from kg.resources import ontology_dir, shapes_dir

__all__ = ["Site", "HERE", "Members", "Mention", "NIF", "P", "PROJECT_ROOT", "RDF_TYPE", "SAME_AS", "SITE_DOCUMENTS", "Term", "_term_key", "_triple_key", "curie", "doc_for_thing", "expand", "fallback_label", "fold", "safe_path", "sentence_around"]


class Site(Paths, Labels, Indexes, Mentions):
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

    def keep_counts(self, path, version, location=None) -> None:
        """Keep the whole-store counts in the JSON file ``path`` for the store version ``version``
        (kg serve: they then survive a restart on an unchanged store; the search index beside them).
        ``location``: the store's folder (a big store's search index is built in a child process).
        Before with_language copies."""
        self.catalogue = Catalogue(self.data, keep=path, version=version, location=location)

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

    # --- classes, indexes, search -------------------------------------------------------------

    def triple_count(self) -> int:
        """Distinct triples of the data (kept by the Catalogue, counted by the store's engine)."""
        return self.catalogue.triple_count()

    def graph_count(self) -> int:
        return self.catalogue.graph_count()
