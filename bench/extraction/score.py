"""Score kg's extraction the way users meet it: export the article, run the shipped competency
questions (ontology/cq/*.rq) over the exported Turtle, and match the rows against gold answers.

The gold files use the shared format (../shared/corpus/GUIDELINES.md): one JSON file per article,
``"article"`` (its path under --article-root), optional ``"published"``, and one list of rows per
question. A cell is a string, a list of accepted strings, null (anything, including nothing) or
``{"contains": "..."}``; a row may be ``{"variants": [row, ...], "optional": true}``. Rows are
matched one-to-one, required rows first (maximum matching), then optional rows on what is left;
an optional row found is no false positive, missed is no error.

Usage:
  python bench/extraction/score.py                         # our own sets, bench/extraction/gold/*/*.json
  python bench/extraction/score.py GOLD.json ... [--article-root DIR] [-v]
  python bench/extraction/score.py ../shared/corpus/dev-gold/*.json --article-root ../shared   # real dev set

Prints precision / recall / F1 per question and a last line ``micro-F1 X.XXX P=… R=…``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
QUESTIONS = ("people", "documents", "meetings", "roles", "assemblies", "organizations")


def norm(value) -> str:
    """Cells compare after NFC, casefold, one tone placement, one dash and collapsed blanks."""
    from kg.vietnamese import new_tone_placement

    text = unicodedata.normalize("NFC", "" if value is None else str(value)).strip().strip('"').casefold()
    text = new_tone_placement(text).replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", re.sub(r"\s*-\s*", "-", text))


def cell_matches(gold, got: str) -> bool:
    if gold is None:
        return True
    if isinstance(gold, dict):
        return norm(gold["contains"]) in norm(got)
    if isinstance(gold, list):
        return any(cell_matches(one, got) for one in gold)
    return norm(gold) == norm(got)


def row_variants(row) -> tuple[list, bool]:
    if isinstance(row, dict):
        return row["variants"], bool(row.get("optional", False))
    return [row], False


def row_matches(variants: list, got: tuple) -> bool:
    return any(len(v) <= len(got) and all(cell_matches(c, x) for c, x in zip(v, got)) for v in variants)


def match(gold_rows: list, got_rows: list[tuple]) -> tuple[int, list, list]:
    """(true positives, missed required gold rows, extra system rows) under maximum matching."""
    gold = [row_variants(r) for r in gold_rows]
    fits = [[row_matches(variants, got) for got in got_rows] for variants, _ in gold]

    def maximum_matching(rows: list[int], free: list[int]) -> dict[int, int]:
        owner: dict[int, int] = {}  # system row → gold row

        def augment(i: int, seen: set[int]) -> bool:
            for j in free:
                if fits[i][j] and j not in seen:
                    seen.add(j)
                    if j not in owner or augment(owner[j], seen):
                        owner[j] = i
                        return True
            return False

        for i in rows:
            augment(i, set())
        return owner

    required = [i for i, (_, optional) in enumerate(gold) if not optional]
    optional = [i for i, (_, optional) in enumerate(gold) if optional]
    by_required = maximum_matching(required, list(range(len(got_rows))))
    by_optional = maximum_matching(optional, [j for j in range(len(got_rows)) if j not in by_required])
    found = set(by_required.values())
    missed = [gold[i][0][0] for i in required if i not in found]
    extra = [got for j, got in enumerate(got_rows) if j not in by_required and j not in by_optional]
    return len(by_required), missed, extra


def answers(article: Path, published: str | None) -> dict[str, list[tuple]]:
    """The six CQs' rows over the article's exported Turtle (as `kg export` writes it)."""
    import rdflib

    from kg.pipeline import export_text
    from kg.serialize import serialize

    text = article.read_text(encoding="utf-8")
    if published:  # the publication date travels as front matter, as README documents
        text = f"---\npublished: {published}\n---\n{text}"
    graph = rdflib.Graph()
    graph.parse(data=serialize(export_text(text, str(article), validate=False).graph, "turtle"), format="turtle")
    out = {}
    for question in QUESTIONS:
        query = (PROJECT / "ontology" / "cq" / f"{question}.rq").read_text(encoding="utf-8")
        rows = {tuple("" if v is None else str(v) for v in row) for row in graph.query(query)}
        if question == "documents":  # a document without a number is not scored
            rows = {r for r in rows if r and r[0].strip()}
        out[question] = sorted(rows)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold JSON files (default: bench/extraction/gold/*/*.json)")
    parser.add_argument("--article-root", type=Path, default=None,
                        help="folder the gold files' \"article\" paths are relative to (default: bench/extraction)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed and extra rows per article")
    args = parser.parse_args(argv)
    gold_files = args.gold or sorted((HERE / "gold").glob("*/*.json"))
    root = args.article_root or HERE
    totals = {q: [0, 0, 0] for q in QUESTIONS}  # tp, fp, fn
    for path in gold_files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        article = root / gold["article"]
        if not article.is_file():
            print(f"score.py: {path}: no article {article}", file=sys.stderr)
            return 2
        got = answers(article, gold.get("published"))
        for question in QUESTIONS:
            if question not in gold:
                continue
            tp, missed, extra = match(gold[question], got[question])
            for i, n in enumerate((tp, len(extra), len(missed))):
                totals[question][i] += n
            if args.verbose and (missed or extra):
                print(f"{path.stem} {question}: tp={tp} fp={len(extra)} fn={len(missed)}")
                for row in missed:
                    print(f"    missed: {row}")
                for row in extra:
                    print(f"    extra:  {row}")
    all_tp = all_fp = all_fn = 0
    for question, (tp, fp, fn) in totals.items():
        all_tp, all_fp, all_fn = all_tp + tp, all_fp + fp, all_fn + fn
        print(f"{question:14s} {_prf(tp, fp, fn)}  (tp={tp} fp={fp} fn={fn})")
    p, r, f = _scores(all_tp, all_fp, all_fn)
    print(f"micro-F1 {f:.3f} P={p:.3f} R={r:.3f}")
    return 0


def _scores(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _prf(tp: int, fp: int, fn: int) -> str:
    p, r, f = _scores(tp, fp, fn)
    return f"P={p:.3f} R={r:.3f} F1={f:.3f}"


if __name__ == "__main__":
    sys.exit(main())
