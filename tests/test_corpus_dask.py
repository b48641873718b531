"""kg.corpus.distributed on a real Dask LocalCluster (2 worker processes on 127.0.0.1):
the same articles, verdicts, shards (byte for byte) and report as ``kg export DIR -o x.nq.gz``."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

distributed = pytest.importorskip("dask.distributed")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from generate_corpus import generate_corpus  # noqa: E402

from kg.corpus.distributed import export_with_dask  # noqa: E402

pytestmark = pytest.mark.slow
SHARD_SIZE = 2_000  # quads: several shards from ten articles


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, worker_dashboard_address=None)
    with cluster, distributed.Client(cluster, timeout="60s") as connected:
        yield connected


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Generated .txt and .md articles, three broken files, and the seed (one SHACL Warning)."""
    folder = tmp_path_factory.mktemp("corpus")
    paths = generate_corpus(folder, 10, seed=5, bad=3)
    assert {p.suffix for p in paths} == {".txt", ".md"}  # .md articles are part of a corpus too
    shutil.copy(ROOT / "data" / "articles" / "seed.txt", folder / "seed.txt")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "skipped.txt").write_text("Ngày 1/1/2021, tại Hà Nội.", encoding="utf-8")
    (folder / "notes.csv").write_text("not an article", encoding="utf-8")
    return folder


def kg_export(corpus: Path, output: Path, *extra: str) -> dict:
    result = CliRunner().invoke(main, ["export", "-q", str(corpus), "-o", str(output),
                                       "--shard-size", str(SHARD_SIZE), "--jobs", "2", *extra])
    assert result.exit_code == 1, result.output  # the broken files fail
    return json.loads(output.with_name("corpus.kg-report.json").read_text(encoding="utf-8"))


def shards(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("corpus-*.nq.gz"))}


def same_run(expected: dict, got: dict) -> None:
    """The reports agree on everything but timing and the order failures arrived in."""
    assert sorted(got) == sorted(expected)  # the same JSON shape
    for key in ("total", "ok", "warnings", "failed", "skipped", "triples", "interrupted"):
        assert got[key] == expected[key], key
    for key in ("failures", "warned"):
        assert sorted(got[key], key=json.dumps) == sorted(expected[key], key=json.dumps), key
    assert [Path(p).name for p in got["outputs"]] == [Path(p).name for p in expected["outputs"]]


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_dask_shards_are_byte_identical_to_kg_export(client, corpus, tmp_path, strict):
    flag = ("--strict",) if strict else ()
    expected = kg_export(corpus, tmp_path / "kg" / "corpus.nq.gz", *flag)
    summary = export_with_dask([corpus], tmp_path / "dask" / "corpus.nq.gz", client,
                               shard_size=SHARD_SIZE, strict=strict)
    got = json.loads((tmp_path / "dask" / "corpus.kg-report.json").read_text(encoding="utf-8"))
    same_run(expected, got)
    assert summary.total == 14 and summary.failed == (4 if strict else 3) and summary.exit_code == 1
    assert len(shards(tmp_path / "kg")) > 2
    assert shards(tmp_path / "dask") == shards(tmp_path / "kg")
    reasons = "\n".join(f["reason"] for f in got["failures"])
    assert "not UTF-8" in reasons and "empty" in reasons and "front matter" in reasons
    if strict:  # the seed's source error (term 2021-2016) is a Warning; --strict makes it fatal, in both
        assert "seed.txt: 0 SHACL Violation(s), 1 Warning(s)" in reasons
    else:
        assert [w["article"] for w in got["warned"]] == ["seed.txt"]


def test_a_batch_whose_engine_breaks_fails_only_its_articles(client, corpus, tmp_path):
    # ``int`` stands for an engine with a bug: int(paths, settings) raises TypeError inside the task.
    summary = export_with_dask([corpus / "000"], tmp_path / "corpus.nq", client, engine=int, batch_size=2)
    assert (summary.total, summary.failed, summary.outputs) == (len(summary.failures), summary.total, [])
    assert all("internal error: TypeError" in f["reason"] for f in summary.failures)


def test_the_run_refuses_what_kg_export_refuses(client, corpus, tmp_path):
    from kg.errors import InputError, KgError

    with pytest.raises(InputError, match="must end in .nq"):
        export_with_dask([corpus], tmp_path / "corpus.ttl", client)
    with pytest.raises(InputError, match="no articles"):
        export_with_dask([tmp_path], tmp_path / "out" / "corpus.nq", client)
    with pytest.raises(KgError, match="one of the input articles"):
        export_with_dask([corpus], tmp_path / "corpus.nq", client, report=corpus / "seed.txt")


def test_ctrl_c_leaves_no_shard_and_reports_interrupted(client, corpus, tmp_path, monkeypatch):
    import kg.corpus.distributed as dist

    received = []
    real = dist._nquads

    def interrupted_on_the_third(answer):  # Ctrl-C reaching the client while shards are being written
        received.append(answer)
        if len(received) == 3:
            raise KeyboardInterrupt
        return real(answer)

    monkeypatch.setattr(dist, "_nquads", interrupted_on_the_third)
    summary = export_with_dask([corpus], tmp_path / "corpus.nq.gz", client, shard_size=500)
    assert summary.interrupted and summary.exit_code == 130
    assert not list(tmp_path.glob("corpus-*")) and not list(tmp_path.glob(".corpus-*"))
    assert json.loads((tmp_path / "corpus.kg-report.json").read_text(encoding="utf-8"))["interrupted"] is True


def test_dask_applies_the_curation_byte_for_byte_as_kg_export(client, corpus, tmp_path):
    from kg.curation import load as load_curation
    from kg.iri import key_to_iri, slug

    keep, drop = (key_to_iri("person:" + slug(name)) for name in ("Lại Xuân Lâm", "Nguyễn Minh Chung"))
    path = tmp_path / "curation.yaml"
    path.write_text(
        "- {by: Mai, date: 2026-12-01, why: one man (a test), merge: {keep: '%s', drop: ['%s'], label: Lại Xuân Lâm}}\n"
        "- {by: Mai, date: 2026-12-01, why: from his CV, add: {subject: '%s', predicate: schema:birthDate, "
        "object: 1961-05-02}}\n"
        "- {by: Mai, date: 2026-12-01, why: not in the corpus, retract: {node: id/person/nobody}}\n" % (keep, drop, keep),
        encoding="utf-8")
    expected = kg_export(corpus, tmp_path / "kg" / "corpus.nq.gz", "--curation", str(path))
    export_with_dask([corpus], tmp_path / "dask" / "corpus.nq.gz", client, shard_size=SHARD_SIZE,
                     curation=load_curation(path), curation_path=str(path))
    got = json.loads((tmp_path / "dask" / "corpus.kg-report.json").read_text(encoding="utf-8"))
    same_run(expected, got)
    assert got["curation"] == expected["curation"]
    assert (got["curation"]["applied"], len(got["curation"]["dangling"])) == (2, 1)
    assert shards(tmp_path / "dask") == shards(tmp_path / "kg")
    text = b"".join(__import__("gzip").decompress(b) for b in shards(tmp_path / "dask").values()).decode()
    assert "1961-05-02" in text and f"<{drop}> <http://www.w3.org/2002/07/owl#sameAs> <{keep}>" in text
    # and the curation made a difference: the uncurated run differs
    plain = tmp_path / "plain" / "corpus.nq.gz"
    export_with_dask([corpus], plain, client, shard_size=SHARD_SIZE)
    assert shards(plain.parent) != shards(tmp_path / "dask")
