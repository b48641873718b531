"""Corpus mode (kg.corpus): discovery, parallel runner, error isolation, incremental runs,
shards, Ctrl-C, loading, progress — with a tiny stand-in engine so the tests stay fast —
and the real pipeline on the seed article."""

from __future__ import annotations

import gzip
import hashlib
import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from corpus_support import generate_articles

from kg.corpus import ArticleResult, EngineSettings, export_corpus, iter_articles
from kg.corpus.discover import output_names
from kg.corpus.progress import Progress
from kg.corpus.runner import Job, Task, run_batch
from kg.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "articles" / "seed.txt"
EX = "http://example.org/"


# --- a stand-in engine: one quad per non-empty line; markers in the text set the outcome ---


def line_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    return [_line_article(path, settings) for path in paths]


def _line_article(path: str, settings: EngineSettings) -> ArticleResult:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return ArticleResult(path, error=f"{path}: not UTF-8")
    if not text.strip():
        return ArticleResult(path, error=f"{path}: empty article")
    if "SLOW" in text:
        time.sleep(0.05)
    ident = hashlib.sha256(raw).hexdigest()[:12]
    graph = f"{settings.base}graph/{ident}"
    lines = sorted({
        f'<{settings.base}id/article/{ident}> <{EX}line> "{line.strip()}"@vi <{graph}> .\n'
        for line in text.splitlines() if line.strip()
    })
    counts = {}
    if "VIOLATION" in text:
        counts["Violation"] = 1
    if "WARNING" in text:
        counts["Warning"] = 1
    messages = ["[Violation] demo message"] if counts else []
    return ArticleResult(path, graph=graph, nquads="".join(lines), triples=len(lines), counts=counts,
                         messages=messages)


def crashing_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    if any("CRASH" in Path(p).read_text(encoding="utf-8", errors="replace") for p in paths):
        raise RuntimeError("engine bug")
    return line_engine(paths, settings)


def interrupting_engine(paths: list[str], settings: EngineSettings) -> list[ArticleResult]:
    if any("STOP" in Path(p).read_text(encoding="utf-8") for p in paths):
        raise KeyboardInterrupt
    return line_engine(paths, settings)


def write_corpus(folder: Path, n: int = 6, extra: dict[str, bytes] | None = None) -> Path:
    for i in range(n):
        sub = folder / f"part{i % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"a{i:02d}.txt").write_text(f"Bài {i}\nNgày {i + 1}/1, tại Hà Nội.\n", encoding="utf-8")
    for name, data in (extra or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def run(corpus: Path, **kwargs):
    kwargs.setdefault("engine", line_engine)
    kwargs.setdefault("progress", False)
    kwargs.setdefault("jobs", 2)
    return export_corpus([corpus], **kwargs)


# --- discovery ---------------------------------------------------------------------------


def test_iter_articles_dir_glob_and_files(tmp_path):
    write_corpus(tmp_path / "c", 4, {"c/notes.csv": b"x", "c/.hidden/x.txt": b"x", "c/deep/b.md": b"x"})
    found = iter_articles([tmp_path / "c"])
    assert [p.name for p in found] == ["b.md", "a00.txt", "a02.txt", "a01.txt", "a03.txt"]
    assert found == sorted(found)
    assert [p.name for p in iter_articles([str(tmp_path / "c" / "part0" / "*.txt")])] == ["a00.txt", "a02.txt"]
    one = tmp_path / "c" / "part1" / "a01.txt"
    assert iter_articles([one, one]) == [one.resolve()]


def test_iter_articles_names_what_is_missing(tmp_path):
    with pytest.raises(InputError, match="nope.txt: no such file"):
        iter_articles([tmp_path / "nope.txt"])
    with pytest.raises(InputError, match="matches no file"):
        iter_articles([str(tmp_path / "*.txt")])


def test_output_names_keep_both_when_stems_collide():
    assert output_names(["x/a.txt", "x/a.md", "b.txt"], ".ttl") == ["x/a.txt.ttl", "x/a.md.ttl", "b.ttl"]


# --- one file per article ---------------------------------------------------------------------


def test_out_dir_one_file_per_article_bad_ones_reported(tmp_path):
    corpus = write_corpus(tmp_path / "c", 6, {
        "bad/latin.txt": "Hà Nội".encode("utf-16"), "bad/empty.txt": b"",
        "bad/invalid.txt": "Bài VIOLATION\n".encode(), "warn/w.txt": "Bài WARNING\n".encode()})
    out = tmp_path / "out"
    summary = run(corpus, out_dir=out)
    assert (summary.total, summary.ok, summary.warnings, summary.failed) == (10, 6, 1, 3)
    assert summary.exit_code == 1
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ttl")) == [
        "part0/a00.ttl", "part0/a02.ttl", "part0/a04.ttl", "part1/a01.ttl", "part1/a03.ttl", "part1/a05.ttl",
        "warn/w.ttl"]
    parsed = list(ox.parse(path=str(out / "part0" / "a00.ttl"), format=ox.RdfFormat.TURTLE))
    assert len(parsed) == 2 and parsed[0].object.language == "vi"
    report = json.loads((out / "kg-report.json").read_text(encoding="utf-8"))
    reasons = {f["article"]: f["reason"] for f in report["failures"]}
    assert set(reasons) == {"bad/latin.txt", "bad/empty.txt", "bad/invalid.txt"}
    assert "not UTF-8" in reasons["bad/latin.txt"] and "SHACL Violation" in reasons["bad/invalid.txt"]
    assert report["warned"] == [{"article": "warn/w.txt", "counts": {"Warning": 1}}]
    assert report["triples"] == summary.triples == 7 * 2 - 1
    assert not list(out.rglob("*.tmp"))


