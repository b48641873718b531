#!/usr/bin/env python3
"""Benchmark: ``kg export`` corpus mode against the Dask path, on the same corpus, in one run.

    python bench/bench_dask.py [-n 1000] [--seed 1] [--jobs 2] [--virtuoso] [--workdir DIR]

A deterministic corpus of N articles (bench/generate_corpus.py) is exported to sorted
N-Quads shards twice, each in its own child process:

* kg   — ``kg export CORPUS -o kg/corpus.nq.gz --jobs J`` (kg.corpus.export_corpus);
* dask — ``kg.corpus.distributed.export_with_dask`` on a LocalCluster of J worker processes,
  one thread each, on 127.0.0.1 (cluster start-up included in the wall time).

Printed side by side: wall seconds, CPU seconds of the whole process tree (user+system,
from getrusage of the reaped children), articles/s, and for the Dask run the CPU of the
client process alone (scheduler + collecting answers + writing the shards: the part that
does not grow with the number of machines). The two runs' shards are compared byte for
byte. ``--virtuoso`` also times the bulk load of the shards into a fresh Virtuoso with the
recipe of docs/corpus.md (needs virtuoso-t and isql-vt). Results go to WORKDIR/results.json;
last, what 1 M articles would cost on N machines, extrapolated from these figures
(``extrapolate``; ``--from-results FILE`` prints it again from a saved results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
IDLE_SECONDS = 5.0
ROOT = HERE.parent


def child(mode: str, corpus: Path, out: Path, jobs: int) -> dict:
    """One export in this process (run as ``--child MODE``); prints its own figures as JSON."""
    start = time.monotonic()
    if mode == "kg":
        from kg.corpus import export_corpus

        summary = export_corpus([corpus], output=out, jobs=jobs, force=True, progress=False)
    else:
        from dask.distributed import Client, LocalCluster

        from kg.corpus.distributed import export_with_dask

        with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            # The client and LocalCluster's in-process scheduler cost ~3 % of a core per second even
            # when idle (heartbeats, monitors): measured first, so it is not counted per article.
            idle_cpu, idle_start = _own_cpu(), time.monotonic()
            time.sleep(IDLE_SECONDS)
            idle_rate = (_own_cpu() - idle_cpu) / (time.monotonic() - idle_start)
            ready, export_start = _own_cpu(), time.monotonic()
            summary = export_with_dask([corpus], out, client)
            export_cpu, export_wall = _own_cpu() - ready, time.monotonic() - export_start
    return {"mode": mode, "articles": summary.total, "failed": summary.failed, "triples": summary.triples,
            "shards": len(summary.outputs), "inner_wall": time.monotonic() - start,
            "client_cpu": _own_cpu(), **({"client_export_cpu": export_cpu, "client_idle_rate": idle_rate,
                                          "export_wall": export_wall} if mode == "dask" else {})}


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def run(mode: str, corpus: Path, out: Path, jobs: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run([sys.executable, __file__, "--child", mode, "--corpus", str(corpus), "--out", str(out),
                           "--jobs", str(jobs)], capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{mode} run failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(wall=wall, cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                  load=os.getloadavg()[0])
    if mode == "kg":
        result["client_cpu"] = None  # kg export's parent does little; its CPU is in the tree total
    return result


def _shard_gzip_cpu(shards: dict[str, bytes]) -> float:
    """CPU of what the client does with every answer: gunzip (level 1, per article) and gzip -6 into a shard."""
    import gzip

    cpu = 0.0
    for data in shards.values():
        text = gzip.decompress(data)
        level1 = gzip.compress(text, compresslevel=1, mtime=0)
        start = time.process_time()
        gzip.compress(gzip.decompress(level1), compresslevel=6, mtime=0)
        cpu += time.process_time() - start
    return cpu


def shard_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("corpus-*.nq.gz"))}


def virtuoso_load(shards: Path, workdir: Path) -> dict:
    """Bulk-load the shards into a fresh Virtuoso with docs/corpus.md's recipe; wall and server CPU."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest_servers import start_virtuoso, stop

    folder = workdir / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    server = start_virtuoso(folder, max_rows=10000)
    try:
        target = folder / "shards"  # inside the server's folder: DirsAllowed has "."
        shutil.copytree(shards, target, ignore=shutil.ignore_patterns(".*", "*.json"))
        import re

        doc = (ROOT / "docs" / "corpus.md").read_text(encoding="utf-8").split("### Shards into Virtuoso", 1)[1]
        recipe = re.search(r"```sql\n(.*?)```", doc, re.S).group(1).replace("'/data/out'", f"'{target}'")
        script = folder / "load.sql"
        script.write_text("\n".join(line.strip() for line in recipe.splitlines()) + "\n")
        port = re.search(r"(?ms)^\[Parameters\].*?^ServerPort\s*=\s*(\S+)", (folder / "virtuoso.ini").read_text()).group(1)
        cpu0 = _process_cpu(server.process.pid)
        start = time.monotonic()
        done = subprocess.run([shutil.which("isql-vt") or "isql", port, server.user, server.password, str(script)],
                              capture_output=True, text=True)
        wall = time.monotonic() - start
        cpu = _process_cpu(server.process.pid) - cpu0
        if done.returncode != 0 or "Error" in done.stdout + done.stderr:
            sys.exit(f"virtuoso load failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        db = sum(p.stat().st_size for p in folder.glob("virtuoso.db"))
        return {"wall": wall, "server_cpu": cpu, "db_bytes": db}
    finally:
        stop(server.process)


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def extrapolate(summary: dict, articles: int = 1_000_000, cores: int = 8,
                machines: tuple[int, ...] = (1, 4, 16, 64)) -> list[str]:
    """What ``articles`` would cost on N machines of ``cores`` cores, from this run's Dask figures.

    Linear in cores: each article is independent, CPU-bound, pure Python (one worker process per
    core, no shared state); the client's CPU per article (scheduler, answers, gzip of the shards)
    is serial, so it caps the rate whatever N is. Virtuoso (open source: one server) loads at the
    measured rate whatever N is. Start-up and imports are counted in, so the figures err high.
    """
    n, dask = summary["n"], summary["runs"]["dask"]
    worker_cpu = (dask["cpu"] - dask["client_cpu"]) / n  # s per article, summed over workers
    # The serial part: the client's CPU during the export, less what it spends idle per second.
    busy = dask.get("client_export_cpu", dask["client_cpu"]) - dask.get("client_idle_rate", 0) * dask.get("export_wall", 0)
    client_cpu = max(busy, 1e-3) / n
    triples = dask["triples"] / n
    if "shard_gzip_cpu" in summary:
        client_cpu = max(client_cpu, summary["shard_gzip_cpu"] / n)  # never below the shard compression it must do
    lines = [f"{articles:,} articles, {triples:,.0f} triples each ({articles * triples / 1e6:,.0f} M triples); "
             f"worker CPU {worker_cpu * 1e3:.0f} ms/article, client CPU {client_cpu * 1e3:.1f} ms/article "
             f"(ceiling {1 / client_cpu:,.0f} articles/s); shards {summary['shard_gzip_bytes'] / n * articles / 1e9:.1f} GB gzip",
             f"{'machines':>8} {'cores':>6} {'export wall':>12} {'articles/s':>11} {'core-hours':>11}"]
    for count in machines:
        rate = min(count * cores / worker_cpu, 1 / client_cpu)
        lines.append(f"{count:8} {count * cores:6} {_hours(articles / rate):>12} {rate:11,.0f} "
                     f"{articles * worker_cpu / 3600:11,.0f}")
    if "virtuoso" in summary:
        load = summary["virtuoso"]
        rate = summary["runs"]["kg"]["triples"] / load["wall"]
        lines.append(f"Virtuoso bulk load, one rdf_loader_run at the measured {rate:,.0f} triples/s: "
                     f"{_hours(articles * triples / rate)} (independent of N)")
    return lines


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000, help="articles (default 1000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="kg export --jobs, and Dask worker processes (default 2)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-bench-dask"))
    parser.add_argument("--virtuoso", action="store_true", help="also time the Virtuoso bulk load of the shards")
    parser.add_argument("--from-results", type=Path, metavar="FILE", help="only extrapolate from a results.json")
    parser.add_argument("--child", choices=["kg", "dask"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.corpus, args.out, args.jobs)))
        return 0
    if args.from_results:
        print("\n".join(extrapolate(json.loads(args.from_results.read_text()))))
        return 0

    sys.path.insert(0, str(HERE))
    from generate_corpus import generate_corpus

    corpus = args.workdir / f"corpus-{args.n}-seed{args.seed}"
    if not corpus.is_dir():
        generate_corpus(corpus, args.n, seed=args.seed)
    results = {}
    for mode in ("kg", "dask"):
        out = args.workdir / mode
        shutil.rmtree(out, ignore_errors=True)
        results[mode] = run(mode, corpus, out / "corpus.nq.gz", args.jobs)
    kg_shards, dask_shards = shard_bytes(args.workdir / "kg"), shard_bytes(args.workdir / "dask")
    identical = kg_shards == dask_shards
    gz = sum(map(len, kg_shards.values()))
    gzip_cpu = _shard_gzip_cpu(kg_shards)
    print(f"{args.n} articles, seed {args.seed}, {args.jobs} jobs / Dask workers, {os.cpu_count()} cores")
    print(f"{'run':6} {'wall s':>8} {'CPU s':>8} {'client CPU s':>13} {'articles/s':>11} {'triples':>10} {'failed':>7} {'load':>5}")
    for mode, r in results.items():
        client = "—" if r["client_cpu"] is None else f"{r['client_cpu']:.1f}"
        print(f"{mode:6} {r['wall']:8.1f} {r['cpu']:8.1f} {client:>13} {r['articles'] / r['wall']:11.1f} "
              f"{r['triples']:10,} {r['failed']:7} {r['load']:5.1f}")
    print(f"shards byte-identical: {identical} ({len(kg_shards)} shards, {gz / 1e6:.1f} MB gzip, "
          f"{gz / args.n / 1e3:.1f} KB per article)")
    summary = {"n": args.n, "seed": args.seed, "jobs": args.jobs, "cores": os.cpu_count(), "runs": results,
               "identical": identical, "shard_gzip_bytes": gz, "shard_gzip_cpu": gzip_cpu}
    print(f"client's own work per article, measured apart: gunzip of the answer + gzip -6 into the shard = "
          f"{gzip_cpu / args.n * 1e3:.2f} ms")
    if args.virtuoso:
        load = virtuoso_load(args.workdir / "kg", args.workdir)
        triples = results["kg"]["triples"]
        print(f"virtuoso bulk load: {load['wall']:.1f} s wall, {load['server_cpu']:.1f} s server CPU, "
              f"{triples / load['wall']:,.0f} triples/s, database {load['db_bytes'] / 1e6:.0f} MB")
        summary["virtuoso"] = load
    (args.workdir / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    print("\n".join(extrapolate(summary)))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
