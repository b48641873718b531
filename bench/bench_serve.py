#!/usr/bin/env python3
"""`kg serve` under 8 concurrent clients, and `oxigraph serve-read-only` on the SPARQL part, in one run.

    python bench/bench_serve.py [-n 5000] [--work /tmp/kg-bench-serve] [--clients 8] [--requests 40] [--processes 1,2]

Generates N synthetic articles (bench/generate_corpus.py, deterministic), maps them to N-Quads once
(kg.pipeline.article_to_nquads in 2 processes: the same graphs `kg export` writes, without the SHACL
pass, which serving does not depend on; cached in --work), then loads that file twice:

  kg load --no-validate     kg's layout (named graphs + their de-duplicated union), served by `kg serve`
  oxigraph load             the reference store, served by `oxigraph serve-read-only`

For each page kind (home, VoID, a class index page, a person page, an article page, search, the people
CQ through /sparql) a stdlib thread pool of --clients threads sends --requests GETs (distinct pages where
the kind has many: persons and articles are drawn from the data) and prints p50 / p99 latency,
errors (any status other than 200) and requests per second. The CPU time the server process used for
the whole run (user + system, /proc/PID/stat) and its cold start (spawn until the first 200 on /) are
printed per server. Then one JSON line.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

PEOPLE_CQ = ROOT / "ontology" / "cq" / "people.rq"


# --- preparing the corpus and the stores ------------------------------------------------------


def _nquads_of(path: str) -> str:
    from kg.pipeline import article_to_nquads

    return article_to_nquads(Path(path).read_text(encoding="utf-8"), path)


def prepare(work: Path, n: int, jobs: int) -> Path:
    """The corpus as one N-Quads file (cached: regenerated only when N changes)."""
    corpus, nquads, done = work / "corpus", work / "corpus.nq", work / f"mapped-{n}"
    if nquads.is_file() and done.is_file():
        return nquads
    shutil.rmtree(corpus, ignore_errors=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate_corpus.py"), str(corpus), "-n", str(n)],
                   check=True, stdout=subprocess.DEVNULL)
    files = sorted(str(p) for p in corpus.rglob("*") if p.suffix in (".txt", ".md"))
    tmp = nquads.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out, concurrent.futures.ProcessPoolExecutor(jobs) as pool:
        for text in pool.map(_nquads_of, files, chunksize=20):
            out.write(text)
    tmp.replace(nquads)
    for stale in work.glob("mapped-*"):
        stale.unlink()
    done.write_text("")
    return nquads


def load_stores(work: Path, nquads: Path, need: tuple[str, ...] = ("kg", "oxigraph")) -> tuple[Path, Path]:
    """kg load --no-validate and oxigraph load of the same file, each redone when the file changed."""
    kg_store, ox_store = work / "kg-store", work / "ox-store"
    version = nquads.stat().st_mtime_ns
    for name, folder, argv in (
            ("kg", kg_store, [str(VENV / "kg"), "load", "--no-validate", "--store", str(kg_store), str(nquads)]),
            ("oxigraph", ox_store, [str(VENV / "oxigraph"), "load", "--location", str(ox_store), "--file", str(nquads)])):
        stamp = work / f"loaded-{name}-{version}"
        if name not in need or (stamp.is_file() and folder.is_dir()):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"{name} load: {time.perf_counter() - t:.1f} s", file=sys.stderr)
        for stale in work.glob(f"loaded-{name}-*"):
            stale.unlink()
        stamp.write_text("")
    return kg_store, ox_store


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children (/proc/PID/stat fields 14-17)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU of the process and its live children (kg serve's query workers), whichever thread started them."""
    total = cpu_seconds(pid)
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += (task / "children").read_text().split()
    for child in children:
        with contextlib.suppress(OSError, ValueError):
            total += tree_cpu_seconds(int(child))
    return total


