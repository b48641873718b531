"""kg diff: what an extractor update or a new crawl changed, by IRI, as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main

TIMELINE = Path(__file__).resolve().parent.parent / "data" / "articles" / "timeline"  # four articles of ours


def export(tmp_path: Path, name: str, numbers) -> Path:
    out = tmp_path / name
    paths = [str(TIMELINE / f"tin-{n}.txt") for n in numbers]
    result = CliRunner().invoke(main, ["export", "-q", *paths, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_added_removed_and_changed(tmp_path):
    old = export(tmp_path, "old.trig", [0, 1])
    new = export(tmp_path, "new.trig", [1, 2])
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 1  # like diff(1): something differs
    text = result.stdout
    assert "  + Bí thư Tỉnh ủy Nam Định" in text  # a new post
    assert "  + Phạm Quang Hiếu – Bí thư – Tỉnh ủy Nam Định  (attested: 2024-04-12)" in text
    assert "  - Hội nghị sơ kết quý I" in text  # the meeting of the article that is gone
    assert "  ~ Phạm Quang Hiếu – Phó Bí thư – Tỉnh ủy Nam Định: attested 2023-02-10, 2023-09-05 → 2023-09-05" in text
    data = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "-f", "json"]).stdout)
    assert [p["name"] for p in data["posts"]["added"]] == [["Bí thư Tỉnh ủy Nam Định"]]
    assert data["people"] == {"added": [], "removed": [], "changed": []}


def test_the_same_facts_in_another_format_are_no_difference(tmp_path):
    trig = export(tmp_path, "a.trig", [0, 1])
    nquads = export(tmp_path, "a.nq", [1, 0])
    result = CliRunner().invoke(main, ["diff", str(trig), str(nquads)])
    assert result.exit_code == 0, result.stdout
    assert "people: 0 added, 0 removed, 0 changed" in result.stdout


def test_a_store_folder_is_a_side(tmp_path):
    old = export(tmp_path, "old.trig", [0])
    store = tmp_path / "store"
    loaded = CliRunner().invoke(main, ["load", str(old), "--store", str(store)])
    assert loaded.exit_code == 0, loaded.output
    assert CliRunner().invoke(main, ["diff", str(old), str(store)]).exit_code == 0


def test_an_unreadable_side_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    good = export(tmp_path, "good.trig", [0])
    result = CliRunner().invoke(main, ["diff", str(bad), str(good)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "bad.ttl" in result.stderr
    unknown = CliRunner().invoke(main, ["diff", str(tmp_path / "x.rdf"), str(good)])
    assert unknown.exit_code == 2 and "x.rdf" in unknown.stderr


def test_personnel_decisions_are_compared_too(tmp_path):
    appointments = Path(__file__).resolve().parent.parent / "data" / "articles" / "appointments" / "lang-son.txt"
    old = export(tmp_path, "old.trig", [0])
    new = tmp_path / "new.trig"
    assert CliRunner().invoke(main, ["export", "-q", str(TIMELINE / "tin-0.txt"), str(appointments),
                                     "-o", str(new)]).exit_code == 0
    data = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "-f", "json"]).stdout)
    kinds = sorted(k for a in data["appointments"]["added"] for k in a["kind"])
    assert "assigned" in kinds and "retired" in kinds
