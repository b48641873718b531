"""How IRIs map to site paths ("/id/person/x" is {base}id/person/x) and back.

A part of kg.publish.site.Site (a mixin): it reads what Site holds (data, terms, base, language).
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import KgError
from kg.publish.site.common import PROJECT_ROOT, RDF_TYPE, SITE_DOCUMENTS, doc_for_thing


class Paths:
    """How IRIs map to site paths ("/id/person/x" is {base}id/person/x) and back."""

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
