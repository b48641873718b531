"""Score kg.extract against hand-written expected facts: precision/recall per category.

Usage: python bench/extraction/score.py [EXPECTED.yaml] [CORPUS_DIR] [-v] [--per-file]

  EXPECTED.yaml  expected facts, one entry per article file name (default: dev_expected.yaml)
  CORPUS_DIR     folder holding those files (default: ../shared/corpus/dev beside the checkout,
                 the real articles the team measures with; not part of the repository)
  -v             list every false positive (FP) and false negative (FN)
  --per-file     one micro P/R line per article

Examples:
  score.py                                                  # dev set
  score.py bench/extraction/heldout_expected.yaml bench/extraction/heldout
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from kg.extract import extract
from kg.text import read_article

CATEGORIES = ("people", "documents", "meetings", "roles", "assemblies", "organizations")


def facts(x) -> dict[str, set[tuple]]:
    name = {e.key: getattr(e, "name", None) for g in (x.people, x.organizations, x.places) for e in g}
    terms = {t.key: t.label for t in x.terms}
    person = {p.key: p.name for p in x.people}
    return {
        "people": {(person[h.person], h.role, name.get(h.organization)) for h in x.holdings},
        "documents": {(d.number, d.doc_type, name.get(d.issuer)) for d in x.documents},
        "meetings": {(m.date.isoformat() if m.date else None, name.get(m.place), name.get(m.organizer))
                     for m in x.meetings},
        "roles": {(person[p.person], p.role) for p in x.participations},
        "assemblies": {(a.kind, a.ordinal, name.get(a.body), terms.get(a.term)) for a in x.assemblies},
        "organizations": {(o.name,) for o in x.organizations if o.mentions},
    }


def expected(entry: dict) -> dict[str, set[tuple]]:
    out = {}
    for cat in CATEGORIES:
        rows = entry.get(cat) or []
        out[cat] = {tuple(r) if isinstance(r, list) else (r,) for r in rows}
    return out


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    per_file = "--per-file" in argv
    args = [a for a in argv if a not in ("-v", "--per-file")]
    exp_path = Path(args[0]) if args else Path(__file__).with_name("dev_expected.yaml")
    corpus = Path(args[1]) if len(args) > 1 else Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dev"
    if not exp_path.is_file() or not corpus.is_dir():
        print(f"score.py: need an expectations file and a folder: {exp_path} {corpus}", file=sys.stderr)
        return 2
    gold = yaml.safe_load(exp_path.read_text(encoding="utf-8"))
    missing = sorted(f for f in gold if not (corpus / f).is_file())
    if missing:
        print(f"score.py: not in {corpus}: {', '.join(missing)}", file=sys.stderr)
        return 2
    totals = {c: [0, 0, 0] for c in CATEGORIES}  # tp, predicted, expected
    for fname, entry in sorted(gold.items()):
        got = facts(extract(read_article(corpus / fname)))
        want = expected(entry)
        file_tp = file_pred = file_gold = 0
        for cat in CATEGORIES:
            tp = got[cat] & want[cat]
            totals[cat][0] += len(tp)
            totals[cat][1] += len(got[cat])
            totals[cat][2] += len(want[cat])
            file_tp, file_pred, file_gold = file_tp + len(tp), file_pred + len(got[cat]), file_gold + len(want[cat])
            if verbose and got[cat] != want[cat]:
                for fp in sorted(got[cat] - want[cat], key=str):
                    print(f"{fname} {cat} FP {fp}")
                for fn in sorted(want[cat] - got[cat], key=str):
                    print(f"{fname} {cat} FN {fn}")
        if per_file:
            p = file_tp / file_pred if file_pred else 1.0
            r = file_tp / file_gold if file_gold else 1.0
            print(f"{fname:<14}{p:7.2f}{r:7.2f}   {file_tp}/{file_pred}/{file_gold}")
    print(f"{'category':<14}{'P':>7}{'R':>7}{'F1':>7}   tp/pred/gold")
    all_tp = all_pred = all_gold = 0
    for cat, (tp, pred, g) in totals.items():
        p = tp / pred if pred else 1.0
        r = tp / g if g else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        all_tp, all_pred, all_gold = all_tp + tp, all_pred + pred, all_gold + g
        print(f"{cat:<14}{p:7.2f}{r:7.2f}{f:7.2f}   {tp}/{pred}/{g}")
    p = all_tp / all_pred if all_pred else 1.0
    r = all_tp / all_gold if all_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{'micro':<14}{p:7.2f}{r:7.2f}{f:7.2f}   {all_tp}/{all_pred}/{all_gold}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
