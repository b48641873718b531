"""``kg load``, ``kg query``, ``kg stats``, ``kg drop``: the triple store from the command line.

Thin wrappers over kg.store; every command works on the embedded store (./kg-store,
``--store`` or $KG_STORE) or, with ``--endpoint``, on any SPARQL 1.1 server.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from kg.cli import main, user_errors
from kg.errors import KgError
from kg.store.dialects import AUTO, DIALECTS

STORE_HELP_EPILOG = """\b
Store options are shared by load, query, stats and drop; environment variables
KG_STORE, KG_ENDPOINT, KG_SERVER, KG_ENDPOINT_USER, KG_ENDPOINT_PASSWORD, KG_TIMEOUT set them too.
"""


def _then_prepare(command):
    """After a successful big load into the embedded store: the CQs' kept answers and kg serve's
    search index and sorted indexes for the new store version (kg.publish.prepare), so neither the
    first query nor kg serve's first start computes them; ``--no-prepare`` leaves them to those."""

    @click.option("--no-prepare", is_flag=True,
                  help="After a big load, leave the CQs' kept answers and kg serve's search index to the first "
                       "query and the first start of kg serve instead of computing them now (for a load "
                       "followed by more loads).")
    @functools.wraps(command)
    def wrapper(open_store, *args, no_prepare=False, **kwargs):
        from kg.publish.prepare import after_load, before_load

        since = before_load(open_store.location)
        command(open_store, *args, **kwargs)
        if not open_store.endpoint and not no_prepare:
            after_load(open_store.location, since)

    return wrapper


def store_options(func):
    """--store / --endpoint / auth / --timeout, turned into an ``open_store`` factory."""

    @click.option("--store", "location", type=click.Path(file_okay=False), envvar="KG_STORE",
                  help="Embedded store folder [default: ./kg-store].")
    @click.option("--endpoint", envvar="KG_ENDPOINT", metavar="URL",
                  help="A SPARQL 1.1 server instead, e.g. http://127.0.0.1:7878 (Oxigraph) "
                       "or http://127.0.0.1:8890/sparql (Virtuoso).")
    @click.option("--server", type=click.Choice([AUTO, *DIALECTS]), default=AUTO, envvar="KG_SERVER",
                  show_default=True,
                  help="Which server --endpoint is (its endpoint layout, union graph, partial-answer signals); "
                       "auto guesses from the URL.")
    @click.option("--update-endpoint", envvar="KG_UPDATE_ENDPOINT", metavar="URL",
                  help="SPARQL Update URL, when the guess from --endpoint is wrong.")
    @click.option("--gsp-endpoint", envvar="KG_GSP_ENDPOINT", metavar="URL",
                  help="Graph Store Protocol URL, when the guess from --endpoint is wrong.")
    @click.option("--user", envvar="KG_ENDPOINT_USER", metavar="NAME",
                  help="User for basic/digest auth; the password comes from KG_ENDPOINT_PASSWORD or a prompt.")
    @click.option("--timeout", type=float, envvar="KG_TIMEOUT", metavar="SECONDS",
                  help="Stop a query after this long (exit 3, partial): the embedded store runs it in a worker "
                       "process killed at the deadline; SPARQL servers get it as their limit (Virtuoso) "
                       "and kg stops waiting [default: none embedded, 60 for servers].")
    @functools.wraps(func)
    def wrapper(location, endpoint, server, update_endpoint, gsp_endpoint, user, timeout, **kwargs):
        def opener(read_only: bool = False, must_exist: bool = False):
            from kg.store import default_location, open_store

            if not endpoint:
                folder = Path(location) if location else default_location()
                # never create an empty store just to find it empty, nor database files in some other folder
                if must_exist and not (folder / "CURRENT").is_file():  # RocksDB's marker, in every Oxigraph store
                    raise KgError(f"no store at {folder}")
                return open_store(location, read_only=read_only)
            return open_store(endpoint=endpoint, user=user, password=_password(user), timeout=timeout,
                              update_endpoint=update_endpoint, gsp_endpoint=gsp_endpoint, server=server)

        opener.timeout = timeout
        opener.endpoint = endpoint
        opener.server = server
        opener.location = location
        return func(opener, **kwargs)

    return wrapper


