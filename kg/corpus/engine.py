"""What a worker does with a batch of articles: kg's pipeline, or any stand-in.

An *engine* is a picklable function ``engine(paths, settings) -> [ArticleResult]``
that never raises for one bad article: it puts the reason in ``error``. The
corpus runner (kg.corpus.runner) only relies on this contract, so tests can
pass a tiny engine and other pipelines can reuse the runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

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
    """kg's pipeline for each path: read → extract → map, then validate (shapes compiled once per process)."""
    results = []
    for path in paths:
        results.append(_one(path, settings))
    return results


def _one(path: str, settings: EngineSettings) -> ArticleResult:
    from kg.pipeline import export_article

    try:
        export = export_article(path, base=settings.base, validate=False)
        result = ArticleResult(path, graph=export.graph_iri, nquads=export.nquads, triples=export.triples)
        if settings.validate:
            _validate_into(result, export.graph)
    except KgError as err:
        return ArticleResult(path, error=str(err))
    except RecursionError as err:  # pathological input: report it, keep the corpus going
        return ArticleResult(path, error=f"{path}: internal error: {err}")
    except Exception as err:  # noqa: BLE001 - one article's bug must not stop the corpus
        return ArticleResult(path, error=f"{path}: internal error: {type(err).__name__}: {err}")
    return result


def _validate_into(result: ArticleResult, graph) -> None:
    from kg.validate import validate

    report = validate(graph)
    result.counts = {k: int(v) for k, v in dict(report.counts).items() if v}
    if result.counts:
        result.messages = _messages(report)


def _messages(report) -> list[str]:
    lines = [line.strip() for line in report.to_text().splitlines() if line.strip()]
    return lines[:MAX_MESSAGES]


def warm_up(settings: EngineSettings) -> None:
    """Load the shapes, ontology and gazetteers once per worker, before the first article."""
    from kg.pipeline import export_text

    try:
        export = export_text("Ngày 1/1/2021, tại Hà Nội.", "<warm-up>", base=settings.base,
                             validate=settings.validate)
        export.nquads  # noqa: B018 - loads the serializer
    except Exception:  # noqa: BLE001 - warming is an optimisation; real errors show per article
        pass
