"""Export a corpus: parallel, incremental, one bad article never stops the rest.

The parent process discovers the articles, hashes them, skips the unchanged
ones (manifest), hands batches to a process pool and records what comes back;
workers run the engine and write each article's file themselves (temp file +
rename), so nothing big travels between processes and memory stays flat.
"""

from __future__ import annotations

import concurrent.futures
import errno
import glob
import gzip
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kg.corpus.discover import common_root, identity_root, iter_articles, output_names, relative_names
from kg.corpus.engine import (
    DEFAULT_MAX_ARTICLE_BYTES,
    ArticleResult,
    ArticleTimeout,
    Engine,
    EngineSettings,
    Status,
    kg_engine,
    time_budget,
    warm_up,
)
from kg.corpus.progress import Progress
from kg.corpus.shards import DEFAULT_SHARD_SIZE, split_output, write_shards
from kg.corpus.state import Manifest, file_sha256, record_shards, toolkit_fingerprint
from kg.errors import InputError, KgError
from kg.iri import DEFAULT_BASE
from kg.output import InputGuard, atomic_write
from kg.serialize import EXTENSIONS, FORMATS, render_nquads

MANIFEST_NAME = "kg-manifest.json"
REPORT_NAME = "kg-report.json"
LOCK_NAME = ".kg-lock"  # beside the manifest: one corpus run at a time per output folder
DEFAULT_ARTICLE_TIMEOUT = 60.0
SAVE_EVERY = 10.0  # seconds between manifest saves, so Ctrl-C or a crash loses little
STALL_GRACE = 60.0  # seconds a pool may stay silent beyond the time budgets (worker start, warm-up)


@dataclass
class CorpusSummary:
    """What a corpus run did; ``to_dict()`` is the JSON report."""

    total: int = 0
    ok: int = 0
    warnings: int = 0
    failed: int = 0
    skipped: int = 0  # unchanged since the last run (incremental)
    triples: int = 0  # in the corpus output, skipped articles included
    elapsed: float = 0.0
    jobs: int = 1
    interrupted: bool = False
    outputs: list[str] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    warned: list[dict[str, Any]] = field(default_factory=list)
    report: str | None = None
    loaded: int = 0
    errors: list[str] = field(default_factory=list)  # problems with the run itself (manifest not saved …)
    curation: dict[str, Any] | None = None  # {file, sha256, decisions, applied, dangling: [lines]} with --curation
    # Articles of the last run no longer in the input: their outputs (and graphs in the store) are
    # removed, or with keep_stale kept as they were.
    stale: list[str] = field(default_factory=list)
    stale_kept: bool = False
    dropped: int = 0  # graphs removed from the store (stale articles, articles whose IRI changed)
    # Articles that share one IRI (the same url or front-matter id): loaded, the last one wins.
    shared: list[list[str]] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.ok + self.warnings + self.failed

    @property
    def articles_per_second(self) -> float:
        return self.processed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)

    def text(self) -> str:
        head = "interrupted: " if self.interrupted else ""
        line = (f"{head}{self.total} articles: {self.ok} ok, {self.warnings} with warnings, "
                f"{self.failed} failed, {self.skipped} unchanged; {self.triples:,} triples; "
                f"{self.elapsed:.1f} s ({self.articles_per_second:.1f} articles/s, {self.jobs} jobs)")
        if self.stale:
            line += f"; {len(self.stale)} stale {'kept' if self.stale_kept else 'removed'}"
        if self.shared:
            line += f"; {len(self.shared)} IRIs shared by several articles"
        if self.loaded:
            line += f"; {self.loaded} graphs loaded"
        if self.dropped:
            line += f"; {self.dropped} graphs dropped"
        if self.report:
            line += f"; report {self.report}"
        return line

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["articles_per_second"] = round(self.articles_per_second, 2)
        data["elapsed"] = round(self.elapsed, 3)
        return data


@dataclass(frozen=True)
class Task:
    path: str
    name: str  # relative to the corpus root, POSIX: the article's key in manifest and report
    target: str  # output file (files mode) or cache file (shards mode), absolute
    sha256: str


