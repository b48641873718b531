"""Files (and in-memory graphs) → one unit per named graph, checked before anything is written.

A kg export in Turtle, N-Triples, JSON-LD or RDF/XML holds one article; its graph is
derived from the article's IRI (the subject typed schema:NewsArticle). TriG and
N-Quads keep the graphs they name.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg import formats, rdfio
from kg.errors import InputError
from kg.iri import graph_for_article_iri

if TYPE_CHECKING:
    import rdflib

    from kg.store.validated import Vouchers

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA_NEWS_ARTICLE = "http://schema.org/NewsArticle"


@dataclass
class GraphUnit:
    """The triples one named graph will hold, and where they came from."""

    graph: str
    triples: list = field(default_factory=list)  # pyoxigraph.Triple
    sources: list[str] = field(default_factory=list)

    def ntriples(self) -> bytes:
        """The triples as sorted N-Triples (UTF-8), the body of a Graph Store Protocol PUT."""
        import pyoxigraph as ox

        return ox.serialize(sorted(self.triples, key=str), format=ox.RdfFormat.N_TRIPLES)


def read_files(paths: Sequence[str | Path], *, validate: bool = True, graph: str | None = None,
               revalidate: bool = False, vouchers: Vouchers | None = None) -> list[GraphUnit]:
    """Parse every file (and validate it with kg.validate); raise InputError on the first bad one.

    A file whose bytes kg export recorded as validated under today's shapes (kg.store.validated)
    is not validated again, unless ``revalidate``; ``vouchers`` (optional) tells which were which.
    """
    if not paths:
        raise InputError("no files to load")
    if graph and len(paths) > 1:
        raise InputError("--graph names one graph, so give exactly one file")
    vouchers = _vouchers(validate, revalidate, vouchers)
    units: list[GraphUnit] = []
    for path in paths:
        file_units, vouched = _read_file(Path(path), graph, vouchers)
        if validate:
            trusted = vouched()
            if not trusted:
                for unit in file_units:
                    _validate(unit, path)
            (vouchers.vouched if trusted else vouchers.validated).append(str(path))
        units.extend(file_units)
    return merge_units(units)


def _vouchers(validate: bool, revalidate: bool, vouchers: Vouchers | None) -> Vouchers | None:
    """Where to look up kg export's validation records: nowhere without validation; with
    ``revalidate`` no record counts, so every file is validated (and counted)."""
    from kg.store.validated import Vouchers

    if not validate:
        return None
    if vouchers is None:
        vouchers = Vouchers()
    if revalidate:
        vouchers.fingerprint = "-"
    return vouchers


def iter_units(paths: Sequence[str | Path], *, validate: bool = True, graph: str | None = None,
               revalidate: bool = False, vouchers: Vouchers | None = None) -> Iterator[GraphUnit]:
    """The units of ``paths`` one graph at a time, each validated before it is handed on.

    For the bulk load into a fresh store (kg.store.bulk.bulk_stream): memory holds one file, not
    the corpus (kg export -o corpus.nq.gz cuts a corpus into shards of bounded size). N-Quads and
    TriG files are split by graph; other files hold one article each and are read whole. A bad
    file raises InputError when the stream reaches it: the caller writes into a fresh store that
    is thrown away then. Files kg export validated are not validated again (read_files).
    """

    if not paths:
        raise InputError("no files to load")
    if graph and len(paths) > 1:
        raise InputError("--graph names one graph, so give exactly one file")
    vouchers = _vouchers(validate, revalidate, vouchers)
    for path in map(Path, paths):
        if not path.is_file():
            raise InputError(f"{path}: {'is a directory, not a file' if path.is_dir() else 'no such file'}")
        fmt = rdf_format(path)
        if fmt not in (formats.NQUADS, formats.TRIG) or graph:
            file_units, vouched = _read_file(path, graph, vouchers)
        else:
            quads, vouched = _quads_of_file(path, fmt, vouchers)
            file_units = _graph_runs(quads, str(path))
        trusted = None
        for unit in file_units:
            if trusted is None:  # the whole file is parsed before its first unit: its hash is known
                trusted = validate and vouched()
            if validate and not trusted:
                _validate(unit, path)
            yield unit
        if trusted is None:
            raise InputError(f"{path}: holds no triples")
        if vouchers is not None:
            (vouchers.vouched if trusted else vouchers.validated).append(str(path))


def _graph_runs(quads: Iterable, name: str) -> Iterator[GraphUnit]:
    """The quads of one file grouped by named graph, one unit each (first-seen order); default-graph
    triples by their article, at the end. Grouped over the whole file, not by consecutive runs: a
    single-mode export or a dump is sorted by line, so one article's quads are spread through it,
    and a graph validated in pieces would fail (an attestation away from its tenure's type)."""
    import pyoxigraph as ox

    graphs: dict[str, list] = {}
    default = []
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default.append(quad.triple)
        else:
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    for graph, triples in graphs.items():
        yield GraphUnit(graph, triples, [name])
    if default:
        yield GraphUnit(_graph_of(default, name), default, [name])


def merge_units(units: Iterable[GraphUnit]) -> list[GraphUnit]:
    """One unit per graph: two files of the same article add up (RDF graphs are sets)."""
    merged: dict[str, GraphUnit] = {}
    for unit in units:
        if unit.graph in merged:
            target = merged[unit.graph]
            target.triples = list(dict.fromkeys([*target.triples, *unit.triples]))
            target.sources.extend(unit.sources)
        else:
            merged[unit.graph] = unit
    return list(merged.values())


def units_from_graphs(items: Iterable[tuple[str | None, rdflib.Graph | str]]) -> list[GraphUnit]:
    """Units from (graph IRI, rdflib Graph or N-Triples/N-Quads text) pairs (``kg export --load``).

    With a graph IRI of ``None`` the graph is derived from the article in the data.
    Quads that name a graph keep it.
    """

    units = []
    for graph_iri, data in items:
        text = data if isinstance(data, str) else data.serialize(format="nt")
        name = graph_iri or "<in-memory graph>"
        quads = rdfio.stream_quads(name, formats.NQUADS, data=text.encode("utf-8"))
        units.extend(_split(quads, name, graph_iri))
    return merge_units(units)


def rdf_format(path: Path) -> formats.RdfFormat:
    if path.suffix.lower() == ".gz":  # out/shard-0001.nq.gz: the format is the extension before .gz
        path = path.with_suffix("")
    fmt = formats.by_extension(path.suffix)
    if fmt is None:
        raise InputError(
            f"{path}: cannot tell the RDF format from the extension {path.suffix!r} "
            "(use .ttl, .nt, .trig, .nq, .jsonld or .rdf, optionally gzipped: .nq.gz)"
        )
    return fmt


def _read_file(path: Path, graph: str | None, vouchers: Vouchers | None = None):
    """The file's units, and a callable: were these bytes validated by kg export (kg.store.validated)?"""
    if not path.is_file():
        raise InputError(f"{path}: {'is a directory, not a file' if path.is_dir() else 'no such file'}")
    fmt = rdf_format(path)
    _check_hostile(path, fmt)
    quads, vouched = _quads_of_file(path, fmt, vouchers)
    units = _split(quads, str(path), graph)
    if not units:
        raise InputError(f"{path}: holds no triples")
    return units, vouched


def _quads_of_file(path: Path, fmt: formats.RdfFormat, vouchers: Vouchers | None):
    """The quads of ``path``, and a callable telling (once they are all read) whether kg export
    recorded these very bytes as validated. Without a record the file is parsed unhashed."""
    wanted = vouchers.candidates(path) if vouchers is not None else frozenset()
    if not wanted:
        return rdfio.stream_quads(path, fmt), lambda: False
    from kg.store.validated import HashingReader

    try:
        reader = HashingReader(open(path, "rb"))  # noqa: SIM115 - closed by stream_quads when the quads are read
    except OSError as err:
        raise InputError(f"{path}: {err.strerror or err}") from None
    return rdfio.stream_quads(path, fmt, stream=reader), lambda: reader.hexdigest() in wanted


def _check_hostile(path: Path, fmt: formats.RdfFormat) -> None:
    """Refuse what would make the parser blow up or reach out: XML entity expansion, remote JSON-LD contexts."""
    import json

    from kg.store.guard import MAX_DTD_BYTES, check_jsonld_contexts, check_xml_entities

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        if fmt is formats.RDFXML:
            with opener(path, "rb") as stream:
                check_xml_entities(stream.read(MAX_DTD_BYTES), str(path))
        elif fmt is formats.JSONLD:
            with opener(path, "rb") as stream:
                doc = json.loads(stream.read())
            check_jsonld_contexts(doc, str(path))
    except RecursionError:
        raise InputError(f"{path}: the JSON nests too deeply to read") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid JSON ({str(err)[:200]})") from None
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"{path}: {err or type(err).__name__}") from None


