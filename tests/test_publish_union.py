"""`kg serve` over the store's layout (kg.store.union): a plain pattern on /sparql sees each triple
once however many articles repeat it, and the dump holds the articles' graphs, not the derived union."""

from __future__ import annotations

import gzip
import json
from urllib.parse import urlencode

import pytest
from publish_support import ROOT, Server

TIMELINE = ROOT / "data" / "articles" / "timeline"  # four articles of ours about one committee
BODIES = "SELECT ?name WHERE { ?b a <https://w3id.org/pgkg/ontology#Organization> ; " \
         "<http://www.w3.org/2000/01/rdf-schema#label> ?name }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from kg.pipeline import export_article
    from kg.store import load_graphs, open_store

    folder = tmp_path_factory.mktemp("union") / "kg-store"
    with open_store(folder) as store:
        load_graphs(store, [(None, export_article(str(p)).nquads) for p in sorted(TIMELINE.glob("*.txt"))])
    srv = Server(folder)
    yield srv
    srv.stop()


def test_a_plain_pattern_sees_a_shared_body_once(server):
    status, _, body = server.get("/sparql?" + urlencode({"query": BODIES}), accept="application/sparql-results+json")
    assert status == 200
    names = [b["name"]["value"] for b in json.loads(body)["results"]["bindings"]]
    assert names.count("Tỉnh ủy Nam Định") == 1  # four articles name it; the union holds it once


def test_the_dump_holds_article_graphs_only(server):
    status, _, body = server.get("/dump.nq.gz")
    assert status == 200
    lines = gzip.decompress(body).decode("utf-8").splitlines()
    assert lines and all(line.rstrip(" .").endswith(">") and line.count(" <https://w3id.org/pgkg/graph/") == 1
                         for line in lines)


def test_the_dump_loads_and_validates_again(server, tmp_path):
    """kg's own dump is kg data: `kg validate` accepts it and `kg load` reads it into a fresh store."""
    from click.testing import CliRunner

    from kg.cli import main

    status, _, body = server.get("/dump.nq.gz")
    dump = tmp_path / "dump.nq.gz"
    dump.write_bytes(body)
    plain = tmp_path / "dump.nq"
    plain.write_bytes(gzip.decompress(body))
    checked = CliRunner().invoke(main, ["validate", str(plain)])
    assert checked.exit_code == 0, checked.output
    loaded = CliRunner().invoke(main, ["load", str(dump), "--store", str(tmp_path / "again")])
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 4 graphs" in loaded.stderr


def test_a_multi_article_export_loads_into_an_empty_store(tmp_path):
    """`kg export a b c -o all.nq` is sorted by line, so each article's quads are spread through the
    file; the bulk loader must still validate each article whole."""
    from click.testing import CliRunner

    from kg.cli import main

    out = tmp_path / "all.nq"
    articles = [str(p) for p in sorted(TIMELINE.glob("*.txt"))]
    assert CliRunner().invoke(main, ["export", "-q", *articles, "-o", str(out)]).exit_code == 0
    loaded = CliRunner().invoke(main, ["load", str(out), "--store", str(tmp_path / "store")])
    assert loaded.exit_code == 0, loaded.output
