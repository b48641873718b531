#!/usr/bin/env python3
"""Benchmark: kg's corpus export against the naive pipeline, on the same articles, in one run.

    python bench/bench_corpus.py [--sizes 1000,10000] [--jobs 2] [--skip-naive-above N]

For each size N a deterministic synthetic corpus is generated (bench/generate_corpus.py)
and exported twice, each in its own child process:

* naive — every article read, extracted and mapped by kg, added to ONE rdflib Graph;
  one pySHACL call on that graph (kg's shapes); rdflib Turtle of the whole graph;
* kg — ``kg.corpus.export_corpus`` (process pool, per-article validation, pyoxigraph
  writers): one Turtle file per article in a fresh folder.

Printed per run: articles, triples, wall seconds, articles/s, triples/s, peak RSS
(sum over the process tree, sampled every 50 ms from /proc, and the largest single
process from getrusage), and kg's speed-up over naive. Then the cold start of
``kg export data/articles/seed.txt -o …`` as a whole process. Results also go to
WORKDIR/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = ROOT / "data" / "articles" / "seed.txt"


# --- the two pipelines (run in a child process each) -----------------------------------------


def naive_run(corpus: str, out_file: str, serialize_limit: float) -> dict:
    """One rdflib Graph for the whole corpus + one pySHACL call + rdflib Turtle.

    rdflib 7.6's Turtle writer is quadratic on this data (every IRI's namespace goes
    into a trie that ``get_longest_namespace`` scans), so the serialisation phase is
    stopped after ``serialize_limit`` seconds and reported as not finished.
    """
    from kg.corpus import iter_articles
    from kg.errors import KgError
    from kg.namespaces import new_graph
    from kg.pipeline import export_article
    from kg.validate import validate

    t0 = time.perf_counter()
    graph, failed = new_graph(), 0
    for path in iter_articles([corpus]):
        try:
            graph += export_article(str(path), validate=False).graph
        except KgError:
            failed += 1
    t1 = time.perf_counter()
    print(f"naive: built one graph of {len(graph):,} triples in {t1 - t0:.1f} s", file=sys.stderr, flush=True)
    report = validate(graph)
    t2 = time.perf_counter()
    print(f"naive: validated in {t2 - t1:.1f} s", file=sys.stderr, flush=True)
    finished = _serialize_with_limit(graph, out_file, serialize_limit)
    t3 = time.perf_counter()
    return {"triples": len(graph), "failed": failed, "violations": report.counts.get("Violation", 0),
            "serialize_finished": finished,
            "phases": {"build": t1 - t0, "validate": t2 - t1, "serialize": t3 - t2}}


def _serialize_with_limit(graph, out_file: str, limit: float) -> bool:
    import signal

    state = {"armed": True}

    def stop(*_):
        if state["armed"]:
            raise TimeoutError

    signal.signal(signal.SIGALRM, stop)
    # rdflib swallows exceptions in places (getQName): keep raising every 10 ms until one gets out.
    signal.setitimer(signal.ITIMER_REAL, limit, 0.01)
    text = None
    try:
        text = graph.serialize(format="turtle")
    except TimeoutError:
        pass
    while state["armed"]:  # disarm; a last tick may still land while we do
        try:
            state["armed"] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        except TimeoutError:
            continue
    if text is None:
        return False
    with open(out_file, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def kg_run(corpus: str, out_dir: str, jobs: int) -> dict:
    from kg.corpus import export_corpus

    summary = export_corpus([corpus], out_dir=out_dir, jobs=jobs, force=True, progress=False)
    return {"triples": summary.triples, "failed": summary.failed, "ok": summary.ok,
            "warnings": summary.warnings}


# --- measuring a child process -----------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    """Resident set size (bytes) of ``pid`` and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{current}/task/{current}/children") as handle:
                stack.extend(int(c) for c in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(argv: list[str]) -> dict:
    """Run a child, sampling its process tree's RSS; return its JSON answer plus wall time and memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, cwd=ROOT, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {' '.join(argv)}")
    answer = json.loads(stdout.strip().splitlines()[-1])
    # ru_maxrss of children is the largest single descendant so far (KiB on Linux).
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    answer.update(wall=wall, peak_tree_rss_mb=peak[0] / 2**20, load_average_after=os.getloadavg()[0],
                  max_process_rss_mb=(largest if largest > before else float("nan")) / 1024)
    return answer


def cold_start(runs: int) -> list[float]:
    kg = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([kg, "export", str(SEED), "-o", "/tmp/kg-bench-seed.ttl", "-q"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


# --- the report ---------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pyoxigraph
    import pyshacl
    import rdflib

    return (f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, rdflib {rdflib.__version__}, "
            f"pySHACL {pyshacl.__version__}, pyoxigraph {pyoxigraph.__version__}")


def row(name: str, n: int, r: dict) -> str:
    return (f"{name:<6} {n:>7,} {r['triples']:>11,} {r['wall']:>8.1f} {n / r['wall']:>10.1f} "
            f"{r['triples'] / r['wall']:>11,.0f} {r['peak_tree_rss_mb']:>9.0f} {r['max_process_rss_mb']:>9.0f}"
            f" {r['load_average_after']:>6.1f}")


def bench_size(n: int, args, results: dict) -> None:
    corpus = args.workdir / f"corpus-{n}"
    if not corpus.is_dir() or sum(1 for _ in corpus.rglob("*.*")) != n:
        shutil.rmtree(corpus, ignore_errors=True)
        subprocess.run([sys.executable, str(HERE / "generate_corpus.py"), str(corpus), "-n", str(n),
                        "--seed", str(args.seed)], check=True)
    entry: dict = {"articles": n}
    out_dir = args.workdir / f"out-{n}"
    shutil.rmtree(out_dir, ignore_errors=True)
    if args.only != "naive":
        entry["kg"] = measure([sys.executable, __file__, "--child-kg", str(corpus), str(out_dir), str(args.jobs)])
        print(row("kg", n, entry["kg"]), flush=True)
    if n <= args.skip_naive_above and args.only != "kg":
        entry["naive"] = measure([sys.executable, __file__, "--child-naive", str(corpus),
                                  str(args.workdir / f"naive-{n}.ttl"), str(args.naive_serialize_limit)])
        print(row("naive", n, entry["naive"]), flush=True)
        if "kg" not in entry:
            results["sizes"].append(entry)
            return
        entry["speedup"] = entry["naive"]["wall"] / entry["kg"]["wall"]
        bound = "" if entry["naive"]["serialize_finished"] else ">= "
        if bound:
            print(f"       naive Turtle serialisation stopped after {args.naive_serialize_limit:g} s "
                  "(not finished): its wall time is a lower bound", flush=True)
        print(f"       kg is {bound}{entry['speedup']:.2f}x the naive pipeline's throughput "
              f"(naive phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in entry["naive"]["phases"].items()) + ")",
              flush=True)
    results["sizes"].append(entry)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/bench_corpus.py --sizes 1000 --jobs 2")
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated (default 1000,10000)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kg worker processes")
    parser.add_argument("--skip-naive-above", type=int, default=10**9, metavar="N",
                        help="do not run the naive pipeline on corpora larger than N")
    parser.add_argument("--naive-serialize-limit", type=float, default=1800, metavar="SECONDS",
                        help="stop the naive pipeline's rdflib Turtle phase after this long (default 1800)")
    parser.add_argument("--only", choices=("kg", "naive"), help="run one pipeline only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cold-runs", type=int, default=5, help="runs of the cold-start measurement")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench"))
    parser.add_argument("--child-kg", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child-naive", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_kg:
        print(json.dumps(kg_run(args.child_kg[0], args.child_kg[1], int(args.child_kg[2]))))
        return 0
    if args.child_naive:
        print(json.dumps(naive_run(args.child_naive[0], args.child_naive[1], float(args.child_naive[2]))))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "jobs": args.jobs, "sizes": []}
    print(results["machine"])
    print(f"{'run':<6} {'articles':>7} {'triples':>11} {'wall s':>8} {'articles/s':>10} {'triples/s':>11} "
          f"{'tree MB':>9} {'proc MB':>9} {'load':>6}")
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        bench_size(n, args, results)
    times = cold_start(args.cold_runs)
    if not times:
        (args.workdir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
        return 0
    results["cold_start"] = {"runs": times, "median": statistics.median(times), "min": min(times)}
    print(f"cold start `kg export seed.txt -o x.ttl`: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s over {len(times)} runs")
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
