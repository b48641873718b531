"""``kg export``, ``kg validate``, ``kg extract``: the core of the pipeline."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from kg import formats
from kg.cli import main, user_errors
from kg.cli.corpus import corpus_options, run_corpus, wants_corpus
from kg.errors import KgError
from kg.iri import DEFAULT_BASE
from kg.output import atomic_write, refuse_inputs, write_stdout

# Output formats: the RDF formats of kg.formats, and Popolo JSON (persons, organizations, posts,
# memberships) for civic-data tools; Popolo is asked for by name, as its files end in a plain .json.
POPOLO = "popolo"
FORMATS = (*formats.NAMES, POPOLO)


class OutputFormat(click.ParamType):
    """An output format by name or by one of the usual aliases (ttl, ntriples, json-ld, nq …)."""

    name = "FORMAT"

    def convert(self, value, param, ctx):
        if value.strip().lower() == POPOLO:
            return POPOLO
        try:
            return formats.by_name(value).name
        except KgError:
            self.fail(f"{value!r} is not one of {', '.join(FORMATS)} (or ttl, ntriples, json-ld, nq)", param, ctx)


class ByteSize(click.ParamType):
    """A size in bytes: ``2000000``, ``500K``, ``2M``, ``1G`` (binary multiples)."""

    name = "SIZE"
    _UNITS = {"": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "G": 1 << 30, "GB": 1 << 30}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip().upper()
        digits = text.rstrip("KMGB")
        unit = text[len(digits):]
        if not digits.isdigit() or unit not in self._UNITS or int(digits) < 1:
            self.fail(f"{value!r} is not a size such as 2000000, 500K, 2M or 1G", param, ctx)
        return int(digits) * self._UNITS[unit]


def max_size_option(func):
    return click.option("--max-article-size", "max_bytes", type=ByteSize(), default="2M",
                        show_default=True,
                        help="Refuse an article file bigger than this (e.g. 500K, 10M).")(func)


def format_for(output: str | None, fmt: str | None) -> str:
    """--format, else what the -o extension says; turtle for stdout or a name without an extension.
    An extension that names no format kg writes is a usage error, never silent Turtle."""
    if fmt:
        return fmt
    suffix = Path(output).suffix if output and output != "-" else ""
    if not suffix:
        return formats.TURTLE.name
    known = formats.by_extension(suffix)
    if known is None:
        extensions = " ".join(e for f in formats.ALL for e in f.extensions)
        raise KgError(f"{output}: kg cannot tell an output format from {suffix!r} (it knows {extensions}); "
                      f"give --format", exit_code=2)
    return known.name


@main.command()
@click.argument("articles", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--output", metavar="FILE",
              help="Write the graph here (atomically) instead of stdout.")
@click.option("-f", "--format", "fmt", type=OutputFormat(),
              help="turtle, nt, jsonld, trig, nquads, rdfxml, or popolo (Popolo JSON); default from the -o "
                   "extension (.ttl .nt .jsonld .json .trig .nq .rdf), else turtle.")
@click.option("--base", default=DEFAULT_BASE, show_default=True, metavar="IRI",
              help="Base IRI under which entity IRIs are minted.")
@click.option("--strict", is_flag=True, help="Treat SHACL Warnings as fatal, like Violations.")
@click.option("--root", type=click.Path(file_okay=False, path_type=str), metavar="DIR",
              help="The corpus root: an article without url or front-matter id is identified by its "
                   "path relative to DIR [default: the current directory; in corpus mode the one "
                   "folder given, else the folder holding every article]. '-' (stdin) without url or "
                   "id is identified by its text.")
@click.option("--load", is_flag=True,
              help="Also load the result into the embedded store (one named graph per article; replaces).")
@click.option("--store", "location", type=click.Path(file_okay=False), envvar="KG_STORE",
              help="Embedded store folder for --load [default: ./kg-store or $KG_STORE].")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr (errors are still shown).")
@click.option("--curation", "curation_path", type=click.Path(exists=True, path_type=str), metavar="FILE_OR_DIR",
              help="Corrections (YAML: merge, split, retract, add, label) applied to every article after "
                   "mapping, before validation; a folder: its *.yaml files in sorted order. A decision whose "
                   "target is in no article is reported (with --strict: fatal).")
@max_size_option
@corpus_options
@user_errors
def export(articles, output, fmt, base, strict, root, load, location, quiet, max_bytes,
           out_dir, jobs, shard_size, force, report, progress, article_timeout, keep_stale, curation_path):
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
    report; a bad article (or one slower than --article-timeout) is reported
    and skipped, and the exit code is 1. One run at a time per output folder.
    An article gone from the input since the last run is stale: its output,
    manifest entry (and with --load its graph in the store) are removed,
    unless --keep-stale.

    \b
    Article IRIs: from the front-matter url; else from the front-matter id;
    else from the file's path relative to --root; so editing an article and
    exporting (or loading) it again replaces its graph. Only '-' (stdin)
    without url or id is identified by its text: edited, it is a new article.

    \b
    Examples:
      kg export data/articles/seed.txt -o seed.ttl
      kg export a.txt b.txt -o both.trig
      kg export data/articles/seed.txt -o seed.ttl --load
      kg export corpus/ --out-dir out/ --jobs 2
      kg export corpus/ -o corpus.nq.gz --shard-size 1000000
    """
    curation = None
    if curation_path:
        from kg.curation import load as load_curation

        curation = load_curation(curation_path, base)  # a bad file stops here, before any article is read
    if wants_corpus(articles, output, out_dir, shard_size):
        if fmt == POPOLO:
            raise KgError("--format popolo writes one document: give the articles as files, not a corpus",
                          exit_code=2)
        run_corpus(articles, output=output, out_dir=out_dir, fmt=fmt, base=base, strict=strict, quiet=quiet,
                   jobs=jobs, shard_size=shard_size, force=force, load=load, store=location, report=report,
                   progress=progress, max_bytes=max_bytes, article_timeout=article_timeout, root=root,
                   keep_stale=keep_stale, curation=curation, curation_path=curation_path)
    _require_files(articles)
    if output and output != "-":
        refuse_inputs(output, articles)
    from kg.pipeline import export_article

    fmt = format_for(output, fmt)
    exports = [export_article(path, base=base, max_bytes=max_bytes, root=root, curation=curation)
               for path in articles]
    failed = False
    if curation is not None:
        failed = report_curation(curation, curation_path, [item.curated for item in exports], strict, quiet)
    for item in exports:
        report = item.report
        fatal = _fatal(report, strict)
        failed = failed or fatal
        if not quiet or fatal:
            _summary(item, fatal)
        if fatal or (report is not None and not quiet and _counts(report).get("Warning")):
            click.echo(report.to_text(), err=True)
    if failed:
        click.echo("kg: nothing written: fix the violations (or dangling curation decisions) above "
                   "(or see --help for --strict).", err=True)
        sys.exit(1)
    text = _serialize([item.graph for item in exports], fmt)
    if output and output != "-":
        atomic_write(output, text)
        if fmt != POPOLO:  # kg load trusts these bytes: validated just now, no Violation
            from kg.corpus.state import write_validation_record

            write_validation_record(output, text.encode("utf-8") if isinstance(text, str) else text,
                                    sum((Counter(_counts(i.report)) for i in exports if i.report), Counter()))
        if not quiet:
            click.echo(f"wrote {output} ({fmt})", err=True)
    else:
        write_stdout(text)
    if load:
        _load(exports, location, quiet)