@dataclass(frozen=True)
class Job:
    """Everything a worker needs, fixed for the run (inherited by forked workers)."""

    engine: Engine
    settings: EngineSettings
    fmt: str  # per-article file format; "nquads.gz" for the shard cache
    strict: bool = False


@dataclass
class Outcome:
    name: str
    status: Status
    sha256: str
    target: str
    triples: int = 0
    graph: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    reason: str | None = None
    messages: list[str] = field(default_factory=list)
    curated: list[str] = field(default_factory=list)
    output_sha256: str | None = None  # of the file written (the manifest's record for kg load)


# --- worker side -----------------------------------------------------------------------

_JOB: Job | None = None
_PARENT: int | None = None  # pid of the run's parent process, in a worker


def _init_worker(job: Job, parent: int) -> None:
    # Ctrl-C goes to the whole process group; the parent alone decides what to keep.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _JOB, _PARENT
    _JOB, _PARENT = job, parent
    _die_with_parent(parent)
    if job.engine is kg_engine:
        warm_up(job.settings)


def _die_with_parent(parent: int) -> None:
    """A worker whose parent is killed must stop, not go on writing into the output folder.

    On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG); everywhere
    ``_orphaned`` checks before each write. The check after prctl closes the race with a
    parent that died in between.
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    _exit_if_orphaned()


def _exit_if_orphaned() -> None:
    if _PARENT is not None and os.getppid() != _PARENT:
        os._exit(1)


def _work(tasks: list[Task]) -> list[Outcome]:
    assert _JOB is not None
    _exit_if_orphaned()
    try:
        return run_batch(tasks, _JOB)
    except Exception as err:  # noqa: BLE001 - nothing a worker does may break the pool: fail the batch
        reason = f"internal error: {type(err).__name__}: {err}"
        return [Outcome(t.name, Status.FAILED, t.sha256, t.target, reason=f"{t.path}: {reason}") for t in tasks]


def run_batch(tasks: list[Task], job: Job) -> list[Outcome]:
    """Run the engine on a batch and write each good article's file; never raises per article.

    The engine's batch runs under a backstop budget (kg's engine keeps its own per article);
    when that expires, each article is run alone under its own budget to find the slow one.
    """
    timeout = job.settings.timeout
    try:
        with time_budget(timeout and timeout * len(tasks) * 3, "batch"):
            results = _engine(tasks, job)
    except ArticleTimeout:
        results = []
        for task in tasks:
            try:
                with time_budget(timeout, task.path):
                    results.extend(_engine([task], job))
            except ArticleTimeout as err:
                results.append(ArticleResult(task.path, error=str(err)))
    if len(results) != len(tasks):
        results = [ArticleResult(t.path, error=f"{t.path}: internal error: the engine returned "
                                 f"{len(results)} results for {len(tasks)} articles") for t in tasks]
    return [_finish(task, result, job) for task, result in zip(tasks, results)]


def _engine(tasks: list[Task], job: Job) -> list[ArticleResult]:
    try:
        return list(job.engine([t.path for t in tasks], job.settings))
    except Exception as err:  # noqa: BLE001 - an engine bug fails the batch, not the corpus
        return [ArticleResult(t.path, error=f"{t.path}: internal error: {type(err).__name__}: {err}")
                for t in tasks]


def _finish(task: Task, result: ArticleResult, job: Job) -> Outcome:
    outcome = Outcome(task.name, Status.FAILED, task.sha256, task.target, result.triples, result.graph,
                      dict(result.counts), result.error, list(result.messages), list(result.curated))
    if result.error is None:
        violations = result.counts.get("Violation", 0)
        warnings = result.counts.get("Warning", 0)
        if violations or (job.strict and warnings):
            outcome.reason = (f"{task.path}: {violations} SHACL Violation(s), {warnings} Warning(s)"
                              + (f": {result.messages[0]}" if result.messages else ""))
        else:
            outcome.status = Status.WARNINGS if warnings else Status.OK
    _exit_if_orphaned()
    try:
        if outcome.status == Status.FAILED:
            Path(task.target).unlink(missing_ok=True)  # no stale output for a failed article
        else:
            outcome.output_sha256 = _write(task.target, result.nquads, job.fmt)
    except OSError as err:
        outcome.status, outcome.reason = Status.FAILED, f"{task.target}: cannot write ({err.strerror or err})"
    except KgError as err:
        outcome.status, outcome.reason = Status.FAILED, str(err)
    except Exception as err:  # noqa: BLE001 - e.g. N-Quads the writer cannot parse: this article fails
        outcome.status, outcome.reason = Status.FAILED, f"{task.path}: cannot write its output: {type(err).__name__}: {err}"
    return outcome


def _write(target: str, nquads: str, fmt: str) -> str:
    """Write one article's file; the sha256 of its bytes."""
    import hashlib

    os.makedirs(os.path.dirname(target), exist_ok=True)
    if fmt == "nquads.gz":
        data = gzip.compress(nquads.encode("utf-8"), compresslevel=1, mtime=0)
    else:
        text = render_nquads(nquads, fmt)
        data = text.encode("utf-8") if isinstance(text, str) else text
    atomic_write(target, data)
    return hashlib.sha256(data).hexdigest()


