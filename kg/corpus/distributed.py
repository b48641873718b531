"""``kg export`` corpus mode (shards) on a Dask cluster: many machines, the same bytes.

    from dask.distributed import Client
    from kg.corpus.distributed import export_with_dask

    with Client("tcp://scheduler:8786") as client:
        summary = export_with_dask(["/shared/corpus"], "/shared/out/corpus.nq.gz", client)
    print(summary.text()); raise SystemExit(summary.exit_code)

What runs where:

* the client discovers the articles exactly as ``kg export`` does (kg.corpus.discover:
  ``*.txt`` and ``*.md``, recursively, hidden folders skipped, one name per file) and
  cuts them into batches in path order;
* each Dask task runs kg's own engine (kg.corpus.engine.kg_engine: read → extract → map →
  curation (``curation=``, as ``kg export --curation``) → SHACL, one validation call per batch) on a batch and returns, per article, its status and
  its sorted N-Quads gzip-compressed (level 1: ~10× less to send back). A bad article is a
  failed entry, never an exception; a task that dies (an engine bug, a killed worker) fails
  its batch's articles and the run goes on;
* the client takes the answers *in path order* (a window of batches in flight, so memory
  stays bounded and every worker stays busy) and writes them with kg's shard writer. Shard
  boundaries depend only on the articles, so the shards are byte-identical to
  ``kg export DIR -o corpus.nq.gz`` with the same ``shard_size`` (tested), and the JSON report
  has the same shape as kg export's (``kg.corpus.runner.CorpusSummary.to_dict``).

Workers read the articles by path: on several machines the corpus sits on storage every
worker mounts at the same path (NFS, a mounted bucket). Only the client writes. Unlike
``kg export`` there is no manifest (every run does every article) and no per-article time
budget inside a task (Dask runs tasks in threads, where SIGALRM cannot reach): when the
client has waited ``batch_timeout`` for a batch, its articles are failed and the run goes on
(the worker thread stays busy until the batch ends). A run that stops (Ctrl-C, a full disk)
removes the shards it wrote.

Run workers as one process per core, one thread each (``dask worker … --nworkers N
--nthreads 1``): the pipeline is pure Python, so threads would only share one core's GIL.
"""

from __future__ import annotations

import gzip
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.corpus.discover import common_root, identity_root, iter_articles, relative_names
from kg.corpus.engine import DEFAULT_MAX_ARTICLE_BYTES, ArticleResult, Engine, EngineSettings, Status, kg_engine
from kg.corpus.runner import REPORT_NAME, CorpusSummary, curation_report, write_report
from kg.corpus.shards import DEFAULT_SHARD_SIZE, ShardWriter, split_output
from kg.errors import InputError, KgError
from kg.iri import DEFAULT_BASE
from kg.output import InputGuard

DEFAULT_BATCH_SIZE = 16  # articles per Dask task: one pySHACL call each, as kg export's workers take
DEFAULT_BATCH_TIMEOUT = 600.0  # seconds a batch may take (60 s per article in kg export; tasks run in threads)


@dataclass(frozen=True)
class Answer:
    """One article as a Dask task sends it back (small and picklable)."""

    status: Status
    triples: int = 0
    graph: str | None = None
    counts: dict[str, int] | None = None
    reason: str | None = None
    messages: tuple[str, ...] = ()
    nquads_gz: bytes = b""  # sorted N-Quads, gzip level 1
    curated: tuple[str, ...] = ()  # ids of the curation decisions found in the article


def run_dask_batch(paths: list[str], settings: EngineSettings, strict: bool,
                   engine: Engine = kg_engine) -> list[Answer]:
    """The Dask task: the engine on a batch of article paths; never raises for one article."""
    try:
        results = list(engine(paths, settings))
        if len(results) != len(paths):
            raise RuntimeError(f"the engine returned {len(results)} results for {len(paths)} articles")
    except Exception as err:  # noqa: BLE001 - an engine bug fails this batch, not the corpus
        results = [ArticleResult(p, error=f"{p}: internal error: {type(err).__name__}: {err}") for p in paths]
    return [_answer(result, strict) for result in results]


