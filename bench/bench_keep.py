#!/usr/bin/env python3
"""A kept CQ answer's whole evaluation: one query against batches of keys, side by side in one run.

    python bench/bench_keep.py STORE [--cq NAME ...] [--batch N]

For each shipped CQ that keeps its answer (kg.store.answers), on the store at STORE opened
read-only (kg.publish.server.open_read_only; nothing is written, not even kept answers):

  one query     evaluate(plan, store): the keyed form over the whole store, what a store of fewer
                than ONE_QUERY_TRIPLES triples runs (and every store before batches)
  batches       whole_rows(plan, store, ...) with ONE_QUERY_TRIPLES = 0: the keys listed from the
                anchor pattern, then BATCH_KEYS (or --batch) at a time on their neighbourhood

Each evaluation runs in a child process of its own (a fresh interpreter: the engine's memory is
its own), one query and batches alternately, one at a time; wall time, CPU time (user + system,
from wait4) and peak RSS of that child are printed with the keys and rows it made, then one JSON
line. Both must give the same number of keys and rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"

CHILD = """
import json, sys
from kg.publish.server import open_read_only
from kg.store import answers

location, name, mode, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
store = open_read_only(location)
plan = next(p for p in answers.shipped_plans() if p.name == name)
_ = plan.patterns  # the analysis (rdflib's parser) is not what is measured, but it is in the child
if mode == "one query":
    found = [answers.evaluate(plan, store)[1]]
else:
    answers.ONE_QUERY_TRIPLES = 0
    if batch:
        answers.BATCH_KEYS = batch
    found = answers.whole_rows(plan, store, 0)[1]
keys = rows = 0
for part in found:
    keys += len(part)
    rows += sum(len(r) for r in part.values())
print(json.dumps({"keys": keys, "rows": rows}))
"""


def run(argv: list[str]) -> dict:
    """Wall, CPU and peak RSS of one child process (its own rusage), with the JSON it printed."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv[:2])} {' '.join(argv[3:])}\n{err[-2000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), **json.loads(out.strip().splitlines()[-1])}


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from kg.store import answers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a kg store folder (opened read-only)")
    parser.add_argument("--cq", action="append", help="a kept CQ (default: every one)")
    parser.add_argument("--batch", type=int, default=0, help=f"keys a batch (default BATCH_KEYS, {answers.BATCH_KEYS})")
    args = parser.parse_args(argv)
    names = args.cq or [plan.name for plan in answers.shipped_plans()]
    results: dict = {}
    print(f"{args.store}: batches of {args.batch or answers.BATCH_KEYS} keys "
          f"(kg: one query below {answers.ONE_QUERY_TRIPLES:,} triples), {os.cpu_count()} cores")
    print(f"{'CQ':<13} {'run':<10} {'keys':>8} {'rows':>8} {'wall s':>7} {'CPU s':>7} {'peak RSS MB':>11} {'CPU ×one':>8}")
    for name in names:
        for mode in ("one query", "batches"):
            found = results.setdefault(name, {})[mode] = run(
                [str(VENV / "python"), "-c", CHILD, str(args.store), name, mode, str(args.batch)])
            one = results[name]["one query"]
            print(f"{name:<13} {mode:<10} {found['keys']:>8} {found['rows']:>8} {found['wall_s']:>7} "
                  f"{found['cpu_s']:>7} {found['peak_rss_mb']:>11} {found['cpu_s'] / max(one['cpu_s'], 0.01):>8.2f}",
                  flush=True)
        if results[name]["one query"]["rows"] != results[name]["batches"]["rows"]:
            raise SystemExit(f"{name}: the batches made another number of rows than one query")
    print(json.dumps({"store": str(args.store), "batch_keys": args.batch or answers.BATCH_KEYS, "runs": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