# --- parent side -----------------------------------------------------------------------


def export_corpus(
    inputs: Iterable[str | os.PathLike],
    *,
    out_dir: str | os.PathLike | None = None,
    output: str | os.PathLike | None = None,
    fmt: str | None = None,
    jobs: int | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    force: bool = False,
    load: bool = False,
    store: str | None = None,
    base: str = DEFAULT_BASE,
    strict: bool = False,
    validate: bool = True,
    report: str | os.PathLike | None = None,
    progress: bool | None = None,
    engine: Engine = kg_engine,
    batch_size: int | None = None,
    max_bytes: int | None = DEFAULT_MAX_ARTICLE_BYTES,
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
    root: str | os.PathLike | None = None,
    keep_stale: bool = False,
    curation=None,
    curation_path: str | None = None,
) -> CorpusSummary:
    """Export every article under ``inputs``: one file each in ``out_dir``, or shards at ``output``.

    ``fmt`` is the per-article format in ``out_dir`` (turtle, trig, nt, nquads, jsonld);
    shards take theirs from ``output``'s extension (.nq, .nq.gz, .trig, .trig.gz).
    ``jobs`` processes (default: all cores); ``force`` ignores the manifest;
    ``load`` also loads the graphs into the store at ``store`` (default ./kg-store
    or $KG_STORE); ``progress`` None = a bar on a terminal, quiet lines otherwise.
    ``max_bytes`` refuses bigger article files (None: no limit); ``article_timeout``
    (seconds, None: none) fails an article that takes longer, and the run goes on.
    ``root``: articles without url or front-matter id are identified by their path relative
    to it (default: the one folder given, else the folder holding every article).
    Articles of the last run that are no longer among the inputs are stale: their outputs,
    manifest entries and (with ``load``) graphs in the store are removed, unless ``keep_stale``.
    Returns the summary; the JSON report is written to ``report`` (default beside
    the output). Raises KgError only for problems with the run itself: then the
    report is still written when it can be. ``curation`` (kg.curation.Curation) is applied to
    every article; its sha256 is part of the fingerprint, so a changed curation redoes the corpus.
    """
    plan = _plan(list(inputs), out_dir, output, fmt, report, root)
    lock = _lock(plan.manifest.parent)
    try:
        return _export(plan, engine, base, validate, strict, jobs, shard_size, force, load, store,
                       progress, batch_size, max_bytes, article_timeout, keep_stale, curation, curation_path)
    finally:
        os.close(lock)


