"""``kg export``, ``kg validate``, ``kg extract``: the core of the pipeline."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from kg.cli import main, user_errors
from kg.corpus.cli import corpus_options, run_corpus, wants_corpus
from kg.iri import DEFAULT_BASE
from kg.output import atomic_write

FORMATS = ("turtle", "nt", "jsonld", "trig", "nquads")
# What a file name says about its format, for -o without --format.
EXTENSIONS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "jsonld", ".json": "jsonld",
              ".trig": "trig", ".nq": "nquads"}


def format_for(output: str | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if output and output != "-":
        return EXTENSIONS.get(Path(output).suffix.lower(), "turtle")
    return "turtle"


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", metavar="FILE",
              help="Write the graph here (atomically) instead of stdout.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS),
              help="RDF format; default from the -o extension (.ttl .nt .jsonld .trig .nq), else turtle.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, metavar="IRI",
              help="Base IRI under which entity IRIs are minted.")
@click.option("--strict", is_flag=True, help="Treat SHACL Warnings as fatal, like Violations.")
@click.option("--load", is_flag=True,
              help="Also load the result into the embedded store (one named graph per article; replaces).")
@click.option("--store", "location", type=click.Path(file_okay=False), envvar="KG_STORE",
              help="Embedded store folder for --load [default: ./kg-store or $KG_STORE].")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr (errors are still shown).")
@corpus_options
@user_errors
def export(articles, output, fmt, base, strict, load, location, quiet,
           out_dir, jobs, shard_size, force, report, progress):
    """Extract, map, validate and write the graph of one or more ARTICLES.

    \b
    Each article (UTF-8 text, optional YAML front matter) is read, its
    entities and relations extracted and mapped to the party-governance
    ontology, and validated with pySHACL against shapes/. A short summary goes
    to stderr: entities per class, triples, validation results by severity.

    \b
    Exit 0 when there is no Violation (Warnings are printed, not fatal); exit 1
    with a readable report when there is one, and then no output is written.
    --strict makes Warnings fatal too. Several articles in turtle/nt/jsonld are
    written as one merged graph; trig/nquads keep one named graph per article.

    \b
    Corpus mode (a folder or glob among ARTICLES, --out-dir, --shard-size, or
    -o FILE.nq.gz): parallel workers, one file per article or sorted N-Quads
    shards, incremental (unchanged articles are skipped unless --force), a JSON
    report; a bad article is reported and skipped, and the exit code is 1.

    \b
    Examples:
      kg export data/articles/seed.txt -o seed.ttl
      kg export a.txt b.txt -o both.trig
      kg export data/articles/seed.txt -o seed.ttl --load
      kg export corpus/ --out-dir out/ --jobs 2
      kg export corpus/ -o corpus.nq.gz --shard-size 1000000
    """
    if wants_corpus(articles, output, out_dir, shard_size):
        run_corpus(articles, output=output, out_dir=out_dir, fmt=fmt, base=base, strict=strict, quiet=quiet,
                   jobs=jobs, shard_size=shard_size, force=force, load=load, store=location, report=report,
                   progress=progress)
    _require_files(articles)
    from kg.pipeline import export_article

    fmt = format_for(output, fmt)
    exports = [export_article(path, base=base) for path in articles]
    failed = False
    for item in exports:
        report = item.report
        fatal = _fatal(report, strict)
        failed = failed or fatal
        if not quiet or fatal:
            _summary(item, fatal)
        if fatal or (report is not None and not quiet and _counts(report).get("Warning")):
            click.echo(report.to_text(), err=True)
    if failed:
        click.echo("kg: nothing written: fix the violations above (or see --help for --strict).", err=True)
        sys.exit(1)
    text = _serialize([item.graph for item in exports], fmt)
    if output and output != "-":
        atomic_write(output, text)
        if not quiet:
            click.echo(f"wrote {output} ({fmt})", err=True)
    else:
        click.echo(text, nl=False)
    if load:
        _load(exports, location, quiet)


def _require_files(paths) -> None:
    """Single-article mode takes files; say which one is missing the way click does (exit 2)."""
    for path in paths:
        if not Path(path).is_file():
            problem = "is a folder (give --out-dir for corpus mode)" if Path(path).is_dir() else "does not exist"
            raise click.BadParameter(f"{path!r} {problem}.", param_hint="'ARTICLES...'")


def _load(exports, location, quiet: bool) -> None:
    from kg.store import load_graphs, open_store

    with open_store(location) as store:
        units = load_graphs(store, [(item.graph_iri, item.graph) for item in exports])
    if not quiet:
        click.echo(f"loaded {len(units)} graph(s) into {location or 'the embedded store'}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "turtle", "json")), default="text",
              show_default=True, help="Report format: for people, as a SHACL report graph, or JSON.")
@click.option("--strict", is_flag=True, help="Treat SHACL Warnings as fatal, like Violations.")
@user_errors
def validate(files, fmt, strict):
    """Validate RDF FILES against the shapes (and the ontology).

    \b
    Any RDF file: .ttl .nt .nq .trig .jsonld .rdf. The report names each focus
    node with its label, the path, the value and the message in Vietnamese and
    English. Exit 0 when there is no Violation (with --strict: no Warning
    either), 1 otherwise.

    \b
    Example:
      kg validate seed.ttl --format json
    """
    from kg.validate import validate_file

    failed = False
    for path in files:
        report = validate_file(path)
        failed = failed or _fatal(report, strict)
        if fmt == "text":
            click.echo(f"{path}:")
            click.echo(report.to_text())
        elif fmt == "turtle":
            click.echo(report.to_turtle(), nl=False)
        else:
            click.echo(report.to_json())
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("article", type=click.Path(exists=True, dir_okay=False, path_type=str))
@user_errors
def extract(article):
    """Print what is extracted from ARTICLE, as JSON, for review.

    \b
    Entities with their types, canonical names and mentions (character
    offsets into the normalised text, end exclusive); relations (posts held,
    roles at meetings, documents discussed) with the text they came from.

    \b
    Example:
      kg extract data/articles/seed.txt | less
    """
    from kg.extract import extract as run_extract
    from kg.text import read_article

    extraction = run_extract(read_article(article))
    click.echo(json.dumps(extraction.to_dict(), ensure_ascii=False, indent=2))


def _counts(report) -> dict:
    return dict(report.counts)


def _fatal(report, strict: bool) -> bool:
    if report is None:
        return False
    counts = _counts(report)
    return bool(counts.get("Violation")) or (strict and bool(counts.get("Warning")))


def _summary(item, fatal: bool) -> None:
    from rdflib import RDF

    from kg.namespaces import PG

    classes = Counter(_most_specific(item.graph, subject, str(PG)) for subject in set(item.graph.subjects(RDF.type)))
    classes.pop(None, None)
    per_class = ", ".join(f"{n} {name}" for name, n in sorted(classes.items()))
    counts = _counts(item.report) if item.report is not None else {}
    checks = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("Violation", "Warning", "Info"))
    verdict = "FAILED" if fatal else "ok"
    click.echo(f"{item.article.path}: {per_class or 'no entities'}; {item.triples} triples; "
               f"validation {verdict}: {checks}", err=True)


# Bodies and assemblies are typed with a general and a specific class (for SHACL without
# inference); the summary counts each entity once, under its specific class.
_GENERAL = ("Organization", "Assembly", "Event")


def _most_specific(graph, subject, namespace: str) -> str | None:
    from rdflib import RDF

    names = sorted(str(c)[len(namespace):] for c in graph.objects(subject, RDF.type) if str(c).startswith(namespace))
    specific = [n for n in names if n not in _GENERAL]
    return (specific or names or [None])[0]


def _serialize(graphs, fmt: str) -> str:
    from kg.serialize import serialize

    if len(graphs) == 1:
        return serialize(graphs[0], fmt)
    if fmt in ("trig", "nquads"):
        from rdflib import Dataset

        dataset = Dataset()
        for graph in graphs:
            named = dataset.graph(graph.identifier)
            for triple in graph:
                named.add(triple)
        return serialize(dataset, fmt)
    from kg.namespaces import new_graph

    merged = new_graph()
    for graph in graphs:
        merged += graph
    return serialize(merged, fmt)
