"""What pages need about the whole data, computed once per store version and kept: counts, class
members, labels for sorting, the most-mentioned things, and the search index.

A ``Site`` over another store (``kg serve`` after a `kg load` or `kg drop`: ``Site.with_data``) gets
a new Catalogue, so everything here is keyed on the store's version by construction and is never
stale. Nothing is recomputed per request: the home page, VoID and the index pages read these
values, and ``kg serve`` builds them in a background thread as soon as it opens a store.

The whole-store numbers (triples, graphs, quads, class partitions, VoID's example resources) are
also written to a small JSON file keyed on the store folder's version (``kg serve`` passes
``keep``), so a server restarted on an unchanged store reads them instead of counting again. The
counting itself is done by the store's engine (SPARQL aggregates, in Rust) or by one scan of one
predicate; never by a Python set of every triple. The search index is kept the same way, in its own
file beside them (SearchIndex.write/read; a damaged file is rebuilt), and on a big store built by a
child process (kg.publish.search_build). On the kg layout (kg.store.union) the default
graph holds every triple once, so counts over it are counts of distinct triples; on a store written
before that layout the same queries run over the union of the named graphs with DISTINCT.
"""

from __future__ import annotations

import bisect
import heapq
import json
import os
import re
import sys
import threading
import unicodedata
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.store.changes import touched_between
from kg.vietnamese import search_key

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GAF_DENOTED_BY = ox.NamedNode("http://groundedannotationframework.org/gaf#denotedBy")
SEARCH_PROPERTIES = ("rdfs:label", "skos:prefLabel", "skos:altLabel", "schema:name")
KEPT_FORMAT = 2  # bump when the meaning of a kept value changes
MEMO_ENTRIES = 200_000  # Catalogue.remembered: ~40 MB at most
_MISSING = object()
SEARCH_FORMAT = 2  # bump when SearchIndex's file layout or folding changes
SEARCH_CHILD_TRIPLES = 1_000_000  # from this size (~1,500 articles) a store's search index is built in a child
# a kept search index is decoded this many bytes at a time: each piece holds the interpreter lock for
# milliseconds, so the pages asked for meanwhile are answered (one json.loads of the 226 MB of
# strings at 100,000 articles held it for ~5 s: the first home page after a restart waited for it)
SEARCH_DECODE_BYTES = 1 << 20


def _fold_table() -> dict[int, str | None]:
    """Each Latin letter → its base letters, each combining mark → nothing (what search_key does)."""
    table: dict[int, str | None] = {}
    for code in (*range(0x80, 0x250), *range(0x1E00, 0x1F00)):
        ch = chr(code)
        table[code] = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
    for code in range(0x300, 0x370):  # all Mn
        table[code] = None
    table[ord("đ")], table[ord("Đ")] = "d", "D"
    return table


_FOLD = _fold_table()
# beyond these, a character may decompose into marks other scripts order differently: the slow path
_NOT_LATIN = re.compile(r"[^\x00-\u024f\u0300-\u036f\u1e00-\u1eff]")


def fold(text: str) -> str:
    """kg.vietnamese.search_key ("Lại Xuân Lâm" → "lai xuan lam"), 10× faster on Latin text (a
    table per character instead of a decomposition per string): sorting and indexing every label
    of a store costs seconds, not minutes. The same result: in these ranges every mark a letter
    decomposes into is a non-spacing mark, so dropping marks per character or per string agrees."""
    text = unicodedata.normalize("NFC", text)
    if _NOT_LATIN.search(text) is None:
        return text.translate(_FOLD).lower()
    return search_key(text)


def data_graph(store: ox.Store):
    """The graph that holds every triple once: the default graph on the kg layout, else None (all graphs)."""
    from kg.store.union import needs_union_fallback

    if needs_union_fallback(store):
        return None
    return ox.DefaultGraph()


def kept_counts_file(location: str | Path) -> Path:
    """Where ``kg serve`` keeps the counts of the store at ``location`` ($KG_SERVE_CACHE, else the
    user's cache folder): outside the store folder, which the server only reads."""
    import hashlib

    root = os.environ.get("KG_SERVE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kg", "serve")
    name = hashlib.sha256(str(Path(location).resolve()).encode("utf-8")).hexdigest()[:16]
    return Path(root) / f"{name}.json"