def _export(plan, engine, base, validate, strict, jobs, shard_size, force, load, store,
            progress, batch_size, max_bytes, article_timeout, keep_stale=False, curation=None,
            curation_path=None) -> CorpusSummary:
    settings = EngineSettings(base=base, validate=validate, max_bytes=max_bytes, timeout=article_timeout,
                              root=str(plan.root), curation=curation)
    # The root as seen from the articles (not its absolute path): moving the whole corpus keeps
    # the IRIs and the manifest; another --root changes the IRIs, so every article is redone.
    manifest = Manifest(plan.manifest, toolkit_fingerprint({
        "base": base, "validate": validate, "strict": strict, "format": plan.fmt,
        "engine": f"{engine.__module__}.{engine.__qualname__}",
        "root": Path(os.path.relpath(plan.root, plan.common)).as_posix(),
        **({"curation": curation.sha256} if curation is not None else {})}), validated=validate and engine is kg_engine)
    jobs = max(1, jobs or os.cpu_count() or 1)
    summary = CorpusSummary(total=len(plan.tasks), jobs=jobs)
    start = time.monotonic()
    todo = _skip_unchanged(plan.tasks, manifest, summary, force, max_bytes)
    bar = Progress(len(plan.tasks), enabled=progress is not False, tty=progress if progress else None)
    job = Job(engine, settings, plan.cache_fmt, strict)
    try:
        _run(todo, job, jobs, batch_size, manifest, summary, bar)
    except KeyboardInterrupt:
        summary.interrupted = True
        _remove_temp_files(todo)
    finally:
        bar.close()
        _save(manifest, summary)
    orphans: list[str] = []
    if not summary.interrupted:
        orphans = _settle_stale(plan, manifest, summary, keep_stale)
        _save(manifest, summary)
        summary.shared = _shared_graphs(manifest)
    if not summary.interrupted and plan.shard_output is not None:
        try:
            summary.outputs = [str(p) for p in write_shards(
                plan.shard_output, _cached_blocks(plan.tasks, manifest, summary.stale if summary.stale_kept else []),
                shard_size)]
            if manifest.validation:  # every article in the shards was validated and accepted
                record_shards(plan.shard_output, [Path(p) for p in summary.outputs])
        except OSError as err:  # a full disk: the shard is removed, the report says so
            summary.errors.append(f"{plan.shard_output}: cannot write the shards ({err.strerror or err})")
        except KgError as err:
            summary.errors.append(str(err))
    elif plan.out_dir is not None:
        summary.outputs = [str(plan.out_dir)]
    if curation is not None and not summary.interrupted:
        summary.curation = _curation_summary(curation, curation_path, plan.tasks, manifest)
    if load and not summary.interrupted:
        from kg.publish.prepare import after_load, before_load

        since = before_load(store)
        summary.dropped = _drop(orphans, store)
        summary.loaded = _load(plan.tasks, manifest, store)
        after_load(store, since)  # kg serve's search index for the new store version (kg.publish.prepare)
    summary.elapsed = time.monotonic() - start
    summary.report = str(plan.report)
    try:
        write_report(plan.report, summary)
    except KgError as err:
        if summary.errors:
            raise KgError(f"{summary.errors[0]}; and {err}") from None
        raise
    if summary.errors:
        raise KgError(f"{summary.errors[0]} (report {plan.report})")
    return summary


def _save(manifest: Manifest, summary: CorpusSummary) -> None:
    """Save the manifest; a failure (full disk) is recorded, the run still writes its report."""
    try:
        manifest.save()
    except (OSError, KgError) as err:
        message = str(err) if isinstance(err, KgError) else f"{manifest.path}: cannot write ({err.strerror})"
        message = f"manifest not saved (the next run redoes these articles): {message}"
        if message not in summary.errors:
            summary.errors.append(message)


