"""bench/extraction/score.py: the shared gold format's matching, and one article scored end to end."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_score", ROOT / "bench" / "extraction" / "score.py")
score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(score)


def test_cells_fold_case_tone_placement_and_dashes():
    assert score.cell_matches("Ủy ban Kiểm tra Trung ương", "UỶ BAN KIỂM TRA TRUNG ƯƠNG")
    assert score.cell_matches("Phó Chủ tịch - Tổng Thư ký", "Phó Chủ tịch–Tổng Thư ký")
    assert score.cell_matches(["05", "05-CT/TW"], "05-CT/TW")
    assert score.cell_matches({"contains": "Hội nghị"}, "Hội nghị Ban Chấp hành lần thứ 8")
    assert score.cell_matches(None, "")
    assert not score.cell_matches("Hùng", "Hưng")  # diacritics are letters


def test_required_rows_are_matched_one_to_one_before_optional_ones():
    gold = [["A", ["Bí thư", "Phó Bí thư"]], ["A", "Bí thư"],
            {"variants": [["B", "Ủy viên"]], "optional": True}]
    got = [("A", "Bí thư"), ("A", "Phó Bí thư"), ("B", "Ủy viên"), ("C", "Ủy viên")]
    tp, missed, extra = score.match(gold, got)
    assert tp == 2  # the maximum matching gives "Bí thư" to the second row, "Phó Bí thư" to the first
    assert missed == []
    assert extra == [("C", "Ủy viên")]  # the optional row absorbs B; C is a false positive


def test_a_missed_required_row_is_reported_by_its_first_variant():
    tp, missed, extra = score.match([{"variants": [["X", "Chủ tịch"], ["X", "Chủ tịch nước"]]}], [])
    assert (tp, missed, extra) == (0, [["X", "Chủ tịch"]], [])


def test_an_article_of_ours_scores_through_the_shipped_cqs(capsys):
    gold = ROOT / "bench" / "extraction" / "gold" / "heldout" / "h01.json"
    assert score.main([str(gold), "-v"]) == 0
    out = capsys.readouterr().out
    assert "people         P=1.000 R=1.000" in out  # every post of h01 is found, none invented
    assert out.splitlines()[-1].startswith("micro-F1 ")
