"""HTML pages from the Jinja2 templates in kg/publish/templates (autoescaped).

Links are written relative to the page (``url()``), so the same pages work under ``kg serve``, under
any path prefix behind a proxy, and as static files. ``suffix`` is "" for the server (clean URLs) and
".html" for a static copy, which then works on any file host, even without the rewrite rules.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from kg import __version__
from kg.publish import conneg, ontodoc, views
from kg.publish.site import HERE, Site

_ENV = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)

# Pages load only their own style sheet and script: no inline script, no plugins, no framing, so a
# value from the data that slipped into a page could not run. kg serve sends it as a header; kg publish
# puts it in a <meta> of every page (which cannot carry frame-ancestors) and in the .htaccess and
# nginx rules as a header.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.rsplit("; frame-ancestors", 1)[0]


def web_link(iri: str | None) -> str | None:
    """``iri`` when it is an http(s) URL a page may link to, else None (shown as text, never as a link).

    Data can hold any IRI scheme; ``javascript:``, ``data:`` or ``vbscript:`` in an href would run
    in the visitor's browser (autoescaping does not help inside an attribute that is itself a URL).
    """
    if not iri:
        return None
    scheme, sep, rest = iri.partition(":")
    if sep and scheme.lower() in ("http", "https") and rest.startswith("//") and not any(ch.isspace() for ch in iri):
        return iri
    return None


_ENV.filters["web_link"] = web_link
NO_SUFFIX = {"sparql"}
CHROME = yaml.safe_load((HERE / "chrome.yaml").read_text(encoding="utf-8"))
LANGUAGES: tuple[str, ...] = tuple(CHROME["languages"])  # the first is the default


def translator(lang: str):
    """t(key, **values) → the page word ``key`` in ``lang`` (chrome.yaml), with {values} filled in."""
    strings = CHROME["strings"]

    def t(key: str, **values) -> str:
        text = strings[key][lang]
        return text.format(**values) if values else text

    return t


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for two site paths, without its two getcwd() calls per link (a page has
    hundreds of links); a path with ".." goes to posixpath.relpath itself."""
    if ".." in path or ".." in start or path.startswith("/") or start.startswith("/"):
        return posixpath.relpath(path, start)
    start_list = [x for x in posixpath.normpath(start).split("/") if x and x != "."]
    path_list = [x for x in posixpath.normpath(path).split("/") if x and x != "."]
    common = 0
    for a, b in zip(start_list, path_list):
        if a != b:
            break
        common += 1
    rel = [".."] * (len(start_list) - common) + path_list[common:]
    return "/".join(rel) if rel else "."


def make_url(page_path: str, suffix: str, lang_query: str | None = None):
    """url(target) → link from ``page_path`` to the site path ``target`` ("doc/person/x#frag").

    ``lang_query`` ("en"): links to pages carry ``lang=en``, so a language chosen with the toggle
    stays chosen from page to page (files such as static/… and data/… do not need it).
    """
    here = posixpath.dirname(page_path) or "."

    def url(target: str | None) -> str:
        if target is None:
            return ""
        path, _, frag = target.partition("#")
        path, _, query = path.partition("?")
        if suffix and path not in NO_SUFFIX and "." not in path.rsplit("/", 1)[-1]:
            path = path + suffix if path else "index" + suffix
        rel = _relpath(path or ".", here)
        if not path:
            rel = rel + "/" if rel != "." else "./"
        if lang_query and not path.startswith(("static/", "data/")) and "." not in path.rsplit("/", 1)[-1]:
            query = f"{query}&lang={lang_query}" if query else f"lang={lang_query}"
        return quote(rel, safe="/.-_~=,") + (f"?{query}" if query else "") + (f"#{frag}" if frag else "")

    return url


def compile_templates() -> None:
    """Compile every page template now (Jinja compiles one on its first use: 0.2 s for a resource
    page's, paid by the first visitors of a new server, and by the 8 who came at once)."""
    for name in _ENV.list_templates(filter_func=lambda name: name.endswith(".html")):
        _ENV.get_template(name)