def _lock(folder: Path) -> int:
    """Hold an exclusive lock on ``folder`` for the run: two runs into one folder would lose manifest entries."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as err:
        raise KgError(f"{folder}: cannot create the output folder's lock file ({err.strerror})") from None
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        os.close(fd)
        if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise KgError(f"{folder}: another kg export is writing there; wait for it to finish "
                          "or choose another output") from None
        raise KgError(f"{folder}: cannot lock the output folder ({err.strerror})") from None
    return fd


@dataclass
class _Plan:
    tasks: list[Task]
    fmt: str
    cache_fmt: str
    manifest: Path
    report: Path
    out_dir: Path | None = None
    shard_output: Path | None = None
    root: Path = field(default_factory=Path.cwd)  # identifies articles without url or id (their path below it)
    common: Path = field(default_factory=Path.cwd)  # the folder holding every article: names are relative to it
    inputs: frozenset[str] = frozenset()  # the articles' real paths: a stale output is never one of them


def _plan(inputs, out_dir, output, fmt, report, root=None) -> _Plan:
    if (out_dir is None) == (output is None):
        raise InputError("corpus export needs exactly one of --out-dir DIR or -o FILE.nq[.gz]|FILE.trig[.gz]",
                         exit_code=2)
    paths = iter_articles(inputs)
    if not paths:
        raise InputError(f"{', '.join(map(str, inputs))}: no articles (*.txt, *.md) found")
    common = common_root(paths)
    names = relative_names(paths, common)
    extra = {"root": identity_root(inputs, paths, root), "common": common,
             "inputs": frozenset(os.path.realpath(p) for p in paths)}
    if out_dir is not None:
        fmt = fmt or "turtle"
        if fmt not in FORMATS:
            raise InputError(f"--format {fmt}: not one of {', '.join(FORMATS)}", exit_code=2)
        base_dir = Path(out_dir).resolve()
        _check_dir(base_dir)
        targets = [str(base_dir / n) for n in output_names(names, EXTENSIONS[fmt])]
        tasks = [Task(str(p), n, t, "") for p, n, t in zip(paths, names, targets)]
        plan = _Plan(tasks, fmt, fmt, base_dir / MANIFEST_NAME,
                     Path(report) if report else base_dir / REPORT_NAME, out_dir=base_dir, **extra)
        _guard(plan, paths, targets)
        return plan
    shard_output = Path(output).resolve()
    stem, _, shard_fmt = split_output(shard_output)
    if fmt and fmt != shard_fmt:
        raise InputError(f"{output}: the extension says {shard_fmt}, --format says {fmt}", exit_code=2)
    _check_dir(shard_output.parent)
    state = shard_output.parent / f".{stem}.kg"
    targets = [str(state / "cache" / f"{n}.nq.gz") for n in names]
    tasks = [Task(str(p), n, t, "") for p, n, t in zip(paths, names, targets)]
    plan = _Plan(tasks, shard_fmt, "nquads.gz", state / "manifest.json",
                 Path(report) if report else shard_output.parent / f"{stem}.{REPORT_NAME}",
                 shard_output=shard_output, **extra)
    _, suffix, _ = split_output(shard_output)
    _guard(plan, paths, [*targets, *map(str, shard_output.parent.glob(f"{glob.escape(stem)}-*{suffix}"))])
    return plan


def _guard(plan: _Plan, paths: list[Path], targets: list[str]) -> None:
    """Refuse a run whose report, manifest or any output file is one of its articles (via a link too)."""
    guard = InputGuard(paths)
    guard.check(plan.report, "report")
    guard.check(plan.manifest, "manifest")
    for target in targets:
        guard.check(target)
        if plan.out_dir is not None and not _inside(Path(target), plan.out_dir):
            raise KgError(f"{target}: would be written outside the output folder {plan.out_dir}")


def _inside(path: Path, folder: Path) -> bool:
    return os.path.normpath(path).startswith(os.path.join(os.path.normpath(folder), ""))


def _check_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgError(f"{folder}: cannot create the output folder ({err.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise KgError(f"{folder}: output folder is not writable")


def _skip_unchanged(tasks: list[Task], manifest: Manifest, summary: CorpusSummary, force: bool,
                    max_bytes: int | None = None) -> list[Task]:
    todo = []
    for i, task in enumerate(tasks):
        try:
            sha = file_sha256(Path(task.path), max_bytes)
        except OSError as err:
            sha = f"unreadable: {err.strerror}"
        except KgError as err:  # a FIFO, a device, too big …: the worker reports it
            sha = f"unreadable: {err}"
        task = tasks[i] = Task(task.path, task.name, task.target, sha)
        if not force and manifest.is_current(task.name, sha, Path(task.target)):
            summary.skipped += 1
            summary.triples += int(manifest.articles[task.name].get("triples", 0))
            manifest.articles[task.name].setdefault("output", _relative_output(task.target, manifest))
        else:
            todo.append(task)
    return todo


def _batch_size(tasks: list[Task], jobs: int, batch_size: int | None) -> int:
    # Small enough that all workers stay busy to the end, big enough to amortise the IPC.
    return batch_size or max(1, min(16, len(tasks) // (jobs * 8) or 1))


def _batches(tasks: list[Task], jobs: int, batch_size: int | None) -> Iterator[list[Task]]:
    size = _batch_size(tasks, jobs, batch_size)
    for start in range(0, len(tasks), size):
        yield tasks[start:start + size]


class _Stalled(Exception):
    """No worker has returned anything for longer than any batch may take: one died or hangs."""


def _run(todo, job, jobs, batch_size, manifest, summary, bar) -> None:
    done = summary.skipped
    last_save = time.monotonic()
    received: set[str] = set()
    stream = _outcomes(todo, job, jobs, batch_size)
    try:
        for outcomes in stream:
            for outcome in outcomes:
                _record(outcome, manifest, summary)
                received.add(outcome.name)
            done += len(outcomes)
            bar.update(done, summary.failed)
            if time.monotonic() - last_save > SAVE_EVERY:
                _save(manifest, summary)
                last_save = time.monotonic()
    except _Stalled as err:
        # The pool is gone; what it had not returned is failed (not in the manifest: the next run retries).
        for task in todo:
            if task.name not in received:
                _record(Outcome(task.name, Status.FAILED, task.sha256, task.target,
                                reason=f"{task.path}: not processed: {err}"), manifest, summary)
        bar.update(summary.total, summary.failed)
    finally:
        stream.close()  # on Ctrl-C this terminates the pool before anything is cleaned up


def _outcomes(todo, job, jobs, batch_size) -> Iterator[list[Outcome]]:
    batches = _batches(todo, jobs, batch_size)
    if jobs == 1 or len(todo) <= 1:
        if job.engine is kg_engine and todo:
            warm_up(job.settings)
        for batch in batches:
            yield run_batch(batch, job)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    # concurrent.futures, not multiprocessing.Pool: a pool whose worker died can deadlock in terminate()
    # (it waits for a queue lock an idle worker holds); the executor notices the death (BrokenProcessPool).
    executor = concurrent.futures.ProcessPoolExecutor(min(jobs, len(todo)), mp_context=context,
                                                      initializer=_init_worker, initargs=(job, os.getpid()))
    timeout = job.settings.timeout
    # The longest silence a healthy pool can keep: a batch at its full budget, plus warm-up.
    stall = timeout * 3 * _batch_size(todo, jobs, batch_size) + STALL_GRACE if timeout else None
    finished = False
    try:
        pending = {executor.submit(_work, batch) for batch in batches}
        while pending:
            done, pending = concurrent.futures.wait(pending, timeout=stall,
                                                    return_when=concurrent.futures.FIRST_COMPLETED)
            if not done:
                raise _Stalled(f"no worker answered for {stall:g} s (one is stuck); run again to retry")
            for future in done:
                try:
                    yield future.result()
                except concurrent.futures.process.BrokenProcessPool:
                    raise _Stalled("no worker answered: one was killed (out of memory?) or crashed; "
                                   "run again to retry") from None
        finished = True
    finally:
        if not finished:  # Ctrl-C, a dead or stuck worker: stop every worker now, mid-article
            _kill_workers(executor)
        executor.shutdown(wait=finished, cancel_futures=True)


def _kill_workers(executor: concurrent.futures.ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor has no public way to stop its workers before Python 3.14 (terminate_workers);
    # its _processes map is the documented-by-use way until then. Their temp files are removed after.
    for process in list(getattr(executor, "_processes", {}).values()):
        if process.is_alive():
            process.kill()
    for process in list(getattr(executor, "_processes", {}).values()):
        process.join(timeout=5)


def _record(outcome: Outcome, manifest: Manifest, summary: CorpusSummary) -> None:
    if outcome.status == Status.FAILED:
        summary.failed += 1
        manifest.forget(outcome.name)
        summary.failures.append({"article": outcome.name, "reason": outcome.reason,
                                 "counts": outcome.counts, "messages": outcome.messages})
        return
    if outcome.status == Status.WARNINGS:
        summary.warnings += 1
        summary.warned.append({"article": outcome.name, "counts": outcome.counts})
    else:
        summary.ok += 1
    summary.triples += outcome.triples
    entry = {"sha256": outcome.sha256, "graph": outcome.graph, "triples": outcome.triples,
             "status": outcome.status, "counts": outcome.counts,
             "output": _relative_output(outcome.target, manifest),
             **({"curated": outcome.curated} if outcome.curated else {})}
    if manifest.validation and outcome.output_sha256:
        entry["output_sha256"] = outcome.output_sha256
    manifest.record(outcome.name, entry)


def _curation_summary(curation, source: str | None, tasks: list[Task], manifest: Manifest) -> dict[str, Any]:
    """Which decisions some article of the corpus had, unchanged articles included (their manifest entry
    keeps the ids), and a line per dangling one."""
    applied = {i for t in tasks for i in manifest.articles.get(t.name, {}).get("curated", [])}
    return curation_report(curation, source, applied)


def curation_report(curation, source: str | None, applied: set[str]) -> dict[str, Any]:
    """The report's ``curation`` entry from the ids of the decisions the articles had (also kg.corpus.distributed)."""
    from kg.curation import dangling, dangling_line, summary_line

    lost = dangling(curation, applied)
    return {"file": source, "sha256": curation.sha256, "decisions": len(curation),
            "applied": len(curation) - len(lost), "dangling": [dangling_line(d) for d in lost],
            "summary": summary_line(curation, applied, source or "")}



