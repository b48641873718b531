"""What a worker does with a batch of articles: kg's pipeline, or any stand-in.

An *engine* is a picklable function ``engine(paths, settings) -> [ArticleResult]``
that never raises for one bad article: it puts the reason in ``error``. The
corpus runner (kg.corpus.runner) only relies on this contract, so tests can
pass a tiny engine and other pipelines can reuse the runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kg.errors import KgError
from kg.iri import DEFAULT_BASE

SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class EngineSettings:
    base: str = DEFAULT_BASE
    validate: bool = True


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


Engine = Callable[[list[str], EngineSettings], list[ArticleResult]]

MAX_MESSAGES = 5


def kg_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    """kg's pipeline on a batch: read → extract → map each article, then one validation run.

    Validation (pySHACL, the slowest stage) runs once for the whole batch with the
    shapes compiled once per process; kg.validate.validate_many splits the results back
    per article, equal to validating each article alone.
    """
    results, graphs = [], []
    for path in paths:
        result, graph = _build(path, settings)
        results.append(result)
        if graph is not None:
            graphs.append((result, graph))
    if settings.validate and graphs:
        try:
            _validate_batch(graphs, settings)
        except Exception:  # noqa: BLE001 - a batch-level failure: validate one by one to find the culprit
            for pair in graphs:
                _validate_batch([pair], settings)
    return results


def _build(path: str, settings: EngineSettings):
    from kg.pipeline import export_article
    from kg.serialize import graph_to_nquads

    try:
        export = export_article(path, base=settings.base, validate=False)
        graph = export.graph
        return ArticleResult(path, graph=export.graph_iri, nquads=graph_to_nquads(graph, graph.identifier),
                             triples=len(graph)), graph
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
    from kg.pipeline import export_text

    try:
        export = export_text("Ngày 1/1/2021, tại Hà Nội.", "<warm-up>", base=settings.base,
                             validate=settings.validate)
        export.nquads  # noqa: B018 - loads the serializer
    except Exception:  # noqa: BLE001 - warming is an optimisation; real errors show per article
        pass