class Catalogue:
    """Lazily computed, then kept, facts about one data store (thread-safe: each is computed once).

    ``keep`` (a JSON file) and ``version`` (any JSON value naming the store's version): small values
    are read from the file when it holds the same version, and written to it once computed.
    ``location`` (the store's folder, with ``keep``): a big store's search index is built by a child
    process (kg.publish.search_build).
    """

    def __init__(self, store: ox.Store, keep: Path | None = None, version=None,
                 location: str | Path | None = None) -> None:
        self.store = store
        self.location = location  # the store's folder: the search index may then be built in a child
        self._values: dict[str, object] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.graph = data_graph(store)
        self.keep, self.version = keep, version
        self._kept_values: dict[str, object] | None = None  # read on first use, not at start-up
        self._search_ready = threading.Event()
        self._memo: dict[tuple[str, str], object] = {}
        self._search_thread: threading.Thread | None = None
        self._stale: tuple[dict, set[str]] | None = None  # (values kept for an earlier version, things changed since)
        self._earlier_search: tuple[object, SearchIndex] | None = None  # follow(): (its version, its index)

    @property
    def _kept(self) -> dict[str, object]:
        if self._kept_values is None:
            with self._guard:
                if self._kept_values is None:
                    self._kept_values = self._read_kept()
        return self._kept_values

    # --- keeping ------------------------------------------------------------------------------

    def _read_kept(self) -> dict:
        if self.keep is None:
            return {}
        try:
            doc = json.loads(self.keep.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if doc.get("format") != KEPT_FORMAT:
            return {}
        if doc.get("version") != self.version:
            # kept for an earlier version: what a patch can bring up to date (after a small load)
            touched = self._touched_since(doc.get("version"))
            if touched is not None:
                self._stale = (dict(doc.get("values", {})), touched)
            return {}
        return dict(doc.get("values", {}))

    def follow(self, earlier: Catalogue) -> None:
        """This store version comes after ``earlier``'s in the same folder (kg serve following a
        load): its search index, if it was built, is patched from memory instead of read from the
        file again (1.6 s at 100,000 articles, then written and read back by a child process)."""
        index = earlier._values.get("search")
        if isinstance(index, SearchIndex) and earlier.version is not None:
            self._earlier_search = (earlier.version, index)

    def _touched_since(self, version) -> set[str] | None:
        """The things whose triples changed from store version ``version`` to this one (kg.store.changes),
        or None when that is not known (then what was kept for it is made anew)."""
        if self.location is None or self.version is None or not isinstance(version, list):
            return None
        return touched_between(self.location, version, self.version)

    def hold_writes(self) -> None:
        """Keep new values in memory until flush_kept (kg.publish.prepare: one write of the file, not
        one per value, each the whole file: the sorted indexes are 23 MB at 100,000 articles)."""
        self._holding = True

    def flush_kept(self) -> None:
        self._holding = False
        if self._kept:
            name, value = next(iter(self._kept.items()))
            self._write_kept(name, value)

    def _write_kept(self, name: str, value) -> None:
        if self.keep is None:
            return
        kept = self._kept
        if getattr(self, "_holding", False):
            with self._guard:
                kept[name] = value
            return
        with self._guard:
            kept[name] = value
            doc = {"format": KEPT_FORMAT, "version": self.version, "values": kept}
            try:
                self.keep.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.keep.with_name(f".{self.keep.name}.{os.getpid()}.{threading.get_ident()}")
                tmp.write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True), encoding="utf-8")
                tmp.replace(self.keep)
            except OSError:  # a read-only home: the counts are only kept in memory
                pass

    def _once(self, name: str, make: Callable[[], object], *, persist: bool = False):
        if name in self._values:
            return self._values[name]
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._values:
                if persist and name in self._kept:
                    self._values[name] = self._kept[name]
                else:
                    value = make()
                    self._values[name] = value
                    if persist:
                        self._write_kept(name, value)
        return self._values[name]

    def kept(self, name: str, make: Callable[[], object], *, persist: bool = False):
        """``make()`` computed once for this store (for values a Site derives from the data);
        ``persist``: JSON-able, also kept across restarts on the same store version."""
        return self._once("kept|" + name, make, persist=persist)

    def remembered(self, kind: str, key: str, make: Callable[[], object]):
        """``make()`` for one thing, remembered for this store version (facts a page asks about the
        same things again and again, e.g. whether a mentioned thing is a relation): at most
        MEMO_ENTRIES, then forgotten all at once (a bound, not an LRU: cheap and never stale)."""
        memo = self._memo
        found = memo.get((kind, key), _MISSING)
        if found is _MISSING:
            if len(memo) >= MEMO_ENTRIES:
                memo.clear()
            found = memo[(kind, key)] = make()
        return found

    def remember(self, kind: str, key: str, value) -> None:
        """Remember a fact ``remembered`` would compute (found on the way, as sure as its ``make``)."""
        if len(self._memo) >= MEMO_ENTRIES:
            self._memo.clear()
        self._memo[(kind, key)] = value

    def ready(self, name: str) -> bool:
        return name in self._values

    # --- counts -------------------------------------------------------------------------------

    def _query(self, text: str):
        if self.graph is None:
            return self.store.query(text, use_default_graph_as_union=True)
        return self.store.query(text)

    def _count(self, text: str) -> int:
        for row in self._query(text):
            return int(row[0].value)
        return 0

    def _store_counts(self):
        """The counts kg load keeps in the store (kg.store.counts), when they are exact: on the kg
        layout, written by kg, with no graph that holds no article. None otherwise (then: count)."""
        def make():
            from kg.store.counts import read

            counts = read(self.store) if self.graph is not None else None
            return counts if counts is not None and not counts.others else None
        return self._once("store counts", make)

    def graph_of_article(self, article: str) -> str | None:
        """The named graph that holds ``article``, when kg load's counts say every graph holds one
        article and this one is in exactly one graph; else None (then: look-ups over the union)."""
        def make() -> dict[str, str | None]:
            counts = self._store_counts()
            found: dict[str, str | None] = {}
            for graph, (_, held) in (counts.graphs.items() if counts is not None else ()):
                found[held] = None if held in found else graph
            return found
        return self._once("graph of article", make).get(article)

    def triple_count(self) -> int:
        """Distinct triples over all the articles' graphs."""
        if (kept := self._store_counts()) is not None:
            return kept.triples
        if self.graph is None:
            query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        else:
            query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        return self._once("triples", lambda: self._count(query), persist=True)

    def graph_count(self) -> int:
        from kg.store.counts import is_stats_graph  # the store's own counts are not data

        if (kept := self._store_counts()) is not None:
            return len(kept.graphs)
        return self._once("graphs", lambda: sum(1 for g in self.store.named_graphs() if not is_stats_graph(g)),
                          persist=True)

    def named_quad_count(self) -> int:
        """Quads in named graphs: the lines of the dump (void:triples). On the kg layout every quad
        of the store not in the default graph: len(store) (counted by the store in Rust) minus it."""
        from kg.store.counts import STATS_GRAPH

        if (kept := self._store_counts()) is not None:
            return sum(n for n, _ in kept.graphs.values())

        def make() -> int:
            if self.graph is not None:
                stats = sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.NamedNode(STATS_GRAPH)))
                return len(self.store) - self.triple_count() - stats
            return self._count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return self._once("named quads", make, persist=True)

    def class_counts(self) -> dict[str, int]:
        """Class IRI → distinct subjects typed with it (VoID class partitions)."""
        if (kept := self._store_counts()) is not None:
            return dict(sorted(kept.classes.items()))

        def make() -> dict[str, int]:
            query = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
            return dict(sorted((row[0].value, int(row[1].value)) for row in self._query(query)))
        return self._once("classes", make, persist=True)

    def kept_things(self) -> int | None:
        """Things kg load counted (kg.store.counts: is_thing_iri, THING_LABELS), None when not kept."""
        counts = self._store_counts()
        return counts.things if counts is not None else None

    def most_mentioned(self, key: str, members: Iterable[str] | Callable[[], Iterable[str]],
                       classes: Iterable[str] | None = None) -> str | None:
        """The member with the most mentions (gaf:denotedBy; ties: the greatest IRI), kept under ``key``.
        ``classes`` (the members' classes): from the most-mentioned member per class kg load kept
        (kg.store.counts), without counting every member's mentions."""
        counts = self._store_counts() if classes is not None else None
        if counts is not None and counts.examples is not None:
            found = [counts.examples[c] for c in classes if c in counts.examples]
            if found:
                return max(found)[1]

        def make() -> str | None:
            best = None
            for iri in (members() if callable(members) else members):
                n = sum(1 for _ in self.store.quads_for_pattern(ox.NamedNode(iri), GAF_DENOTED_BY, None, self.graph))
                if best is None or (n, iri) > best:
                    best = (n, iri)
            return best[1] if best else None
        return self._once("most mentioned|" + key, make, persist=True)

    # --- class members and labels -------------------------------------------------------------

    def members(self, classes: frozenset[str], known: Callable[[], list[str] | None] | None = None) -> set[str]:
        """IRIs typed with any of ``classes`` in the data (not sorted). ``known``: the same members
        kept in some order for this store version (kept_sorted), or None: then they are scanned."""
        def make() -> set[str]:
            if known is not None and (listed := known()) is not None:
                return set(listed)
            found: set[str] = set()
            for cls in sorted(classes):
                for q in self.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(cls), self.graph):
                    if isinstance(q.subject, ox.NamedNode):
                        found.add(q.subject.value)
            return found
        return self._once("members|" + "|".join(sorted(classes)), make)

    def member_count(self, classes: frozenset[str], members: Callable[[], set[str]]) -> int:
        """len(members()) for ``classes``, kept across restarts (every page's menu asks for it)."""
        return self._once("member count|" + "|".join(sorted(classes)), lambda: len(members()), persist=True)

    def kept_sorted(self, key: str) -> list[str] | None:
        """The sorted member list ``key`` when it is already computed or kept (sorted_members), else None."""
        name = "sorted|" + key
        found = self._values.get(name, _MISSING)
        if found is _MISSING:
            found = self._kept.get(name)
        return found  # type: ignore[return-value]

    def typed_subjects(self) -> set[str]:
        """Every IRI subject of an rdf:type triple, mentions (IRIs with a fragment) left out."""
        def make() -> set[str]:
            return {q.subject.value for q in self.store.quads_for_pattern(None, RDF_TYPE, None, self.graph)
                    if isinstance(q.subject, ox.NamedNode) and "#" not in q.subject.value}
        return self._once("typed", make)

    def literals(self, properties: tuple[str, ...]) -> dict[str, list[tuple[int, ox.Literal]]]:
        """IRI → [(position of the property in ``properties``, literal)] for every subject with one of
        them: one scan per property (shared between callers), for listing every thing without a
        lookup per thing."""
        def make() -> dict[str, list[tuple[int, ox.Literal]]]:
            out: dict[str, list[tuple[int, ox.Literal]]] = {}
            for rank, prop in enumerate(properties):
                for iri, literal in self._literals_of(prop):
                    out.setdefault(iri, []).append((rank, literal))
            return out
        return self._once("literals|" + "|".join(properties), make)

    def _literals_of(self, prop: str) -> list[tuple[str, ox.Literal]]:
        def make() -> list[tuple[str, ox.Literal]]:
            return [(q.subject.value, q.object) for q in self.store.quads_for_pattern(None, ox.NamedNode(prop), None,
                                                                                      self.graph)
                    if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)]
        return self._once("literals of|" + prop, make)

    def sorted_members(self, key: str, make: Callable[[], list[str]],
                       patch: Callable[[list[str], set[str]], list[str]] | None = None) -> list[str]:
        """A sorted member list (the Site sorts, by label in its language), kept under ``key`` (and
        across restarts: sorting needs every member's label, the slowest thing to redo at start).
        ``patch(old, changed)``: the list from the one kept for an earlier store version and the
        things whose triples changed since (kg.store.changes), without the labels of the others."""
        name = "sorted|" + key
        return self._once(name, lambda: self._patched(name, patch) or make(), persist=True)

    def patchable(self, name: str) -> bool:
        """Whether a value kept under ``name`` for an earlier store version can be patched."""
        self._kept  # noqa: B018 -- reading the kept file finds the earlier version's values
        return self._stale is not None and name in self._stale[0]

    def _patched(self, name: str, patch: Callable | None):
        if patch is None or not self.patchable(name):
            return None
        values, touched = self._stale
        return patch(values[name], touched)

    # --- search -------------------------------------------------------------------------------

    def search_index(self, expand: Callable[[str], str]) -> SearchIndex:
        """The word-prefix index of every label; with ``keep``, read from (or written to) its file
        beside the kept counts (kept_search_file), for the same store version only."""
        def make() -> SearchIndex:
            path = kept_search_file(self.keep) if self.keep is not None else None
            if path is not None and (index := SearchIndex.read(path, self.version)) is not None:
                return index
            # a kg load is preparing it for this version (kg.publish.prepare): wait for its file
            if (path is not None and wait_for_preparer(path, self.version)
                    and (index := SearchIndex.read(path, self.version)) is not None):
                return index
            # after a small load, followed by this server: the index it had, patched here
            if (index := self._patched_from_memory(expand)) is not None:
                if path is not None:
                    index.write(path, self.version)
                return index
            # a big store: the scans in a niced child process, not under this server's interpreter lock;
            # by one server process (kg serve --processes): the others wait for its file
            if path is not None and self.location is not None and self._big():
                if claim_preparing(path, self.version):
                    try:
                        built = build_search_in_child(self.location, path, self.version)
                    finally:
                        preparing_file(path).unlink(missing_ok=True)
                else:
                    built = wait_for_preparer(path, self.version)
                if built and (index := SearchIndex.read(path, self.version)) is not None:
                    return index
            index = self.build_search(expand, path)
            if path is not None:
                index.write(path, self.version)
            return index
        index = self._once("search", make)
        self._search_ready.set()
        return index

    def build_search(self, expand: Callable[[str], str], kept: Path | None = None) -> SearchIndex:
        """The search index of this store version: the one ``kept`` holds for an earlier version
        patched (patched_search), else every label scanned."""
        if kept is not None and (index := self.patched_search(expand, kept)) is not None:
            return index
        return self._scan_search(expand)

    def _scan_search(self, expand: Callable[[str], str]) -> SearchIndex:
        """The search index from every label quad, read as it streams by (not through _literals_of,
        which keeps every literal for the store version: 2.3 GB at 100,000 articles, where the rows
        alone take a third of it)."""
        rows: set[tuple[str, str]] = set()
        for prop in SEARCH_PROPERTIES:
            for q in self.store.quads_for_pattern(None, ox.NamedNode(expand(prop)), None, self.graph):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                    rows.add((fold(q.object.value), q.subject.value))
        entries = sorted(rows)
        del rows
        return SearchIndex(entries)

    def patched_search(self, expand: Callable[[str], str], kept: Path) -> SearchIndex | None:
        """The index the file ``kept`` holds for an earlier store version, brought up to this one,
        or None. An entry is one label of one thing, from that thing's own triples: only the things
        changed since (kg.store.changes) can have other entries now, and their labels are looked up
        one by one (a one-article reload at 100,000 articles: the file read and written again,
        seconds, instead of the 68 s of scanning every label)."""
        earlier = SearchIndex.kept_version(kept)
        touched = self._touched_since(earlier) if earlier is not None else None
        if touched is None or (old := SearchIndex.read(kept, earlier)) is None:
            return None
        return old.patched(touched, self._rows_of(expand, touched))

    def _patched_from_memory(self, expand: Callable[[str], str]) -> SearchIndex | None:
        earlier, self._earlier_search = self._earlier_search, None  # once: then it is let go
        if earlier is None:
            return None
        version, index = earlier
        touched = self._touched_since(version)
        return index.patched(touched, self._rows_of(expand, touched)) if touched is not None else None

    def _rows_of(self, expand: Callable[[str], str], things: set[str]) -> list[tuple[str, str]]:
        """(folded label, IRI) of every label of ``things``, as _scan_search makes them, sorted."""
        fresh = set()
        properties = [ox.NamedNode(expand(p)) for p in SEARCH_PROPERTIES]
        for iri in sorted(things):
            try:
                node = ox.NamedNode(iri)
            except (TypeError, ValueError):  # not an IRI (a journal edited by hand): no entry, as no thing
                continue
            for prop in properties:
                fresh.update((fold(q.object.value), iri) for q in self.store.quads_for_pattern(node, prop, None, self.graph)
                             if isinstance(q.object, ox.Literal))
        return sorted(fresh)

    def _big(self) -> bool:
        """A store whose search index is worth a child process (kg load kept its size)."""
        counts = self._store_counts()
        return counts is not None and counts.triples >= SEARCH_CHILD_TRIPLES

    def search_index_within(self, expand: Callable[[str], str], seconds: float) -> SearchIndex | None:
        """The search index if it is ready within ``seconds`` (it is then built, or read from its
        file, in a background thread); else None: a search is never answered from part of it."""
        if "search" in self._values:
            return self._values["search"]
        with self._guard:
            if self._search_thread is None:
                self._search_thread = threading.Thread(target=self._build_search, args=(expand,),
                                                       name="kg-search-index", daemon=True)
                self._search_thread.start()
        self._search_ready.wait(seconds)
        return self._values.get("search")

    def search_index_kept(self) -> bool:
        """Whether the search index's file is there for this store version (its header only: a
        damaged body is still noticed when it is read)."""
        return self.keep is not None and SearchIndex.header(kept_search_file(self.keep), self.version) is not None

    def _build_search(self, expand: Callable[[str], str]) -> None:
        try:
            self.search_index(expand)
        except Exception as err:  # noqa: BLE001 -- the next search builds it again and reports the error
            print(f"kg serve: search index: {type(err).__name__}: {err}", file=sys.stderr)
        finally:
            with self._guard:
                self._search_thread = None


