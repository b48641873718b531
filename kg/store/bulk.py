"""Loads into an empty embedded store at bulk speed, still all or nothing.

Oxigraph's bulk loader (``Store.bulk_extend``) writes sorted files straight into RocksDB, several
times faster than a transaction, but it is not atomic: a crash half-way leaves half the data. So a
load into an empty store goes into a fresh store in a sibling folder, and only a complete one takes
the place of the empty one (two renames in the same parent folder). A failure removes the fresh
folder and leaves the empty store as it was.

N-Quads files that need no validation (kg export vouched for their bytes, or --no-validate) skip
Python's RDF objects altogether: one ``bulk_load`` call reads every such file as N-Quads, each
block of lines followed by the same lines with their graph term cut off, so Oxigraph's parser
puts each triple in its named graph and in the default graph (the union: the loader writes each
key once, so a triple several articles share is there once). One call for all the files, and
each line beside its copy: every call, and every batch of a call, writes its own sorted files,
strings included, so a second pass (or a call per file) would store the strings again (1.5× the
size on disk). What that path cannot load exactly as the Python path would (a blank node, which
the bulk loader renames; the counts' graph of a dump; a line without a graph term, which the
Python path gives an article's graph) raises ``NotFast``, and the caller loads everything again
the Python way into another fresh store.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError, KgError

if TYPE_CHECKING:
    from kg.store.sources import GraphUnit
    from kg.store.validated import Vouchers

# Below this a transaction is as quick as building a second store and swapping folders.
BULK_MIN_QUADS = 50_000

# Oxigraph's bulk loader holds a batch of quads in memory per worker thread (2.35 GB at 5,000
# articles with two); with one it peaked at 1.51 GB and used less CPU (docs/store.md).
BULK_THREADS_VARIABLE = "KG_BULK_THREADS"


def bulk_threads() -> int:
    """Threads for Oxigraph's bulk loader: $KG_BULK_THREADS (a positive number), default 1."""
    value = os.environ.get(BULK_THREADS_VARIABLE, "1")
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise KgError(f"{BULK_THREADS_VARIABLE}={value!r}: give a whole number of threads, 1 or more", exit_code=2)
    return threads


@contextmanager
def _loader_threads(threads: int):
    """Run the block with this thread allowed on ``threads`` CPUs only.

    pyoxigraph has no setting for the bulk loader's worker threads: Oxigraph starts one per CPU
    the calling thread may use (Rust's available_parallelism reads its affinity mask), and the
    workers inherit the mask. So the mask is narrowed for the call and put back after it.
    """
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(allowed) <= threads:
        yield
        return
    os.sched_setaffinity(0, allowed[:threads])
    try:
        yield
    finally:
        os.sched_setaffinity(0, allowed)


def bulk_into_fresh_store(location: Path, units: Iterable[GraphUnit], release=None,
                          fast: Sequence[NQuadsSource] = ()):
    """Write ``units`` (and their union as the default graph) into a fresh store, then swap it in;
    with ``fast`` sources, (graphs, quads in them) of the new store, else None (Counted tells).

    ``fast``: N-Quads sources loaded by Oxigraph's parser alone (no validation), before ``units``;
    raises ``NotFast`` (nothing written) when one holds what only the Python path loads right.

    ``units`` may be a stream (kg.store.sources.iter_units): an exception it raises half-way (a
    file that does not parse or validate) removes the fresh store, and ``location`` stays as it
    was, or absent if it was. ``release`` closes the caller's handle on the empty store: it is
    called once the fresh store is complete, just before the folders move (RocksDB writes to
    its folder's path when it closes, so no handle may stay open across the move); until then
    its lock keeps other writers out.
    """
    import pyoxigraph as ox

    location.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{location.name}.bulk-", dir=location.parent))
    retired = fresh.with_name(fresh.name.replace(".bulk-", ".old-"))
    try:
        store = ox.Store(str(fresh))
        try:
            graphs: dict = {}
            with _loader_threads(bulk_threads()):
                tally = _load_nquads(store, fast) if fast else None
                store.bulk_extend(_quads(_tallied(units, graphs)))
            kept = _keep_counts(store, graphs, counted=bool(fast), tally=tally)
            loaded = None
            if fast:  # what kg load prints: graphs and the quads in them (len: a scan; less the record)
                quads = (sum(n for n, _ in kept.graphs.values()) if not kept.others
                         else len(store) - kept.triples - 1)
                loaded = (len(kept.graphs) + kept.others, quads)
            store.flush()
        finally:
            store = None  # closes RocksDB (and frees its lock) before the folder moves or goes
        if release is not None:
            release()
        existed = location.exists()
        if existed:
            os.rename(location, retired)
        try:
            os.rename(fresh, location)
        except OSError:
            if existed:
                os.rename(retired, location)
            raise
    except OSError as err:
        shutil.rmtree(fresh, ignore_errors=True)
        raise KgError(f"{location}: cannot write to the store ({err})") from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
    return loaded


