"""One IRI, one prefixed name: validation reports, query tables and pages all go through
kg.namespaces.curie; they differ only in what they show when no prefix fits."""

from __future__ import annotations

import pytest

from kg.namespaces import curie, prefixes
from kg.publish.site import curie as page_curie
from kg.store.results import _compact as table_curie
from kg.validate import compact as report_curie

PG = prefixes()["pg"]
SCHEMA = prefixes()["schema"]
ROLE = prefixes()["pgrole"]


@pytest.mark.parametrize("iri, expected", [
    (f"{PG}startYear", "pg:startYear"),
    (f"{SCHEMA}NewsArticle", "schema:NewsArticle"),
    (f"{ROLE}bi-thu", "pgrole:bi-thu"),
    ("http://www.w3.org/2001/XMLSchema#gYear", "xsd:gYear"),
])
def test_a_prefix_that_fits_gives_the_same_name_everywhere(iri, expected):
    assert curie(iri) == page_curie(iri) == table_curie(iri) == report_curie(iri) == expected


@pytest.mark.parametrize("iri", [
    PG,  # the namespace itself: no local name
    f"{SCHEMA}a/b",  # a path, not a local name
    f"{ROLE}x#y",
    "https://w3id.org/pgkg/person/nguyen-van-a",  # an entity: no prefix for it
    "urn:x:y",
])
def test_no_prefixed_name_where_no_local_name_fits(iri):
    assert curie(iri) is None
    assert page_curie(iri) == table_curie(iri) == iri  # pages and tables show the IRI
    assert report_curie(iri) == f"<{iri}>"  # a validation report shows it in angle brackets


def test_the_longest_namespace_wins(monkeypatch):
    import kg.namespaces

    monkeypatch.setattr(kg.namespaces, "prefixes", lambda: {"e": "http://e.org/", "ex": "http://e.org/x#"})
    kg.namespaces._longest_first.cache_clear()
    try:
        assert curie("http://e.org/x#Post") == "ex:Post"
        assert curie("http://e.org/Post") == "e:Post"
    finally:
        monkeypatch.undo()
        kg.namespaces._longest_first.cache_clear()
    assert curie("http://www.w3.org/ns/org#Post") == "org:Post"
