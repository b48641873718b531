"""Hostile input to corpus mode (`kg export DIR --out-dir …` / `-o corpus.nq.gz`): one bad or slow
article is reported and skipped, never breaks or stalls the run; outputs never destroy inputs and stay
under --out-dir; two runs never share a folder; workers die with their parent."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.corpus import ArticleResult, EngineSettings, export_corpus
from kg.errors import KgError

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
LOCK_NAME = ".kg-lock"  # kg.corpus.runner.LOCK_NAME, spelled out so the test also runs on old code
BODY = "Ngày {n}/3/2022, đồng chí Lê Văn Tâm, Chủ tịch UBND tỉnh, dự hội nghị sơ kết.\n"


def corpus(folder: Path, n: int = 3, extra: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"a{i}.txt").write_text(BODY.format(n=i + 1), encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def failed_names(summary) -> dict[str, str]:
    return {f["article"]: f["reason"] for f in summary.failures}


def bad_nquads_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    """A stand-in engine whose N-Quads for BAD articles cannot be parsed (as a space in an IRI once made)."""
    results = []
    for path in paths:
        bad = "BAD" in Path(path).read_text(encoding="utf-8")
        iri = "http://example.org/a b" if bad else "http://example.org/a"
        results.append(ArticleResult(path, graph="http://example.org/g",
                                     nquads=f"<{iri}> <http://example.org/p> \"x\" <http://example.org/g> .\n",
                                     triples=1))
    return results


def slow_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    from test_corpus import line_engine

    time.sleep(0.2 * len(paths))
    return line_engine(paths, settings)


# --- 7. one bad article must not break the corpus ------------------------------------------------


@pytest.mark.parametrize("mode", ["out_dir", "shards"])
def test_bad_url_fails_that_article_only(tmp_path, mode):
    src = corpus(tmp_path / "c", 2, {"bad.txt": "---\nurl: http://example.org/a b\n---\n" + BODY.format(n=9)})
    where = {"out_dir": tmp_path / "out"} if mode == "out_dir" else {"output": tmp_path / "all.nq"}
    summary = export_corpus([src], jobs=1, progress=False, **where)
    assert summary.ok + summary.warnings == 2 and summary.failed == 1
    assert "'url' is not an absolute http(s) IRI" in failed_names(summary)["bad.txt"]
    assert Path(summary.report).is_file()
    if mode == "shards":  # the shard holds only valid N-Quads
        quads = list(ox.parse(path=str(tmp_path / "all-00000.nq"), format=ox.RdfFormat.N_QUADS))
        assert quads


def test_output_writer_failure_is_that_articles_failure(tmp_path):
    src = corpus(tmp_path / "c", 2, {"bad.txt": "BAD\n"})
    summary = export_corpus([src], out_dir=tmp_path / "out", jobs=2, progress=False, engine=bad_nquads_engine)
    assert summary.ok == 2 and summary.failed == 1
    assert "bad.txt" in failed_names(summary)
    assert not (tmp_path / "out" / "bad.ttl").exists()


def test_engine_returning_too_few_results_fails_the_batch_not_the_run(tmp_path):
    def short_engine(paths, settings):
        return []

    src = corpus(tmp_path / "c", 2)
    summary = export_corpus([src], out_dir=tmp_path / "out", jobs=1, progress=False, engine=short_engine)
    assert summary.failed == 2 and "internal error" in summary.failures[0]["reason"]


# --- 6. a per-article time budget ------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_slow_article_is_reported_and_skipped(tmp_path, monkeypatch, jobs):
    import kg.extract

    real = kg.extract.extract

    def pathological(article, *args, **kwargs):
        if "CHẬM" in article.text:
            while True:  # a recogniser gone quadratic, in pure Python and in the regex engine
                __import__("re").match(r"(a|aa)+$", "a" * 30 + "b")
        return real(article, *args, **kwargs)

    monkeypatch.setattr(kg.extract, "extract", pathological)
    src = corpus(tmp_path / "c", 2, {"slow.txt": "CHẬM\n" + BODY.format(n=7)})
    start = time.monotonic()
    summary = export_corpus([src], out_dir=tmp_path / "out", jobs=jobs, progress=False, article_timeout=1.0)
    assert time.monotonic() - start < 30
    assert summary.ok + summary.warnings == 2 and summary.failed == 1
    assert "time budget" in failed_names(summary)["slow.txt"]
    report = json.loads(Path(summary.report).read_text(encoding="utf-8"))
    assert report["failures"][0]["article"] == "slow.txt"


def test_article_timeout_flag(tmp_path):
    src = corpus(tmp_path / "c", 1)
    result = CliRunner().invoke(main, ["export", str(src), "--out-dir", str(tmp_path / "out"), "-j", "1",
                                       "--article-timeout", "0"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "--article-timeout" in result.stderr
    assert "--article-timeout" in CliRunner().invoke(main, ["export", "--help"]).stdout


# --- 10. the manifest cannot be saved ----------------------------------------------------------------


def test_manifest_save_failure_still_writes_the_report(tmp_path):
    src = corpus(tmp_path / "c", 2)
    out = tmp_path / "out"
    (out / "kg-manifest.json").mkdir(parents=True)  # saving it fails, as on a full disk
    result = CliRunner().invoke(main, ["export", str(src), "--out-dir", str(out), "-j", "1", "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("kg: error:")]
    assert len(lines) == 1 and "manifest not saved" in lines[0], result.stderr
    report = json.loads((out / "kg-report.json").read_text(encoding="utf-8"))
    assert report["ok"] + report["warnings"] == 2 and report["errors"]


# --- 1. outputs that would destroy inputs -----------------------------------------------------------


def test_report_naming_an_article_is_refused(tmp_path):
    src = corpus(tmp_path / "c", 2)
    before = (src / "a0.txt").read_bytes()
    with pytest.raises(KgError, match="one of the input articles") as err:
        export_corpus([src], out_dir=tmp_path / "out", report=src / "a0.txt", jobs=1, progress=False)
    assert err.value.exit_code == 2
    assert (src / "a0.txt").read_bytes() == before


def test_output_file_linked_to_an_article_is_refused(tmp_path):
    src = corpus(tmp_path / "c", 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a1.ttl").symlink_to(src / "a0.txt")
    with pytest.raises(KgError, match="one of the input articles"):
        export_corpus([src], out_dir=out, jobs=1, progress=False)
    (out / "a1.ttl").unlink()
    (tmp_path / "all-00000.nq").symlink_to(src / "a0.txt")
    with pytest.raises(KgError, match="one of the input articles"):
        export_corpus([src], output=tmp_path / "all.nq", jobs=1, progress=False)
    assert (src / "a0.txt").read_text(encoding="utf-8") == BODY.format(n=1)


def test_shard_symlink_is_written_through(tmp_path):
    from test_corpus import line_engine

    src = corpus(tmp_path / "c", 2)
    (tmp_path / "real").mkdir()
    (tmp_path / "all-00000.nq").symlink_to(tmp_path / "real" / "shard.nq")
    export_corpus([src], output=tmp_path / "all.nq", jobs=1, progress=False, engine=line_engine)
    assert (tmp_path / "all-00000.nq").is_symlink()
    assert (tmp_path / "real" / "shard.nq").read_text(encoding="utf-8").count("\n") == 2


# --- 12. links, FIFOs, NUL bytes, two runs, a killed parent -----------------------------------------


def test_symlinked_article_keeps_its_place_under_out_dir(tmp_path):
    from test_corpus import line_engine

    elsewhere = corpus(tmp_path / "elsewhere", 0, {"far.txt": "Bài ở xa\n"})
    src = corpus(tmp_path / "c", 1)
    (src / "link.txt").symlink_to(elsewhere / "far.txt")
    out = tmp_path / "out"
    export_corpus([src], out_dir=out, jobs=1, progress=False, engine=line_engine)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ttl")) == ["a0.ttl", "link.ttl"]


def test_fifo_nul_and_oversized_articles_fail_alone(tmp_path):
    src = corpus(tmp_path / "c", 1, {"big.txt": BODY.format(n=2) * 200})
    os.mkfifo(src / "pipe.txt")
    (src / "nul.txt").write_bytes(b"\0" * 1000)
    (src / "loop.txt").symlink_to(src / "loop.txt")
    script = textwrap.dedent(f"""
        import json, sys
        from kg.corpus import export_corpus
        s = export_corpus([{str(src)!r}], out_dir={str(tmp_path / "out")!r}, jobs=1, progress=False,
                          max_bytes=4096)
        print(json.dumps({{f["article"]: f["reason"] for f in s.failures}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=90, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    reasons = json.loads(proc.stdout)
    assert sorted(reasons) == ["big.txt", "loop.txt", "nul.txt", "pipe.txt"]
    assert "FIFO" in reasons["pipe.txt"] and "NUL" in reasons["nul.txt"]
    assert "4 KB" in reasons["big.txt"] and "symbolic link loop" in reasons["loop.txt"]


def test_second_run_into_a_locked_folder_fails_clearly(tmp_path):
    from test_corpus import line_engine

    src = corpus(tmp_path / "c", 1)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / LOCK_NAME, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(KgError, match="another kg export is writing there"):
            export_corpus([src], out_dir=out, jobs=1, progress=False, engine=line_engine)
        assert not (out / "kg-manifest.json").exists()
    export_corpus([src], out_dir=out, jobs=1, progress=False, engine=line_engine)  # released: fine
    assert json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))["articles"]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"  # a zombie has stopped; only its exit status is left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    src = tmp_path / "c"
    src.mkdir()
    for i in range(100):
        (src / f"a{i:03d}.txt").write_text(f"Bài {i}\n", encoding="utf-8")
    out = tmp_path / "out"
    # Batches of 10 articles at 0.2 s each: a worker writes its first files 2 s after it starts.
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from test_hostile_corpus import slow_engine
        from kg.corpus import export_corpus
        export_corpus([{str(src)!r}], out_dir={str(out)!r}, jobs=2, engine=slow_engine, progress=False,
                      batch_size=10)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # the workers are inside their first batch
        workers = _children(proc.pid)
        assert len(workers) >= 2, proc.stderr.read() if proc.poll() is not None else "no workers"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 1.5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(_alive(w) for w in workers), "workers outlived their parent"
        time.sleep(2.5)  # past the end of the first batch
        assert not list(out.rglob("*.ttl")), "orphaned workers went on writing"
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in workers if "workers" in locals() else []:
            if _alive(w):
                os.kill(w, signal.SIGKILL)


def test_gzip_shard_with_a_bad_article_is_valid(tmp_path):
    src = corpus(tmp_path / "c", 1, {"bad.txt": "---\nurl: 123\n---\n" + BODY.format(n=4)})
    summary = export_corpus([src], output=tmp_path / "all.nq.gz", jobs=1, progress=False)
    assert summary.failed == 1 and "'url' must be text" in summary.failures[0]["reason"]
    with gzip.open(tmp_path / "all-00000.nq.gz", "rt", encoding="utf-8") as handle:
        assert list(ox.parse(handle.read().encode(), format=ox.RdfFormat.N_QUADS))


def test_time_budgets_nest():
    from kg.corpus.engine import ArticleTimeout, time_budget

    with pytest.raises(ArticleTimeout, match="outer"), time_budget(0.6, "outer"):
        for _ in range(3):
            with time_budget(5, "inner"):  # each inner block ends in time: the outer still counts
                time.sleep(0.25)
    with pytest.raises(ArticleTimeout, match="inner"), time_budget(5, "outer"), time_budget(0.2, "inner"):
        time.sleep(2)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # no timer left behind


def test_batch_backstop_finds_the_slow_article_of_any_engine(tmp_path):
    from test_corpus import line_engine

    from kg.corpus.runner import Job, Task, run_batch

    def stuck_engine(paths, settings):
        if any("STUCK" in Path(p).read_text(encoding="utf-8") for p in paths):
            time.sleep(30)
        return line_engine(paths, settings)

    src = corpus(tmp_path / "c", 2, {"stuck.txt": "STUCK\n"})
    paths = sorted(src.iterdir())
    tasks = [Task(str(p), p.name, str(tmp_path / "out" / f"{p.stem}.ttl"), "x") for p in paths]
    start = time.monotonic()
    outcomes = run_batch(tasks, Job(stuck_engine, EngineSettings(timeout=0.3), "turtle"))
    assert time.monotonic() - start < 5
    assert {o.name: o.status for o in outcomes} == {"a0.txt": "ok", "a1.txt": "ok", "stuck.txt": "failed"}


def dying_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    """Stands in for a worker killed by the OOM killer or a crash in C: the process just ends."""
    from test_corpus import line_engine

    if any("DIE" in Path(p).read_text(encoding="utf-8") for p in paths):
        os._exit(9)
    return line_engine(paths, settings)


def test_a_worker_that_dies_does_not_hang_the_run(tmp_path, monkeypatch):
    import kg.corpus.runner as runner

    monkeypatch.setattr(runner, "STALL_GRACE", 2.0)
    src = corpus(tmp_path / "c", 4, {"die.txt": "DIE\n"})
    start = time.monotonic()
    summary = export_corpus([src], out_dir=tmp_path / "out", jobs=2, progress=False, engine=dying_engine,
                            batch_size=1, article_timeout=0.5)
    assert time.monotonic() - start < 20
    reasons = failed_names(summary)
    assert "die.txt" in reasons and "no worker answered" in reasons["die.txt"]
    assert summary.ok + summary.failed == 5
    manifest = json.loads((tmp_path / "out" / "kg-manifest.json").read_text(encoding="utf-8"))
    assert "die.txt" not in manifest["articles"]