class Pages:
    """Renders every kind of page for one Site."""

    def __init__(self, site: Site, suffix: str = "", live: bool = True, lang_query: bool = False) -> None:
        self.site = site
        self.suffix = suffix
        self.live = live  # a running server (search and SPARQL work) or a static copy
        self.lang = site.language
        self.lang_query = lang_query  # the language was chosen with ?lang= (the toggle): links keep it
        self.t = translator(self.lang)

    def render(self, template: str, page_path: str, **context) -> str:
        lang = self.lang
        other = next(code for code in LANGUAGES if code != lang)
        url = make_url(page_path, self.suffix, lang if self.lang_query else None)
        # the toggle: the same page in the other language (only kg serve can answer ?lang=)
        toggle = None
        if self.live and template != "error.html":  # an error page has no address of its own to switch
            plain = make_url(page_path, self.suffix)(page_path)
            toggle = {"href": f"{plain}{'&' if '?' in plain else '?'}lang={other}", "lang": other,
                      "name": CHROME["language_names"][other], "title": self.t("switch_language")}
        common = {"url": url, "site": self.site, "live": self.live,
                  "csp": None if self.live else META_CONTENT_SECURITY_POLICY,
                  "indexes": self.site.indexes, "version": __version__, "page_path": page_path,
                  "lang": lang, "other_lang": other, "t": self.t, "toggle": toggle,
                  "tr": self.t,  # for templates whose loops call a term "t"
                  "site_t": lambda code, key: translator(code)(key)}
        return _ENV.get_template(template).render(**common, **context)

    def resource(self, iri: str, page_path: str) -> str:
        view = views.resource_view(self.site, iri)
        article = views.article_view(self.site, iri) if view["is_article"] else None
        return self.render("resource.html", page_path, r=view, article=article,
                           alternates=self._alternates(page_path), title=view["label"])

    def _alternates(self, page_path: str) -> list[dict]:
        data = "data/" + page_path[len("doc/"):] if page_path.startswith("doc/") else page_path
        return [{"ext": ext, "type": mt, "href": data + ext}
                for ext, mt in _RDF_EXT]

    def home(self) -> str:
        return self.render("home.html", "", h=views.home_view(self.site), title=None)

    def index(self, key: str, page: int = 1) -> str | None:
        """An index page; on a live server ``PAGE_SIZE`` members a page (?page=N, rel=prev/next links,
        the order of the labels, so every member is on exactly one page). A static copy lists all.
        None when there is no such index or no such page."""
        index = self.site.index(key)
        if index is None:
            return None
        members = index["members"]
        total = len(members)
        if not self.live:
            return self.render("index.html", f"index/{key}", index=index, rows=views.index_rows(self.site, key),
                               total=total, pager=None, title=index["title"][self.lang])
        pages = max(1, -(-total // PAGE_SIZE))
        if not 1 <= page <= pages:
            return None
        start = (page - 1) * PAGE_SIZE
        chosen = members[start:start + PAGE_SIZE]
        rows = [views.value_view(self.site, _node(m)) for m in chosen]

        def link(n: int) -> str:
            return f"index/{key}" if n == 1 else f"index/{key}?page={n}"

        pager = None
        if pages > 1:
            pager = {"page": page, "pages": pages, "first": start + 1, "last": start + len(chosen),
                     "prev": link(page - 1) if page > 1 else None, "next": link(page + 1) if page < pages else None}
        title = index["title"][self.lang] + (f" ({page}/{pages})" if page > 1 else "")
        return self.render("index.html", link(page), index=index, rows=rows, total=total, pager=pager, title=title)

    def search(self, query: str, hits: list[tuple[str, str]]) -> str:
        rows = [views.value_view(self.site, _node(iri)) for iri, _ in hits]
        return self.render("search.html", "search", q=query, rows=rows,
                           title=f"{self.t('search')}: {query}" if query else self.t("search"))

    def ontology(self) -> str:
        return self.render("ontology.html", "ontology", o=ontodoc.ontology_view(self.site), which="ontology",
                           alternates=[{"ext": e, "type": t, "href": "ontology" + e} for e, t in _RDF_EXT],
                           title="Ontology")

    def shapes(self) -> str:
        return self.render("shapes.html", "shapes", shapes=ontodoc.shapes_view(self.site),
                           alternates=[{"ext": e, "type": t, "href": "shapes" + e} for e, t in _RDF_EXT],
                           title=self.t("shapes"))

    def sparql(self, query: str = "", examples: list[dict] | None = None, result: dict | None = None,
               error: str | None = None) -> str:
        return self.render("sparql.html", "sparql", query=query, examples=examples or [], result=result,
                           error=error, title="SPARQL", starter=starter_query(self.lang))

    def error(self, status: int, message: str, page_path: str = "error") -> str:
        return self.render("error.html", page_path, status=status, message=message, title=f"{status}")

    def void(self, view: dict) -> str:
        return self.render("void.html", ".well-known/void", v=view, title="VoID / DCAT",
                           alternates=[{"ext": e, "type": t, "href": ".well-known/void" + e} for e, t in _RDF_EXT])


# Members on one page of an index: a page of links renders in milliseconds whatever the corpus size.
PAGE_SIZE = 200

# What the empty query box holds: the prefixes of the data and one question that always answers.
STARTER_PREFIXES = ("pg", "org", "schema", "rdfs", "skos", "eli", "prov", "dcterms", "nif", "gaf", "xsd")
STARTER_QUESTION = {"vi": "# Ai giữ chức vụ gì? (người, tên, chức vụ)",
                    "en": "# Who holds which post? (person, name, post)"}
STARTER_BODY = """SELECT ?person ?name ?post ?postLabel WHERE {
  ?person a pg:Person ; rdfs:label ?name .
  OPTIONAL { ?person org:holds ?post . ?post rdfs:label ?postLabel }
}
ORDER BY ?name
LIMIT 50
"""


def starter_query(lang: str) -> str:
    from kg.namespaces import prefixes

    known = prefixes()
    lines = [f"PREFIX {p}: <{known[p]}>" for p in STARTER_PREFIXES if p in known]
    return "\n".join([*lines, "", STARTER_QUESTION[lang], STARTER_BODY])


_RDF_EXT = tuple((f.extension, f.media_type) for f in conneg.RDF_FORMATS)


def _node(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def load_static() -> dict[str, tuple[bytes, str]]:
    """kg/publish/static/* in memory: name → (bytes, content type)."""
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
             ".png": "image/png", ".svg": "image/svg+xml"}
    return {p.name: (p.read_bytes(), types.get(p.suffix, "application/octet-stream"))
            for p in sorted((HERE / "static").iterdir()) if p.is_file()}