def build_search_in_child(location: str | Path, path: Path, version, timeout: float = 3600.0) -> bool:
    """Run kg.publish.search_build for the store at ``location`` (by module name: that module
    imports this one); True when it wrote ``path`` for ``version``."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        done = subprocess.run([sys.executable, "-m", "kg.publish.search_build", str(location), str(path),
                               json.dumps(version)], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    if done.returncode != 0 and done.stderr:
        print(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1], file=sys.stderr)
    return done.returncode == 0


def preparing_file(path: Path) -> Path:
    """The marker a kg load leaves beside the search index file ``path`` while it builds it."""
    return path.with_suffix(".preparing")


def claim_preparing(path: Path, version) -> bool:
    """Leave the marker that this process builds the index ``path`` for ``version``, unless a live
    process left one for it already (then False: wait_for_preparer). Created exclusively, so of
    several server processes that find no index one builds it."""
    marker = preparing_file(path)
    for _ in range(2):
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            with open(marker, "x", encoding="utf-8") as out:
                out.write(json.dumps({"version": version, "pid": os.getpid()}))
            return True
        except FileExistsError:
            try:
                doc = json.loads(marker.read_text(encoding="utf-8"))
                live = doc.get("version") == version and _alive(int(doc["pid"]))
            except (OSError, ValueError, TypeError, KeyError):
                live = False  # half-written by its maker, or damaged: taken as stale
            if live:
                return False
            marker.unlink(missing_ok=True)  # left by a process that died, or for another version
        except OSError:  # a read-only cache folder: build without a marker
            return True
    return True


def wait_for_preparer(path: Path, version, poll: float = 0.5, timeout: float = 3600.0) -> bool:
    """While a live kg load says (preparing_file) it builds the index ``path`` for ``version``, wait;
    True once the file is there for that version. A server that follows the store sees the new
    version as soon as the load is done, and would otherwise build the same index beside it."""
    import time

    marker = preparing_file(path)
    deadline = time.monotonic() + timeout  # a load stuck for longer: the server builds the index itself
    while time.monotonic() < deadline:
        try:
            doc = json.loads(marker.read_text(encoding="utf-8"))
            pid = int(doc["pid"])
        except (OSError, ValueError, TypeError, KeyError):
            return SearchIndex.header(path, version) is not None
        if doc.get("version") != version or pid == os.getpid() or not _alive(pid):  # not this process's own
            return SearchIndex.header(path, version) is not None
        if SearchIndex.header(path, version) is not None:
            return True
        time.sleep(poll)
    return SearchIndex.header(path, version) is not None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    except OSError:
        return False
    return True


def kept_search_file(kept: Path) -> Path:
    """The search index's file for the kept-counts file ``kept`` (same folder, same name)."""
    return kept.with_suffix(".search")


