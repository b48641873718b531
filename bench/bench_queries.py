#!/usr/bin/env python3
"""The shipped CQs, --with-source and kg stats on one store: kg against the alternatives, in one run.

    python bench/bench_queries.py --store /tmp/kgq/store5k [--cq people,timeline] [--per-graph people]
    python bench/bench_queries.py -n 5000 [--work /tmp/kg-bench-queries]   # generate, export --load, then run

For each CQ (ontology/cq/*.rq), each in its own child process on the same store (read-only):

  kg query --cq NAME, first   kg's path with no kept rows (the final ORDER BY sorted in Python:
                              kg.store.ordering); a CQ that declares #@keep-per keeps its rows
  kg query --cq NAME, kept    the same command again: read from the kept rows (kg.store.answers)
  oxigraph query              the Oxigraph CLI, the same query text on the same store (its default
                              graph is kg's union), results written as CSV to /dev/null
  pyoxigraph direct           Store.query(cq) in Python, every row materialised (what kg did before)
  kg query --with-source      one query over every article graph (kg.store.sourced)
  per graph (--per-graph)     the previous --with-source: one query per article graph (slow: opt-in)

and `kg stats` (from the counts the store keeps: kg.store.counts) against the three stats queries
run by pyoxigraph (what kg stats did before). Wall time, CPU time (user + system of the child, from
wait4) and peak RSS per run; a table, then one JSON line.
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
PY = str(VENV / "python")

DIRECT = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
rows = [tuple(s) for s in store.query(open(sys.argv[2], encoding="utf-8").read())]
print(len(rows))
"""

PER_GRAPH = """
import sys
import kg.store.sourced as sourced
from kg.store import cq_query, open_store
sourced.rewrite = lambda query: None  # the path before: one query per article graph
with open_store(sys.argv[1], read_only=True) as store:
    print(len(store.query_with_source(cq_query(sys.argv[2])).rows))
"""

DROP_GRAPHS = """
import gzip, sys
from kg.store import open_store
graphs = sorted({line.rsplit(" ", 2)[-2][1:-1] for path in sys.argv[2:] for line in gzip.open(path, "rt") if line.strip()})
with open_store(sys.argv[1]) as store:
    print(len(store.drop(graphs)))
"""

KEEP_ALL = """
import sys
from kg.store import answers, cq_query, open_store
with open_store(sys.argv[1]) as store:
    for plan in answers.shipped_plans():
        store.query(cq_query(plan.name))
"""

STATS_BY_QUERY = """
import sys
from kg.store import Store, open_store
with open_store(sys.argv[1], read_only=True) as store:
    store.triple_count = lambda: Store.triple_count(store)  # by query, as any store (and kg stats before)
    info = Store.stats(store)
print(info["graphs"], info["triples"])
"""