def _tallied(units: Iterable[GraphUnit], graphs: dict):
    """The units, passed through; ``graphs`` gets each graph's (distinct triples, article), or None
    for a graph met twice in the stream (then counted by query)."""
    from kg.store.counts import STATS_GRAPH, article_of

    for unit in units:
        if unit.graph != STATS_GRAPH:
            graphs[unit.graph] = (None if unit.graph in graphs
                                  else (len(set(unit.triples)), article_of(unit.triples)))
        yield unit


def _quads(units: Iterable[GraphUnit]):
    """Every unit's quads in its graph, each with its copy in the default graph.

    A triple several articles share is handed over once per article: the bulk loader writes each
    key once (RocksDB keys are the quads), so the default graph holds it once without kg keeping
    a set of every triple in Python.
    """
    import pyoxigraph as ox

    from kg.store.counts import STATS_GRAPH

    default = ox.DefaultGraph()
    for unit in units:
        if unit.graph == STATS_GRAPH:  # derived (a dump's copy): counted anew (_keep_counts)
            continue
        graph = _graph_node(unit.graph)
        for t in unit.triples:
            yield ox.Quad(t.subject, t.predicate, t.object, graph)
            yield ox.Quad(t.subject, t.predicate, t.object, default)


def _keep_counts(store, graphs: dict, *, counted: bool = False, tally: LineTally | None = None):
    """The counts kg stats reads (kg.store.counts) for the complete fresh store: each graph's size and
    article from the stream; distinct triples and entities per class from the union (one scan each).
    ``counted``: graphs came in that the stream did not see (the N-Quads fast path): from ``tally``
    when it counted them all exactly, each with its article, and nothing else came; else by query."""
    from kg.store import counts

    if not graphs and not counted:
        return None
    tallied = tally.graphs() if tally is not None and tally.exact and not graphs else {}
    if tallied and all(article for _, article in tallied.values()):
        union = len(store) - sum(n for n, _ in tallied.values())  # every quad less the named graphs'
        kept = _union_totals(store, counts.Counts(graphs=tallied), triples=union)
        kept.things, kept.examples = tally.things(), counts.examples_by_query(store)
    elif counted:
        kept = _counts_by_query(store)
    elif any(entry is None or not entry[1] for entry in graphs.values()):  # a graph twice, or one without article
        kept = counts.count_by_query(store)
    else:
        kept = _union_totals(store, counts.Counts(graphs=dict(graphs)))
    if kept.things is None:
        counts.keep_extras(store, kept)  # what kg serve's VoID needs, in the same fresh store
    store.extend([counts.record_quad(kept.whole())])
    return kept


def _counts_by_query(store):
    """counts.count_by_query, with the classes read from the union when every named graph holds an
    article (then the union's typed entities are the articles': one scan of the default graph)."""
    from kg.store import counts
    from kg.store.base import packaged_query

    kept = counts.Counts()
    for row in store.query(packaged_query("stats_graphs")):
        kept.graphs[row["graph"].value] = (int(row["triples"].value), row["article"].value)
    named = sum(1 for g in store.named_graphs() if not counts.is_stats_graph(g))
    kept.others = named - len(kept.graphs)
    if not kept.others:
        return _union_totals(store, kept)
    kept.triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    for row in store.query(packaged_query("stats_classes")):  # a graph without article: kg's own class query
        kept.classes[row["class"].value] = int(row["entities"].value)
    return kept


def _union_totals(store, kept, triples: int | None = None):
    """``kept`` with the union's distinct triples (``triples``, else one scan) and entities per class
    (one scan). Only when every named graph holds an article: then the union's typed entities are
    the articles' (stats_classes)."""
    kept.triples = (triples if triples is not None
                    else int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value))
    for row in store.query("SELECT ?class (COUNT(?entity) AS ?entities) WHERE { ?entity a ?class } GROUP BY ?class"):
        kept.classes[row["class"].value] = int(row["entities"].value)
    return kept


# --- N-Quads through Oxigraph's parser alone ------------------------------------------------------


class NotFast(Exception):
    """A source holds what the N-Quads fast path would not load as the Python path does."""