def _relative_output(target: str, manifest: Manifest) -> str:
    return Path(os.path.relpath(target, manifest.path.parent)).as_posix()


# --- articles gone from the input ---------------------------------------------------------


def _settle_stale(plan: _Plan, manifest: Manifest, summary: CorpusSummary, keep: bool) -> list[str]:
    """Deal with the last run's articles that are no longer inputs, and outputs no longer written.

    Removes (unless ``keep``) each stale article's output file and manifest entry; removes the
    output an article of this run wrote last time under another name (another --format).
    Returns the graphs the store should no longer hold: those of removed articles and those an
    article held before its IRI changed (a url or id added), none that an article holds now.
    """
    current = {task.name for task in plan.tasks}
    stale = sorted((name for name in manifest.previous if name not in current), key=_name_order)
    summary.stale, summary.stale_kept = stale, keep and bool(stale)
    kept = set(stale) if keep else set()
    if keep:
        for name in stale:
            manifest.articles.setdefault(name, manifest.previous[name])
    else:
        for name in stale:
            manifest.forget(name)
    written = {_relative_output(task.target, manifest) for task in plan.tasks}
    written.update(manifest.articles[name].get("output", "") for name in kept)
    for name, entry in manifest.previous.items():
        if name in kept or (name in current and not entry.get("output")):
            continue
        for old in _old_outputs(plan, name, entry):
            if old not in written:
                _remove_output(plan, manifest, old, summary)
    held = {entry.get("graph") for entry in manifest.articles.values()}
    # A failed article keeps its old graph in the store (as before): only its output file goes.
    gone = {manifest.previous[name].get("graph") for name in stale if name not in kept}
    gone.update(entry.get("graph") for name, entry in manifest.previous.items()
                if name in current and name in manifest.articles)
    return sorted(g for g in gone - held if isinstance(g, str) and g)


