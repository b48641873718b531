"""``kg diff``: what changed between two exports, dumps or stores."""

from __future__ import annotations

import sys

import click

from kg.cli import main, user_errors
from kg.output import write_stdout


@main.command("diff")
@click.argument("old", type=click.Path(path_type=str))
@click.argument("new", type=click.Path(path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="A readable summary, or JSON for scripts.")
@user_errors
def diff_command(old, new, fmt):
    """Show what changed from OLD to NEW: people, bodies, posts, tenures, appointments, documents and meetings
    added, removed or changed (compared by IRI).

    \b
    OLD and NEW: exported files in any format kg writes (.ttl .nt .jsonld
    .trig .nq, also .nq.gz shards and a kg serve dump) or embedded store
    folders. Run it before publishing, to see what an extractor update or a
    new crawl changed. Exit 0 when nothing differs, 1 when something does
    (like diff), 2 when a side cannot be read.

    \b
    Examples:
      kg diff before.trig after.trig
      kg diff old-store/ kg-store/ --format json
    """
    from kg.diff import diff
    from kg.errors import KgError

    try:
        result = diff(old, new)
    except KgError as err:  # diff's convention: 2 is trouble, 1 means "they differ"
        err.exit_code = 2
        raise
    write_stdout(result.to_json() if fmt == "json" else result.to_text())
    sys.exit(1 if result else 0)
