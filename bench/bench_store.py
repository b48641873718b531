#!/usr/bin/env python3
"""`kg load` against `oxigraph load` on the same files, side by side in one run.

    python bench/bench_store.py [-n 1000] [--work /tmp/kg-bench-store] [--jobs 2] [--base CHECKOUT]

Generates N synthetic articles (bench/generate_corpus.py, deterministic), exports them once with
`kg export CORPUS -o corpus.nq.gz` (cached in --work), then loads those shards into fresh stores:

  oxigraph load             the reference bulk loader (one named graph per article, nothing more)
  oxigraph, kg's layout     the same plus an N-Triples copy of the shards into the default graph
                            (kg's union, docs/store.md): what the layout itself costs a bulk loader
  kg load --no-validate     kg's layout: the named graphs plus their de-duplicated union, the
                            bulk loader on one thread (kg.store.bulk.bulk_threads); --no-prepare,
                            so the loader alone
  KG_BULK_THREADS=2         the same on two threads, Oxigraph's own choice on this machine
  kg load --no-prepare (files kg export validated)   the loader alone on the default path: the
                            shards kg export vouched for, counted off their lines as they stream
                            by (kg.store.bulk.LineTally), not by query afterwards
  kg load (files kg export validated)   the default: kg export's records vouch for the shards,
                            and the load then keeps the CQs' answers and kg serve's search index
                            for the new store (kg.publish.prepare): what the first query and
                            kg serve's first start would otherwise compute
  kg load (delta)           10 articles re-exported into the full store (one transaction)

``--base CHECKOUT`` (a ``git worktree add --detach`` of the code before a change) adds the two kg
rows run from that checkout's code (this venv, its PYTHONPATH), in the same run.

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


def run(argv: list[str], env: dict | None = None, cwd: Path = ROOT) -> dict:
    """Wall, CPU and peak RSS of one child process (its own rusage, not the whole session's)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **env} if env else None)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{err[-2000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def size_mb(folder: Path) -> float:
    """The store's own files (the kept answers in kg-answers/ are a cache beside it, not the store)."""
    return round(sum(p.stat().st_size for p in folder.glob("*") if p.is_file()) / 2**20, 1)


def prepare(work: Path, n: int, jobs: int) -> list[Path]:
    corpus = work / "corpus"  # kg export -o corpus.nq.gz writes shards of 1,000,000 quads
    done = work / f"exported-{n}"
    if not done.is_file():
        if not corpus.is_dir() or len(list(corpus.rglob("*.txt"))) + len(list(corpus.rglob("*.md"))) != n:
            shutil.rmtree(corpus, ignore_errors=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / "generate_corpus.py"), str(corpus), "-n", str(n)],
                           check=True, stdout=subprocess.DEVNULL)
        subprocess.run([str(VENV / "kg"), "export", str(corpus), "-o", str(work / "corpus.nq.gz"),
                        "--jobs", str(jobs), "-q", "--force"], check=True, cwd=ROOT)
        done.write_text("")
    return sorted(work.glob("corpus-*.nq.gz"))


