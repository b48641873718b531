"""kg.serialize: byte-identical output across runs and hash seeds; lossless round-trips."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.errors import KgError
from kg.map import to_dataset
from kg.serialize import FORMATS, serialize

TESTS = Path(__file__).resolve().parent

# Builds the seed graph and a two-article dataset, prints a digest per format.
SCRIPT = """
import dataclasses, hashlib, sys
sys.path.insert(0, {tests!r})
from conftest import build_seed_extraction, read_seed
from kg.map import to_dataset, to_graph
from kg.serialize import serialize
x = build_seed_extraction(read_seed())
other = dataclasses.replace(x, article=dataclasses.replace(x.article, url="https://example.org/b"))
g, ds = to_graph(x), to_dataset([other, x])
for fmt in ("turtle", "nt", "jsonld", "trig", "nquads"):
    for name, obj in (("graph", g), ("dataset", ds)):
        print(fmt, name, hashlib.sha256(serialize(obj, fmt).encode("utf-8")).hexdigest())
"""


def test_byte_identical_across_processes_and_hash_seeds():
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT.format(tests=str(TESTS))], env=env,
                              capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert len(outputs.pop().splitlines()) == 10


def test_same_bytes_whatever_the_insertion_order(seed_graph):
    shuffled = Graph(identifier=seed_graph.identifier, bind_namespaces="none")
    for prefix, ns in seed_graph.namespaces():
        shuffled.bind(prefix, ns)
    for triple in sorted(seed_graph, reverse=True):
        shuffled.add(triple)
    for fmt in FORMATS:
        assert serialize(shuffled, fmt) == serialize(seed_graph, fmt), fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_invented_prefixes(seed_graph, fmt):
    text = serialize(seed_graph, fmt)
    assert not re.search(r"\bns\d+:|\bschema1:", text)


def test_turtle_uses_the_prefix_table(seed_graph):
    text = serialize(seed_graph, "turtle")
    assert "@prefix pg: <https://w3id.org/pgkg/ontology#> ." in text
    assert "@prefix schema: <http://schema.org/> ." in text
    assert "_:" not in text


def test_round_trips_are_isomorphic(seed_graph):
    turtle = Graph().parse(data=serialize(seed_graph, "turtle"), format="turtle")
    ntriples = Graph().parse(data=serialize(turtle, "nt"), format="nt")
    jsonld = Graph().parse(data=serialize(ntriples, "jsonld"), format="json-ld")
    back = Graph().parse(data=serialize(jsonld, "turtle"), format="turtle")
    for graph in (turtle, ntriples, jsonld, back):
        assert isomorphic(graph, seed_graph)


def test_dataset_round_trips(seed_extraction):
    other = dataclasses.replace(seed_extraction,
                                article=dataclasses.replace(seed_extraction.article, url="https://example.org/b"))
    dataset = to_dataset([seed_extraction, other])
    for fmt, rdflib_fmt in (("trig", "trig"), ("nquads", "nquads"), ("jsonld", "json-ld")):
        parsed = Dataset()
        parsed.parse(data=serialize(dataset, fmt), format=rdflib_fmt)
        names = sorted(str(g.identifier) for g in parsed.graphs() if len(g))
        assert names == sorted(str(g.identifier) for g in dataset.graphs() if len(g))
        for name in names:
            assert isomorphic(parsed.graph(name), dataset.graph(name)), (fmt, name)


def test_nquads_of_a_graph_name_its_graph(seed_graph):
    lines = serialize(seed_graph, "nquads").splitlines()
    assert lines == sorted(lines)
    assert all(line.endswith(f"<{seed_graph.identifier}> .") for line in lines)
    assert len(lines) == len(seed_graph)


def test_ntriples_sorted_one_per_triple(seed_graph):
    lines = serialize(seed_graph, "nt").splitlines()
    assert lines == sorted(lines) and len(lines) == len(seed_graph)


def test_jsonld_is_compact_and_sorted(seed_graph):
    data = json.loads(serialize(seed_graph, "jsonld"))
    assert data["@context"]["pg"] == "https://w3id.org/pgkg/ontology#"
    ids = [node["@id"] for node in data["@graph"]]
    assert ids == sorted(ids)
    person = next(n for n in data["@graph"] if n["@id"].endswith("/person/laji-xuaan-laam"))
    assert person["@type"] == "pg:Person"


def test_unknown_format():
    with pytest.raises(KgError, match="unknown RDF format 'n3'"):
        serialize(Graph(), "n3")


def test_seed_turtle_digest_is_stable(seed_graph):
    # Two calls in one process, too: no hidden state in the serializer.
    first = hashlib.sha256(serialize(seed_graph, "turtle").encode()).hexdigest()
    assert first == hashlib.sha256(serialize(seed_graph, "turtle").encode()).hexdigest()