def _answer(result: ArticleResult, strict: bool) -> Answer:
    # The same verdict as kg export's workers (kg.corpus.runner._finish), word for word.
    counts = dict(result.counts)
    if result.error is not None:
        return Answer(Status.FAILED, result.triples, result.graph, counts, result.error, tuple(result.messages))
    violations, warnings = counts.get("Violation", 0), counts.get("Warning", 0)
    if violations or (strict and warnings):
        reason = (f"{result.path}: {violations} SHACL Violation(s), {warnings} Warning(s)"
                  + (f": {result.messages[0]}" if result.messages else ""))
        return Answer(Status.FAILED, result.triples, result.graph, counts, reason, tuple(result.messages))
    return Answer(Status.WARNINGS if warnings else Status.OK, result.triples, result.graph, counts, None,
                  tuple(result.messages), gzip.compress(result.nquads.encode("utf-8"), compresslevel=1, mtime=0),
                  tuple(result.curated))


def export_with_dask(
    inputs: Iterable[str | os.PathLike],
    output: str | os.PathLike,
    client: Any,
    *,
    shard_size: int = DEFAULT_SHARD_SIZE,
    base: str = DEFAULT_BASE,
    strict: bool = False,
    validate: bool = True,
    report: str | os.PathLike | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_bytes: int | None = DEFAULT_MAX_ARTICLE_BYTES,
    batch_timeout: float | None = DEFAULT_BATCH_TIMEOUT,
    window: int | None = None,
    engine: Engine = kg_engine,
    root: str | os.PathLike | None = None,
    curation: Any = None,
    curation_path: str | None = None,
) -> CorpusSummary:
    """``kg export INPUTS -o OUTPUT`` (shards) with the articles processed on ``client``'s cluster.

    ``output`` ends in .nq, .nq.gz, .trig or .trig.gz (shards OUTPUT-00000…, as kg export);
    ``window`` batches are in flight at once (default: 4 per worker thread). Returns the
    summary; the JSON report goes to ``report`` (default ``STEM.kg-report.json`` beside the
    shards). ``root`` as kg export's --root. Raises InputError/KgError only for problems with
    the run itself.
    """
    start = time.monotonic()
    inputs = list(inputs)
    shard_output = Path(output).resolve()
    stem, suffix, _ = split_output(shard_output)
    paths = iter_articles(inputs)
    if not paths:
        raise InputError(f"{', '.join(map(str, inputs))}: no articles (*.txt, *.md) found")
    names = relative_names(paths, common_root(paths))
    report_path = Path(report) if report else shard_output.parent / f"{stem}.{REPORT_NAME}"
    _check_outputs(paths, shard_output, suffix, report_path)

    settings = EngineSettings(base=base, validate=validate, max_bytes=max_bytes, timeout=None,
                              root=str(identity_root(inputs, paths, root)), curation=curation)
    threads = sum(getattr(client, "nthreads", dict)().values()) or 1
    summary = CorpusSummary(total=len(paths), jobs=threads)
    batches = [list(range(i, min(i + max(1, batch_size), len(paths)))) for i in range(0, len(paths), max(1, batch_size))]
    answers = _answers(client, batches, [str(p) for p in paths], settings, strict, engine,
                       window or 4 * threads, batch_timeout)
    writer = ShardWriter(shard_output, shard_size)
    applied: set[str] = set()
    try:
        for block in _blocks(answers, names, summary, applied):
            if block:
                writer.add(block)
        summary.outputs = [str(p) for p in writer.close()]
        if curation is not None:
            summary.curation = curation_report(curation, curation_path, applied)
    except BaseException as err:
        # Shards are written as answers arrive; a run that stops leaves none of its shards, since a
        # partial set would load as a smaller corpus. Ctrl-C: exit 130 and a report, as kg export.
        writer.abort()
        for path in writer.paths:
            path.unlink(missing_ok=True)
        if isinstance(err, KeyboardInterrupt):
            summary.interrupted = True
        elif isinstance(err, OSError):  # a full disk
            summary.errors.append(f"{shard_output}: cannot write the shards ({err.strerror or err})")
        elif isinstance(err, KgError):
            summary.errors.append(str(err))
        else:
            raise
    finally:
        answers.close()  # cancels what is still in flight after an error
    summary.elapsed = time.monotonic() - start
    summary.report = str(report_path)
    write_report(report_path, summary)
    if summary.errors:
        raise KgError(f"{summary.errors[0]} (report {report_path})")
    return summary


