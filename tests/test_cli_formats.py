"""CLI conventions of rdfpipe, rapper and riot: format names and aliases, no silent Turtle for an
unknown extension, Popolo JSON as an output, and a closed stderr that cannot stop an export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main

SEED = Path(__file__).resolve().parent.parent / "data" / "articles" / "seed.txt"


@pytest.mark.parametrize("alias, ox_format", [("ttl", ox.RdfFormat.TURTLE), ("ntriples", ox.RdfFormat.N_TRIPLES),
                                              ("json-ld", ox.RdfFormat.JSON_LD), ("nq", ox.RdfFormat.N_QUADS),
                                              ("rdfxml", ox.RdfFormat.RDF_XML)])
def test_format_aliases(alias, ox_format, tmp_path):
    reference = tmp_path / "seed.ttl"
    assert CliRunner().invoke(main, ["export", "-q", str(SEED), "-o", str(reference)]).exit_code == 0
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", "-q", str(SEED), "-f", alias, "-o", str(out)])
    assert result.exit_code == 0, result.output
    triples = {str(ox.Triple(q.subject, q.predicate, q.object)) for q in ox.parse(path=str(out), format=ox_format)}
    assert triples == {str(t) for t in ox.parse(path=str(reference), format=ox.RdfFormat.TURTLE)}


def test_an_unknown_extension_is_a_usage_error_not_turtle(tmp_path):
    out = tmp_path / "seed.n3"
    result = CliRunner().invoke(main, ["export", "-q", str(SEED), "-o", str(out)])
    assert result.exit_code == 2
    assert "'.n3'" in result.stderr and "--format" in result.stderr
    assert not out.exists()


def test_an_unknown_format_name_lists_the_choices():
    result = CliRunner().invoke(main, ["export", "-q", str(SEED), "-f", "n3"])
    assert result.exit_code == 2 and "popolo" in result.stderr


def test_popolo_json_from_the_cli(tmp_path):
    out = tmp_path / "seed.json"
    result = CliRunner().invoke(main, ["export", "-q", str(SEED), "-f", "popolo", "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(document) == ["memberships", "organizations", "persons", "posts"]
    assert "Lại Xuân Lâm" in {p["name"] for p in document["persons"]}


def test_popolo_is_refused_in_corpus_mode(tmp_path):
    result = CliRunner().invoke(main, ["export", "-q", str(SEED.parent), "-f", "popolo", "--out-dir", str(tmp_path)])
    assert result.exit_code == 2 and "popolo" in result.stderr


def test_a_closed_stderr_does_not_stop_the_export(tmp_path):
    """`kg export X -o f.ttl 2>&1 | head -1` still writes f.ttl."""
    out = tmp_path / "f.ttl"
    kg = [sys.executable, "-m", "kg", "export", str(SEED), "-o", str(out)]
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    done = subprocess.run(kg, stdout=reader.stdin, stderr=reader.stdin, timeout=120)
    reader.stdin.close()
    reader.wait()
    assert done.returncode == 0
    assert out.stat().st_size > 10_000