def measured(argv: list[str]) -> dict:
    """Wall, CPU (user + system) and peak RSS of one child process, and the lines it printed."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "lines": out.count(b"\n")}


def delta_runs(store: Path, shards: list[Path], repeat: int) -> dict:
    """``kg load`` of ``shards`` and their drop, with kept answers (kg.store.answers) and without, interleaved;
    the best of ``repeat`` rounds each. The store ends as it began."""
    kg = str(VENV / "kg")
    runs: dict[str, list] = {}
    for _ in range(repeat):
        for kept in (True, False):
            for name in [p.stem for p in (ROOT / "ontology" / "cq").glob("*.rq")]:
                forget_kept(store, name)
            if kept:
                measured([PY, "-c", KEEP_ALL, str(store)])
            label = "with kept answers" if kept else "no kept answers"
            runs.setdefault(f"kg load, {label}", []).append(
                measured([kg, "load", "--store", str(store), *map(str, shards)]))
            runs.setdefault(f"drop, {label}", []).append(measured([PY, "-c", DROP_GRAPHS, str(store), *map(str, shards)]))
    return {name: min(found, key=lambda r: r["cpu_s"]) for name, found in runs.items()}


def forget_kept(store: Path, name: str) -> None:
    """Remove the kept rows of CQ ``name`` (kg.store.answers), so that the next run evaluates it."""
    import sqlite3

    path = store / "kg-answers" / "answers.sqlite"
    if path.is_file():
        db = sqlite3.connect(path)
        db.execute("DELETE FROM kept WHERE name = ?", (name,))
        db.commit()
        db.close()


def prepare(work: Path, n: int, jobs: int) -> Path:
    """Generate N articles and `kg export --load` them into work/store (cached)."""
    corpus, store, done = work / "corpus", work / "store", work / f"loaded-{n}"
    if store.is_dir() and done.is_file():
        return store
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    subprocess.run([PY, str(ROOT / "bench" / "generate_corpus.py"), str(corpus), "-n", str(n)], check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([str(VENV / "kg"), "export", str(corpus), "-o", str(work / "corpus.nq.gz"), "--jobs", str(jobs),
                    "-q", "--force", "--load", "--store", str(store)], check=True, cwd=ROOT)
    done.write_text("")
    return store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="an existing kg store (else -n articles are generated)")
    parser.add_argument("-n", type=int, default=1000, help="articles to generate without --store (default 1000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-queries"), help="working folder")
    parser.add_argument("--jobs", type=int, default=2, help="kg export --jobs (default 2)")
    parser.add_argument("--cq", default="", help="comma-separated CQ names (default: all shipped)")
    parser.add_argument("--per-graph", default="", help="CQs to also run with the per-graph --with-source")
    parser.add_argument("--no-direct", action="store_true", help="leave out the pyoxigraph-direct runs (big stores)")
    parser.add_argument("--no-with-source", action="store_true", help="leave out the --with-source runs (big stores)")
    parser.add_argument("--delta", nargs="*", type=Path, default=[],
                        help="kg export shards of articles the store lacks: `kg load` them and drop them again, "
                             "with and without kept CQ answers (the upkeep's cost), interleaved")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the --delta runs (default 2)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from kg.store import cq_names

    store = args.store or prepare(args.work, args.n, args.jobs)
    names = [c for c in args.cq.split(",") if c] or cq_names()
    kg, cqs = str(VENV / "kg"), ROOT / "ontology" / "cq"
    rows: dict[str, dict] = {}
    for name in names:
        rq = str(cqs / f"{name}.rq")
        forget_kept(store, name)
        query = [kg, "query", "--store", str(store), "--cq", name, "--format", "csv"]
        rows[name] = {
            "kg query, first": measured(query),  # evaluates the CQ and keeps its rows (kg.store.answers)
            "kg query, kept": measured(query),
            "oxigraph query": measured([str(VENV / "oxigraph"), "query", "--location", str(store), "--query-file", rq,
                                        "--results-format", "csv"]),
            **({} if args.no_direct else {"pyoxigraph direct": measured([PY, "-c", DIRECT, str(store), rq])}),
            **({} if args.no_with_source else {
                "kg --with-source": measured([kg, "query", "--store", str(store), "--cq", name, "--with-source",
                                              "--format", "csv"])}),
        }
        if name in args.per_graph.split(","):
            rows[name]["per graph --with-source"] = measured([PY, "-c", PER_GRAPH, str(store), name])
        print(f"{name}: " + ", ".join(f"{k} {v['cpu_s']} s CPU" for k, v in rows[name].items()), file=sys.stderr)
    if args.delta:
        rows["delta"] = delta_runs(store, args.delta, args.repeat)
    rows["stats"] = {"kg stats": measured([kg, "stats", "--store", str(store)]),
                     "stats by query": measured([PY, "-c", STATS_BY_QUERY, str(store)])}
    graphs = subprocess.run([kg, "stats", "--store", str(store), "--format", "json"], capture_output=True,
                            check=True, cwd=ROOT)
    info = json.loads(graphs.stdout)
    print(f"{store}: {info['graphs']} article graphs, {info['triples']:,} distinct triples; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'query':<14} {'run':<26} {'rows':>7} {'wall s':>8} {'CPU s':>7} {'peak MB':>8}")
    for name, runs in rows.items():
        for run_name, r in runs.items():
            lines = r["lines"] - (1 if run_name.startswith(("kg query", "oxigraph query", "kg --with-source")) else 0)
            shown = lines if name not in ("stats", "delta") and run_name not in ("pyoxigraph direct",
                                                                   "per graph --with-source") else ""
            print(f"{name:<14} {run_name:<26} {shown!s:>7} {r['wall_s']:>8} {r['cpu_s']:>7} {r['peak_rss_mb']:>8}")
    print(json.dumps({"store": str(store), "graphs": info["graphs"], "triples": info["triples"], "runs": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
