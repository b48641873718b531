"""What a worker does with a batch of articles: kg's pipeline, or any stand-in.

An *engine* is a picklable function ``engine(paths, settings) -> [ArticleResult]``
that never raises for one bad article: it puts the reason in ``error``. The
corpus runner (kg.corpus.runner) only relies on this contract, so tests can
pass a tiny engine and other pipelines can reuse the runner.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum

from kg.errors import KgError
from kg.iri import DEFAULT_BASE


class Status(str, Enum):
    """What became of one article in a corpus run; kg-manifest.json and kg-report.json hold the value."""

    OK = "ok"
    WARNINGS = "warnings"  # exported; SHACL Warnings only
    FAILED = "failed"  # nothing written: a Violation, an error or a timeout

    def __str__(self) -> str:
        return self.value


DEFAULT_MAX_ARTICLE_BYTES = 2 * 1024 * 1024  # kg.text.MAX_ARTICLE_BYTES, without importing it here


@dataclass(frozen=True)
class EngineSettings:
    base: str = DEFAULT_BASE
    validate: bool = True
    max_bytes: int | None = DEFAULT_MAX_ARTICLE_BYTES  # bigger article files are refused
    timeout: float | None = None  # seconds per article (None: no budget)
    curation: object = None  # a kg.curation.Curation applied after mapping, before validation
    root: str | None = None  # articles without url or id are identified by their path relative to it


class ArticleTimeout(BaseException):
    """Raised by the timer inside a slow article's work.

    A BaseException, so an ``except Exception`` deep in the pipeline cannot swallow it.
    """


@contextmanager
def time_budget(seconds: float | None, what: str) -> Iterator[None]:
    """Raise ArticleTimeout in the block after ``seconds`` (SIGALRM; the main thread of a POSIX process).

    Signals reach Python between bytecodes and inside the ``re`` engine, so even a slow
    regular expression is cut short. Elsewhere (a thread, Windows) the block runs unbounded.
    """
    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer_left and outer_left <= seconds:  # an enclosing budget ends first: it decides
        yield
        return

    def expire(signum, frame):
        raise ArticleTimeout(f"{what}: took longer than the {seconds:g} s time budget per article "
                             "(see --article-timeout); skipped")

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:  # give the enclosing budget back what is left of it (at once if nothing)
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - started), 1e-3))


@dataclass
class ArticleResult:
    """One article after the engine: its N-Quads, or why there are none."""

    path: str
    graph: str | None = None  # IRI of the article's named graph
    nquads: str = ""  # sorted N-Quads lines, every quad in ``graph``
    triples: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # SHACL results by severity
    messages: list[str] = field(default_factory=list)  # readable SHACL results (first few)
    error: str | None = None  # set when the article could not be read, extracted or mapped
    curated: list[str] = field(default_factory=list)  # ids of the curation decisions found in the article


Engine = Callable[[list[str], EngineSettings], list[ArticleResult]]

MAX_MESSAGES = 5


def kg_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    """kg's pipeline on a batch: read → extract → map each article, then one validation run.

    Validation (pySHACL, the slowest stage) runs once for the whole batch with the
    shapes compiled once per process, reading the batch through dict indexes
    (kg.validate.IndexedGraph); kg.validate.validate_many splits the results back per
    article, equal to validating each article alone (tests/test_validate_batch.py).
    """
    results, graphs = [], []
    for path in paths:
        result, graph = _build(path, settings)
        results.append(result)
        if graph is not None:
            graphs.append((result, graph))
    if settings.validate and graphs:
        try:
            with time_budget(settings.timeout and settings.timeout * len(graphs), "validation"):
                _validate_batch(graphs, settings)
        except (Exception, ArticleTimeout):  # noqa: BLE001 - a batch-level failure: one by one finds the culprit
            for pair in graphs:
                _validate_one(pair, settings)
    return results


def _validate_one(pair, settings: EngineSettings) -> None:
    result = pair[0]
    result.counts, result.messages = {}, []
    try:
        with time_budget(settings.timeout, result.path):
            _validate_batch([pair], settings)
    except ArticleTimeout as err:
        result.error = str(err)


def _build(path: str, settings: EngineSettings):
    from kg.pipeline import export_article
    from kg.serialize import graph_to_nquads

    try:
        with time_budget(settings.timeout, path):
            export = export_article(path, base=settings.base, validate=False, max_bytes=settings.max_bytes,
                                    root=settings.root, curation=settings.curation)
            graph = export.graph
            nquads = graph_to_nquads(graph, graph.identifier)
        return ArticleResult(path, graph=export.graph_iri, nquads=nquads, triples=len(graph),
                             curated=sorted(export.curated)), graph
    except ArticleTimeout as err:
        return ArticleResult(path, error=str(err)), None
    except KgError as err:
        return ArticleResult(path, error=str(err)), None
    except Exception as err:  # noqa: BLE001 - one article's bug must not stop the corpus
        return ArticleResult(path, error=f"{path}: internal error: {type(err).__name__}: {err}"), None


def _validate_batch(pairs: list, settings: EngineSettings) -> None:
    from kg.validate import validate_many

    try:
        reports = validate_many([graph for _, graph in pairs], settings.base)
    except Exception as err:  # noqa: BLE001
        if len(pairs) > 1:
            raise
        result = pairs[0][0]
        result.error = f"{result.path}: validation failed: {type(err).__name__}: {err}"
        return
    for (result, _), report in zip(pairs, reports):
        result.counts = {k: int(v) for k, v in report.counts.items() if v}
        if result.counts:
            result.messages = _messages(report)


def _messages(report) -> list[str]:
    """Each result on one line: severity, focus (label), path, English message."""
    lines = []
    for r in report.results[:MAX_MESSAGES]:
        label = f' "{r.focus_label}"' if r.focus_label else ""
        path = f" {r.path}" if r.path else ""
        lines.append(f"[{r.severity}] <{r.focus}>{label}{path}: {r.message_en}")
    return lines


def warm_up(settings: EngineSettings) -> None:
    """Load the shapes, ontology and gazetteers once per worker, before the first article."""
    import gc

    from kg.pipeline import export_text

    try:
        export = export_text("Ngày 1/1/2021, tại Hà Nội.", "<warm-up>", base=settings.base,
                             validate=settings.validate)
        export.nquads  # noqa: B018 - loads the serializer
        if settings.validate:
            from kg.validate import validate_many

            validate_many([export.graph], settings.base)  # compiles the shapes the batches use
    except Exception:  # noqa: BLE001 - warming is an optimisation; real errors show per article
        pass
    # What is loaded now (code, gazetteers, compiled shapes) lives as long as the worker: moved out
    # of the collector's sight, the cyclic GC no longer re-scans it on every collection, which
    # took ~10 % of validation time (dict indexes allocate many small containers).
    gc.freeze()
