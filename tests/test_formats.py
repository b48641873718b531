"""kg.formats: one table of RDF formats, looked up by name, alias, extension or media type."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import formats
from kg.errors import KgError


@pytest.mark.parametrize("name, expected", [
    ("turtle", formats.TURTLE), ("ttl", formats.TURTLE), ("TTL", formats.TURTLE),
    ("ntriples", formats.NTRIPLES), ("n-triples", formats.NTRIPLES), ("json-ld", formats.JSONLD),
    ("nq", formats.NQUADS), ("n-quads", formats.NQUADS), ("trig", formats.TRIG),
])
def test_names_and_the_usual_aliases(name, expected):
    assert formats.by_name(name) is expected


def test_an_unknown_name_is_a_usage_error_naming_the_choices():
    with pytest.raises(KgError) as err:
        formats.by_name("n3")
    assert err.value.exit_code == 2 and "turtle" in str(err.value)


def test_extensions_and_media_types():
    assert formats.by_extension(".TTL") is formats.TURTLE
    assert formats.by_extension(".json") is formats.JSONLD
    assert formats.by_extension(".rdf") is formats.RDFXML
    assert formats.by_extension(".n3") is None
    assert formats.by_media_type("text/turtle; charset=utf-8") is formats.TURTLE
    assert formats.by_media_type("application/n-quads") is formats.NQUADS


def test_every_format_is_one_pyoxigraph_knows_and_names_are_unique():
    names = [n for f in formats.ALL for n in (f.name, *f.aliases)]
    assert len(names) == len(set(names))
    for fmt in formats.ALL:
        assert isinstance(fmt.ox(), ox.RdfFormat)
        assert fmt.ox().supports_datasets == fmt.datasets
        assert fmt.media_type in fmt.ox().media_type or fmt.ox().media_type in fmt.media_types