def report_curation(curation, source: str, applied_sets, strict: bool, quiet: bool) -> bool:
    """A line per dangling decision and a count on stderr; True when that is fatal (--strict)."""
    from kg.curation import dangling, dangling_line, summary_line

    applied = set().union(*applied_sets) if applied_sets else set()
    lost = dangling(curation, applied)
    for decision in lost:
        click.echo(dangling_line(decision), err=True)
    if lost or not quiet:
        click.echo(summary_line(curation, applied, source), err=True)
    return bool(lost) and strict


def _require_files(paths, folder_hint: str = " (give --out-dir for corpus mode)",
                   param_hint: str = "'ARTICLES...'") -> None:
    """Single-article mode takes regular files (or "-", stdin); say what each other one is (exit 2)."""
    from kg.text import file_problem

    if list(paths).count("-") > 1:
        raise click.BadParameter("'-' (stdin) can be given once.", param_hint=param_hint)
    for path in paths:
        if path == "-":
            continue
        problem = file_problem(path)
        if problem is not None:
            if Path(path).is_dir():
                problem = f"is a folder{folder_hint}"
            elif problem == "no such file":
                problem = "does not exist"
            raise click.BadParameter(f"{path!r} {problem}.", param_hint=param_hint)


def _load(exports, location, quiet: bool) -> None:
    from kg.publish.prepare import after_load, before_load
    from kg.store import load_graphs, open_store

    since = before_load(location)
    with open_store(location) as store:
        units = load_graphs(store, [(item.graph_iri, item.graph) for item in exports])
    after_load(location, since)  # kg serve's search index for the new store version (kg.publish.prepare)
    if not quiet:
        click.echo(f"loaded {len(units)} graph(s) into {location or 'the embedded store'}", err=True)