def start(argv: list[str], probe: str, timeout: float = 120.0, env=None, cwd: Path = ROOT
          ) -> tuple[subprocess.Popen, float]:
    """Spawn a server; (process, seconds until ``probe`` first answered 200)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {' '.join(argv)}")
        try:
            with urllib.request.urlopen(probe, timeout=timeout) as r:
                r.read()
                if r.status == 200:
                    return proc, time.perf_counter() - t0
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.01)
    proc.kill()
    raise SystemExit(f"server did not answer in {timeout} s: {' '.join(argv)}")


def _first_answer(url: str, timeout: float) -> float:
    """Seconds until ``url`` answers (the home page: its counts are the slowest thing to have ready)."""
    t = time.perf_counter()
    seconds, status, _ = fetch(url, "text/html", timeout)
    return round(time.perf_counter() - t, 3) if status == 200 else float("nan")


def _first_search(url: str, timeout: float) -> tuple[float, int]:
    """Seconds until a search answers 200 right after a start, and how many "not ready yet" (503,
    Retry-After: the index of a new store version being built) came before it."""
    t, not_ready = time.perf_counter(), 0
    while time.perf_counter() - t < timeout:
        _, status, _ = fetch(url, "text/html", timeout)
        if status == 200:
            return round(time.perf_counter() - t, 3), not_ready
        not_ready += 1
        time.sleep(0.5)
    return float("nan"), not_ready


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- load generation --------------------------------------------------------------------------


def fetch(url: str, accept: str, timeout: float) -> tuple[float, int, int]:
    t = time.perf_counter()
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            size = len(r.read())
            status = r.status
    except urllib.error.HTTPError as err:
        err.read()
        status, size = err.code, 0
    except (urllib.error.URLError, OSError):
        status, size = 0, 0
    return time.perf_counter() - t, status, size


def hammer(urls: list[str], accept: str, clients: int, timeout: float) -> dict:
    """GET every URL with ``clients`` threads: p50/p99 in seconds, errors, req/s, bytes of the largest answer."""
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda u: fetch(u, accept, timeout), urls))
    wall = time.perf_counter() - t0
    times = sorted(r[0] for r in results)
    p99 = times[min(len(times) - 1, max(0, round(0.99 * len(times)) - 1))]
    return {"n": len(results), "p50_s": round(statistics.median(times), 4), "p99_s": round(p99, 4),
            "max_s": round(times[-1], 4), "errors": sum(1 for r in results if r[1] != 200),
            "statuses": sorted({r[1] for r in results}), "req_per_s": round(len(results) / wall, 1),
            "max_bytes": max(r[2] for r in results)}


def sample_iris(store: Path, base: str, count: int) -> dict[str, list[str]]:
    """Persons and articles spread over the store (every k-th in IRI order), read with pyoxigraph."""
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    out = {}
    for key, cls in (("person", "https://w3id.org/pgkg/ontology#Person"), ("article", "http://schema.org/NewsArticle")):
        found = sorted({q.subject.value for q in s.quads_for_pattern(None, rdf_type, ox.NamedNode(cls), ox.DefaultGraph())})
        step = max(1, len(found) // count)
        out[key] = found[::step][:count]
    return out


SEARCH_WORDS = ["nguyen", "tran van", "le thi", "pham", "bi thu", "dang uy", "hoang minh", "uy ban", "vu", "dang"]


def kg_pages(port: int, base: str, iris: dict[str, list[str]], requests: int, sparql: str) -> dict[str, list[str]]:
    root = f"http://127.0.0.1:{port}/"

    def doc(iri: str) -> str:
        return root + "doc/" + iri[len(base) + len("id/"):]

    def cycle(items: list[str]) -> list[str]:
        return [items[i % len(items)] for i in range(requests)]

    return {
        "home": [root] * requests,
        "void (Turtle)": [root + ".well-known/void.ttl"] * requests,
        "index people (page 1)": [root + "index/people"] * requests,
        "index articles (page 3)": [root + "index/articles?page=3"] * requests,
        "person page": cycle([doc(i) for i in iris["person"]]),
        "article page": cycle([doc(i) for i in iris["article"]]),
        "search": cycle([root + "search?" + urllib.parse.urlencode({"q": w}) for w in SEARCH_WORDS]),
        "sparql people CQ": [root + "sparql?" + urllib.parse.urlencode({"query": sparql})] * max(8, requests // 5),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5000, help="articles (default 5000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kg-bench-serve"), help="working folder")
    parser.add_argument("--jobs", type=int, default=2, help="processes mapping the corpus (default 2)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--requests", type=int, default=40, help="requests per page kind (default 40)")
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout per request, s (default 60)")
    parser.add_argument("--sparql-timeout", type=float, default=30.0, help="kg serve --timeout (default 30)")
    parser.add_argument("--only", choices=("kg", "oxigraph", "both"), default="both")
    parser.add_argument("--threads", type=int, help="kg serve --threads (default: kg serve's own)")
    parser.add_argument("--processes", type=lambda v: [int(n) for n in v.split(",")], default=[1],
                        help="kg serve --processes, one kg row each, in this order (e.g. 1,2; default 1)")
    parser.add_argument("--code", type=Path, help="serve with the kg package in this folder (e.g. a `git archive` "
                        "of an older commit, for before/after figures)")
    parser.add_argument("--label", default="kg serve", help="name of the kg row (default: kg serve)")
    parser.add_argument("--settle", type=float, default=0.0, help="seconds to wait after the first home page "
                        "before the page runs (default 0: right after the start, while the server warms up)")
    parser.add_argument("--first", choices=("search", "home"), default="search",
                        help="what is asked first after the start (default search; home: the first home page's "
                             "time is counted from the start)")
    parser.add_argument("--store", type=Path, help="serve this kg store as it is (nothing generated or loaded; "
                        "for a corpus loaded elsewhere, e.g. the 100,000-article run)")
    parser.add_argument("--oxigraph-store", type=Path, help="with --store: the oxigraph load of the same files")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    base = "https://w3id.org/pgkg/"
    need = ("kg", "oxigraph") if args.only == "both" else (args.only,)
    if args.store:
        if "oxigraph" in need and not args.oxigraph_store:
            parser.error("--store with oxigraph rows needs --oxigraph-store (or --only kg)")
        kg_store, ox_store = args.store, args.oxigraph_store
        stats = json.loads(subprocess.run([str(VENV / "kg"), "stats", "--store", str(kg_store), "--format", "json"],
                                          capture_output=True, check=True, cwd=ROOT).stdout)
        args.n, quads = stats["graphs"], f"{stats['triples']} distinct"
    else:
        nquads = prepare(args.work, args.n, args.jobs)
        kg_store, ox_store = load_stores(args.work, nquads, need)
        quads = sum(1 for _ in nquads.open(encoding="utf-8"))
    iris = sample_iris(kg_store, base, 50)
    sparql = PEOPLE_CQ.read_text(encoding="utf-8")
    report: dict = {"articles": args.n, "quads": quads, "clients": args.clients, "servers": {}}
    print(f"{args.n} articles, {quads} quads, {args.clients} clients, {os.cpu_count()} cores")
    print(f"{'server':<24} {'page':<26} {'n':>4} {'p50 s':>8} {'p99 s':>8} {'max s':>8} {'err':>4} {'req/s':>7} "
          f"{'bytes':>9}")

    for processes in (args.processes if args.only in ("kg", "both") else []):
        label = args.label if processes == 1 else f"{args.label} ×{processes}"
        port = free_port()
        command = [str(VENV / "python"), "-m", "kg", "serve", "--store", str(kg_store), "--port", str(port),
                   "--timeout", str(args.sparql_timeout), *(["--threads", str(args.threads)] if args.threads else []),
                   *(["--processes", str(processes)] if processes > 1 else [])]
        env = {**os.environ, "PYTHONPATH": str(args.code)} if args.code else None
        # `python -m` puts the working folder first on sys.path: run from the code to measure
        proc, cold = start(command, f"http://127.0.0.1:{port}/static/style.css", env=env, cwd=args.code or ROOT)
        # what a user waits for right after a (re)start: a search (its index), then the home page
        # (--first home: the home page first, timed from the start, as a visitor opening the site)
        if args.first == "home":
            warm = round(cold + _first_answer(f"http://127.0.0.1:{port}/", args.timeout * 5), 3)
        first_search, not_ready = _first_search(f"http://127.0.0.1:{port}/search?q=nguyen+van", args.timeout * 5)
        if args.first == "search":
            warm = _first_answer(f"http://127.0.0.1:{port}/", args.timeout * 5)
        time.sleep(args.settle)
        try:
            rows = {}
            cpu0 = tree_cpu_seconds(proc.pid)
            for name, urls in kg_pages(port, base, iris, args.requests, sparql).items():
                accept = "application/sparql-results+json" if name.startswith("sparql") else "text/html"
                rows[name] = hammer(urls, accept, args.clients, args.timeout)
                r = rows[name]
                print(f"{label:<24} {name:<26} {r['n']:>4} {r['p50_s']:>8} {r['p99_s']:>8} {r['max_s']:>8} "
                      f"{r['errors']:>4} {r['req_per_s']:>7} {r['max_bytes']:>9}", flush=True)
            cpu = tree_cpu_seconds(proc.pid) - cpu0
            rss = _servers_rss_mb(proc.pid, processes)
        finally:
            stop(proc)
        print(f"{label:<24} cold start {cold:.2f} s (until the first answer), then the first search "
              f"{first_search:.2f} s ({not_ready} \"not ready\" before), the first home page {warm:.2f} s"
              f"{' from the start' if args.first == 'home' else ''}; CPU {cpu:.1f} s for the run, RSS {rss} MB")
        report["servers"][label] = {"cold_start_s": round(cold, 3), "first_search_s": first_search,
                                         "first_search_not_ready": not_ready,
                                         "first_home_s": warm, "cpu_s": round(cpu, 1), "rss_mb": rss, "pages": rows}

    if args.only in ("oxigraph", "both"):
        port = free_port()
        proc, cold = start([str(VENV / "oxigraph"), "serve-read-only", "--location", str(ox_store), "--bind",
                            f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}/query?query=ASK%7B%7D")
        try:
            cpu0 = tree_cpu_seconds(proc.pid)
            # oxigraph load puts each article in its named graph and has no union default graph:
            # the same CQ over the union of the graphs is what kg's default graph answers.
            url = (f"http://127.0.0.1:{port}/query?"
                   + urllib.parse.urlencode({"query": sparql, "union-default-graph": ""}))
            rows = {"sparql people CQ": hammer([url] * max(8, args.requests // 5), "application/sparql-results+json",
                                               args.clients, args.timeout)}
            r = rows["sparql people CQ"]
            print(f"{'oxigraph serve-read-only':<24} {'sparql people CQ':<26} {r['n']:>4} {r['p50_s']:>8} "
                  f"{r['p99_s']:>8} {r['max_s']:>8} {r['errors']:>4} {r['req_per_s']:>7} {r['max_bytes']:>9}")
            cpu = tree_cpu_seconds(proc.pid) - cpu0
            rss = _rss_mb(proc.pid)
        finally:
            stop(proc)
        print(f"{'oxigraph serve-read-only':<24} cold start {cold:.2f} s, CPU {cpu:.1f} s for the run, RSS {rss} MB")
        report["servers"]["oxigraph serve-read-only"] = {"cold_start_s": round(cold, 3), "cpu_s": round(cpu, 1),
                                                         "rss_mb": rss, "pages": rows}
    print(json.dumps(report))
    return 0


def _servers_rss_mb(pid: int, processes: int) -> float:
    """RSS of the process that serves (kg serve --processes N: of its N server processes, its own
    children; their query workers are left out, as they are for one process)."""
    if processes == 1:
        return _rss_mb(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return round(sum(_rss_mb(int(c)) for c in children.read_text().split()), 1) if children.exists() else 0.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
