#!/usr/bin/env python3
"""`kg load` against `oxigraph load` on the same files, side by side in one run.

    python bench/bench_store.py [-n 1000] [--work /tmp/kg-bench-store] [--jobs 2]

Generates N synthetic articles (bench/generate_corpus.py, deterministic), exports them once with
`kg export CORPUS -o corpus.nq.gz` (cached in --work), then loads that shard into fresh stores:

  oxigraph load             the reference bulk loader (one named graph per article, nothing more)
  kg load --no-validate     kg's layout: the named graphs plus their de-duplicated union
  kg load                   the same, validating every article graph with SHACL first
  kg load (delta)           10 articles re-exported into the full store (one transaction)

Each load runs in its own child process; wall time, CPU time (user + system, from wait4) and
peak RSS of that process are printed with the store's size on disk, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"


def run(argv: list[str]) -> dict:
    """Wall, CPU and peak RSS of one child process (its own rusage, not the whole session's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{err[-2000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def prepare(work: Path, n: int, jobs: int) -> Path:
    corpus, shard = work / "corpus", work / "corpus-00000.nq.gz"  # kg export -o corpus.nq.gz writes shards
    done = work / f"exported-{n}"
    if not (shard.is_file() and done.is_file()):
        if not corpus.is_dir() or len(list(corpus.rglob("*.txt"))) + len(list(corpus.rglob("*.md"))) != n:
            shutil.rmtree(corpus, ignore_errors=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate_corpus.py"), str(corpus), "-n", str(n)],
                           check=True, stdout=subprocess.DEVNULL)
        subprocess.run([str(VENV / "kg"), "export", str(corpus), "-o", str(work / "corpus.nq.gz"),
                        "--jobs", str(jobs), "-q", "--force"], check=True, cwd=ROOT)
        if sorted(p.name for p in work.glob("corpus-*.nq.gz")) != [shard.name]:
            raise SystemExit(f"expected one shard in {work}; raise --shard-size or load them all")
        done.write_text("")
    return shard


def delta_file(work: Path, shard: Path, articles: int = 10) -> Path:
    """The first ``articles`` graphs of the shard, each with one triple less: a reload that replaces."""
    import gzip

    out = work / "delta.nq"
    graphs: dict[str, list[str]] = {}
    with gzip.open(shard, "rt", encoding="utf-8") as handle:
        for line in handle:
            graph = line.rsplit("<", 1)[-1]
            if graph not in graphs and len(graphs) == articles:
                break
            graphs.setdefault(graph, []).append(line)
    out.write_text("".join(line for lines in graphs.values() for line in lines[1:]), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="articles (default 1000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-store"), help="working folder")
    parser.add_argument("--jobs", type=int, default=2, help="kg export --jobs (default 2)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    shard = prepare(args.work, args.n, args.jobs)
    stores = {name: args.work / name for name in ("oxigraph", "kg-novalidate", "kg")}
    for folder in stores.values():
        shutil.rmtree(folder, ignore_errors=True)
    rows = {
        "oxigraph load": run([str(VENV / "oxigraph"), "load", "--location", str(stores["oxigraph"]),
                              "--file", str(shard)]),
        "kg load --no-validate": run([str(VENV / "kg"), "load", "--no-validate", "--store",
                                      str(stores["kg-novalidate"]), str(shard)]),
        "kg load": run([str(VENV / "kg"), "load", "--store", str(stores["kg"]), str(shard)]),
    }
    rows["oxigraph load"]["store_mb"] = size_mb(stores["oxigraph"])
    rows["kg load --no-validate"]["store_mb"] = size_mb(stores["kg-novalidate"])
    rows["kg load"]["store_mb"] = size_mb(stores["kg"])
    delta = delta_file(args.work, shard)
    rows["kg load (delta: 10 articles replaced)"] = run(
        [str(VENV / "kg"), "load", "--no-validate", "--store", str(stores["kg"]), str(delta)])
    rows["kg load (delta: 10 articles replaced)"]["store_mb"] = size_mb(stores["kg"])
    quads = sum(1 for _ in __import__("gzip").open(shard, "rt", encoding="utf-8"))
    reference = rows["oxigraph load"]
    print(f"{args.n} articles, {quads} quads ({shard.stat().st_size / 2**20:.1f} MB gzipped N-Quads), "
          f"{os.cpu_count()} cores")
    print(f"{'run':<40} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12} {'store MB':>9} {'wall ×':>7} {'size ×':>7}")
    for name, r in rows.items():
        print(f"{name:<40} {r['wall_s']:>8} {r['cpu_s']:>8} {r['peak_rss_mb']:>12} {r['store_mb']:>9} "
              f"{r['wall_s'] / reference['wall_s']:>7.2f} {r['store_mb'] / reference['store_mb']:>7.2f}")
    print(json.dumps({"articles": args.n, "quads": quads, "runs": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
