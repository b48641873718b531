"""`kg export`, `kg validate`, `kg extract` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "seed.txt"


@pytest.fixture()
def runner():
    return CliRunner()


def run(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_export_writes_turtle_and_summary(runner, tmp_path):
    out = tmp_path / "seed.ttl"
    result = run(runner, "export", str(SEED), "-o", str(out))
    assert result.exit_code == 0, result.output
    graph = Graph().parse(out, format="turtle")
    assert len(graph) > 100
    # The summary on stderr: triples, entities per class, validation by severity.
    assert "triples" in result.stderr
    assert "Person" in result.stderr
    assert "Warning" in result.stderr  # the seed's "nhiệm kỳ 2021 - 2016"
    text = out.read_text(encoding="utf-8")
    assert "ns1:" not in text and "schema1:" not in text
    assert "@prefix pg: <https://w3id.org/pgkg/ontology#>" in text


def test_export_to_stdout_and_formats_are_isomorphic(runner, tmp_path):
    turtle = run(runner, "export", str(SEED), "-q")
    assert turtle.exit_code == 0
    graphs = {"turtle": Graph().parse(data=turtle.stdout, format="turtle")}
    for fmt, rdflib_fmt in (("nt", "nt"), ("jsonld", "json-ld")):
        out = tmp_path / f"seed.{fmt}"
        result = run(runner, "export", str(SEED), "-q", "-o", str(out))
        assert result.exit_code == 0
        graphs[fmt] = Graph().parse(out, format=rdflib_fmt)
    assert isomorphic(graphs["turtle"], graphs["nt"])
    assert isomorphic(graphs["turtle"], graphs["jsonld"])


def test_export_base_changes_iris(runner):
    result = run(runner, "export", str(SEED), "-q", "-f", "nt", "--base", "https://example.org/kg/")
    assert result.exit_code == 0
    assert "<https://example.org/kg/id/person/laji-xuaan-laam>" in result.stdout
    assert "https://w3id.org/pgkg/id/" not in result.stdout


def test_export_strict_makes_the_warning_fatal_and_writes_nothing(runner, tmp_path):
    out = tmp_path / "seed.ttl"
    result = run(runner, "export", str(SEED), "--strict", "-o", str(out))
    assert result.exit_code == 1
    assert not out.exists()
    assert "2016" in result.stderr  # the report names the offending value


def test_export_is_byte_identical_across_hash_seeds(tmp_path):
    outputs = set()
    for seed in ("0", "1", "12345"):
        out = tmp_path / f"seed-{seed}.ttl"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "kg", "export", str(SEED), "-q", "-o", str(out)],
                       check=True, env=env, cwd=tmp_path)
        outputs.add(out.read_bytes())
    assert len(outputs) == 1


def test_trig_keeps_one_named_graph_per_article(runner, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("---\ntitle: Hội nghị\npublished: 2024-06-06\n---\n"
                     "Ngày 5/6, tại Hà Nội, Ban Tuyên giáo Trung ương tổ chức Hội nghị giao ban.\n",
                     encoding="utf-8")
    out = tmp_path / "both.trig"
    result = run(runner, "export", str(SEED), str(other), "-q", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(out, format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert len([n for n in names if "/graph/" in n]) == 2


def test_validate_reports_warning_with_label(runner, tmp_path):
    out = tmp_path / "seed.ttl"
    run(runner, "export", str(SEED), "-q", "-o", str(out))
    result = run(runner, "validate", str(out))
    assert result.exit_code == 0
    assert "Warning" in result.stdout
    assert "2021-2016" in result.stdout  # the focus node's label
    strict = run(runner, "validate", str(out), "--strict")
    assert strict.exit_code == 1
    as_json = run(runner, "validate", str(out), "--format", "json")
    data = json.loads(as_json.stdout)
    assert data  # a JSON document a script can read


def test_validate_finds_a_violation(runner, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix pg: <https://w3id.org/pgkg/ontology#> .\n"
        "@prefix eli: <http://data.europa.eu/eli/ontology#> .\n"
        "<https://w3id.org/pgkg/id/document/x> a pg:Document ; eli:id_local \"không phải số\" .\n",
        encoding="utf-8")
    result = run(runner, "validate", str(bad))
    assert result.exit_code == 1
    assert "Violation" in result.stdout


def test_extract_prints_json_with_offsets(runner):
    result = run(runner, "extract", str(SEED))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    text = data["article"]["text"]
    names = {p["name"] for p in data["people"]}
    assert {"Nguyễn Minh Chung", "Lại Xuân Lâm"} <= names
    for person in data["people"]:
        for mention in person["mentions"]:
            assert text[mention["start"]:mention["end"]] == mention["text"]
    assert all(h["evidence"]["text"] for h in data["holdings"])


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n", "empty"),
        ("latin1.txt", "Hội nghị".encode("cp1258", errors="ignore") + b"\xff\xfe\x00bad", "UTF-8"),
        ("broken.txt", b"---\ntitle: [unclosed\n---\nNg\xc3\xa0y 6/1.\n", "front matter"),
        ("baddate.txt", b"---\npublished: not-a-date\n---\nNg\xc3\xa0y 6/1.\n", "published"),
    ],
)
def test_bad_input_gives_a_clear_error_and_no_output(runner, tmp_path, name, content, problem):
    article = tmp_path / name
    article.write_bytes(content)
    out = tmp_path / "out.ttl"
    result = run(runner, "export", str(article), "-o", str(out))
    assert result.exit_code != 0
    assert name in result.stderr
    assert problem.lower() in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.ttl.*"))


def test_missing_file_is_a_usage_error(runner, tmp_path):
    result = run(runner, "export", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "nope.txt" in result.stderr


def test_existing_output_survives_a_failed_export(runner, tmp_path):
    out = tmp_path / "seed.ttl"
    out.write_text("keep me", encoding="utf-8")
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    result = run(runner, "export", str(bad), "-o", str(out))
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "keep me"


def test_every_command_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        assert f"kg {name}" in readme, f"README does not document `kg {name}`"