def test_strict_makes_warnings_fail(tmp_path):
    corpus = write_corpus(tmp_path / "c", 1, {"w.txt": b"WARNING\n"})
    summary = run(corpus, out_dir=tmp_path / "out", strict=True, jobs=1)
    assert (summary.ok, summary.failed) == (1, 1)


@pytest.mark.parametrize("fmt,suffix,rdf_format", [
    ("trig", ".trig", ox.RdfFormat.TRIG), ("nquads", ".nq", ox.RdfFormat.N_QUADS),
    ("nt", ".nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ".jsonld", ox.RdfFormat.JSON_LD)])
def test_other_formats(tmp_path, fmt, suffix, rdf_format):
    corpus = write_corpus(tmp_path / "c", 2)
    run(corpus, out_dir=tmp_path / "out", fmt=fmt, jobs=1)
    files = sorted((tmp_path / "out").rglob(f"*{suffix}"))
    assert len(files) == 2
    quads = list(ox.parse(path=str(files[0]), format=rdf_format))
    assert len(quads) == 2
    if fmt in ("trig", "nquads"):  # named graphs kept where the format has them
        assert str(quads[0].graph_name).startswith("<https://w3id.org/pgkg/graph/")


def test_engine_crash_fails_its_batch_only(tmp_path):
    corpus = write_corpus(tmp_path / "c", 4, {"z/crash.txt": b"CRASH\n"})
    summary = run(corpus, out_dir=tmp_path / "out", engine=crashing_engine, batch_size=1)
    assert (summary.ok, summary.failed) == (4, 1)
    assert "internal error: RuntimeError: engine bug" in summary.failures[0]["reason"]


def test_run_batch_in_process_writes_atomically(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Một dòng\n", encoding="utf-8")
    target = tmp_path / "o" / "a.ttl"
    job = Job(line_engine, EngineSettings(), "turtle")
    [outcome] = run_batch([Task(str(article), "a.txt", str(target), "x")], job)
    assert outcome.status == "ok" and outcome.triples == 1
    assert target.read_text(encoding="utf-8").startswith("@prefix pg:")


# --- incremental -------------------------------------------------------------------------------


def test_incremental_skips_unchanged_and_redoes_changed(tmp_path):
    corpus = write_corpus(tmp_path / "c", 6)
    out = tmp_path / "out"
    first = run(corpus, out_dir=out)
    assert (first.ok, first.skipped) == (6, 0)
    again = run(corpus, out_dir=out)
    assert (again.ok, again.skipped, again.triples) == (0, 6, first.triples)
    (corpus / "part1" / "a03.txt").write_text("Bài 3 đã sửa\nthêm một dòng\nvà một dòng nữa\n", encoding="utf-8")
    changed = run(corpus, out_dir=out)
    assert (changed.ok, changed.skipped, changed.triples) == (1, 5, first.triples + 1)
    (out / "part0" / "a00.ttl").unlink()  # a deleted output is made again
    assert run(corpus, out_dir=out).ok == 1
    assert run(corpus, out_dir=out, force=True).ok == 6
    assert run(corpus, out_dir=out, fmt="trig").ok == 6  # other settings, other fingerprint


def test_article_that_now_fails_loses_its_old_output(tmp_path):
    corpus = write_corpus(tmp_path / "c", 2)
    out = tmp_path / "out"
    run(corpus, out_dir=out)
    (corpus / "part0" / "a00.txt").write_text("VIOLATION\n", encoding="utf-8")
    summary = run(corpus, out_dir=out)
    assert summary.failed == 1 and not (out / "part0" / "a00.ttl").exists()
    manifest = json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["articles"]) == ["part1/a01.txt"]


def test_fingerprint_follows_shapes_and_version(tmp_path, monkeypatch):
    from kg.corpus.state import toolkit_fingerprint

    first = toolkit_fingerprint({"base": "x"})
    assert first == toolkit_fingerprint({"base": "x"}) != toolkit_fingerprint({"base": "y"})
    monkeypatch.setattr("kg.__version__", "99.0")
    assert toolkit_fingerprint({"base": "x"}) != first


# --- shards ------------------------------------------------------------------------------------


def test_shards_sorted_deterministic_and_split(tmp_path):
    corpus = write_corpus(tmp_path / "c", 7, {"bad/e.txt": b""})
    one = run(corpus, output=tmp_path / "j1" / "corpus.nq.gz", shard_size=5, jobs=1)
    two = run(corpus, output=tmp_path / "j2" / "corpus.nq.gz", shard_size=5, jobs=2, force=True)
    assert [Path(p).name for p in one.outputs] == ["corpus-00000.nq.gz", "corpus-00001.nq.gz",
                                                  "corpus-00002.nq.gz", "corpus-00003.nq.gz"]
    for a, b in zip(one.outputs, two.outputs):
        assert Path(a).read_bytes() == Path(b).read_bytes()
    lines = [line for p in one.outputs for line in gzip.decompress(Path(p).read_bytes()).decode().splitlines()]
    assert len(lines) == 14 and one.failed == 1
    graphs = [line.rsplit(" ", 2)[1] for line in lines]
    assert all(graphs.count(g) == 2 and graphs[graphs.index(g) + 1] == g for g in graphs)  # graphs whole
    assert (tmp_path / "j1" / "corpus.kg-report.json").exists()


def test_shards_rerun_is_incremental_and_drops_stale_shards(tmp_path):
    corpus = write_corpus(tmp_path / "c", 6)
    target = tmp_path / "s" / "corpus.nq"
    first = run(corpus, output=target, shard_size=2)
    assert len(first.outputs) == 6
    again = run(corpus, output=target, shard_size=100)
    assert again.skipped == 6 and [Path(p).name for p in again.outputs] == ["corpus-00000.nq"]
    assert sorted(p.name for p in target.parent.glob("corpus-*")) == ["corpus-00000.nq"]
    assert len((target.parent / "corpus-00000.nq").read_text(encoding="utf-8").splitlines()) == 12


def test_trig_shards_parse_with_named_graphs(tmp_path):
    corpus = write_corpus(tmp_path / "c", 3)
    summary = run(corpus, output=tmp_path / "corpus.trig.gz", shard_size=4)
    quads = [q for p in summary.outputs
             for q in ox.parse(gzip.decompress(Path(p).read_bytes()), format=ox.RdfFormat.TRIG)]
    assert len(quads) == 6 and len({q.graph_name for q in quads}) == 3


def test_bad_output_names_are_usage_errors(tmp_path):
    corpus = write_corpus(tmp_path / "c", 1)
    with pytest.raises(InputError, match=r"must end in \.nq"):
        run(corpus, output=tmp_path / "corpus.ttl")
    with pytest.raises(InputError, match="exactly one of"):
        run(corpus)
    with pytest.raises(InputError, match="no articles"):
        (tmp_path / "empty").mkdir()
        run(tmp_path / "empty", out_dir=tmp_path / "o")


# --- Ctrl-C ------------------------------------------------------------------------------------


def test_interrupt_in_process_keeps_finished_articles(tmp_path):
    corpus = write_corpus(tmp_path / "c", 4, {"part9/z.txt": b"STOP\n"})
    out = tmp_path / "out"
    summary = run(corpus, out_dir=out, engine=interrupting_engine, jobs=1, batch_size=1)
    assert summary.interrupted and summary.exit_code == 130 and summary.ok == 4
    manifest = json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["articles"]) == 4
    assert not list(out.rglob("*.tmp"))


def test_ctrl_c_stops_the_pool_cleanly(tmp_path):
    corpus = tmp_path / "c"
    for i in range(300):
        (corpus / f"{i % 3}").mkdir(parents=True, exist_ok=True)
        (corpus / f"{i % 3}" / f"a{i:03d}.txt").write_text(f"SLOW {i}\n", encoding="utf-8")
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_corpus import line_engine
        from kg.corpus import export_corpus
        s = export_corpus([{str(corpus)!r}], out_dir={str(out)!r}, jobs=2, engine=line_engine,
                          progress=False, batch_size=2)
        print(s.text(), flush=True)
        sys.exit(s.exit_code)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    deadline = time.monotonic() + 20
    while not list(out.rglob("*.ttl")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert stdout.startswith("interrupted: 300 articles")
    assert not list(out.rglob("*.tmp"))
    manifest = json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))
    assert 0 < len(manifest["articles"]) < 300
    for name in manifest["articles"]:  # every recorded article has its complete file
        path = out / Path(name).with_suffix(".ttl")
        assert len(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))) == 1
    rerun = run(corpus, out_dir=out, jobs=2)
    assert rerun.skipped == len(manifest["articles"]) and rerun.ok == 300 - rerun.skipped


