"""Where a thing is named: mentions (nif:String), their sentences, and the articles' texts.

A part of kg.publish.site.Site (a mixin): it reads what Site holds (data, terms, base, language).
"""

from __future__ import annotations

from dataclasses import replace

import pyoxigraph as ox

from kg.publish.site.common import DENOTED_BY, NIF, RDF_TYPE, Mention, Term, _term_key, sentence_around


class Mentions:
    """Where a thing is named: mentions (nif:String), their sentences, and the articles' texts."""

    def article_text(self, article: str) -> str:
        value = self.value(article, NIF + "isString")
        return value.value if isinstance(value, ox.Literal) else ""

    def mention(self, iri: str, context: bool = True) -> Mention | None:
        found = _mention_from(iri, self._properties(iri))
        if found is None or not context:
            return found
        before, after = sentence_around(self.article_text(found.article), found.start, found.end)
        return replace(found, before=before, after=after)

    def _properties(self, iri: str) -> dict[str, Term]:
        """Predicate → object of ``iri``, the greatest object where there are several (what
        ``{p: o for p, o in outgoing(iri)}`` gives, without sorting every triple: pages read dozens
        of mentions)."""
        subject = ox.NamedNode(iri)
        props: dict[str, Term] = {}
        for store in self._stores():
            for q in self._quads(store, subject):
                key = q.predicate.value
                if key not in props or _term_key(q.object) > _term_key(props[key]):
                    props[key] = q.object
        return props

    def mentions_of(self, iri: str) -> list[Mention]:
        """Where the text names ``iri`` (gaf:denotedBy), in article order."""
        found = [self.mention(o.value) for o in self.objects(iri, DENOTED_BY.value) if isinstance(o, ox.NamedNode)]
        return sorted((m for m in found if m), key=lambda m: (m.article, m.start, m.end))

    def evidence_of(self, iri: str, limit: int) -> tuple[list[Mention], int]:
        """The first ``limit`` mentions of ``iri`` in article order, and how many there are. A body named
        in thousands of articles has thousands: their order comes from their IRIs (kg mints
        ``{article}#char=s,e``), so only the ones shown are read."""
        keys = [(*_order_of(o.value), o.value) for o in self.objects(iri, DENOTED_BY.value)
                if isinstance(o, ox.NamedNode)]
        shown = [m for m in (self.mention(k[3]) for k in sorted(keys)[:limit]) if m]
        return sorted(shown, key=lambda m: (m.article, m.start, m.end)), len(keys)

    def mentions_in(self, article: str) -> list[tuple[Mention, list[str]]]:
        """Every mention in an article with the things it denotes.

        On a store kg load wrote (every graph holds one article: kg.store.counts), an article's
        mentions and what denotes them are in its own graph, which is read in one scan: its quads are
        stored together, where a look-up per mention lands anywhere in an index (a random read each
        on a store larger than memory: most of an article page's time at 100,000 articles)."""
        graph = self.catalogue.graph_of_article(article)
        if graph is not None:
            return self._mentions_in_graph(article, graph)
        out = []
        for iri in self._hash_children(article):
            m = self.mention(iri, context=False)
            if m:
                denoted = sorted({q.subject.value for q in self._quads(self.data, None, DENOTED_BY, ox.NamedNode(iri))})
                out.append((m, denoted))
        return sorted(out, key=lambda md: (md[0].start, -md[0].end))


    def _mentions_in_graph(self, article: str, graph: str) -> list[tuple[Mention, list[str]]]:
        """mentions_in from the article's graph alone (the same answer where only that graph
        describes its mentions, as kg writes them: kg.map mints them under the article's IRI)."""
        properties: dict[str, dict[str, Term]] = {}
        denoted: dict[str, set[str]] = {}
        children: set[str] = set()
        types: dict[str, set[str]] = {}
        context, denoted_by, rdf_type = NIF + "referenceContext", DENOTED_BY.value, RDF_TYPE.value
        in_graph = ox.NamedNode(graph)
        # only the predicates read below, each a contiguous run of the graph's (graph, predicate)
        # index: the labels, sources and relations of the things (about half the graph's quads)
        # are not decoded, the most of an article page's CPU
        for predicate in _MENTION_READ:
            for q in self.data.quads_for_pattern(None, ox.NamedNode(predicate), None, in_graph):
                subject = q.subject
                if not isinstance(subject, ox.NamedNode):
                    continue
                if predicate == denoted_by and isinstance(q.object, ox.NamedNode):
                    denoted.setdefault(q.object.value, set()).add(subject.value)
                elif predicate == rdf_type and isinstance(q.object, ox.NamedNode):
                    types.setdefault(subject.value, set()).add(q.object.value)
                elif predicate == context and isinstance(q.object, ox.NamedNode) and q.object.value == article:
                    children.add(subject.value)
                if predicate in _MENTION_OWN:
                    props = properties.setdefault(subject.value, {})  # a mention's own facts (_mention_from)
                    if predicate not in props or _term_key(q.object) > _term_key(props[predicate]):
                        props[predicate] = q.object
        # a thing this graph types with a relation class is a relation (a type in one graph is a type
        # of the union): the page's is_relation need not look its types up (the tenures and
        # participations the mentions are evidence for: most of what an article's mentions denote)
        relation = self.relation_classes
        for things in denoted.values():
            for thing in things:
                if relation.intersection(types.get(thing, ())):
                    self.catalogue.remember("relation", thing, True)
        out = []
        for iri in sorted(children):
            m = _mention_from(iri, properties.get(iri, {}))
            if m:
                out.append((m, sorted(denoted.get(iri, ()))))
        return sorted(out, key=lambda md: (md[0].start, -md[0].end))


# what _mention_from reads of a mention, and what _mentions_in_graph reads besides
_MENTION_OWN = frozenset(NIF + name for name in ("beginIndex", "endIndex", "referenceContext", "anchorOf"))
_MENTION_READ = (DENOTED_BY.value, RDF_TYPE.value, *sorted(_MENTION_OWN))


def _mention_from(iri: str, props: dict[str, Term]) -> Mention | None:
    """The mention (without its sentence) from its properties, or None when they are incomplete."""
    try:
        start = int(props[NIF + "beginIndex"].value)
        end = int(props[NIF + "endIndex"].value)
        article = props[NIF + "referenceContext"].value
    except (KeyError, ValueError):
        return None
    anchor = props[NIF + "anchorOf"].value if NIF + "anchorOf" in props else ""
    return Mention(iri, article, start, end, anchor, "", "")


def _order_of(mention_iri: str) -> tuple[str, int, int]:
    """(article, start, end) read off a mention IRI kg minted ("{article}#char=s,e"; kg.iri.mention_iri)."""
    article, sep, span = mention_iri.rpartition("#char=")
    start, _, end = span.partition(",")
    if sep and start.isdigit() and end.isdigit():
        return article, int(start), int(end)
    return mention_iri, -1, -1
