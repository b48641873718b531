"""HTTP content negotiation (RFC 9110 §12.5.1): ``Accept`` with q-values, and file extensions.

A *format* is one representation we can produce (HTML page, Turtle, JSON-LD, N-Triples, or a SPARQL
results syntax). ``negotiate`` picks the offer the client ranks highest; ties go to the server's order
of offers, so a client that sends ``*/*`` gets the first (the default) one.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg import formats


@dataclass(frozen=True)
class Format:
    name: str  # "html", "turtle", "jsonld", "nt", "rdfxml", "trig", "nquads", "json", "xml", "csv", "tsv"
    media_type: str  # what we send in Content-Type
    extension: str  # ".ttl"
    aliases: tuple[str, ...] = ()  # other media types that ask for the same thing
    rdf: formats.RdfFormat | None = None  # the row of kg.formats, for RDF syntaxes

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.rdf is not None or self.name in {"json", "xml"}
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


HTML = Format("html", "text/html", ".html", ("application/xhtml+xml",))


def _rdf(row: formats.RdfFormat, *extra_aliases: str) -> Format:
    """An RDF syntax of kg.formats (the one format table) as an offer: its first media type and extension."""
    return Format(row.name, row.media_type, row.extension, (*row.media_types[1:], *extra_aliases), row)


TURTLE = _rdf(formats.TURTLE)
JSONLD = _rdf(formats.JSONLD, "application/json")
# rdflib and curl users ask for N-Triples as text/plain (its media type before RDF 1.1).
NTRIPLES = _rdf(formats.NTRIPLES, "text/plain")
RDFXML = _rdf(formats.RDFXML)  # SPARQLWrapper's default for CONSTRUCT, Protégé, older tools
TRIG = _rdf(formats.TRIG)
NQUADS = _rdf(formats.NQUADS)

RDF_FORMATS = (TURTLE, JSONLD, NTRIPLES, RDFXML)  # one resource's triples (and CONSTRUCT/DESCRIBE)
GRAPH_FORMATS = (*RDF_FORMATS, TRIG, NQUADS)  # an article's named graph: also as a dataset (graph name kept)
DOC_FORMATS = (HTML, *RDF_FORMATS)  # a resource's document: HTML first, so browsers and */* get pages
BY_EXTENSION = {f.extension: f for f in (HTML, *GRAPH_FORMATS)}

# SPARQL results (SELECT/ASK); CONSTRUCT/DESCRIBE use RDF_FORMATS.
SPARQL_JSON = Format("json", "application/sparql-results+json", ".srj", ("application/json",))
SPARQL_XML = Format("xml", "application/sparql-results+xml", ".srx", ("application/xml", "text/xml"))
SPARQL_CSV = Format("csv", "text/csv", ".csv")
SPARQL_TSV = Format("tsv", "text/tab-separated-values", ".tsv")
RESULT_FORMATS = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)


def _q_value(params: list[str]) -> float:
    """The q parameter of one Accept / Accept-Language item: 1 when absent, 0 when unreadable, the last one
    when repeated."""
    q = 1.0
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                q = min(max(float(value), 0.0), 1.0)
            except ValueError:
                q = 0.0
    return q


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` → [(media range, q)], lower-cased; a missing header means ``*/*``."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"  # a lenient reading of "text"
        q = _q_value(fields[1:])
        ranges.append((media, q))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """q of the most specific range matching ``media_type`` (and that specificity)."""
    main = media_type.split("/")[0]
    best: tuple[int, float] | None = None
    for media, q in ranges:
        if media == media_type:
            spec = 2
        elif media == f"{main}/*":
            spec = 1
        elif media == "*/*":
            spec = 0
        else:
            continue
        if best is None or spec > best[0]:
            best = (spec, q)
    return (best[1], best[0]) if best else (0.0, -1)


def negotiate(accept: str | None, offers: tuple[Format, ...]) -> Format | None:
    """The offer the client prefers, or None when it accepts none of them (→ 406)."""
    ranges = parse_accept(accept)
    best: Format | None = None
    best_key = (0.0, -1)
    for offer in offers:
        # Aliases count only when named exactly: "*/*" must not revive a refused "text/html;q=0".
        exact_aliases = [qs for qs in (_quality(m, ranges) for m in offer.aliases) if qs[1] == 2]
        q, spec = max([_quality(offer.media_type, ranges), *exact_aliases])
        # An exact media type beats a wildcard at the same q ("text/html, */*" → html).
        if q > 0 and (q, spec) > best_key:
            best, best_key = offer, (q, spec)
    return best


def split_extension(path: str) -> tuple[str, Format | None]:
    """"doc/person/x.ttl" → ("doc/person/x", TURTLE); no known extension → (path, None)."""
    for ext, fmt in BY_EXTENSION.items():
        if path.endswith(ext) and len(path) > len(ext):
            return path[: -len(ext)], fmt
    return path, None


def negotiate_language(header: str | None, offers: tuple[str, ...]) -> str:
    """The language of ``offers`` the client ranks highest in ``Accept-Language`` (RFC 9110 §12.5.4).

    A range matches a language and its subtags ("en" and "en-GB" both ask for "en"); ties and
    a missing or unusable header go to the first offer (the site's own language).
    """
    best, best_q = offers[0], 0.0
    for part in (header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        q = _q_value(fields[1:])
        primary = tag.split("-", 1)[0]
        for offer in offers:
            if (primary == offer or tag == "*") and q > best_q:
                best, best_q = (offers[0] if tag == "*" else offer), q
    return best
