"""Display labels: the page's language first, then any; the same rule for data and ontology terms.

A part of kg.publish.site.Site (a mixin): it reads what Site holds (data, terms, base, language).
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.publish.site.common import Term, fallback_label


class Labels:
    """Display labels: the page's language first, then any; the same rule for data and ontology terms."""

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
