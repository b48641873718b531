"""Guard: no sentence of the real dev articles is copied into the project.

Lists every stretch of at least --min words (default 14) that a project file shares with an article
of the dev set, after NFC, case folding and punctuation removal (found through shared runs of 8
words, merged). Title chains and long canonical names ("Phó Bí thư Thường trực Tỉnh ủy, Chủ tịch
Hội đồng nhân dân tỉnh") are the genre's formulas and stay shorter; a longer stretch is a copied
sentence.

Usage: python bench/extraction/dev_overlap.py [--dev ../shared/corpus/dev] [--min 14] [PATH ...]
Exit 1 when a run is found, 0 when none.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATHS = ("tests", "kg", "bench", "data", "docs", "README.md", "ontology", "shapes")
RUN = 8  # words per shared run; runs that overlap or touch are merged into one stretch
SUFFIXES = {".py", ".txt", ".tsv", ".md", ".ttl", ".yaml", ".json", ".trig", ".nq", ".nt", ".jsonld", ".rq"}


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).casefold()
    return re.findall(r"[^\W_]+", text)


def runs(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def stretches(tokens: list[str], dev: dict[tuple[str, ...], str]) -> list[tuple[int, int, str]]:
    """Maximal stretches of ``tokens`` covered by runs the dev set also has: (start, end, article)."""
    out: list[tuple[int, int, str]] = []
    for i in range(len(tokens) - RUN + 1):
        article = dev.get(tuple(tokens[i:i + RUN]))
        if article is None:
            continue
        if out and i <= out[-1][1]:
            out[-1] = (out[-1][0], i + RUN, out[-1][2])
        else:
            out.append((i, i + RUN, article))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev")
    parser.add_argument("--min", type=int, default=14, help="shortest stretch reported, in words (default 14)")
    args = parser.parse_args(argv)
    if not args.dev.is_dir():
        print(f"dev_overlap.py: no dev folder at {args.dev}", file=sys.stderr)
        return 2
    dev: dict[tuple[str, ...], str] = {}
    for article in sorted(args.dev.glob("*.txt")):
        for run in runs(words(article.read_text(encoding="utf-8")), RUN):
            dev.setdefault(run, article.stem)
    found = 0
    for top in args.paths or [ROOT / p for p in DEFAULT_PATHS]:
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.suffix in SUFFIXES)
        for path in files:
            if ".venv" in path.parts or path.resolve() == Path(__file__).resolve():
                continue
            tokens = words(path.read_text(encoding="utf-8", errors="replace"))
            for start, end, article in stretches(tokens, dev):
                if end - start >= args.min:
                    found += 1
                    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                    print(f"{name}: dev {article}: {' '.join(tokens[start:end])}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