class SearchIndex:
    """Word-prefix search over folded labels: posting lists per word and binary search, no scan.

    An entry is one (folded label, IRI), entries sorted by label. A query matches an entry when
    each of its words starts some word of the label ("lai xu" finds "Lại Xuân Lâm"; case and
    diacritics ignored). Labels starting with the query's first word rank first (they are one
    contiguous run of the sorted entries), then the others, each in label order; a search stops as
    soon as it has ``limit`` things, so its cost follows the answer, not the corpus.

    ``write``/``read`` keep it in one file per store version (kg serve: a restart on an unchanged
    store reads it instead of scanning every label again): a JSON header line, then the labels,
    IRIs and words as JSON and the posting lists as machine integers, with the body's length and
    CRC-32 in the header, so a truncated or damaged file is noticed and the index rebuilt.
    """

    def __init__(self, entries: list[tuple[str, str]] | None = None, *, parts=None) -> None:
        if parts is not None:  # read from a file: nothing to compute
            self._folded, self._iris, self.words, self._postings = parts
            return
        entries = entries or []
        if any("\n" in folded for folded, _ in entries):  # a line break is a space to search (the file's separator)
            entries = sorted((folded.replace("\n", " "), iri) for folded, iri in entries)
        self._folded = [folded for folded, _ in entries]
        self._iris = [iri for _, iri in entries]
        postings: dict[str, array] = {}
        for position, folded in enumerate(self._folded):
            for word in set(folded.split()):
                postings.setdefault(word, array("I")).append(position)
        self.words = sorted(postings)
        self._postings = [postings[w] for w in self.words]

    @property
    def entries(self) -> list[tuple[str, str]]:
        return list(zip(self._folded, self._iris))

    def patched(self, things: set[str], rows: list[tuple[str, str]]) -> SearchIndex:
        """This index with the entries of ``things`` replaced by ``rows`` (their (folded label, IRI)
        now, sorted): the index a build from all rows would give, without building it. Only the
        entries that differ move, so the posting lists are renumbered, not made again (made again,
        1.7 M entries at 100,000 articles took 7 s)."""
        from collections import Counter

        rows = sorted((folded.replace("\n", " "), iri) for folded, iri in rows)  # as the constructor files them
        had = [p for p, iri in enumerate(self._iris) if iri in things]
        now, before = Counter(rows), Counter((self._folded[p], self._iris[p]) for p in had)
        added = sorted((now - before).elements())
        removed = []
        for p in had:  # of equal entries, the first ones go: the rest keep their places, as in a build
            entry = (self._folded[p], self._iris[p])
            if before[entry] > now[entry]:
                before[entry] -= 1
                removed.append(p)
        if not removed and not added:
            return self
        # the old entries less the removed ones, then the added ones merged in before their equals
        folded, iris, start = [], [], 0
        for p in removed:
            folded.extend(self._folded[start:p])
            iris.extend(self._iris[start:p])
            start = p + 1
        folded.extend(self._folded[start:])
        iris.extend(self._iris[start:])
        kept_size = len(folded)
        at = [bisect.bisect_left(range(kept_size), entry, key=lambda x: (folded[x], iris[x])) for entry in added]
        # where each kept entry goes (shifted by the added ones before it), then each old position's
        # (a removed one: GONE), all by slices: no Python step per entry
        placed = array("I")
        for t, (lo, hi) in enumerate(zip([0, *at], [*at, kept_size])):
            placed.extend(range(lo + t, hi + t))
        gone = 0xFFFFFFFF
        renumber, start = array("I"), 0
        for r, p in enumerate(removed):
            renumber.extend(placed[start - r:p - r])
            renumber.append(gone)
            start = p + 1
        renumber.extend(placed[start - len(removed):])
        for t, entry in reversed(list(enumerate(added))):
            folded.insert(at[t], entry[0])
            iris.insert(at[t], entry[1])
        segments = _segments(len(self._folded), removed, at, renumber)
        lost = {w for p in removed for w in self._folded[p].split()}
        postings: dict[str, array] = {}
        for word, listed in zip(self.words, self._postings):
            if segments is None:  # many changes: every position looked up
                moved = array("I", map(renumber.__getitem__, listed))
                if word in lost:
                    moved = array("I", (p for p in moved if p != gone))
            else:  # a few: runs of positions that keep their number are copied, the others shifted
                moved, a = array("I"), 0
                for _, hi, shift in segments:  # each run starts where the one before ended
                    b = bisect.bisect_left(listed, hi, lo=a)
                    if b > a and shift is not None:
                        moved.extend(listed[a:b] if shift == 0 else map(shift.__add__, listed[a:b]))
                    a = b
            if moved:
                postings[word] = moved
        extra: dict[str, list[int]] = {}
        for t, entry in enumerate(added):
            for word in set(entry[0].split()):
                extra.setdefault(word, []).append(at[t] + t)
        for word, positions in extra.items():
            postings[word] = array("I", sorted([*postings.get(word, ()), *positions]))
        words = sorted(postings)
        return SearchIndex(parts=(folded, iris, words, [postings[w] for w in words]))

    # --- keeping ------------------------------------------------------------------------------

    def write(self, path: Path, version) -> None:
        """Write the index for the store version ``version`` (atomically; a read-only cache folder: not kept)."""
        import zlib

        # three blocks of lines (labels, IRIs, words: none holds a line break), read back piece by piece
        sections = [("\n".join(strings)).encode("utf-8") for strings in (self._folded, self._iris, self.words)]
        strings = b"".join(sections)
        lengths = array("I", (len(p) for p in self._postings))
        body = [strings, lengths.tobytes(), *(p.tobytes() for p in self._postings)]
        crc = 0
        for part in body:
            crc = zlib.crc32(part, crc)
        header = {"format": SEARCH_FORMAT, "version": version, "byteorder": sys.byteorder,
                  "itemsize": lengths.itemsize, "strings": len(strings), "sections": [len(x) for x in sections],
                  "entries": len(self._folded), "words": len(self.words),
                  "size": sum(len(part) for part in body), "crc32": crc}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
            with tmp.open("wb") as out:
                out.write(json.dumps(header).encode("ascii") + b"\n")
                for part in body:
                    out.write(part)
            tmp.replace(path)
        except OSError:
            return

    @staticmethod
    def _header(path: Path) -> dict | None:
        """The file's JSON header line (any version), or None."""
        try:
            with path.open("rb") as f:
                header = json.loads(f.readline(4096))
        except (OSError, ValueError):
            return None
        return header if isinstance(header, dict) else None

    @staticmethod
    def kept_version(path: Path):
        """The store version the file's header names (any, when its format is this one's), or None."""
        header = SearchIndex._header(path)
        return header.get("version") if header is not None and header.get("format") == SEARCH_FORMAT else None

    @staticmethod
    def header(path: Path, version) -> dict | None:
        """The file's header when it describes an index of this format for ``version``, else None."""
        header = SearchIndex._header(path)
        if (header is None or header.get("format") != SEARCH_FORMAT or header.get("version") != version
                or header.get("byteorder") != sys.byteorder or header.get("itemsize") != array("I").itemsize):
            return None
        return header

    @classmethod
    def read(cls, path: Path, version) -> SearchIndex | None:
        """The index kept in ``path`` for ``version``; None when there is none, it is for another
        version, or the file is truncated or damaged (then the caller builds it again)."""
        import zlib

        try:
            with path.open("rb") as f:
                header = json.loads(f.readline(4096))
                body = f.read()
            if (not isinstance(header, dict) or header.get("format") != SEARCH_FORMAT
                    or header.get("version") != version or header.get("byteorder") != sys.byteorder
                    or header.get("itemsize") != array("I").itemsize or header.get("size") != len(body)
                    or header.get("crc32") != zlib.crc32(body)):
                return None
            cut = header["strings"]
            sizes, entries, count = header["sections"], header["entries"], header["words"]
            if sum(sizes) != cut:
                return None
            folded = _lines(body, 0, sizes[0], entries)
            iris = _lines(body, sizes[0], sizes[0] + sizes[1], entries)
            words = _lines(body, sizes[0] + sizes[1], cut, count)
            numbers = array("I")
            numbers.frombytes(body[cut:])
            if count != len(words) or len(folded) != entries or len(iris) != entries or len(numbers) < count:
                return None
            postings, start = [], count
            for length in numbers[:count]:
                postings.append(numbers[start:start + length])
                start += length
            if start != len(numbers):
                return None
        except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError):
            return None
        return cls(parts=(folded, iris, words, postings))

    # --- searching ----------------------------------------------------------------------------

    def _lists(self, prefix: str) -> list[array]:
        """Posting lists of every word starting with ``prefix``."""
        start = bisect.bisect_left(self.words, prefix)
        end = bisect.bisect_left(self.words, prefix + "\U0010ffff", lo=start)
        return self._postings[start:end]

    def _matches(self, position: int, words: list[str]) -> bool:
        tokens = self._folded[position].split()
        return all(any(t.startswith(w) for t in tokens) for w in words)

    def search(self, words: list[str], limit: int) -> list[str]:
        """IRIs of the best ``limit`` matches (first-word-first, then label order)."""
        if not words:
            return []
        first = words[0]
        found: dict[str, None] = {}
        lo = bisect.bisect_left(self._folded, first)
        hi = bisect.bisect_left(self._folded, first + "\U0010ffff", lo=lo)
        for position in range(lo, hi):  # labels starting with the first word
            if self._matches(position, words):
                found.setdefault(self._iris[position], None)
                if len(found) == limit:
                    return list(found)
        # then the others, from the posting lists of the word with the fewest (in label order)
        lists = min((self._lists(w) for w in words), key=lambda ls: sum(len(x) for x in ls))
        previous = -1
        for position in heapq.merge(*lists):
            if position == previous or lo <= position < hi:
                continue
            previous = position
            if self._matches(position, words):
                found.setdefault(self._iris[position], None)
                if len(found) == limit:
                    break
        return list(found)


