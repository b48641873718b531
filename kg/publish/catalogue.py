"""What pages need about the whole data, computed once per store and kept: counts, class members,
the most-mentioned things, and the search index.

A ``Site`` over another store (``kg serve`` after a `kg load` or `kg drop`: ``Site.with_data``) gets
a new Catalogue, so everything here is keyed on the store's version by construction and is never
stale. Nothing is recomputed per request: the home page, VoID and the index pages read these
values; the first request after a change waits for them once (``kg serve`` builds them in a
background thread as soon as it opens the store, so usually nobody waits).

Counting is done by the store's query engine (one SPARQL aggregate each, in Rust), not by a Python
set of every triple. On the kg layout (kg.store.union) the default graph holds every triple once,
so a count over it is a count of distinct triples; on a store written before that layout the same
queries run over the union of the named graphs with DISTINCT.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections.abc import Callable

import pyoxigraph as ox

from kg.vietnamese import search_key

GAF_DENOTED_BY = "http://groundedannotationframework.org/gaf#denotedBy"
SEARCH_PROPERTIES = ("rdfs:label", "skos:prefLabel", "skos:altLabel", "schema:name")


def data_graph(store: ox.Store):
    """The graph that holds every triple once: the default graph on the kg layout, else None (all graphs)."""
    from kg.store.union import needs_union_fallback

    if needs_union_fallback(store):
        return None
    return ox.DefaultGraph()


class Catalogue:
    """Lazily computed, then kept, facts about one data store (thread-safe: each is computed once)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._values: dict[str, object] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.graph = data_graph(store)

    def _once(self, name: str, make: Callable[[], object]):
        if name in self._values:
            return self._values[name]
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._values:
                self._values[name] = make()
        return self._values[name]

    def kept(self, name: str, make: Callable[[], object]):
        """``make()`` computed once for this store (for values a Site derives from the data)."""
        return self._once("kept|" + name, make)

    def _query(self, text: str):
        if self.graph is None:
            return self.store.query(text, use_default_graph_as_union=True)
        return self.store.query(text)

    def _count(self, text: str) -> int:
        for row in self._query(text):
            return int(row[0].value)
        return 0

    # --- counts -------------------------------------------------------------------------------

    def triple_count(self) -> int:
        """Distinct triples over all the articles' graphs."""
        if self.graph is None:
            query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        else:
            query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        return self._once("triples", lambda: self._count(query))

    def graph_count(self) -> int:
        return self._once("graphs", lambda: sum(1 for _ in self.store.named_graphs()))

    def named_quad_count(self) -> int:
        """Quads in named graphs: the lines of the dump (void:triples)."""
        return self._once("named quads", lambda: self._count(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))

    def class_counts(self) -> dict[str, int]:
        """Class IRI → distinct subjects typed with it (VoID class partitions)."""
        def make() -> dict[str, int]:
            query = ("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c")
            return dict(sorted((row[0].value, int(row[1].value)) for row in self._query(query)))
        return self._once("classes", make)

    def subjects_under(self, prefix: str) -> list[str]:
        """Distinct IRI subjects starting with ``prefix``, without a fragment (mentions), sorted."""
        def make() -> list[str]:
            literal = ox.Literal(prefix)
            query = ("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
                     f"{literal}) && !CONTAINS(STR(?s), \"#\")) }}")
            return sorted(row[0].value for row in self._query(query))
        return self._once(f"subjects|{prefix}", make)

    def mention_counts(self) -> dict[str, int]:
        """IRI → number of its mentions (gaf:denotedBy), for VoID's example resources."""
        def make() -> dict[str, int]:
            query = (f"SELECT ?s (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?s <{GAF_DENOTED_BY}> ?m FILTER(isIRI(?s)) }} "
                     "GROUP BY ?s")
            return {row[0].value: int(row[1].value) for row in self._query(query)}
        return self._once("mentions", make)

    # --- class members ------------------------------------------------------------------------

    def members(self, classes: frozenset[str]) -> set[str]:
        """IRIs typed with any of ``classes`` in the data (not sorted)."""
        def make() -> set[str]:
            rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
            found: set[str] = set()
            for cls in sorted(classes):
                for q in self.store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls), self.graph):
                    if isinstance(q.subject, ox.NamedNode):
                        found.add(q.subject.value)
            return found
        return self._once("members|" + "|".join(sorted(classes)), make)

    def sorted_members(self, key: str, make: Callable[[], list[str]]) -> list[str]:
        """A sorted member list (the Site sorts, by label in its language), kept under ``key``."""
        return self._once("sorted|" + key, make)

    # --- search -------------------------------------------------------------------------------

    def search_index(self, expand: Callable[[str], str]) -> SearchIndex:
        def make() -> SearchIndex:
            rows = set()
            for prop in SEARCH_PROPERTIES:
                for q in self.store.quads_for_pattern(None, ox.NamedNode(expand(prop)), None, self.graph):
                    if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                        rows.add((search_key(q.object.value), q.subject.value))
            return SearchIndex(sorted(rows))
        return self._once("search", make)


class SearchIndex:
    """Word-prefix search over folded labels: a sorted list of (word, entry) and bisect, no linear scan.

    An entry is one (folded label, IRI); a query matches an entry when each of its words is the
    start of some word of the label ("lai xu" finds "Lại Xuân Lâm"; case and diacritics ignored).
    """

    def __init__(self, entries: list[tuple[str, str]]) -> None:
        self.entries = entries  # sorted (folded label, IRI): an entry's position is its rank
        words: set[tuple[str, int]] = set()
        for position, (folded, _iri) in enumerate(entries):
            for word in folded.split():
                words.add((word, position))
        self.words = sorted(words)
        self._keys = [w for w, _ in self.words]

    def _positions(self, prefix: str) -> set[int]:
        start = bisect.bisect_left(self._keys, prefix)
        end = bisect.bisect_left(self._keys, prefix + "\U0010ffff", lo=start)
        return {self.words[i][1] for i in range(start, end)}

    def search(self, words: list[str], limit: int) -> list[str]:
        """IRIs of the best ``limit`` matches: labels starting with the first word first, then by label."""
        if not words:
            return []
        hits: set[int] | None = None
        for word in sorted(set(words), key=len, reverse=True):  # longer words match fewer entries
            found = self._positions(word)
            hits = found if hits is None else hits & found
            if not hits:
                return []
        first = words[0]

        def rank(position: int) -> tuple[bool, int]:
            return (not self.entries[position][0].startswith(first), position)

        # the best few are enough unless many entries name the same things (labels and altLabels)
        for take in (limit * 4, len(hits)):
            seen: dict[str, None] = {}
            for position in heapq.nsmallest(take, hits, key=rank):
                seen.setdefault(self.entries[position][1], None)
                if len(seen) == limit:
                    return list(seen)
            if take >= len(hits):
                break
        return list(seen)
