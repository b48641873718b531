"""`kg validate` as a user runs it: two verdicts that never contradict each other, standard input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SEED
from rdflib import Graph, Literal, URIRef

from kg.cli import main

SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def seed_turtle(tmp_path_factory):
    from kg.pipeline import export_article
    from kg.serialize import serialize

    path = tmp_path_factory.mktemp("v") / "seed.ttl"
    path.write_text(serialize(export_article(str(SEED)).graph, "turtle"), encoding="utf-8")
    return path


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_text_json_and_turtle_say_the_same_about_the_seed(seed_turtle):
    """The seed has one Warning: not SHACL-conformant anywhere, accepted by kg (exit 0)."""
    text = run("validate", str(seed_turtle))
    assert text.exit_code == 0
    assert "SHACL validation: KHÔNG hợp lệ / does not conform (0 Violation, 1 Warning, 2 Info)" in text.stdout
    assert "kg's verdict: chấp nhận / accepted (chỉ Violation mới từ chối / only a Violation rejects)" in text.stdout
    data = json.loads(run("validate", str(seed_turtle), "-f", "json").stdout)
    assert (data["conforms"], data["accepted"], data["strict"]) == (False, True, False)
    report = Graph().parse(data=run("validate", str(seed_turtle), "-f", "turtle").stdout, format="turtle")
    assert (None, URIRef(SH + "conforms"), Literal(False)) in report


def test_strict_rejects_the_warning_in_every_report(seed_turtle):
    text = run("validate", str(seed_turtle), "--strict")
    assert text.exit_code == 1
    assert "kg's verdict: BỊ TỪ CHỐI / rejected (--strict" in text.stdout
    data = json.loads(run("validate", str(seed_turtle), "--strict", "-f", "json").stdout)
    assert (data["conforms"], data["accepted"], data["strict"]) == (False, False, True)


@pytest.mark.parametrize("name", ["turtle", "ttl"])
def test_standard_input_with_an_input_format(seed_turtle, name):
    from_file = run("validate", str(seed_turtle), "-f", "json")
    from_stdin = run("validate", "-", "--input-format", name, "-f", "json", input=seed_turtle.read_bytes())
    assert from_stdin.exit_code == 0
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_standard_input_in_n_triples(seed_turtle):
    from kg.serialize import serialize

    graph = Graph().parse(seed_turtle, format="turtle")
    result = run("validate", "-", "-i", "ntriples", "-f", "json", input=serialize(graph, "nt").encode("utf-8"))
    assert result.exit_code == 0 and json.loads(result.stdout)["counts"]["Warning"] == 1


def test_standard_input_without_a_format_is_one_clear_line():
    result = run("validate", "-", input=b"<http://a> <http://b> <http://c> .\n")
    assert result.exit_code == 1
    assert "-: standard input has no extension to tell its format; give --input-format" in result.output
    assert "Traceback" not in result.output


def test_unknown_input_format_is_a_usage_error():
    result = run("validate", "-", "-i", "n3-ish", input=b"")
    assert result.exit_code == 2 and "'n3-ish' is not one of turtle" in result.output


def test_an_input_format_overrides_the_extension(tmp_path, seed_turtle):
    path = tmp_path / "seed.data"
    path.write_bytes(seed_turtle.read_bytes())
    assert run("validate", str(path)).exit_code == 1  # no extension kg knows: one clear line
    assert run("validate", str(path), "-i", "turtle").exit_code == 0


def test_ill_typed_literal_gives_kg_report_and_no_rdflib_traceback(tmp_path, seed_turtle):
    path = tmp_path / "bad-date.ttl"
    path.write_text(seed_turtle.read_text(encoding="utf-8")
                    + '\n<https://w3id.org/pgkg/id/x> <https://w3id.org/pgkg/ontology#attestedOn> '
                      '"2021-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr == ""  # rdflib's "Failed to convert Literal lexical form" traceback does not reach users
    assert "kg:ill-typed-literal" in done.stdout and "2021-13-45" in done.stdout
