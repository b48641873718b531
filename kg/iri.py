"""Deterministic IRIs: the same canonical name gives the same IRI in every article.

Data IRIs are slash IRIs under a configurable base (303-style when published,
see kg.publish); the ontology uses hash IRIs under ``PG`` because it is a
small, stable document.

    {base}id/person/nguyeexn-minh-chung
    {base}id/org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng
    {base}id/article/<16 hex>               the article; its named graph is {base}graph/<16 hex>
    {base}id/article/<16 hex>#char=78,81    a mention (RFC 5147 fragment, as NIF does)

Entity keys from kg.model ("org:ddarng-ury-khoosi") map to ``{base}id/org/ddarng-ury-khoosi``.
"""

from __future__ import annotations

import hashlib
import unicodedata

from kg import vietnamese
from kg.model import EntityKey

DEFAULT_BASE = "https://w3id.org/pgkg/"

_KIND_DIR = {
    "person": "person",
    "org": "org",
    "term": "term",
    "doc": "document",
    "assembly": "assembly",
    "place": "place",
    "meeting": "event",
    "post": "post",
    "tenure": "tenure",
    "attestation": "attestation",
    "participation": "participation",
    "appointment": "appointment",
    "article": "article",
}


def slug(text: str) -> str:
    """ASCII kebab-case slug of a name: kg.vietnamese.slug ("Đảng ủy Khối" → "ddarng-ury-khoosi", every diacritic kept)."""
    return vietnamese.slug(text)


def short_hash(*parts: str, length: int = 16) -> str:
    """Stable hex digest of the parts (NFC, joined by U+001F)."""
    joined = "\x1f".join(unicodedata.normalize("NFC", p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


def normalise_base(base: str) -> str:
    """Bases end with "/" (or "#") so IRIs are base + path."""
    return base if base.endswith(("/", "#")) else base + "/"


def key_to_iri(key: str, base: str = DEFAULT_BASE) -> str:
    """Entity key "org:ddarng-ury-khoosi" → "{base}id/org/ddarng-ury-khoosi"."""
    parsed = EntityKey.parse(key)  # ValueError "not an entity key: …"
    if parsed.kind not in _KIND_DIR:
        raise ValueError(f"not an entity key: {key!r}")
    return f"{normalise_base(base)}id/{_KIND_DIR[parsed.kind]}/{parsed.local}"


def article_id(url: str | None, content_hash: str, identity: str | None = None) -> str:
    """Article identifier, 16 hex digits, stable across edits of the text where it can be.

    1. the url: sha256(url)[:16];
    2. else ``identity`` (kg.model.Article.identity): sha256("id:" + front-matter id)[:16] or
       sha256("path:" + POSIX path relative to the corpus root)[:16];
    3. else (stdin, text in memory) the text: sha256(text)[:16], so an edit mints a new IRI.

    The prefixes keep the namespaces apart: an http(s) url never starts with "id:" or "path:".
    """
    if url:
        return short_hash(url)
    if identity:
        return short_hash(identity)
    return content_hash[:16]


def article_iri(article_id_: str, base: str = DEFAULT_BASE) -> str:
    return f"{normalise_base(base)}id/article/{article_id_}"


def graph_iri(article_id_: str, base: str = DEFAULT_BASE) -> str:
    """The named graph that holds one article's facts."""
    return f"{normalise_base(base)}graph/{article_id_}"


def graph_for_article_iri(article_iri_: str) -> str:
    """Named graph of an article IRI minted by ``article_iri`` (the store derives it so)."""
    head, sep, tail = article_iri_.rpartition("/id/article/")
    if not sep:
        raise ValueError(f"not an article IRI minted by kg: {article_iri_!r}")
    return f"{head}/graph/{tail}"


def mention_iri(article_iri_: str, start: int, end: int) -> str:
    return f"{article_iri_}#char={start},{end}"