# --- load into the store -------------------------------------------------------------------


def test_load_puts_each_article_in_its_graph(tmp_path):
    from kg.store import open_store

    corpus = write_corpus(tmp_path / "c", 3, {"bad.txt": b""})
    store_dir = tmp_path / "store"
    summary = run(corpus, out_dir=tmp_path / "out", load=True, store=str(store_dir))
    assert summary.loaded == 3
    store = open_store(store_dir, read_only=True)
    try:
        rows = store.query("SELECT (COUNT(DISTINCT ?g) AS ?n) (COUNT(*) AS ?t) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/pgkg/graph/stats>) }")
        assert rows.values() == [{"n": "3", "t": "6"}]
    finally:
        store.close()


# --- progress ----------------------------------------------------------------------------------


class _Sink:
    def __init__(self, tty):
        self.text, self.tty = "", tty

    def write(self, s):
        self.text += s

    def flush(self):
        pass

    def isatty(self):
        return self.tty


def test_progress_quiet_lines_off_a_terminal():
    sink = _Sink(False)
    bar = Progress(10, stream=sink, every=3600)
    for done in range(1, 11):
        bar.update(done, failed=1 if done > 5 else 0)
    bar.close()
    lines = sink.text.splitlines()
    assert len(lines) == 2 and lines[0].startswith("kg: 1/10 articles")
    assert "10/10 articles 100%" in lines[1] and "/s" in lines[1] and "1 failed" in lines[1]