def _check_outputs(paths: list[Path], shard_output: Path, suffix: str, report: Path) -> None:
    folder = shard_output.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"{folder}: cannot create the output folder ({err.strerror})") from None
    guard = InputGuard(paths)
    guard.check(report, "report")
    for existing in folder.glob(f"{shard_output.name[: -len(suffix)]}-*{suffix}"):
        guard.check(existing)


def _answers(client, batches: list[list[int]], paths: list[str], settings: EngineSettings, strict: bool,
             engine: Engine, window: int, batch_timeout: float | None) -> Iterator[list[tuple[int, Answer]]]:
    """Each batch's answers, in batch order, with at most ``window`` batches submitted at a time."""
    from dask.distributed import TimeoutError as DaskTimeout

    todo = iter(batches)
    flight: deque = deque()

    def submit() -> None:
        batch = next(todo, None)
        if batch is not None:
            future = client.submit(run_dask_batch, [paths[i] for i in batch], settings, strict, engine,
                                   pure=False, retries=1)  # retries: a worker lost mid-task (killed, machine gone)
            flight.append((batch, future))

    try:
        for _ in range(max(1, window)):
            submit()
        while flight:
            batch, future = flight.popleft()
            submit()
            try:
                got = future.result(timeout=batch_timeout)
            except (DaskTimeout, TimeoutError):
                future.cancel()
                got = _failed(batch, paths, f"not processed: the batch took longer than {batch_timeout:g} s")
            except Exception as err:  # noqa: BLE001 - the task died (KilledWorker, an unpicklable result …)
                got = _failed(batch, paths, f"not processed: the Dask task failed: {type(err).__name__}: {err}")
            else:
                if len(got) != len(batch):
                    got = _failed(batch, paths, f"internal error: {len(got)} answers for {len(batch)} articles")
            future.release()
            yield list(zip(batch, got))
    finally:
        for _, future in flight:
            future.cancel()


def _failed(batch: list[int], paths: list[str], reason: str) -> list[Answer]:
    return [Answer(Status.FAILED, reason=f"{paths[i]}: {reason}") for i in batch]


def _blocks(answers: Iterator[list[tuple[int, Answer]]], names: list[str], summary: CorpusSummary,
            applied: set[str]) -> Iterator[str]:
    """Record each answer in the summary as kg export does (``applied`` gathers the curation decisions
    found in the good articles); yield the good articles' N-Quads in path order."""
    for pairs in answers:
        for index, answer in pairs:
            counts = answer.counts or {}
            if answer.status == Status.FAILED:
                summary.failed += 1
                summary.failures.append({"article": names[index], "reason": answer.reason,
                                         "counts": counts, "messages": list(answer.messages)})
                continue
            if answer.status == Status.WARNINGS:
                summary.warnings += 1
                summary.warned.append({"article": names[index], "counts": counts})
            else:
                summary.ok += 1
            summary.triples += answer.triples
            applied.update(answer.curated)
            yield _nquads(answer)


def _nquads(answer: Answer) -> str:
    return gzip.decompress(answer.nquads_gz).decode("utf-8")