# The graph term ending a line, as kg (and Oxigraph) write N-Quads: " <IRI> .\n". No quote or space
# inside: a literal holding "<" cannot make the match start early.
_GRAPH_TERM = re.compile(rb' <[^>" \n]*> \.\n')
_BLOCK = 1 << 20


class NQuadsSource:
    """N-Quads bytes to load fast: a file (``.nq`` or ``.nq.gz``) or bytes a program made.

    ``sha256``: the hash kg export recorded for the file's bytes, checked again as they are read
    (the file was hashed before the load chose this path: an edit in between is an error).
    ``trusted``: kg wrote these bytes (a vouched file, an export's own output), so the parser need
    not check every IRI again (Oxigraph's ``lenient``); a --no-validate file is checked.
    """

    def __init__(self, name: str, *, path: Path | None = None, data=None, sha256: str | None = None,
                 trusted: bool | None = None) -> None:
        self.name, self.path, self._data, self.sha256 = name, path, data, sha256
        self.trusted = (sha256 is not None or data is not None) if trusted is None else trusted

    @classmethod
    def file(cls, path: Path, sha256: str | None = None) -> NQuadsSource:
        return cls(str(path), path=Path(path), sha256=sha256)

    def blocks(self, *, check: bool) -> Iterator[bytes]:
        """The decompressed bytes, a block at a time; ``check``: hash them against ``sha256``."""
        if self.path is None:
            data = self._data() if callable(self._data) else self._data
            yield data
            return
        from kg.store.validated import HashingReader

        try:
            with open(self.path, "rb") as handle:
                raw = HashingReader(handle) if check and self.sha256 else handle
                stream = gzip.GzipFile(fileobj=raw, mode="rb") if self.path.suffix.lower() == ".gz" else raw
                while block := stream.read(_BLOCK):
                    yield block
                if raw is not handle and raw.hexdigest() != self.sha256:
                    raise InputError(f"{self.name}: changed while it was loaded (its sha256 is no longer the "
                                     "one kg export recorded); load it again")
        except (OSError, EOFError, zlib.error) as err:  # gzip: BadGzipFile is an OSError, truncation EOFError
            raise InputError(f"{self.name}: {err or type(err).__name__}") from None


class _Lines:
    """The sources' N-Quads end to end as one binary reader for ``bulk_load``, each block of whole
    lines followed by its copy for the union: the same lines with their graph term cut off (a
    triple in N-Quads is in the default graph). One stream, one call: each batch of Oxigraph's
    bulk loader holds a line and its copy, so their strings are written once.

    A copy's line that does not end in a graph term raises NotFast (the parser is never given a
    line it would put in the default graph alone). Remembers each block's place, to name the
    source and its line in an error, and to tell an error in a copy (NotFast) from one in the data.
    """

    def __init__(self, sources: Sequence[NQuadsSource], tally: LineTally | None = None) -> None:
        from kg.store.counts import STATS_GRAPH

        self._sources = sources
        self._tally = tally
        self._stats = f"<{STATS_GRAPH}>".encode()
        self.segments: list[tuple[int, str, int, bool]] = []  # (first stream line, source, its line, copy?)
        self._lines = 0
        self._out, self._pos = b"", 0
        self._blocks = self._all_blocks()

    def _all_blocks(self) -> Iterator[bytes]:
        for source in self._sources:
            first = 1
            rest = b""
            for block in source.blocks(check=True):
                cut = block.rfind(b"\n") + 1
                if not cut:
                    rest += block
                    continue
                yield from self._both(source.name, first, rest + block[:cut])
                first += (rest + block[:cut]).count(b"\n")
                rest = block[cut:]
            if rest:
                yield from self._both(source.name, first, rest + b"\n")
                first += 1
            if first == 1:
                raise InputError(f"{source.name}: holds no triples")

    def _both(self, name: str, first: int, lines: bytes) -> Iterator[bytes]:
        """``lines`` (line ``first`` on in ``name``), then their copy in the default graph."""
        if b"_:" in lines:
            raise NotFast("a blank node")
        if self._stats in lines:
            raise NotFast("the counts' graph")
        newlines = lines.count(b"\n")
        triples, cut = _GRAPH_TERM.subn(b" .\n", lines)
        if cut != newlines:
            raise NotFast("a line without a graph term")
        if self._tally is not None:
            self._tally.add(lines, first_of_source=first == 1)
        self.segments.append((self._lines + 1, name, first, False))
        self.segments.append((self._lines + newlines + 1, name, first, True))
        self._lines += 2 * newlines
        yield lines
        yield triples

    def read(self, size: int = -1) -> bytes:
        while self._pos >= len(self._out):
            self._out, self._pos = next(self._blocks, b""), 0
            if not self._out:
                return b""
        if size is None or size < 0:
            size = len(self._out) - self._pos
        chunk = self._out[self._pos:self._pos + size]
        self._pos += len(chunk)
        return chunk

    def readable(self) -> bool:
        return True

    def place(self, line: int) -> tuple[str, int, bool]:
        """(source, its line, in a copy?) of a line of the stream."""
        found = ("<N-Quads>", line, False)
        for start, name, first, copy in self.segments:
            if start > line:
                break
            found = (name, first + line - start, copy)
        return found


