"""Integrity: what kg exports survives a store round trip unchanged, on every store kg supports.

export → load → read the article's graph back (CONSTRUCT) → same triples → validates → loads again.
Oxigraph stores xsd:nonNegativeInteger / xsd:positiveInteger as xsd:integer, so kg writes xsd:integer
(with the bounds in SHACL) and nothing changes on the way.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.store import open_store
from kg.validate import validate

pytest_plugins = ["conftest_servers"]


def exported_triples(path) -> set[str]:
    return {str(t) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}


def read_back(store, graph: str) -> set[str]:
    answer = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {str(ox.Triple(t.subject, t.predicate, t.object)) for t in answer.triples}


def round_trip(store, exports, tmp_path):
    seed = exports["dir"] / "seed.ttl"
    store.load([seed])
    answer = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{exports['seed'].graph_iri}> {{ ?s ?p ?o }} }}")
    assert not answer.partial
    back = {str(ox.Triple(t.subject, t.predicate, t.object)) for t in answer.triples}
    assert back == exported_triples(seed)
    again = tmp_path / "read-back.nt"
    again.write_text("".join(f"{t} .\n" for t in sorted(back)), encoding="utf-8")
    import rdflib

    report = validate(rdflib.Graph().parse(again, format="nt"))
    assert report.accepted, report
    second = open_store(location=tmp_path / "second-store")  # what was read back loads like an export
    second.load([again])
    assert read_back(second, exports["seed"].graph_iri) == back


def test_integers_are_written_as_xsd_integer(exports):
    datatypes = {t.object.datatype.value for t in ox.parse(path=str(exports["dir"] / "seed.ttl"),
                                                          format=ox.RdfFormat.TURTLE)
                 if isinstance(t.object, ox.Literal)}
    assert "http://www.w3.org/2001/XMLSchema#integer" in datatypes
    assert not {d for d in datatypes if d.endswith(("nonNegativeInteger", "positiveInteger"))}


def test_round_trip_through_the_embedded_store(exports, tmp_path):
    round_trip(open_store(location=tmp_path / "store"), exports, tmp_path)


def test_round_trip_through_an_oxigraph_server(oxigraph_server, exports, tmp_path):
    round_trip(open_store(endpoint=oxigraph_server.url), exports, tmp_path)


@pytest.mark.virtuoso
def test_round_trip_through_virtuoso(virtuoso_server_uncapped, exports, tmp_path):
    server = virtuoso_server_uncapped
    store = open_store(endpoint=server.url, user=server.user, password=server.password)
    store.drop_all()
    round_trip(store, exports, tmp_path)
