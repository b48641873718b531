"""The ``kg`` command: a thin click layer over the kg Python API.

Each feature's commands live in their own module below and register on ``main``.
"""

from __future__ import annotations

import functools
import sys

import click

from kg import __version__
from kg.errors import KgError
from kg.output import to_devnull


class _Group(click.Group):
    """Commands listed in the order they were added (the pipeline order), not A–Z."""

    def list_commands(self, ctx):
        return list(self.commands)


class _ForgivingStderr:
    """stderr that a closed reader cannot turn into a failure.

    Summaries and progress go to stderr; when its reader goes away (``kg export … 2>&1 | head -1``)
    the work must still finish and its output still be written. After the first BrokenPipeError the
    descriptor points at /dev/null and writing goes on there.
    """

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            to_devnull(self._stream)
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except BrokenPipeError:
            to_devnull(self._stream)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main():
    """Knowledge graphs from Vietnamese Communist-Party governance news.

    \b
    Read articles, extract people and posts, bodies, numbered documents,
    congresses, plenums and meetings; map them to the party-governance
    ontology; validate with SHACL; write deterministic Turtle; load into a
    triple store, query with SPARQL and publish as linked data.

    \b
    Example:
      kg export data/articles/seed.txt -o seed.ttl
      kg validate seed.ttl
    """
    if not isinstance(sys.stderr, _ForgivingStderr):
        sys.stderr = _ForgivingStderr(sys.stderr)


def user_errors(func):
    """Turn a KgError (or an OSError) into one line on stderr and its exit code (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KgError as err:
            click.echo(f"kg: error: {err}", err=True)
            sys.exit(err.exit_code)
        except OSError as err:  # the system refused (full disk, I/O error …): still one line, no traceback
            where = f"{err.filename}: " if err.filename else ""
            click.echo(f"kg: error: {where}{err.strerror or err}", err=True)
            sys.exit(1)

    return wrapper


def _register() -> None:
    # Imported for their side effect: each module adds its commands to ``main``.
    import importlib

    for name in ("export", "store", "publish", "diff"):
        importlib.import_module(f"kg.cli.{name}")


_register()