def test_progress_bar_on_a_terminal():
    sink = _Sink(True)
    bar = Progress(4, stream=sink)
    bar.update(4)
    bar.close()
    assert sink.text.startswith("\r\x1b[K[########################] 4/4 articles 100%") and "ETA 0s" in sink.text


# --- the real pipeline ---------------------------------------------------------------------


def test_real_pipeline_on_the_seed(tmp_path):
    from kg.pipeline import export_article

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "seed.txt").write_bytes(SEED.read_bytes())
    (corpus / "broken.txt").write_bytes(b"\xff\xfe\x00bad")
    summary = export_corpus([corpus], output=tmp_path / "seed.nq", jobs=2, progress=False)
    assert summary.failed == 1 and summary.ok + summary.warnings == 1
    assert "broken.txt" in summary.failures[0]["reason"]
    expected = export_article(str(corpus / "seed.txt"), validate=False, root=str(corpus))
    lines = Path(summary.outputs[0]).read_text(encoding="utf-8").splitlines(keepends=True)
    assert "".join(lines) == expected.nquads and summary.triples == expected.triples


@pytest.fixture(scope="module")
def generated_graphs(tmp_path_factory):
    """The seed and a dozen generated articles (they share people and bodies), mapped by kg."""

    from kg.pipeline import export_article

    paths = [SEED] + generate_articles(tmp_path_factory.mktemp("gen"), 12, seed=5)
    return [export_article(str(p), validate=False).graph for p in paths]