def _shared_graphs(manifest: Manifest) -> list[list[str]]:
    """Groups of articles with one graph IRI: two files with the same url or front-matter id."""
    by_graph: dict[str, list[str]] = {}
    for name in sorted(manifest.articles, key=_name_order):
        graph = manifest.articles[name].get("graph")
        if isinstance(graph, str) and graph:
            by_graph.setdefault(graph, []).append(name)
    return [names for _, names in sorted(by_graph.items()) if len(names) > 1]


def _name_order(name: str) -> tuple[str, ...]:
    """Article names in the order of their paths (the order of tasks and shards)."""
    return tuple(name.split("/"))


def _old_outputs(plan: _Plan, name: str, entry: dict[str, Any]) -> list[str]:
    """The output an earlier run wrote for ``name`` (relative to the manifest's folder).

    Manifests before "output" was recorded: the names that run would have used."""
    old = entry.get("output")
    if isinstance(old, str) and old:
        return [old]
    if plan.shard_output is not None:
        return [f"cache/{name}.nq.gz"]
    extension = EXTENSIONS[plan.fmt]
    return sorted({f"{Path(name).with_suffix('').as_posix()}{extension}", f"{name}{extension}"})


def _remove_output(plan: _Plan, manifest: Manifest, relative: str, summary: CorpusSummary) -> None:
    folder = manifest.path.parent
    target = folder / relative
    # A manifest is data, not orders: nothing outside the output folder, no input, no manifest.
    if not _inside(target, folder) or os.path.realpath(target) in plan.inputs:
        return
    if target.name in (MANIFEST_NAME, REPORT_NAME, LOCK_NAME) or not target.is_file():
        return
    try:
        target.unlink()
    except OSError as err:
        summary.errors.append(f"{target}: cannot remove the stale output ({err.strerror})")
        return
    _prune_empty_folders(target.parent, folder)