def _password(user: str | None) -> str | None:
    """From KG_ENDPOINT_PASSWORD, else asked for without echo (never taken from the command line)."""
    if not user:
        return None
    if "KG_ENDPOINT_PASSWORD" in os.environ:
        return os.environ["KG_ENDPOINT_PASSWORD"]
    if not sys.stdin.isatty():
        raise KgError("--user needs a password: set KG_ENDPOINT_PASSWORD (no terminal to ask on)", exit_code=2)
    return click.prompt(f"Password for {user}", hide_input=True, err=True)


@main.command(epilog=STORE_HELP_EPILOG)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--graph", metavar="IRI", help="Load the one FILE into this named graph (for data that holds no article).")
@click.option("--append", is_flag=True, help="Add to the article graphs instead of replacing them.")
@click.option("--no-validate", is_flag=True, help="Skip the SHACL check before loading.")
@click.option("--curation", "curation_path", type=click.Path(exists=True), metavar="FILE_OR_DIR",
              help="Apply these curation decisions (as kg export --curation does) to each graph before it is "
                   "validated and loaded; for files exported without them.")
@click.option("--base", default=None, metavar="IRI",
              help="Base IRI of the id/… paths in --curation [default: https://w3id.org/pgkg/].")
@click.option("--revalidate", is_flag=True,
              help="Validate every file, even those whose bytes kg export recorded as validated.")
@store_options
@user_errors
@_then_prepare
def load(open_store, files, graph, append, no_validate, revalidate, curation_path, base):
    """Load exported files into the store, one named graph per article.

    Every file is parsed and validated before anything is written: if one
    fails, the store stays as it was and the error names the file and line.
    A file kg export wrote and validated is not validated again: its bytes'
    sha256 is in FILE.kg-validation.json or in the kg-manifest.json of its
    --out-dir, under today's shapes (an edited file is validated as usual).
    Reloading an article replaces its graph. Turtle, N-Triples, JSON-LD and
    RDF/XML files hold one article each; TriG and N-Quads keep their graphs.

    \b
    Examples:
      kg load out/*.ttl
      kg load out/*.ttl --endpoint http://127.0.0.1:7878
    """
    from kg.store import read_files
    from kg.store.guard import check_iri
    from kg.store.validated import Vouchers

    if graph is not None:
        check_iri(graph, "--graph")  # exit 2 before any file is read
    if curation_path:
        units = _curated_units(files, graph, curation_path, base, validate=not no_validate)
        with open_store() as store:
            store.load_units(units, replace=not append)
            triples = sum(len(u.triples) for u in units)
            click.echo(f"loaded {len(units)} curated graph{'s' * (len(units) != 1)} ({triples} triples) "
                       f"from {len(files)} file{'s' * (len(files) != 1)} into the {store.description}", err=True)
        return
    vouchers = None if no_validate else Vouchers()
    if not open_store.endpoint and _bulk_load(open_store.location, files, graph, validate=not no_validate,
                                              revalidate=revalidate, vouchers=vouchers):
        return
    units = read_files(list(files), validate=not no_validate, graph=graph, revalidate=revalidate,
                       vouchers=vouchers)  # before the store is opened or made
    with open_store() as store:
        store.load_units(units, replace=not append)
        triples = sum(len(u.triples) for u in units)
        click.echo(f"loaded {len(units)} graph{'s' * (len(units) != 1)} ({triples} triples) "
                   f"from {len(files)} file{'s' * (len(files) != 1)} into the {store.description}"
                   f"{_validation_note(vouchers)}", err=True)


