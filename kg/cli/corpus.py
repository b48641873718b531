"""The corpus options of ``kg export`` and what they run (attached by kg/cli/export.py).

    kg export corpus/ --out-dir out/ [--jobs N]               one file per article
    kg export corpus/ -o corpus.nq.gz [--shard-size 1000000]  sorted N-Quads shards
    kg export corpus/ --out-dir out/ --load                   and into the embedded store
"""

from __future__ import annotations

import glob
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import click

from kg.corpus.shards import DEFAULT_SHARD_SIZE

DEFAULT_ARTICLE_TIMEOUT = 60.0  # seconds; a news article takes well under one

MAX_LISTED_FAILURES = 10

_OPTIONS = [
    click.option("--out-dir", type=click.Path(file_okay=False, path_type=str), metavar="DIR",
                 help="Corpus mode: one file per article under DIR (layout mirrors the input), "
                      "plus kg-manifest.json and kg-report.json."),
    click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
                 help="Corpus mode: worker processes [default: all cores]."),
    click.option("--shard-size", type=click.IntRange(min=1), metavar="QUADS",
                 help=f"Corpus mode with -o FILE.nq[.gz]|FILE.trig[.gz]: quads per shard, "
                      f"FILE-00000.nq.gz … [default: {DEFAULT_SHARD_SIZE:,}]."),
    click.option("--force", is_flag=True, help="Corpus mode: redo every article, even unchanged ones."),
    click.option("--report", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
                 help="Corpus mode: JSON report here [default: beside the output]."),
    click.option("--progress/--no-progress", default=None,
                 help="Corpus mode: progress bar [default: on a terminal; a line every 10 s otherwise]."),
    click.option("--article-timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_ARTICLE_TIMEOUT,
                 show_default=True, metavar="SECONDS",
                 help="Corpus mode: time budget per article; a slower one is reported as failed and skipped."),
    click.option("--keep-stale", is_flag=True,
                 help="Corpus mode: keep the outputs (and stored graphs) of articles no longer in the input "
                      "[default: remove them]; each is listed on stderr."),
]


def corpus_options(func: Callable) -> Callable:
    """Decorate a click command with the corpus options (in help order).

    ``--load`` and ``--store`` are the export command's own; corpus mode uses them too.
    """
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def wants_corpus(articles: tuple[str, ...], output: str | None, out_dir: str | None,
                 shard_size: int | None = None) -> bool:
    """Corpus mode: --out-dir, a folder or glob among the inputs, --shard-size, or a .gz shard name.

    Files with ``-o x.ttl`` (or ``x.nq``) keep the single-output behaviour.
    """
    if out_dir or shard_size:
        return True
    if output and output.lower().endswith((".nq.gz", ".trig.gz", ".nquads.gz")):
        return True
    return any(Path(a).is_dir() or (glob.has_magic(a) and not Path(a).exists()) for a in articles)


def run_corpus(articles: tuple[str, ...], *, output: str | None, out_dir: str | None, fmt: str | None,
               base: str, strict: bool, quiet: bool, jobs: int | None, shard_size: int | None,
               force: bool, load: bool, store: str | None, report: str | None,
               progress: bool | None, max_bytes: int | None = None,
               article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT, root: str | None = None,
               keep_stale: bool = False, curation=None, curation_path: str | None = None) -> NoReturn:
    """Run export_corpus for the CLI: summary and failures on stderr, exit 0 / 1 (failures) / 130 (Ctrl-C).

    Dangling curation decisions are listed; with ``strict`` they make the exit code 1."""
    from kg.corpus.runner import export_corpus

    if output == "-":
        raise click.UsageError("corpus mode writes files: give --out-dir DIR or -o FILE.nq.gz")
    if "-" in articles:
        raise click.UsageError("corpus mode reads files: '-' (stdin) is for one article")
    summary = export_corpus(
        articles, out_dir=out_dir, output=output, fmt=fmt, jobs=jobs,
        shard_size=shard_size or DEFAULT_SHARD_SIZE, force=force, load=load, store=store, base=base,
        strict=strict, report=report, progress=False if quiet else progress,
        article_timeout=article_timeout, root=root, keep_stale=keep_stale, curation=curation,
        curation_path=curation_path,
        **({} if max_bytes is None else {"max_bytes": max_bytes}))
    for failure in summary.failures[:MAX_LISTED_FAILURES]:
        click.echo(f"kg: failed: {failure['reason']}", err=True)
    if len(summary.failures) > MAX_LISTED_FAILURES:
        click.echo(f"kg: … and {len(summary.failures) - MAX_LISTED_FAILURES} more failures "
                   f"(see {summary.report})", err=True)
    # Kept stale articles are always listed (the output holds articles the input no longer has);
    # removed ones unless --quiet.
    if summary.stale and (summary.stale_kept or not quiet):
        what = "kept (--keep-stale)" if summary.stale_kept else "its output removed"
        for name in summary.stale[:MAX_LISTED_FAILURES]:
            click.echo(f"kg: stale: {name}: no longer in the input; {what}", err=True)
        if len(summary.stale) > MAX_LISTED_FAILURES:
            click.echo(f"kg: … and {len(summary.stale) - MAX_LISTED_FAILURES} more stale articles "
                       f"(see {summary.report})", err=True)
    for names in summary.shared[:MAX_LISTED_FAILURES]:
        click.echo(f"kg: warning: {', '.join(names)}: one IRI for several articles (the same url or "
                   "front-matter id); a store keeps the last one loaded", err=True)
    exit_code = summary.exit_code
    if summary.curation is not None:
        for line in summary.curation["dangling"]:
            click.echo(line, err=True)
        if summary.curation["dangling"] or not quiet:
            click.echo(summary.curation["summary"], err=True)
        if summary.curation["dangling"] and strict and exit_code == 0:
            exit_code = 1
    if not quiet or exit_code:
        click.echo(f"kg: {summary.text()}", err=True)
    sys.exit(exit_code)