def _load_nquads(store, sources: Sequence[NQuadsSource]) -> LineTally | None:
    """Every source into its named graphs and the default graph: one bulk load. The lines' tally
    when kg wrote every source (else None: what kg wrote is one line per triple of a graph)."""
    import pyoxigraph as ox

    from kg.rdfio import _syntax_error

    trusted = all(s.trusted for s in sources)
    tally = LineTally() if trusted else None
    lines = _Lines(sources, tally)
    try:  # lenient: kg wrote these bytes, its IRIs were checked then
        store.bulk_load(input=lines, format=ox.RdfFormat.N_QUADS, lenient=trusted)
    except SyntaxError as err:
        if err.lineno is None:
            raise _syntax_error(lines.segments[-1][1] if lines.segments else "<N-Quads>", err) from None
        name, line, copy = lines.place(err.lineno)
        if copy:  # the data parsed, its copy did not: a line of three terms (the default graph)
            raise NotFast("a line without a graph term") from None
        err.lineno = line
        raise _syntax_error(name, err) from None
    return tally


class LineTally:
    """What the kept counts need, read off kg-written N-Quads as they stream to the loader, so that
    the fresh store is not scanned for them (at 5,000 articles the scans after the load cost as much
    CPU as a sixth of the load itself): each graph's triples and article, and the union's things.

    kg writes a graph's triples once each, a line apiece, the lines of one graph together. So a
    graph's triple count is its lines, counted a run of lines at a time with ``bytes.count`` (the
    run is checked to be that graph's lines only). Anything the tally cannot count exactly (a graph
    in two runs, a backslash escape in a term it reads) makes it give up (``exact`` False), and the
    store is counted by query as before.
    """

    def __init__(self) -> None:
        from kg.store.counts import NEWS_ARTICLE, RDF_TYPE, THING_LABELS, THING_ROOT

        self._type = RDF_TYPE.encode()
        self._article = f"> <{RDF_TYPE}> <{NEWS_ARTICLE}> <".encode()  # a line's subject ends at its ">"
        self.exact = True
        self._runs: dict[bytes, int] = {}  # graph term → its lines
        self._articles: dict[bytes, bytes] = {}  # graph term → its smallest schema:NewsArticle subject
        self._last = b""  # the graph of the last line seen (a run may go on into the next block)
        self._root = b"<" + THING_ROOT.encode()
        self._things: set[bytes] = set()  # subjects under THING_ROOT that are typed or labelled, root cut off
        # a line with a thing's evidence (kg.store.counts._thing_evidence): typed, or labelled with a
        # literal. "\n(" first: a one-byte literal prefix is what Python's re searches for fastest
        evidence = rb"(<[^ ]*>) <(" + b"|".join(re.escape(p.encode()) for p in (RDF_TYPE, *THING_LABELS)) + rb")> (.)"
        self._evidence, self._first_evidence = re.compile(b"\n" + evidence), re.compile(evidence)

    def add(self, lines: bytes, *, first_of_source: bool = False) -> None:
        """Whole lines, each ending in its graph term (the caller checked). A run does not go on from
        one source into the next (kg export writes each graph whole in one shard; the same file given
        twice holds its triples twice)."""
        if not self.exact:
            return
        if first_of_source:
            self._last = b""
        self._count_runs(lines)
        self._find_articles(lines)
        self._find_things(lines)

    def _count_runs(self, lines: bytes) -> None:
        pos, end = 0, len(lines)
        while pos < end:
            eol = lines.index(b"\n", pos)
            term = lines[lines.rindex(b" <", pos, eol) + 1:eol - 2]  # " <g> .\n": no space inside an IRI
            needle = b" " + term + b" .\n"  # only at a line's end: a literal holds no line break
            stop = lines.rindex(needle, pos) + len(needle)
            run = lines.count(b"\n", pos, stop)
            if b"\\" in term or lines.count(needle, pos, stop) != run:  # an escape, or another graph's lines between
                self.exact = False
                return
            if term == self._last:
                self._runs[term] += run
            elif term in self._runs:  # met before, in another run: its lines may repeat a triple
                self.exact = False
                return
            else:
                self._runs[term] = run
            self._last, pos = term, stop

    @staticmethod
    def _subject_before(lines: bytes, at: int) -> bytes | None:
        """The subject term of the line whose subject ends at ``at`` (its ``>``); None when the match
        at ``at`` is not right after the line's subject (it is inside a literal)."""
        start = lines.rfind(b"\n", 0, at) + 1
        if lines.find(b" ", start) != at + 1:
            return None
        return lines[start:at + 1]

    def _find_articles(self, lines: bytes) -> None:
        at = lines.find(self._article)
        while at >= 0:
            subject = self._subject_before(lines, at)
            if subject is not None:
                graph_start = at + len(self._article) - 1
                graph = lines[graph_start:lines.index(b"\n", graph_start) - 2]
                if b"\\" in subject:
                    self.exact = False
                    return
                if graph not in self._articles or subject < self._articles[graph]:
                    self._articles[graph] = subject  # UTF-8 bytes sort as their characters do
            at = lines.find(self._article, at + 1)

    def _find_things(self, lines: bytes) -> None:
        root, things = self._root, self._things
        found = set(self._evidence.findall(lines))  # C speed: a line's subject, predicate, object's first byte
        first = self._first_evidence.match(lines)
        if first:
            found.add(first.groups())
        for subject, predicate, obj in found:
            if subject.startswith(root) and (obj == b'"' if predicate != self._type else b"#" not in subject):
                if b"\\" in subject:
                    self.exact = False
                    return
                things.add(subject[len(root):-1])

    def graphs(self) -> dict[str, tuple[int, str]]:
        """Graph IRI → (triples, article IRI or "")."""
        return {term[1:-1].decode(): (n, self._articles[term][1:-1].decode() if term in self._articles else "")
                for term, n in self._runs.items()}

    def things(self) -> int:
        from kg.store.counts import THING_ROOT, is_thing_iri

        return sum(1 for rest in self._things if is_thing_iri(THING_ROOT + rest.decode()))