def _split(quads: Iterable, name: str, graph: str | None) -> list[GraphUnit]:
    """Quads → units: named graphs as they are, default-graph triples by their article."""
    import pyoxigraph as ox

    by_graph: dict[str, list] = {}
    default: list = []
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default.append(quad.triple)
        else:
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    units = [GraphUnit(iri, triples, [name]) for iri, triples in by_graph.items()]
    if default:
        units.append(GraphUnit(graph or _graph_of(default, name), default, [name]))
    return units


def _graph_of(triples: list, name: str) -> str:
    """The named graph of a one-article file, from its schema:NewsArticle subject."""
    articles = sorted({
        t.subject.value for t in triples
        if t.predicate.value == RDF_TYPE and t.object.value == SCHEMA_NEWS_ARTICLE
    })
    if not articles:
        raise InputError(
            f"{name}: no schema:NewsArticle in it, so kg cannot tell which article's graph it is; "
            "give --graph IRI to load it into a graph you name"
        )
    if len(articles) > 1:
        raise InputError(
            f"{name}: holds {len(articles)} articles ({', '.join(articles[:3])}{' …' * (len(articles) > 3)}) in one graph; "
            "load one file per article, or export with --format trig so each article keeps its own graph"
        )
    try:
        return graph_for_article_iri(articles[0])
    except ValueError:
        raise InputError(
            f"{name}: the article {articles[0]} has no kg IRI ({{base}}id/article/…); "
            "give --graph IRI to name its graph"
        ) from None


def _validate(unit: GraphUnit, path) -> None:
    """SHACL-validate one unit with kg.validate; a Violation stops the whole load."""
    import rdflib

    from kg.validate import validate

    graph = rdflib.Graph()
    graph.parse(data=unit.ntriples().decode("utf-8"), format="nt")
    report = validate(graph)
    if not report.accepted:  # kg's verdict: no Violation (SHACL's conforms is also false on a Warning)
        raise InputError(f"{path}: does not validate against the kg shapes (nothing was loaded):\n{report.to_text()}")