PATCH_SEGMENTS = 64  # SearchIndex.patched: beyond this many runs, each position is renumbered on its own


def _segments(size: int, removed: list[int], at: list[int], renumber: array) -> list[tuple] | None:
    """The runs of old positions ``[lo, hi)`` whose new number is the old plus one ``shift`` (None:
    removed) after ``removed`` (old positions) and the insertions before kept entries ``at``
    (positions among the entries left), in order and covering every old position; None when
    there are more than PATCH_SEGMENTS (then a lookup per position costs less than the runs)."""
    cuts = {0, size}
    for p in removed:
        cuts.update((p, p + 1))
    k = 0
    for x in at:  # the old position of the entry left at x: x plus the removed ones before it
        while k < len(removed) and removed[k] <= x + k:
            k += 1
        cuts.add(min(x + k, size))
    bounds = sorted(cuts)
    if len(bounds) > PATCH_SEGMENTS + 1:
        return None
    gone = set(removed)
    return [(lo, hi, None if lo in gone else renumber[lo] - lo) for lo, hi in zip(bounds, bounds[1:]) if lo < hi]


def _lines(body: bytes, start: int, end: int, expected: int) -> list[str]:
    """``body[start:end].decode().split("\\n")`` (``expected`` lines; 0: an empty block), decoded
    SEARCH_DECODE_BYTES at a time so that other threads run in between."""
    if expected == 0:
        return []
    out: list[str] = []
    position = start
    while True:
        cut = body.find(b"\n", position + SEARCH_DECODE_BYTES, end) if position + SEARCH_DECODE_BYTES < end else -1
        if cut < 0:
            out.extend(body[position:end].decode("utf-8").split("\n"))
            return out
        out.extend(body[position:cut].decode("utf-8").split("\n"))
        position = cut + 1