def split_fast(paths: Sequence[str | Path], *, validate: bool = True, graph: str | None = None,
               vouchers: Vouchers | None = None) -> tuple[list, list[Path]]:
    """(N-Quads sources for kg.store.bulk's fast path, the other paths for iter_units).

    Fast: an N-Quads file (.nq, .nq.gz) that needs no validation, because of --no-validate or
    because its bytes' sha256, taken here before anything is loaded, is the one kg export recorded
    under today's shapes (kg.store.validated; with ``vouchers.fingerprint`` "-", --revalidate, none
    is). Everything else (other formats, ``graph``, a file to validate) keeps the Python path.
    """
    import hashlib

    from kg import formats
    from kg.store.sources import rdf_format

    if not paths:
        raise InputError("no files to load")
    if graph:
        return [], [Path(p) for p in paths]
    fast, slow = [], []
    for path in map(Path, paths):
        if not path.is_file() or rdf_format(path) is not formats.NQUADS:
            slow.append(path)
            continue
        if not validate:
            fast.append(NQuadsSource.file(path))
            continue
        wanted = vouchers.candidates(path) if vouchers is not None else frozenset()
        digest = None
        if wanted:
            sha = hashlib.sha256()
            try:
                with open(path, "rb") as handle:
                    while block := handle.read(1 << 20):
                        sha.update(block)
            except OSError as err:
                raise InputError(f"{path}: {err.strerror or err}") from None
            digest = sha.hexdigest()
        if digest in wanted:
            fast.append(NQuadsSource.file(path, sha256=digest))
        else:
            slow.append(path)
    return fast, slow


def _graph_node(iri: str):
    import pyoxigraph as ox

    try:
        return ox.NamedNode(iri)
    except ValueError as err:
        raise KgError(f"{iri!r}: not a graph IRI ({err})", exit_code=2) from None


class Counted:
    """Units passed through, counted (for the one line ``kg load`` prints)."""

    def __init__(self, units: Iterable[GraphUnit]) -> None:
        self._units, self.graphs, self.triples = units, set(), 0

    def __iter__(self):
        for unit in self._units:
            self.graphs.add(unit.graph)
            self.triples += len(unit.triples)
            yield unit