class InputFormat(click.ParamType):
    """An RDF format to read, by kg.formats name or alias (turtle, ttl, nt, ntriples, jsonld, trig, nq …)."""

    name = "FORMAT"

    def convert(self, value, param, ctx):
        try:
            return formats.by_name(value).name
        except KgError:
            self.fail(f"{value!r} is not one of {', '.join(formats.NAMES)} (or ttl, ntriples, json-ld, nq)",
                      param, ctx)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True, dir_okay=False, path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "turtle", "json")), default="text",
              show_default=True, help="Report format: for people, as a SHACL report graph, or JSON.")
@click.option("-i", "--input-format", "input_format", type=InputFormat(),
              help="RDF format of the FILES (needed for - , standard input); default from each extension.")
@click.option("--strict", is_flag=True, help="Treat SHACL Warnings as fatal, like Violations.")
@click.option("--corpus", is_flag=True,
              help="Also run the checks across articles (shapes/corpus/: e.g. two people in a single-holder "
                   "post on one day), for a dump or the union of many exports; they are Warnings.")
@user_errors
def validate(files, fmt, input_format, strict, corpus):
    """Validate RDF FILES (or -, standard input) against the shapes (and the ontology).

    \b
    Any RDF file: .ttl .nt .nq .trig .jsonld .rdf (optionally .gz), or - with
    --input-format. The report names each focus node with its label, the path,
    the value and the message in Vietnamese and English.

    \b
    Two verdicts, never mixed up. "conforms" is SHACL's meaning (as in
    sh:conforms of the turtle report and in pySHACL): no result of any
    severity, so a Warning or an Info breaks it. "accepted" is kg's verdict,
    the one the exit code follows: no Violation (with --strict: no Warning
    either). Exit 0 when every file is accepted, 1 otherwise.

    \b
    Examples:
      kg validate seed.ttl --format json
      kg export a.txt | kg validate - --input-format turtle
      kg validate dump.nq --corpus
    """
    from kg.validate import validate_file

    _require_files(files, folder_hint="", param_hint="'FILES...'")
    failed = False
    for path in files:
        report = validate_file(path, strict=strict, corpus=corpus, fmt=input_format)
        failed = failed or not report.accepted
        if fmt == "text":
            write_stdout(f"{path}:\n{report.to_text()}\n")
        elif fmt == "turtle":
            write_stdout(report.to_turtle())
        else:
            write_stdout(report.to_json() + "\n")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("article", type=click.Path(allow_dash=True, path_type=str))
@max_size_option
@user_errors
def extract(article, max_bytes):
    """Print what is extracted from ARTICLE (a file, or - for stdin), as JSON, for review.

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

    _require_files([article], folder_hint="", param_hint="'ARTICLE'")
    extraction = run_extract(read_article(article, max_bytes=max_bytes))
    write_stdout(json.dumps(extraction.to_dict(), ensure_ascii=False, indent=2) + "\n")


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

    if fmt == POPOLO:
        from rdflib import Dataset

        from kg.popolo import to_popolo_json

        dataset = Dataset()
        for graph in graphs:
            named = dataset.graph(graph.identifier)
            for triple in graph:
                named.add(triple)
        return to_popolo_json(dataset)
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
