"""Extraction speed per article, this checkout against another one, in one run.

Each side runs in its own child process (its own interpreter and venv) that warms up on the first
article, then extracts every article ROUNDS times; rounds of the two sides alternate so that a noisy
shared machine slows both alike. Prints CPU milliseconds per article (process time, the figure
that does not depend on other load) and wall milliseconds, the median over rounds, side by side.

Usage:
  python bench/extraction/speed.py --baseline ../kg-before [FOLDER ...] [--rounds 5]

FOLDER: folders of articles (*.txt, *.md); default: bench/extraction's own sets and the seed.
--baseline: another checkout of kg with its own .venv (e.g. `git worktree add ../kg-before <commit>`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]

# Runs inside the child: extract each article once per call, report process and wall seconds.
_CHILD = r"""
import json, sys, time
from kg.extract import extract
from kg.text import read_article
paths = json.loads(sys.argv[1])
articles = [read_article(p) for p in paths]
extract(articles[0])  # warm-up: gazetteers, compiled patterns
for line in sys.stdin:
    cpu, wall = time.process_time(), time.perf_counter()
    for article in articles:
        extract(article)
    print(json.dumps([time.process_time() - cpu, time.perf_counter() - wall]), flush=True)
"""


def python_of(checkout: Path) -> str:
    candidate = checkout / ".venv" / "bin" / "python"
    return str(candidate) if candidate.is_file() else sys.executable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--baseline", type=Path, required=True, help="another kg checkout with its own .venv")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    folders = args.folders or sorted(p for p in HERE.iterdir() if p.is_dir() and p.name.startswith("heldout"))
    paths = sorted(str(p.resolve()) for folder in folders for p in folder.iterdir() if p.suffix in (".txt", ".md"))
    if not args.folders:
        paths.append(str(PROJECT / "data" / "articles" / "seed.txt"))
    if not paths:
        print("speed.py: no articles found", file=sys.stderr)
        return 2
    sides = {"kg (this checkout)": PROJECT, f"baseline ({args.baseline})": args.baseline.resolve()}
    children = {
        name: subprocess.Popen([python_of(root), "-c", _CHILD, json.dumps(paths)], cwd=root, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        for name, root in sides.items()
    }
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    try:
        for _ in range(args.rounds):
            for name, child in children.items():  # alternate: both sides see the same machine
                child.stdin.write("go\n")
                child.stdin.flush()
                timings[name].append(tuple(json.loads(child.stdout.readline())))
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait()
    n = len(paths)
    print(f"{n} articles, {args.rounds} rounds; median per article")
    print(f"{'side':<48}{'CPU ms':>10}{'wall ms':>10}")
    medians = {}
    for name, rows in timings.items():
        cpu = statistics.median(r[0] for r in rows) / n * 1000
        wall = statistics.median(r[1] for r in rows) / n * 1000
        medians[name] = cpu
        print(f"{name:<48}{cpu:>10.2f}{wall:>10.2f}")
    ours, theirs = medians.values()
    print(f"ratio (CPU, this / baseline): {ours / theirs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
