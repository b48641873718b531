"""Class indexes, the things a site has pages for, and search (counts kept by kg.publish.catalogue).

A part of kg.publish.site.Site (a mixin): it reads what Site holds (data, terms, base, language).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from functools import cached_property

import pyoxigraph as ox

from kg.publish.site.common import RDF_TYPE, SUBCLASS, Members, expand, fold, safe_path


class Indexes:
    """Class indexes, the things a site has pages for, and search (counts kept by kg.publish.catalogue)."""

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
        key = f"{self.language}|" + "|".join(sorted(every))
        catalogue = self.catalogue

        def order() -> list[str]:
            # a label looked up per member: at 100,000 articles 30 s and 0.45 GB for every index, where
            # one scan of every label first took 51 s and 1.6 GB (a literal of each of 1.7 M things)
            return catalogue.sorted_members(
                key, lambda: sorted(unsorted(), key=lambda iri: (fold(self.label(iri)), iri)), patch)

        def patch(old: list[str], changed: set[str]) -> list[str]:
            """``old`` (sorted for an earlier store version) with the changed things taken out and
            those still members put back at their label's place: the others' types and labels are
            their own triples, which did not change, so the result is what sorting all would give."""
            kept = [iri for iri in old if iri not in changed]
            for iri in sorted(changed):
                if self._is_member(iri, every):
                    bisect.insort(kept, iri, key=lambda member: (fold(self.label(member)), member))
            return kept

        def unsorted() -> set[str]:  # after a restart or a small load: the kept sorted list, not a scan
            def known() -> list[str] | None:
                found = catalogue.kept_sorted(key)
                return found if found is not None or not catalogue.patchable("sorted|" + key) else order()
            return catalogue.members(every, known=known)

        return Members(unsorted, order, lambda: catalogue.member_count(every, unsorted))

    def _is_member(self, iri: str, classes: frozenset[str]) -> bool:
        """Whether the data types ``iri`` (an IRI, as Catalogue.members takes them) with one of ``classes``."""
        try:
            node = ox.NamedNode(iri)
        except (TypeError, ValueError):
            return False
        return any(q.object.value in classes for q in self._quads(self.data, node, RDF_TYPE)
                   if isinstance(q.object, ox.NamedNode))

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
        """IRI → key of the first index page that lists it (for colouring mentions by kind). The
        same in every language (the members, not their order): kept once in the catalogue the
        language copies share (0.4 s at 100,000 articles, else paid by each one's first page)."""
        def make() -> dict[str, str]:
            found: dict[str, str] = {}
            for index in self.indexes:
                for member in sorted(index["members"].unsorted):
                    found.setdefault(member, index["key"])
            return found
        return self.catalogue.kept("index of", make)

    def index(self, key: str) -> dict | None:
        return next((i for i in self.indexes if i["key"] == key), None)

    @cached_property
    def relation_classes(self) -> set[str]:
        return self.subclasses(expand(c) for c in self.config["relation_classes"])

    def is_relation(self, iri: str) -> bool:
        """Typed with a relation class (remembered per store version: article pages ask it of every
        thing each mention denotes, and the same bodies and people are named in many articles)."""
        return self.catalogue.remembered("relation", iri,
                                         lambda: bool(self.relation_classes.intersection(self.types(iri))))

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

    def search(self, text: str, limit: int = 100, wait: float | None = None) -> list[tuple[str, str]] | None:
        """Things with a label whose words start with the words of ``text`` (case and diacritics
        ignored), labels starting with the first word first: [(IRI, label)]. An index kept per store
        (kg.publish.catalogue.SearchIndex), so a search costs a few binary searches, not a scan.
        ``wait``: at most that many seconds for the index (None: until it is built); None when it is
        still being built then (kg serve says so rather than answer from part of the data)."""
        words = fold(text).split()
        if not words:
            return []
        if wait is None:
            index = self.catalogue.search_index(expand)
        elif (index := self.catalogue.search_index_within(expand, wait)) is None:
            return None
        return [(iri, self.label(iri)) for iri in index.search(words, limit)]

    def all_things(self) -> list[str]:
        """Every IRI under our IRI spaces that has triples (subjects), sorted; mentions excluded.

        In the data, a thing is typed or labelled (kg.map types and labels every node it writes), so
        the subjects come from one scan of rdf:type and the label properties, not of every triple;
        the list is kept for the store version."""
        return list(self.catalogue.kept(f"things|{self.base}", self._all_things))

    def thing_count(self) -> int:
        """len(all_things()), kept across restarts on the same store version (VoID's void:entities):
        from the things kg load counted (kg.store.counts) when they follow this site's rule (its base
        and label properties), plus the ontology's own things the data does not have."""
        return self.catalogue.kept(f"things count|{self.base}", self._count_things, persist=True)

    def _count_things(self) -> int:
        from kg.store import counts

        kept = self.catalogue.kept_things()
        if (kept is None or self.base != counts.THING_ROOT
                or sorted(p.value for p in self.label_properties) != sorted(counts.THING_LABELS)):
            return len(self.all_things())
        terms = [iri for iri in sorted(self._terms_subjects) if "#" not in iri and counts.is_thing_iri(iri)]
        in_data = (any(counts._thing_evidence(q) for q in self._quads(self.data, ox.NamedNode(iri))) for iri in terms)
        return kept + sum(1 for present in in_data if not present)

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