def _curated_units(files, graph, curation_path: str, base: str | None, *, validate: bool):
    """Read every file, apply the curation to each graph, then validate it (nothing is loaded on a failure)."""
    import pyoxigraph as ox
    import rdflib

    from kg.curation import apply, dangling, dangling_line, summary_line
    from kg.curation import load as load_curation
    from kg.iri import DEFAULT_BASE
    from kg.store import read_files
    from kg.store.sources import _validate

    curation = load_curation(curation_path, base or DEFAULT_BASE)
    units = read_files(list(files), validate=False, graph=graph)
    applied: set[str] = set()
    for unit in units:
        rdf = rdflib.Graph()
        rdf.parse(data=unit.ntriples().decode("utf-8"), format="nt")
        applied |= apply(rdf, curation).applied
        unit.triples = [t.triple if isinstance(t, ox.Quad) else t
                        for t in ox.parse(rdf.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]
        if validate:
            _validate(unit, ", ".join(unit.sources) or unit.graph)
    for decision in dangling(curation, applied):
        click.echo(dangling_line(decision), err=True)
    click.echo(summary_line(curation, applied, curation_path), err=True)
    return units


def _validation_note(vouchers) -> str:
    """``; validated 2 files, 998 already validated by kg export`` (or that SHACL was skipped)."""
    return "; not validated (--no-validate)" if vouchers is None else f"; {vouchers.summary()}"


def _bulk_load(location, files, graph, *, validate: bool, revalidate: bool = False, vouchers=None) -> bool:
    """Into an empty (or absent) embedded store: stream the files through the bulk loader into a
    fresh store that takes the empty one's place when complete (kg.store.bulk); False otherwise.
    N-Quads files that need no validation go through Oxigraph's parser alone (the fast path); if
    one holds what only the Python path loads right, everything is loaded again that way."""
    from kg.store import default_location
    from kg.store.bulk import Counted, NotFast, bulk_into_fresh_store, split_fast
    from kg.store.embedded import claim_if_empty
    from kg.store.sources import _vouchers, iter_units

    folder = Path(location) if location else default_location()
    empty, lock = claim_if_empty(folder)
    if not empty:
        return False
    if vouchers is not None:
        vouchers = _vouchers(validate, revalidate, vouchers)  # --revalidate: no record counts
    release = lock.close if lock is not None else None
    try:
        fast, slow = split_fast(list(files), validate=validate, graph=graph, vouchers=vouchers)
        counted = Counted(iter_units(slow, validate=validate, graph=graph, revalidate=revalidate, vouchers=vouchers)
                          if slow else ())
        try:
            loaded = bulk_into_fresh_store(folder, counted, release, fast=fast)
        except NotFast:
            if vouchers is not None:
                vouchers.validated.clear()
                vouchers.vouched.clear()
            fast, counted = [], Counted(iter_units(list(files), validate=validate, graph=graph,
                                                   revalidate=revalidate, vouchers=vouchers))
            bulk_into_fresh_store(folder, counted, release)
    finally:
        if lock is not None:
            lock.close()
    graphs, triples = len(counted.graphs), counted.triples
    if fast:
        graphs, triples = loaded
        if vouchers is not None:
            vouchers.vouched.extend(source.name for source in fast)
    click.echo(f"loaded {graphs} graph{'s' * (graphs != 1)} ({triples} triples) from {len(files)} "
               f"file{'s' * (len(files) != 1)} into the embedded store {folder} (bulk, into a fresh store)"
               f"{_validation_note(vouchers)}", err=True)
    return True


@main.command(epilog=STORE_HELP_EPILOG)
@click.argument("query", required=False, metavar="[QUERY | FILE.rq | -]")
@click.option("--cq", metavar="NAME", help="A shipped competency question (ontology/cq/NAME.rq), e.g. people.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="SELECT results as a table or as SPARQL 1.1 CSV/TSV/JSON.")
@click.option("--with-source", is_flag=True, help="Add a ?source column: the article each row comes from.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of a query that takes some (--cq holders: post, organization, date); bound as "
                   "an RDF term (YYYY-MM-DD → xsd:date, <IRI> → IRI, else a string), never pasted as text.")
@click.option("--update", is_flag=True, help="Allow a SPARQL update (INSERT, DELETE, DROP …).")
@store_options
@user_errors
def query(open_store, query, cq, fmt, with_source, params, update):
    """Run a SPARQL query over all loaded articles (the union of their graphs).

    QUERY is the query text, a .rq file, or - for standard input.
    CONSTRUCT and DESCRIBE print Turtle; ASK prints true or false and exits 0 or 1.
    Exits 3 (after printing what arrived) when the server cut the answer short.

    \b
    Examples:
      kg query --cq people
      kg query --cq people --with-source --format csv
      kg query --cq timeline
      kg query --cq holders --param post="Bí thư" --param organization="Tỉnh ủy Nam Định" --param date=2024-05-01
      kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
      kg query my.rq --format json --endpoint http://127.0.0.1:7878/query
    """
    from kg.store import EXIT_ASK_FALSE, EXIT_PARTIAL, QueryError
    from kg.store.results import render

    sparql, label = _query_text(query, cq)
    if params:
        from kg.cq import bind

        sparql = bind(sparql, _parameters(params))
    with open_store(read_only=not update) as store:
        try:
            if with_source:
                result = store.query_with_source(sparql, timeout=open_store.timeout)
            else:
                result = store.query(sparql, update=update, timeout=open_store.timeout)
        except QueryError as err:
            raise QueryError(f"{label}: {err}" if label else str(err)) from None
    if result is None:
        click.echo("update done", err=True)
        return
    click.echo(render(result, fmt), nl=False)
    if result.partial:
        click.echo(f"kg: warning: the answer is partial: {result.reason}", err=True)
        sys.exit(EXIT_PARTIAL)
    if result.form == "ASK" and not result.boolean:
        sys.exit(EXIT_ASK_FALSE)


def _parameters(given: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise KgError(f"--param {item!r}: write NAME=VALUE", exit_code=2)
        if name.strip() in values:
            raise KgError(f"--param {name.strip()}: given twice", exit_code=2)
        values[name.strip()] = value
    return values


def _query_text(query: str | None, cq: str | None) -> tuple[str, str | None]:
    """The query and where it came from (a file name for error messages)."""
    from kg.store import cq_names, cq_query

    if bool(query) == bool(cq):
        names = ", ".join(cq_names()) or "none shipped yet"
        raise KgError(f"give a query (text, FILE.rq or -) or --cq NAME, not both or neither (CQs: {names})",
                      exit_code=2)
    if cq:
        return cq_query(cq), f"{cq}.rq"
    if query == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(query)
    if path.suffix.lower() in (".rq", ".sparql", ".ru") or (len(query) < 1024 and path.is_file()):
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as err:
            raise KgError(f"{path}: cannot read the query ({err})") from None
    return query, None


@main.command(epilog=STORE_HELP_EPILOG)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_options
@user_errors
def stats(open_store, fmt):
    """What is in the store: article graphs, triples, entities per class.

    \b
    Example:
      kg stats --format json
    """
    with open_store(read_only=True) as store:
        info = store.stats()
    if fmt == "json":
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
        return
    from kg.store.results import _compact

    click.echo(f"{info['store']}\ngraphs   {info['graphs']}\ntriples  {info['triples']}\n")
    width = max([len("class")] + [len(_compact(c)) for c in info["classes"]])
    click.echo(f"{'class':<{width}}  entities")
    for cls, count in info["classes"].items():
        click.echo(f"{_compact(cls):<{width}}  {count:>8}")


@main.command(epilog=STORE_HELP_EPILOG)
@click.argument("articles", nargs=-1, metavar="[ARTICLE-IRI | GRAPH-IRI]...")
@click.option("--all", "everything", is_flag=True, help="Remove every article graph.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@store_options
@user_errors
def drop(open_store, articles, everything, yes):
    """Remove articles' graphs from the store (or --all of them).

    An article IRI ({base}id/article/ID) stands for its graph ({base}graph/ID).
    On a server, --all removes only graphs that hold a kg article.

    \b
    Examples:
      kg drop https://w3id.org/pgkg/id/article/0123456789abcdef
      kg drop --all --yes
    """
    from kg.store.guard import check_iri

    if bool(articles) == everything:
        raise KgError("give article IRIs or --all", exit_code=2)
    graphs = [_graph_of(check_iri(a, "article or graph")) for a in articles]
    what = "every article graph" if everything else ", ".join(graphs)
    _confirm(f"Remove {what}?", yes)
    with open_store(must_exist=True) as store:
        dropped = _drop_all(store) if everything else store.drop(graphs)
    missing = sorted(set(graphs) - set(dropped))
    click.echo(f"dropped {len(dropped)} graph{'s' * (len(dropped) != 1)} from the {store.description}", err=True)
    if missing:
        raise KgError(f"not in the store: {', '.join(missing)}")


def _drop_all(store) -> list[str]:
    from kg.store import EmbeddedStore

    graphs = store.drop_all()
    if isinstance(store, EmbeddedStore):
        store.drop_everything()  # kg's own folder: leave nothing behind
    return graphs


def _graph_of(iri: str) -> str:
    from kg.iri import graph_for_article_iri

    if "/id/article/" in iri:
        return graph_for_article_iri(iri)
    return iri


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise KgError("refusing to drop without confirmation: add --yes", exit_code=2)
    if not click.confirm(question, default=False, err=True):
        raise KgError("nothing dropped")