def _prune_empty_folders(folder: Path, top: Path) -> None:
    """Remove folders the removal left empty, up to (not including) the output folder."""
    while _inside(folder, top):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _drop(graphs: list[str], location: str | None) -> int:
    """Remove graphs from the embedded store at ``location`` (when there is one)."""
    if not graphs:
        return 0
    from kg.store import EmbeddedStore, default_location

    folder = Path(location) if location else default_location()
    if not folder.exists():
        return 0
    with EmbeddedStore(folder) as store:
        return len(store.drop(graphs))


def _remove_temp_files(tasks: list[Task]) -> None:
    """Temp files of articles a terminated worker was writing (kg.output.atomic_write names them)."""
    for task in tasks:
        target = Path(task.target)
        if target.parent.is_dir():
            for tmp in target.parent.glob(f".{target.name}.*.tmp"):
                tmp.unlink(missing_ok=True)


def _cached_blocks(tasks: list[Task], manifest: Manifest, kept: list[str] = ()) -> Iterator[str]:
    """Each article's cached N-Quads in path order (the shards do not depend on --jobs or timing);
    ``kept``: stale articles kept (--keep-stale), in their place in that order."""
    targets = [(task.name, task.target) for task in tasks]
    if kept:
        folder = manifest.path.parent
        targets.extend((name, str(folder / manifest.articles[name].get("output", f"cache/{name}.nq.gz")))
                       for name in kept)
        targets.sort(key=lambda pair: _name_order(pair[0]))
    for name, target in targets:
        if name in manifest.articles:
            try:
                handle = gzip.open(target, "rt", encoding="utf-8")
            except FileNotFoundError:
                if name in kept:
                    continue  # a kept stale article whose cache is gone has nothing to add
                raise
            with handle:
                yield handle.read()


def _load(tasks: list[Task], manifest: Manifest, location: str | None, chunk: int = 200) -> int:
    """Load every good article's graph into the embedded store: through the bulk loader into an empty
    store (all or nothing; the articles' N-Quads through Oxigraph's parser alone), else ``chunk``
    graphs per transaction. Not validated again: these are the files this run (or an earlier one
    with the same fingerprint) validated."""
    from kg.store import load_stream
    from kg.store.bulk import NQuadsSource
    from kg.store.sources import units_from_graphs

    loaded = [(task, manifest.articles[task.name]["graph"]) for task in tasks if task.name in manifest.articles]

    def units():
        for task, graph in loaded:
            yield from units_from_graphs([(graph, _nquads_of(task.target, graph))])

    fast = [NQuadsSource(task.target, data=lambda target=task.target, graph=graph: _nquads_of(target, graph).encode("utf-8"))
            for task, graph in loaded]
    graphs, _ = load_stream(location, units(), chunk=chunk, fast=fast)
    return graphs


def _nquads_of(target: str, graph: str) -> str:
    """An output file back as N-Quads in its graph (pyoxigraph: fast)."""
    if target.endswith(".nq.gz"):
        with gzip.open(target, "rt", encoding="utf-8") as handle:
            return handle.read()
    import pyoxigraph as ox

    fmt = ox.RdfFormat.from_extension(Path(target).suffix.lstrip("."))
    quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph))
             for q in ox.parse(path=target, format=fmt)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")


def write_report(path: Path, summary: CorpusSummary) -> None:
    """The JSON failure report (also the Dask path's, kg.corpus.distributed)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n")
    except OSError as err:
        raise KgError(f"{path}: cannot write the report ({err.strerror})") from None