def test_batched_validation_equals_one_call_per_article(generated_graphs):
    from kg.validate import validate, validate_many

    batched = validate_many(generated_graphs, "https://w3id.org/pgkg/")
    alone = [validate(g) for g in generated_graphs]
    assert [r.results for r in batched] == [r.results for r in alone]
    assert [r.counts for r in batched] == [r.counts for r in alone]
    assert sum(len(r.results) for r in alone) > 0  # the comparison covers real results
    assert any("2021 - 2016" in str(r.value) or r.shape.endswith("yearOrder") for r in batched[0].results)


@pytest.mark.parametrize("fmt, ext", [("turtle", ".ttl"), ("trig", ".trig"), ("nt", ".nt"),
                                      ("nquads", ".nq"), ("jsonld", ".jsonld")])
def test_corpus_files_are_byte_identical_to_single_exports(tmp_path, fmt, ext):
    """One writer for both modes: out/seed.ttl from a corpus run == `kg export seed.txt -o x.ttl`."""
    from click.testing import CliRunner

    from kg.cli import main

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "seed.txt").write_bytes(SEED.read_bytes())
    runner = CliRunner()
    out_dir = tmp_path / "out"
    result = runner.invoke(main, ["export", str(corpus), "--out-dir", str(out_dir), "-f", fmt, "-q", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    single = tmp_path / f"single{ext}"
    # Same root, same IRIs: the seed is "seed.txt" below the corpus folder and below --root.
    result = runner.invoke(main, ["export", str(SEED), "--root", str(SEED.parent), "-o", str(single), "-f", fmt, "-q"])
    assert result.exit_code == 0, result.output
    assert (out_dir / f"seed{ext}").read_bytes() == single.read_bytes()


# --- the command line (kg export with corpus options) ---------------------------------------


def test_cli_corpus_out_dir_and_failures(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    corpus = tmp_path / "c"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "seed.txt").write_bytes(SEED.read_bytes())
    (corpus / "empty.md").write_bytes(b"")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", str(corpus), "--out-dir", str(out), "--jobs", "2",
                                       "--no-progress"])
    assert result.exit_code == 1, result.output
    assert "kg: failed:" in result.stderr and "empty.md" in result.stderr
    assert "2 articles: " in result.stderr and "1 failed" in result.stderr
    assert (out / "sub" / "seed.ttl").exists() and not (out / "empty.ttl").exists()
    report = json.loads((out / "kg-report.json").read_text(encoding="utf-8"))
    assert report["failed"] == 1 and report["failures"][0]["article"] == "empty.md"
    again = CliRunner().invoke(main, ["export", str(corpus / "sub"), "--out-dir", str(out), "-q"])
    assert again.exit_code == 0 and again.stderr == ""


def test_cli_corpus_shards_and_single_file_unchanged(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(3):  # three articles (other urls, other graphs): a shard never splits one
        front = f"---\nurl: https://tin.example.vn/bai-{i}.html\n---\n"
        (corpus / f"seed{i}.txt").write_text(front + SEED.read_text(encoding="utf-8"), encoding="utf-8")
    shards = tmp_path / "s" / "corpus.nq.gz"
    (tmp_path / "s").mkdir()
    result = CliRunner().invoke(main, ["export", str(corpus), "-o", str(shards), "--shard-size", "100",
                                       "--no-progress"])
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in shards.parent.glob("corpus-*.nq.gz"))
    assert made == ["corpus-00000.nq.gz", "corpus-00001.nq.gz", "corpus-00002.nq.gz"]
    single = tmp_path / "one.nq"
    result = CliRunner().invoke(main, ["export", str(SEED), "-o", str(single), "-q"])
    assert result.exit_code == 0 and single.exists()  # a file with -o x.nq stays one file
    missing = CliRunner().invoke(main, ["export", str(tmp_path / "nope.txt"), "-o", str(single)])
    assert missing.exit_code == 2 and "does not exist" in missing.output
