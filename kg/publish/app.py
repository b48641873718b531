"""The linked-data server: a WSGI application (served by waitress in ``kg serve``).

URL design (W3C "Cool URIs for the Semantic Web", 303 variant), with the data base IRI mapped onto
the site root, so ``{base}id/person/x`` is served at ``/id/person/x``:

    /id/{kind}/{slug}            the thing itself → 303 See Other to one of its documents:
    /doc/{kind}/{slug}[.html]        HTML page (for browsers, and for */*)
    /data/{kind}/{slug}.ttl|.jsonld|.nt   RDF (/data/… without extension negotiates, Content-Location)
    /vocab/{scheme}/{concept}    SKOS concepts, the same way (/doc/vocab/…, /data/vocab/…)
    /graph/{id}                  an article's named graph (RDF), or 303 to the article's page
    /ontology, /shapes           hash-IRI documents (pg:Term, pgsh:Shape): 200 with conneg
    /sparql                      SPARQL 1.1 Protocol (read-only); HTML query page for browsers
    /.well-known/void  /dump.nq.gz  /popolo.json  /sitemap.xml  /search?q=  /index/{people|bodies|…}

Why 303 for data and hash for the ontology: a person or a body is not a web page, so its IRI
answers 303 and the page lives at another URL (no ambiguity between the man and the page about him,
and each entity's document stays small and separately cacheable). The ontology is one small stable
document, so its terms are hash IRIs and the document is returned directly.

Requests never touch the file system: static files are read into memory at start-up and looked up
by name, so no path (``..``, ``%2e%2e``, encoded slashes, absolute paths) can reach other files.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs

import pyoxigraph as ox

from kg.publish import conneg, dataset
from kg.publish.catalogue import kept_counts_file
from kg.publish.pages import CONTENT_SECURITY_POLICY, LANGUAGES, Pages, compile_templates, load_static
from kg.publish.site import HERE, Site, curie, safe_path
from kg.publish.sparql import MAX_ROWS, READ_ONLY, Answer, SparqlService, serialize_triples
from kg.publish.views import void_blocks
from kg.resources import cq_dir
from kg.store.changes import store_generation

SD = "http://www.w3.org/ns/sparql-service-description#"
MAX_BODY = 1 << 20  # 1 MiB is plenty for a SPARQL query
# Clients reading across origins (JavaScript) may see the headers that lead to the data and cache it.
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "Link, Content-Location, Location, ETag, Last-Modified, Vary, "
                                         "X-Kg-Query-Timeout, X-Kg-Result-Cap, X-Kg-Result-Rows"}
PREFLIGHT = {**CORS, "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
             "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type, If-None-Match, If-Modified-Since",
             "Access-Control-Max-Age": "86400"}
# Pages and RDF documents may be cached for a minute, then revalidated (ETag / Last-Modified → 304):
# short, because kg serve follows the store (a `kg load` shows within seconds). SPARQL answers are
# revalidated every time.
CACHE_CONTROL = "public, max-age=60"
SPARQL_CACHE_CONTROL = "no-cache"
STORE_CHECK_SECONDS = 1.0  # how often a request looks whether the store folder changed
# a search waits this long for the search index of a new store version (built once, then kept with
# the counts), then says it is not ready yet (503, Retry-After): never an answer from part of the data
SEARCH_WAIT_SECONDS = 5.0
# the SPARQL worker processes start once no page was asked for in QUIET_SECONDS (at most this late)
QUIET_SECONDS, QUIET_WAIT_SECONDS = 1.0, 60.0
STARTUP_SECONDS = 5.0  # the warm-up waits at most this long for the port to be bound (an app without a server: not)
ENDPOINT_CHECK_SECONDS = 5.0  # how often a request asks a SPARQL server's data whether it changed (one COUNT)
STORE_SETTLE_SECONDS = 0.5  # the folder must be this long unchanged before it is reopened (a load may still be writing)
# /sparql: machines that send */* (or nothing) get JSON; browsers name text/html and get the page.
SPARQL_OFFERS = (conneg.SPARQL_JSON, conneg.HTML, conneg.SPARQL_XML, conneg.SPARQL_CSV, conneg.SPARQL_TSV,
                 *conneg.RDF_FORMATS)
RDF_FIRST = (*conneg.RDF_FORMATS, conneg.HTML)
GRAPH_OFFERS = (*conneg.GRAPH_FORMATS, conneg.HTML)
PAGE_CACHE_BYTES = 64 << 20  # rendered pages of the current store version kept in memory (least recently used out)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                    "Referrer-Policy": "no-referrer"}


def load_examples() -> list[dict]:
    """The competency questions (ontology/cq/*.rq) as examples for the query page."""
    out = []
    folder = cq_dir()
    for path in sorted(folder.glob("*.rq")) if folder.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        # the first comment line is the question: "# CQ people: which posts do named people hold, …?"
        first = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")
        comment = first.split(":", 1)[1].strip() if first.lower().startswith("cq ") and ":" in first else first
        out.append({"name": path.stem, "query": text, "comment": comment})
    return out


class Response:
    def __init__(self, status: int, body: bytes = b"", content_type: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, dict(headers or {})
        if content_type:
            self.headers["Content-Type"] = content_type


_REASONS = {200: "OK", 204: "No Content", 301: "Moved Permanently", 303: "See Other", 304: "Not Modified", 400: "Bad Request", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable", 413: "Content Too Large",
            415: "Unsupported Media Type", 500: "Internal Server Error", 503: "Service Unavailable"}


class PageCache:
    """Rendered pages of one store version, bounded in bytes, least recently used out first.

    A new store version (``LinkedDataApp._swap``) gets a new, empty cache, so a page is never older
    than the store it shows. Two threads asking for the same missing page may both render it once.
    """

    def __init__(self, budget: int = PAGE_CACHE_BYTES) -> None:
        self.budget = budget
        self.size = 0
        self._pages: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make) -> bytes:
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        page = make()
        if page is None or len(page) > self.budget // 8:
            return page
        with self._lock:
            if key not in self._pages:
                self._pages[key] = page
                self.size += len(page)
                while self.size > self.budget:
                    _, old = self._pages.popitem(last=False)
                    self.size -= len(old)
        return page

    def __len__(self) -> int:
        return len(self._pages)


class LinkedDataApp:
    """WSGI callable serving one Site."""

    def __init__(self, site: Site, *, timeout: float = 10.0, max_rows: int = MAX_ROWS, location: str | None = None,
                 allow_federation: bool = False, warm: bool | None = None, sparql_workers: int = 4) -> None:
        self._generation = store_generation(location) if location else None
        # data on a SPARQL server (kg.publish.remote_data) names its version by a cheap fingerprint
        self._fingerprint = site.data.fingerprint() if hasattr(site.data, "fingerprint") else None
        if location:
            site.keep_counts(kept_counts_file(location), list(self._generation), location=location)
        self.site = site
        self._page_sets = _page_sets(site)
        self._local = threading.local()  # the Pages of the request a thread answers (its language)
        self.allow_federation = allow_federation
        self.location = location
        self._sparql_options = {"timeout": timeout, "max_rows": max_rows, "allow_federation": allow_federation,
                                "max_concurrent": sparql_workers}
        self.sparql = SparqlService(site.data, location=location, **self._sparql_options)
        self.static = load_static()
        self.context_document = (HERE / "context.jsonld").read_bytes()
        self.examples = load_examples()
        self._cache: dict[str, bytes] = {}
        self.page_cache = PageCache()
        # kg serve follows the store: a request at most every STORE_CHECK_SECONDS looks at the folder's
        # files (names, sizes, times: a few dozen stat calls) and, when they changed, reopens the store
        # and drops every cache. The generation's time is the Last-Modified of every answer.
        self._modified = self._generation[0] / 1e9 if self._generation else time.time()
        self._next_check = time.monotonic() + STORE_CHECK_SECONDS
        self._refresh_lock = threading.Lock()
        self._retired: list[SparqlService] = []
        # counts, index members and the search index are computed once per store version; on a
        # server (a store folder) a background thread does it at once, so requests rarely wait for it
        self._warm = location is not None if warm is None else warm
        self.listening = threading.Event()  # set by kg.publish.server once the port is bound
        self._last_request = 0.0  # time.monotonic() of the latest request (the warm-up waits for a pause)
        if self._warm:
            self._start_warming(site)

    def _start_warming(self, site: Site) -> None:
        threading.Thread(target=self._warm_up, args=(site,), name="kg-warm", daemon=True).start()

    def _warm_up(self, site: Site) -> None:
        from kg.publish.site import expand

        try:
            # the port is bound first (a start-up that competes with this thread answers later)
            self.listening.wait(STARTUP_SECONDS)
            compile_templates()
            site.triple_count(), site.graph_count()
            for index in site.indexes:  # what every page's menu shows: the sizes before the sorting
                len(index["members"])  # (after a small reload at 100,000 articles: 3 s, against 34 s)
            for index in site.indexes:
                index["members"][:1]  # sorted by label: the index pages and article pages
            if site is self.site:  # what an article page groups and colours its mentions by, and reads them from
                site.catalogue.graph_of_article("")
                # and in the copies of the site the pages are rendered with, in the site's language
                # (another language sorts every member by its own labels: its first page pays that)
                copies = {id(p.site): p.site for p in self._page_sets.values() if p.site.language == site.language}
                for shown in [site, *copies.values()]:
                    _ = shown.index_of
                    for index in shown.indexes:
                        index["members"].among(())
            if site is self.site:
                self._void_triples()
            # after what every page needs (a restart reads the index back: seconds at 100,000 articles)
            site.catalogue.search_index(expand)
            # the SPARQL worker processes, so the first query need not wait; only once the server
            # listens (a process that exits because its port is taken must leave no half-started child)
            if site is self.site and self.sparql.workers is not None and self.listening.wait():
                self._wait_for_a_quiet_moment()  # starting them costs seconds of both cores
                if site is self.site:
                    self.sparql.workers.warm()
        except Exception as err:  # noqa: BLE001 -- a request computes the same and reports it
            import sys

            print(f"kg serve: warming up: {type(err).__name__}: {err}", file=sys.stderr)

    def _wait_for_a_quiet_moment(self) -> None:
        """Until no page was asked for in the last QUIET_SECONDS (at most QUIET_WAIT_SECONDS): the
        query workers' start-up (a Python process each, opening the store) would otherwise slow
        the pages asked for right after a start."""
        deadline = time.monotonic() + QUIET_WAIT_SECONDS
        while time.monotonic() < deadline:
            idle = time.monotonic() - self._last_request
            if idle >= QUIET_SECONDS:
                return
            time.sleep(QUIET_SECONDS - idle)

    # --- following the store ------------------------------------------------------------------

    def refresh(self) -> bool:
        """Reopen the store when its folder changed (a `kg load` ran); True when it was reopened."""
        now = time.monotonic()
        if self._fingerprint is not None:
            return self._refresh_endpoint(now)
        if self.location is None or now < self._next_check or not self._refresh_lock.acquire(blocking=False):
            return False
        try:
            self._next_check = now + STORE_CHECK_SECONDS
            generation = store_generation(self.location)
            if generation == self._generation:
                return False
            if time.time() - generation[0] / 1e9 < STORE_SETTLE_SECONDS:
                self._next_check = now + 0.1  # a writer may still be at work: look again shortly
                return False
            from kg.publish.server import open_read_only

            try:
                store = open_read_only(self.location)
            except Exception:  # noqa: BLE001 -- a store being rewritten: keep serving the old one, retry later
                return False
            self._swap(store, generation)
            return True
        finally:
            self._refresh_lock.release()

    def _refresh_endpoint(self, now: float) -> bool:
        """The same for data on a SPARQL server: a new fingerprint (a `kg load --endpoint` ran) gives a
        fresh data object, hence fresh caches; a server that does not answer keeps the old pages."""
        if now < self._next_check or not self._refresh_lock.acquire(blocking=False):
            return False
        try:
            self._next_check = now + ENDPOINT_CHECK_SECONDS
            try:
                fingerprint = self.site.data.fingerprint()
            except Exception:  # noqa: BLE001 -- unreachable for a moment: serve what we have, ask again later
                return False
            if fingerprint == self._fingerprint:
                return False
            self._fingerprint = fingerprint
            self._swap(self.site.data.fresh(), None)
            return True
        finally:
            self._refresh_lock.release()

    def _swap(self, store: ox.Store, generation: tuple | None) -> None:
        site = self.site.with_data(store)
        if generation is not None:
            site.keep_counts(kept_counts_file(self.location), list(generation), location=self.location)
            site.catalogue.follow(self.site.catalogue)  # what changed since is patched into what it had
        old = self.sparql
        # New workers open the new store; the old ones finish what they run, then go.
        self.sparql = SparqlService(store, location=self.location, **self._sparql_options)
        self._retired.append(old)
        timer = threading.Timer(self._sparql_options["timeout"] + 5, old.close)
        timer.daemon = True
        timer.start()
        self._cache = {}
        self.page_cache = PageCache()
        self.site, self._page_sets = site, _page_sets(site)
        self._generation = generation
        self._modified = generation[0] / 1e9 if generation is not None else time.time()
        if self._warm:
            self._start_warming(site)

    def close(self) -> None:
        """Stop the query workers (the current and any retired ones)."""
        for service in (*self._retired, self.sparql):
            service.close()

    # --- WSGI ---------------------------------------------------------------------------------

    @property
    def pages(self) -> Pages:
        return getattr(self._local, "pages", None) or self._page_sets[(LANGUAGES[0], False)]

    def _choose_language(self, environ) -> None:
        """?lang= (the toggle, kept on every link) wins over Accept-Language; Vietnamese by default."""
        asked = _query_params(environ).get("lang", [""])[0]
        if asked in LANGUAGES:
            self._local.pages = self._page_sets[(asked, True)]
        else:
            lang = conneg.negotiate_language(environ.get("HTTP_ACCEPT_LANGUAGE"), LANGUAGES)
            self._local.pages = self._page_sets[(lang, False)]

    def __call__(self, environ, start_response):
        self._last_request = time.monotonic()
        try:
            self.refresh()
            self._choose_language(environ)
            response = self.handle(environ)
        except Exception as err:  # noqa: BLE001 -- a bug must not kill the worker thread; the log gets the details
            environ["wsgi.errors"].write(f"kg serve: {type(err).__name__}: {err}\n")
            response = self._error(500, "Internal error.", environ)
        if response.headers.get("Content-Type", "").startswith("text/html"):
            # pages are in the language Accept-Language asks for
            vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
            response.headers["Vary"] = ", ".join(dict.fromkeys([*vary, "Accept-Language"]))
        if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD") and response.status == 200:
            response = self._conditional(response, environ)
        headers = {**CORS, **SECURITY_HEADERS, **response.headers}
        body = b"" if environ.get("REQUEST_METHOD") == "HEAD" else response.body
        if response.status != 304:
            headers["Content-Length"] = str(len(response.body))
        start_response(f"{response.status} {_REASONS.get(response.status, '')}", list(headers.items()))
        return [body]

    def _conditional(self, response: Response, environ) -> Response:
        """ETag (of the bytes), Last-Modified (of the store), Cache-Control; 304 when the client has it."""
        headers = response.headers
        etag = '"' + hashlib.sha256(response.body).hexdigest()[:32] + '"'
        headers.setdefault("ETag", etag)
        modified = int(self._modified)
        headers.setdefault("Last-Modified", formatdate(modified, usegmt=True))
        is_sparql = _request_path(environ) == "sparql"
        headers.setdefault("Cache-Control", SPARQL_CACHE_CONTROL if is_sparql else CACHE_CONTROL)
        if _not_modified(environ, headers["ETag"], modified):
            kept = {k: v for k, v in headers.items() if k != "Content-Type"}
            return Response(304, b"", None, kept)
        return response

    def handle(self, environ) -> Response:
        method = environ.get("REQUEST_METHOD", "GET")
        path = _request_path(environ)
        if path is None:
            return self._error(404, "Not found.", environ)
        if method == "OPTIONS":
            return Response(204, headers=PREFLIGHT)
        if path == "sparql":
            return self.sparql_endpoint(environ, method)
        if method not in ("GET", "HEAD"):
            return Response(405, b"Only GET and HEAD here (POST on /sparql).\n", "text/plain; charset=utf-8",
                            {"Allow": "GET, HEAD, OPTIONS"})
        return self.route(path, environ)

    def route(self, path: str, environ) -> Response:
        accept = environ.get("HTTP_ACCEPT")
        head, _, rest = path.partition("/")
        if path == "":
            pages = self.pages
            return self._page(("home", pages.lang, pages.lang_query), pages.home)
        if head == "static":
            return self._static(rest, environ)
        if head == "index" and rest:
            number = _page_number(_query_params(environ).get("page", ["1"])[0])
            pages = self.pages
            page = None if number is None else self.page_cache.get(
                ("index", pages.lang, pages.lang_query, rest, number), lambda: _encoded(pages.index(rest, number)))
            if page is None:
                return self._error(404, f"No index “{rest}”" + (f", page {number}." if number else "."), environ)
            return Response(200, page, conneg.HTML.content_type)
        if path == "search":
            q = _query_params(environ).get("q", [""])[0]
            pages = self.pages

            def render() -> bytes | None:  # None (not kept): the index is not ready yet
                hits = self.site.search(q, wait=SEARCH_WAIT_SECONDS)
                return None if hits is None else pages.search(q, hits).encode("utf-8")

            page = self.page_cache.get(("search", pages.lang, pages.lang_query, q), render)
            if page is None:
                response = self._error(503, "The search index of this store is being built (once per store "
                                       "version); try again in a few seconds.", environ)
                response.headers["Retry-After"] = "5"
                return response
            return Response(200, page, conneg.HTML.content_type)
        if head in ("id", "vocab"):
            return self.thing(path, accept, environ)
        if head == "graph":
            return self.graph(path, accept, environ)
        if head == "doc" and rest:
            return self.document(rest, environ)
        if head == "data" and rest:
            return self.data(rest, accept, environ)
        base, ext = conneg.split_extension(path)
        if base in ("ontology", "shapes"):
            return self.terms_document(base, ext, accept, environ)
        if base == ".well-known/void":
            return self.void(ext, accept, environ)
        if path == "dump.nq.gz":
            return Response(200, self._cached("dump", lambda: dataset.dump_nquads_gz(self.site)), "application/gzip",
                            {"Content-Disposition": 'attachment; filename="dump.nq.gz"'})
        if path == "popolo.json":  # persons, organizations, posts, memberships for civic-data tools
            return Response(200, self._cached("popolo", lambda: _popolo(self.site)), "application/json; charset=utf-8",
                            {"Content-Disposition": 'attachment; filename="popolo.json"'})
        if path == "context.jsonld":  # the JSON-LD context every JSON-LD document embeds
            return Response(200, self.context_document, "application/ld+json; charset=utf-8")
        if path == "sitemap.xml":
            return Response(200, self._cached("sitemap", lambda: dataset.sitemap_xml(self.site)), "application/xml; charset=utf-8")
        return self._error(404, "Not found.", environ)

    # --- things and documents -----------------------------------------------------------------

    def thing(self, path: str, accept: str | None, environ) -> Response:
        """/id/… and /vocab/…: 303 to the document the client asked for."""
        stem, ext = conneg.split_extension(path)
        if ext is not None and ext not in conneg.DOC_FORMATS:
            return self._error(404, "Not found.", environ)
        iri = self.site.iri_for_path(stem)
        moved = self._moved(iri, lambda target: self.site.path_for_iri(target) + (ext.extension if ext else ""), environ)
        if moved:
            return moved
        if not iri or not self.site.exists(iri):
            return self._error(404, f"Nothing is known about <{iri or path}>.", environ)
        fmt = ext or conneg.negotiate(accept, conneg.DOC_FORMATS)
        if fmt is None:
            return self._not_acceptable(conneg.DOC_FORMATS)
        doc = self.site.doc_path(iri)
        target = doc if fmt is conneg.HTML else "data/" + doc[len("doc/"):] + fmt.extension
        return Response(303, b"", None, {"Location": _absolute(environ, target), "Vary": "Accept"})

    def document(self, rest: str, environ) -> Response:
        """/doc/…: the HTML page about a thing."""
        stem, ext = conneg.split_extension(rest)
        if ext not in (None, conneg.HTML) or not safe_path(stem):
            return self._error(404, "Not found.", environ)
        iri = self.site.thing_for_doc(stem)
        moved = self._moved(iri, lambda target: self.site.doc_path(target) + (ext.extension if ext else ""), environ)
        if moved:
            return moved
        if not self.site.exists(iri):
            return self._error(404, f"Nothing is known about <{iri}>.", environ)
        pages = self.pages
        # article and entity pages: rendered once per store version (kept in the PageCache)
        return self._page(("doc", pages.lang, pages.lang_query, stem), lambda: pages.resource(iri, "doc/" + stem),
                          self._link_header(environ, stem))

    def data(self, rest: str, accept: str | None, environ) -> Response:
        """/data/…[.ttl|.jsonld|.nt]: the RDF about a thing (its triples, mentions and backlinks)."""
        stem, ext = conneg.split_extension(rest)
        if (ext is not None and ext not in conneg.RDF_FORMATS) or not safe_path(stem):
            return self._error(404, "Not found.", environ)
        iri = self.site.thing_for_doc(stem)
        moved = self._moved(iri, lambda target: "data/" + self.site.doc_path(target)[len("doc/"):]
                            + (ext.extension if ext else ""), environ)
        if moved:
            return moved
        if not self.site.exists(iri):
            return self._error(404, f"Nothing is known about <{iri}>.", environ)
        fmt = ext or conneg.negotiate(accept, conneg.RDF_FORMATS)
        if fmt is None:
            return self._not_acceptable(conneg.RDF_FORMATS)
        headers = {} if ext else {"Vary": "Accept", "Content-Location": _absolute(environ, f"data/{stem}{fmt.extension}")}
        return Response(200, serialize_triples(self.site.describe(iri), fmt), fmt.content_type, headers)

    def _moved(self, iri: str | None, path_of, environ) -> Response | None:
        """301 Moved Permanently to the same kind of URL of the IRI a curation merge kept (kg.curation):
        the dropped IRI is another name for it, not a thing of its own (303 stays thing → document)."""
        target = self.site.merged_into(iri) if iri else None
        if target is None:
            return None
        return Response(301, b"", None, {"Location": _absolute(environ, path_of(target))})

    def graph(self, path: str, accept: str | None, environ) -> Response:
        """/graph/{id}: the named graph of one article, or (for browsers) 303 to the article page."""
        stem, ext = conneg.split_extension(path)
        iri = self.site.iri_for_path(stem)
        triples = self.site.graph_quads(iri) if iri else []
        if not triples:
            return self._error(404, f"No graph <{iri or path}>.", environ)
        fmt = ext or conneg.negotiate(accept, GRAPH_OFFERS)
        if fmt is None:
            return self._not_acceptable(GRAPH_OFFERS)
        if fmt is conneg.HTML:
            article = self.site.base + "id/article/" + stem.split("/", 1)[1]
            return Response(303, b"", None, {"Location": _absolute(environ, self.site.doc_path(article)), "Vary": "Accept"})
        return Response(200, serialize_triples(triples, fmt, graph=iri), fmt.content_type, {"Vary": "Accept"})

    def terms_document(self, which: str, ext, accept: str | None, environ) -> Response:
        if ext is not None and ext not in conneg.DOC_FORMATS:
            return self._error(404, "Not found.", environ)
        fmt = ext or conneg.negotiate(accept, conneg.DOC_FORMATS)
        if fmt is None:
            return self._not_acceptable(conneg.DOC_FORMATS)
        vary = {} if ext else {"Vary": "Accept"}
        if fmt is conneg.HTML:
            pages = self.pages
            page = self._cached(f"{which}|{pages.lang}",
                                lambda: (pages.ontology() if which == "ontology" else pages.shapes()).encode())
            return Response(200, page, conneg.HTML.content_type, vary)
        graph = self.site.terms_graph(which)
        triples = sorted({q.triple for q in self.site.terms.quads_for_pattern(None, None, None, graph)}, key=str)
        return Response(200, serialize_triples(triples, fmt), fmt.content_type, vary)

    def void(self, ext, accept: str | None, environ) -> Response:
        if ext is not None and ext not in RDF_FIRST:
            return self._error(404, "Not found.", environ)
        fmt = ext or conneg.negotiate(accept, RDF_FIRST)
        if fmt is None:
            return self._not_acceptable(RDF_FIRST)
        vary = {} if ext else {"Vary": "Accept"}
        triples = self._void_triples()
        if fmt is conneg.HTML:
            pages = self.pages
            page = self.page_cache.get(("void", pages.lang, pages.lang_query),
                                       lambda: pages.void(void_blocks(self.site, triples)).encode())
            return Response(200, page, fmt.content_type, vary)
        body = self.page_cache.get(("void", fmt.name), lambda: serialize_triples(triples, fmt))
        return Response(200, body, fmt.content_type, vary)

    def _void_triples(self) -> list[ox.Triple]:
        cache = self._cache  # the dict of this store version, even if a swap happens meanwhile
        if "void" not in cache:
            cache["void"] = dataset.void_triples(self.site)  # type: ignore[assignment]
        return cache["void"]  # type: ignore[return-value]

    # --- SPARQL -------------------------------------------------------------------------------

    def sparql_endpoint(self, environ, method: str) -> Response:
        params, query, error = self._sparql_request(environ, method)
        if error:
            return error
        accept = environ.get("HTTP_ACCEPT")
        wants_html = conneg.negotiate(accept, SPARQL_OFFERS) is conneg.HTML and method == "GET"
        if query is None:
            if wants_html:
                return self._html(self.pages.sparql(examples=self.examples))
            fmt = conneg.negotiate(accept, conneg.RDF_FORMATS) if accept else None
            if fmt is not None:  # a client asking for RDF gets the service description
                return Response(200, serialize_triples(self._service_description(), fmt), fmt.content_type,
                                {"Vary": "Accept"})
            return self._text(400, "Missing the 'query' parameter (SPARQL 1.1 Protocol).")
        defaults, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
        if wants_html:
            return self._sparql_html(query, defaults, named)
        answer = self.sparql.run(query, accept, defaults, named)
        return Response(answer.status, answer.body, answer.content_type, {**answer.headers, "Vary": "Accept"})

    def _service_description(self) -> list[ox.Triple]:
        triples = ox.parse(path=str(HERE / "service.ttl"), format=ox.RdfFormat.TURTLE, base_iri=self.site.base + "sparql")
        triples = [t.triple if isinstance(t, ox.Quad) else t for t in triples]
        if self.allow_federation:  # advertised only when SERVICE is on (kg serve --allow-federation)
            triples.append(ox.Triple(ox.NamedNode(self.site.base + "sparql"), ox.NamedNode(SD + "feature"),
                                     ox.NamedNode(SD + "BasicFederatedQuery")))
        return triples

    def _sparql_request(self, environ, method: str):
        """(params, query or None, error Response or None) from GET or POST."""
        params = _query_params(environ)
        if method in ("GET", "HEAD"):
            if "update" in params:
                return params, None, self._text(403, READ_ONLY)
            return params, params.get("query", [None])[0], None
        if method != "POST":
            return params, None, Response(405, b"", None, {"Allow": "GET, HEAD, POST, OPTIONS"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return params, None, self._text(400, "Bad Content-Length.")
        if length > MAX_BODY:
            return params, None, self._text(413, f"Request body over {MAX_BODY} bytes.")
        body = environ["wsgi.input"].read(length) if length else b""
        ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return params, None, self._text(400, "The request body is not UTF-8.")
        if ctype == "application/sparql-update":
            return params, None, self._text(403, READ_ONLY)
        if ctype == "application/sparql-query":
            return params, text, None
        if ctype == "application/x-www-form-urlencoded":
            form = parse_qs(text, keep_blank_values=True)
            if "update" in form:
                return params, None, self._text(403, READ_ONLY)
            merged = {**params, **{k: v for k, v in form.items() if k != "query"}}
            return merged, form.get("query", [None])[0], None
        return params, None, self._text(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded.")

    def _sparql_html(self, query: str, defaults, named) -> Response:
        answer = self.sparql.run(query, "application/sparql-results+json, application/n-triples;q=0.9", defaults, named)
        if answer.status != 200:
            page = self.pages.sparql(query, self.examples, error=answer.body.decode("utf-8", "replace"))
            return Response(answer.status, page.encode(), conneg.HTML.content_type, answer.headers)
        result = results_table(self.site, answer)
        return Response(200, self.pages.sparql(query, self.examples, result=result).encode(),
                        conneg.HTML.content_type, {**answer.headers, "Vary": "Accept"})

    # --- helpers ------------------------------------------------------------------------------

    def _static(self, name: str, environ) -> Response:
        if name not in self.static:
            return self._error(404, "Not found.", environ)
        body, ctype = self.static[name]
        return Response(200, body, ctype, {"Cache-Control": "public, max-age=3600"})

    def _cached(self, key: str, make) -> bytes:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def _page(self, key: tuple, render, headers: dict | None = None) -> Response:
        """An HTML page from the PageCache (rendered by ``render()`` the first time)."""
        return Response(200, self.page_cache.get(key, lambda: render().encode("utf-8")), conneg.HTML.content_type,
                        headers)

    def _html(self, page: str, headers: dict | None = None) -> Response:
        return Response(200, page.encode("utf-8"), conneg.HTML.content_type, headers)

    def _text(self, status: int, message: str) -> Response:
        return Response(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def _error(self, status: int, message: str, environ) -> Response:
        if conneg.negotiate(environ.get("HTTP_ACCEPT"), (conneg.HTML,)) is conneg.HTML:
            return Response(status, self.pages.error(status, message).encode("utf-8"), conneg.HTML.content_type)
        return self._text(status, message)

    def _not_acceptable(self, offers) -> Response:
        types = ", ".join(f.media_type for f in offers)
        response = self._text(406, f"Not acceptable: this resource is available as {types}.")
        response.headers["Vary"] = "Accept"  # another Accept would get another answer
        return response

    def _link_header(self, environ, stem: str) -> dict:
        links = [f'<{_absolute(environ, "data/" + stem + f.extension)}>; rel="alternate"; type="{f.media_type}"'
                 for f in conneg.RDF_FORMATS]
        return {"Link": ", ".join(links)}


def _page_sets(site: Site) -> dict[tuple[str, bool], Pages]:
    """Pages for each language, and whether links carry ?lang= (chosen with the toggle) or not."""
    return {(lang, explicit): Pages(site.with_language(lang), suffix="", live=True, lang_query=explicit)
            for lang in LANGUAGES for explicit in (False, True)}


def _page_number(text: str) -> int | None:
    """?page=N of an index: a positive integer (at most 9 digits), else None (404)."""
    return int(text) if text.isdigit() and len(text) <= 9 and int(text) >= 1 else None


def _encoded(page: str | None) -> bytes | None:
    return None if page is None else page.encode("utf-8")


def _not_modified(environ, etag: str, modified: int) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            return modified <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False  # an unreadable date is ignored (RFC 9110 §13.1.3)
    return False


def _popolo(site: Site) -> bytes:
    from kg.popolo import to_popolo_json

    return to_popolo_json(site.data).encode("utf-8")


def results_table(site: Site, answer: Answer) -> dict:
    """SPARQL JSON (or N-Triples for CONSTRUCT) → {"vars", "rows", "boolean"} with links to our pages."""
    if answer.content_type.startswith("application/n-triples"):
        triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        rows = [[_cell(site, t.subject), _cell(site, t.predicate), _cell(site, t.object)] for t in triples]
        return {"vars": ["subject", "predicate", "object"], "rows": rows, "boolean": None}
    doc = json.loads(answer.body)
    if "boolean" in doc:
        return {"vars": [], "rows": [], "boolean": doc["boolean"]}
    names = doc["head"]["vars"]
    rows = [[_json_cell(site, b.get(v)) for v in names] for b in doc["results"]["bindings"]]
    return {"vars": names, "rows": rows, "boolean": None}


def _cell(site: Site, term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"text": site.label(term.value) if site.doc_path(term.value) else curie(term.value),
                "href": site.doc_path(term.value)}
    return {"text": getattr(term, "value", str(term)), "href": None}


def _json_cell(site: Site, binding: dict | None) -> dict | None:
    if binding is None:
        return None
    if binding["type"] == "uri":
        return {"text": binding["value"], "href": site.doc_path(binding["value"])}
    return {"text": binding["value"], "href": None}


def _request_path(environ) -> str | None:
    """PATH_INFO as UTF-8 without the leading "/"; None for anything that could escape the site."""
    raw = environ.get("PATH_INFO", "/")
    try:
        path = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    if not path.startswith("/") or "\\" in path or "\x00" in path or "%" in path:
        return None
    path = path[1:]
    segments = path.split("/")
    if any(seg in (".", "..") for seg in segments) or "//" in path:
        return None
    return path


def _query_params(environ) -> dict[str, list[str]]:
    return parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)


def _absolute(environ, target: str) -> str:
    """Absolute path for Location headers, under the mount point (SCRIPT_NAME)."""
    return environ.get("SCRIPT_NAME", "").rstrip("/") + "/" + target


def make_app(store: ox.Store, base: str, *, timeout: float = 10.0, max_rows: int = MAX_ROWS,
             ontology: Path | None = None, shapes: Path | None = None, location: str | Path | None = None,
             allow_federation: bool = False, warm: bool | None = None, sparql_workers: int = 4) -> LinkedDataApp:
    """A WSGI app publishing ``store`` (IRIs under ``base``) with the project's ontology and shapes.

    ``location`` is the store's folder: SPARQL queries then run in worker processes that are killed
    at the timeout. ``allow_federation`` lets queries use SERVICE (the server then fetches from any
    URL a visitor names: only for trusted users). ``warm`` (default: when ``location`` is given)
    computes the counts, index members and search index in a background thread at once.
    ``sparql_workers``: SPARQL queries answered at once (with ``location``, each in a worker process).
    """
    return LinkedDataApp(Site(store, base, ontology=ontology, shapes=shapes), timeout=timeout, max_rows=max_rows,
                         location=None if location is None else str(location), allow_federation=allow_federation,
                         warm=warm, sparql_workers=sparql_workers)
