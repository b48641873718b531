#!/usr/bin/env python3
"""Benchmark: SHACL validation CPU time per article, old and new code paths side by side, in one process.

    python bench/bench_validate.py [-n 100] [--seed 1] [--batch 16] [--old-rev 6742355] [--repeat 3]

A deterministic synthetic corpus (bench/generate_corpus.py) is read, extracted and mapped by kg
without validation; then the same graphs are validated by each path, and the CPU time
(time.process_time, this process only) per article is printed, best of --repeat rounds:

* pyshacl.validate per article — pySHACL as it comes (kg.validate.plain_pyshacl);
* old kg per article / old kg batched — kg/validate.py as it was at --old-rev (read from git,
  loaded as a separate module): pyshacl.validate per article, and validate_many in batches;
* new kg per article / new kg batched — kg.validate.validate and kg.validate.validate_many now.

Each line also gives the number of results found, so a path that loses results shows it; the
build (read, extract, map) cost per article is printed for scale.

With --end-to-end JOBS, corpus mode (``kg.corpus.export_corpus``, JOBS workers) then runs on the
same articles with and without validation, for the old tree (``git archive --old-rev``) and the
current one, each in a child process; CPU per article is that of the child and its workers
(getrusage of children), and validation's share is the difference. Results as JSON with --json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE = "https://w3id.org/pgkg/"
OLD_REV = "6742355"  # kg/validate.py before the IndexedGraph and renaming work


def _generated(n: int, seed: int, folder: Path) -> list[Path]:
    spec = importlib.util.spec_from_file_location("generate_corpus", HERE / "generate_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = gen
    spec.loader.exec_module(gen)
    return gen.generate_corpus(folder, n, seed=seed)


def _old_module(rev: str):
    """kg/validate.py at ``rev`` as module ``kg_validate_old`` (it imports the rest of kg as it is now)."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:kg/validate.py"], capture_output=True,
                                text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"bench: no old code path ({rev}: {err}); its lines are left out", file=sys.stderr)
        return None
    spec = importlib.util.spec_from_loader("kg_validate_old", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules["kg_validate_old"] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:kg/validate.py", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


def _cpu_ms_per_article(run, graphs, repeat: int) -> tuple[float, int]:
    run(graphs[:2])  # warm: shapes parsed / compiled, imports done
    best, found = float("inf"), 0
    for _ in range(repeat):
        start = time.process_time()
        reports = run(graphs)
        best = min(best, time.process_time() - start)
        found = sum(len(r.results) for r in reports)
    return best * 1000 / len(graphs), found


_CORPUS_RUN = """
import sys
from kg.corpus import export_corpus
summary = export_corpus([sys.argv[1]], out_dir=sys.argv[2], jobs=int(sys.argv[3]), force=True,
                        validate=sys.argv[4] == "1", progress=False)
sys.exit(0 if summary.total else 3)
"""


def _old_tree(rev: str, into: Path) -> Path | None:
    """The whole project at ``rev`` (git archive), to run the old code end to end."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True)
    if archive.returncode:
        print(f"bench: no old tree ({rev}): {archive.stderr.decode().strip()}", file=sys.stderr)
        return None
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _corpus_cpu_ms(tree: Path, corpus: Path, out: Path, jobs: int, validate: bool, n: int) -> float:
    """CPU ms per article of one corpus-mode run of the project at ``tree`` (the child and its workers)."""
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", _CORPUS_RUN, str(corpus), str(out), str(jobs), "1" if validate else "0"],
                   cwd=str(tree), env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000 / n


def _end_to_end(args, figures: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        corpus = folder / "corpus"
        _generated(args.n, args.seed, corpus)
        trees = [(f"old ({args.old_rev})", _old_tree(args.old_rev, folder / "old")), ("new", ROOT)]
        print(f"\ncorpus mode, {args.n} articles, --jobs {args.end_to_end}: CPU ms per article "
              "(parent + workers; best of --repeat)")
        print(f"{'tree':<24} {'no validation':>14} {'with validation':>16} {'validation':>11}")
        for name, tree in trees:
            if tree is None:
                continue
            off = min(_corpus_cpu_ms(tree, corpus, folder / "out", args.end_to_end, False, args.n)
                      for _ in range(args.repeat))
            on = min(_corpus_cpu_ms(tree, corpus, folder / "out", args.end_to_end, True, args.n)
                     for _ in range(args.repeat))
            figures.setdefault("end_to_end", {})[name] = {"no_validation_ms": off, "with_validation_ms": on,
                                                          "validation_ms": on - off}
            print(f"{name:<24} {off:>14.1f} {on:>16.1f} {on - off:>11.1f}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="articles (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16, help="articles per validate_many call (the corpus engine's)")
    parser.add_argument("--old-rev", default=OLD_REV, help="git revision of the old kg/validate.py")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per path; the best is reported")
    parser.add_argument("--end-to-end", type=int, metavar="JOBS", default=0,
                        help="also time corpus mode with JOBS workers, old tree and new, with and without validation")
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from kg import validate as new
    from kg.pipeline import export_article

    with tempfile.TemporaryDirectory() as folder:
        paths = _generated(args.n, args.seed, Path(folder))
        start = time.process_time()
        graphs = [export_article(str(p), validate=False).graph for p in paths]
        build_ms = (time.process_time() - start) * 1000 / len(graphs)
    triples = sum(len(g) for g in graphs) / len(graphs)

    def batched(module):
        def run(gs):
            out = []
            for i in range(0, len(gs), args.batch):
                out += module.validate_many(gs[i:i + args.batch], BASE)
            return out
        return run

    def plain(gs):
        with new.plain_pyshacl():
            return [new.validate(g) for g in gs]

    paths = [("pyshacl.validate per article (pySHACL as it comes)", plain)]
    old = _old_module(args.old_rev)
    if old is not None:
        paths += [(f"old kg ({args.old_rev}) per article", lambda gs: [old.validate(g) for g in gs]),
                  (f"old kg ({args.old_rev}) batched by {args.batch}", batched(old))]
    paths += [("new kg per article", lambda gs: [new.validate(g) for g in gs]),
              (f"new kg batched by {args.batch}", batched(new))]

    print(f"{len(graphs)} generated articles (seed {args.seed}), {triples:.0f} triples each on average; "
          f"read+extract+map {build_ms:.1f} ms CPU per article")
    print(f"{'validation path':<48} {'CPU ms/article':>14} {'results':>8}")
    figures = {"articles": len(graphs), "triples_per_article": triples, "build_ms": build_ms, "paths": {}}
    for name, run in paths:
        ms, found = _cpu_ms_per_article(run, graphs, args.repeat)
        figures["paths"][name] = {"cpu_ms_per_article": ms, "results": found}
        print(f"{name:<48} {ms:>14.1f} {found:>8}", flush=True)
    if args.end_to_end:
        _end_to_end(args, figures)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
