"""``kg serve`` and ``kg publish``: the graph as linked data (kg.publish)."""

from __future__ import annotations

import os

import click

from kg.cli import main, user_errors
from kg.iri import DEFAULT_BASE
from kg.store.dialects import AUTO, DIALECTS

STORE_HELP = "The store folder (default ./kg-store, or $KG_STORE); it is opened read-only."


def _store_path(location: str | None) -> str:
    return location or os.environ.get("KG_STORE") or "kg-store"


@main.command()
@click.option("--store", "location", type=click.Path(file_okay=False), envvar="KG_STORE", help=STORE_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port (0 = any free port).")
@click.option("--base", default=DEFAULT_BASE, show_default=True, metavar="IRI",
              help="Base IRI the data was exported with; {base}id/… is served at /id/….")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.01), metavar="SECONDS",
              help="SPARQL: answer 503 when a query runs longer.")
@click.option("--max-rows", default=1_000_000, show_default=True, type=click.IntRange(1), metavar="N",
              help="SPARQL: answer 500 (never a cut result) when a result has more rows.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads (per process).")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the port, each with its own threads and caches: pages are rendered "
                   "in Python, one at a time per process, so on N cores N processes answer N at once (more "
                   "memory: each keeps its own search index). The 4 SPARQL query workers are shared out "
                   "among them. A store folder only.")
@click.option("--endpoint", metavar="URL",
              help="Serve the data of a SPARQL 1.1 server instead of a store folder (written there by "
                   "`kg load --endpoint`), e.g. http://127.0.0.1:7878 (Oxigraph) or http://127.0.0.1:8890/sparql.")
@click.option("--user", envvar="KG_ENDPOINT_USER", metavar="NAME",
              help="--endpoint: user for basic/digest auth; the password comes from KG_ENDPOINT_PASSWORD.")
@click.option("--server", type=click.Choice([AUTO, *DIALECTS]), default=AUTO, envvar="KG_SERVER", show_default=True,
              help="--endpoint: which server it is (kg load --server); auto guesses from the URL.")
@click.option("--allow-federation", is_flag=True,
              help="Let SPARQL queries use SERVICE: the server then sends requests to any URL a visitor names "
                   "(off by default; only for an endpoint trusted users reach).")
@user_errors
def serve(location, host, port, base, timeout, max_rows, threads, processes, endpoint, user, server,
          allow_federation):
    """Serve the store as linked data: pages, RDF, SPARQL, VoID.

    \b
    Every IRI under --base dereferences on this server: /id/person/x answers
    303 to its HTML page (/doc/person/x) or RDF (/data/person/x.ttl, .jsonld,
    .nt, .rdf) by Accept. Also: /sparql (SPARQL 1.1 Protocol, read-only, with the
    shipped competency questions as examples), /ontology, /shapes,
    /.well-known/void, /dump.nq.gz, /sitemap.xml, /search?q=.

    \b
    The server follows the store: what a later `kg load` adds is served a
    second or two later, without a restart. With --endpoint the pages, RDF
    and /sparql read a SPARQL server instead (kg's layout, as `kg load
    --endpoint` writes it); a change there shows within about five seconds. Pages are in Vietnamese or
    English (Accept-Language, or ?lang=en); answers carry ETag and
    Last-Modified and answer 304 to conditional requests.

    \b
    Limits: queries over the size or nesting limits get 400, SERVICE
    (federation) is refused unless --allow-federation, a query past --timeout
    is stopped (its worker process is killed) and answers 503; idle
    connections are closed after 20 s. See docs/publish.md.

    \b
    Example:
      kg load seed.ttl && kg serve --port 8000
      curl -L -H 'Accept: text/turtle' http://127.0.0.1:8000/id/person/laji-xuaan-laam
    """
    from kg.publish import make_app, open_read_only
    from kg.publish.server import serve as run

    if processes > 1:
        if endpoint:
            raise click.UsageError("--processes serves a store folder; with --endpoint the SPARQL server does the work")
        _serve_processes(_store_path(location), base, host=host, port=port, threads=threads, processes=processes,
                         timeout=timeout, max_rows=max_rows, allow_federation=allow_federation)
        return
    if endpoint:
        app = make_app(_endpoint_data(endpoint, user, server), base, timeout=timeout, max_rows=max_rows,
                       allow_federation=allow_federation, warm=True)
    else:
        path = _store_path(location)
        app = make_app(open_read_only(path), base, timeout=timeout, max_rows=max_rows, location=path,
                       allow_federation=allow_federation)
    app.site.check_base()  # the query workers (killed at the timeout) start in the background, after
    # the counts: starting them here made every cold start wait for four interpreters
    run(app, host=host, port=port, threads=threads, announce=lambda msg: click.echo(msg, err=True))


def _serve_processes(path: str, base: str, *, host: str, port: int, threads: int, processes: int, **options) -> None:
    """kg serve --processes N: the store and --base checked here once, then N server processes."""
    from kg.publish import open_read_only
    from kg.publish.processes import serve_processes
    from kg.publish.site import Site

    Site(open_read_only(path), base).check_base()  # one line for a wrong --base, not one per process
    workers = max(1, -(-4 // processes))  # SPARQL workers: 4 in all, as one process has
    status = serve_processes({"location": path, "base": base, "sparql_workers": workers, **options}, processes,
                             host=host, port=port, threads=threads, announce=lambda msg: click.echo(msg, err=True))
    if status:
        raise SystemExit(status)


def _endpoint_data(endpoint: str, user: str | None, server: str = AUTO):
    """The data on a SPARQL server, for the publisher (kg.publish.remote_data)."""
    from kg.cli.store import _password
    from kg.publish.remote_data import EndpointData
    from kg.store import RemoteStore

    return EndpointData(RemoteStore(endpoint, user=user, password=_password(user), server=server))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--store", "location", type=click.Path(file_okay=False), envvar="KG_STORE", help=STORE_HELP)
@click.option("--base", default=DEFAULT_BASE, show_default=True, metavar="IRI",
              help="Base IRI the data was exported with, and the URL the site will be hosted at.")
@click.option("--endpoint", metavar="URL", help="Publish the data of a SPARQL 1.1 server instead (as kg serve --endpoint).")
@click.option("--user", envvar="KG_ENDPOINT_USER", metavar="NAME",
              help="--endpoint: user for basic/digest auth; the password comes from KG_ENDPOINT_PASSWORD.")
@click.option("--server", type=click.Choice([AUTO, *DIALECTS]), default=AUTO, envvar="KG_SERVER", show_default=True,
              help="--endpoint: which server it is (kg load --server); auto guesses from the URL.")
@user_errors
def publish(folder, location, base, endpoint, user, server):
    """Write the linked-data site to FOLDER as static files.

    \b
    The same HTML pages as `kg serve`, RDF for every resource
    (data/….ttl, .jsonld, .nt), the ontology and shapes documents, VoID,
    dump.nq.gz, sitemap.xml, and server rules (.htaccess for Apache,
    nginx.conf for nginx) that give the copy the same 303 redirects and
    content negotiation. FOLDER is replaced as a whole, atomically; a folder
    not written by kg publish is never overwritten.

    \b
    Example:
      kg publish site/ --base https://w3id.org/pgkg/
      python -m http.server -d site 8080     # look at it (no conneg)
    """
    from kg.publish import open_read_only, publish_site

    store = _endpoint_data(endpoint, user, server) if endpoint else open_read_only(_store_path(location))
    counts = publish_site(store, folder, base)
    click.echo(f"kg publish: {counts['pages']} pages and {counts['data_files']} RDF files in {folder}", err=True)