def union_copy(work: Path, shards: list[Path]) -> Path:
    """The shards' triples without their graph term (N-Triples, gzipped): oxigraph load puts them in
    the default graph, and writes each key once, so this is kg's union for a bulk loader."""
    import gzip
    import re

    out = work / "union-copy.nt.gz"
    if out.is_file() and out.stat().st_mtime > max(s.stat().st_mtime for s in shards):
        return out
    graph_term = re.compile(rb' <[^>" \n]*> \.\n')
    with gzip.open(out, "wb", compresslevel=1) as sink:
        for shard in shards:
            with gzip.open(shard, "rb") as source:
                rest = b""
                while block := source.read(1 << 22):
                    block = rest + block
                    cut = block.rfind(b"\n") + 1
                    sink.write(graph_term.sub(b" .\n", block[:cut]))
                    rest = block[cut:]
    return out


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
    parser.add_argument("--base", type=Path, help="a checkout of the code before: its kg rows too")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    shards = prepare(args.work, args.n, args.jobs)
    copy = union_copy(args.work, shards)
    names = ("oxigraph", "oxigraph-layout", "kg-novalidate", "kg-2threads", "kg-noprepare", "kg", "base-novalidate",
             "base-noprepare", "base")
    stores = {name: args.work / name for name in names}
    for folder in stores.values():
        shutil.rmtree(folder, ignore_errors=True)
    files = [str(s) for s in shards]
    kg = [str(VENV / "kg")]
    base_kg = [str(VENV / "python"), "-c", "import sys; from kg.cli import main; sys.exit(main())"]
    base_env = {"PYTHONPATH": str(args.base.resolve())} if args.base else None  # run in the checkout: -c puts cwd first
    oxigraph_files = [arg for f in files for arg in ("--file", f)]
    plan = [
        ("oxigraph load", "oxigraph", [str(VENV / "oxigraph"), "load", "--location", str(stores["oxigraph"]),
                                       *oxigraph_files], None),
        ("oxigraph, kg's layout", "oxigraph-layout",
         [str(VENV / "oxigraph"), "load", "--location", str(stores["oxigraph-layout"]), *oxigraph_files,
          "--file", str(copy)], None),
        ("kg load --no-validate --no-prepare", "kg-novalidate", [*kg, "load", "--no-validate", "--no-prepare",
                                                                 "--store", str(stores["kg-novalidate"]), *files], None),
        ("kg load --no-validate --no-prepare, 2 threads", "kg-2threads",  # Oxigraph's default on 2 cores
         [*kg, "load", "--no-validate", "--no-prepare", "--store", str(stores["kg-2threads"]), *files],
         {"KG_BULK_THREADS": "2"}),
        ("kg load --no-prepare (files kg export validated)", "kg-noprepare",
         [*kg, "load", "--no-prepare", "--store", str(stores["kg-noprepare"]), *files], None),
        ("kg load (files kg export validated)", "kg", [*kg, "load", "--store", str(stores["kg"]), *files], None),
    ]
    if args.base:
        plan += [
            ("before: kg load --no-validate --no-prepare", "base-novalidate",
             [*base_kg, "load", "--no-validate", "--no-prepare", "--store", str(stores["base-novalidate"]), *files],
             base_env),
            ("before: kg load --no-prepare (validated)", "base-noprepare",
             [*base_kg, "load", "--no-prepare", "--store", str(stores["base-noprepare"]), *files], base_env),
            ("before: kg load (files kg export validated)", "base",
             [*base_kg, "load", "--store", str(stores["base"]), *files], base_env),
        ]
    rows = {}
    for name, store, argv, env in plan:
        rows[name] = run(argv, env, args.base.resolve() if env is base_env and env else ROOT)
        rows[name]["store_mb"] = size_mb(stores[store])
    delta = delta_file(args.work, shards[0])
    rows["kg load (delta: 10 articles replaced)"] = run(
        [*kg, "load", "--no-validate", "--store", str(stores["kg"]), str(delta)])
    rows["kg load (delta: 10 articles replaced)"]["store_mb"] = size_mb(stores["kg"])
    quads = sum(1 for shard in shards for _ in __import__("gzip").open(shard, "rt", encoding="utf-8"))
    reference, layout = rows["oxigraph load"], rows["oxigraph, kg's layout"]
    print(f"{args.n} articles, {quads} quads in {len(shards)} shard{'s' * (len(shards) != 1)} "
          f"({sum(s.stat().st_size for s in shards) / 2**20:.1f} MB gzipped N-Quads), {os.cpu_count()} cores")
    print(f"{'run':<45} {'wall s':>7} {'CPU s':>7} {'peak RSS MB':>11} {'store MB':>8} "
          f"{'CPU ×ox':>7} {'CPU ×layout':>11} {'size ×ox':>8}")
    for name, r in rows.items():
        print(f"{name:<45} {r['wall_s']:>7} {r['cpu_s']:>7} {r['peak_rss_mb']:>11} {r['store_mb']:>8} "
              f"{r['cpu_s'] / reference['cpu_s']:>7.2f} {r['cpu_s'] / layout['cpu_s']:>11.2f} "
              f"{r['store_mb'] / reference['store_mb']:>8.2f}")
    print(json.dumps({"articles": args.n, "quads": quads, "runs": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
