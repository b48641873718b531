"""Content negotiation (kg.publish.conneg): Accept parsing with q-values, specificity, extensions."""

from __future__ import annotations

import pytest

from kg.publish import conneg
from kg.publish.conneg import DOC_FORMATS, HTML, JSONLD, NTRIPLES, RDF_FORMATS, RESULT_FORMATS, TURTLE


@pytest.mark.parametrize("accept, offers, expected", [
    (None, DOC_FORMATS, HTML),
    ("", DOC_FORMATS, HTML),
    ("*/*", RDF_FORMATS, TURTLE),
    ("text/turtle", DOC_FORMATS, TURTLE),
    ("application/ld+json;q=0.9, text/turtle;q=0.5", DOC_FORMATS, JSONLD),
    ("text/turtle;q=0.5, */*;q=0.9", DOC_FORMATS, HTML),          # wildcard with a higher q wins
    ("text/*, application/n-triples;q=0.8", DOC_FORMATS, HTML),   # ties go to the server's order
    ("text/html;q=0, */*", DOC_FORMATS, TURTLE),                  # q=0 means "not this one"
    ("application/json", RDF_FORMATS, JSONLD),
    ("APPLICATION/N-TRIPLES", DOC_FORMATS, NTRIPLES),             # media types are case-insensitive
    ("text/turtle;charset=utf-8;q=0.7, text/html;level=1;q=0.6", DOC_FORMATS, TURTLE),
    ("text/html, */*;q=0.8", RDF_FORMATS, TURTLE),
    ("application/sparql-results+xml, */*;q=0.1", RESULT_FORMATS, conneg.SPARQL_XML),
    ("text/turtle;q=abc, text/html;q=0.1", DOC_FORMATS, HTML),    # a broken q is q=0
])
def test_negotiate(accept, offers, expected):
    assert conneg.negotiate(accept, offers) is expected


@pytest.mark.parametrize("accept", ["image/png", "text/html;q=0, image/*", "*/*;q=0"])
def test_nothing_acceptable(accept):
    assert conneg.negotiate(accept, DOC_FORMATS) is None


def test_split_extension():
    assert conneg.split_extension("doc/person/x.ttl") == ("doc/person/x", TURTLE)
    assert conneg.split_extension("doc/person/x.jsonld") == ("doc/person/x", JSONLD)
    assert conneg.split_extension("doc/person/x") == ("doc/person/x", None)
    assert conneg.split_extension(".ttl") == (".ttl", None)


def test_content_types_carry_utf8():
    assert HTML.content_type == "text/html; charset=utf-8"
    assert TURTLE.content_type == "text/turtle; charset=utf-8"


def test_rdf_offers_come_from_the_format_table():
    from kg import formats

    for offer in (*conneg.GRAPH_FORMATS,):
        assert offer.rdf is formats.by_name(offer.name)
        assert offer.media_type == offer.rdf.media_type and offer.extension == offer.rdf.extension
    assert conneg.negotiate("application/rdf+xml", RDF_FORMATS) is conneg.RDFXML
    assert conneg.negotiate("text/plain", DOC_FORMATS) is NTRIPLES
    assert conneg.negotiate("text/*", DOC_FORMATS) is HTML  # text/plain is an alias: named exactly only
    assert conneg.split_extension("data/person/x.rdf") == ("data/person/x", conneg.RDFXML)
    assert conneg.split_extension("graph/abc.trig") == ("graph/abc", conneg.TRIG)


@pytest.mark.parametrize("header, expected", [
    (None, "vi"), ("", "vi"), ("en", "en"), ("EN-us", "en"), ("vi-VN, en;q=0.5", "vi"), ("en, vi", "en"),
    ("de, fr;q=0.8", "vi"), ("en;q=0", "vi"), ("en;q=abc", "vi"), ("*;q=0.5, en;q=0.4", "vi"),
])
def test_accept_language(header, expected):
    assert conneg.negotiate_language(header, ("vi", "en")) == expected
