"""kg load does not validate again what kg export validated (same bytes, same shapes), and still
validates everything else: a file from elsewhere, an edited file, any file after the shapes change."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus_support import generate_articles

import kg.store.sources as sources
from kg.cli import main
from kg.corpus import export_corpus
from kg.corpus.state import VALIDATION_SUFFIX, validation_fingerprint

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "seed.txt"
GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/pgkg/graph/stats>) }"


@pytest.fixture
def kg(tmp_path, monkeypatch):
    """`kg …` in-process, the store in tmp_path; counts the graphs SHACL-validated by kg load."""
    monkeypatch.setenv("KG_STORE", str(tmp_path / "kg-store"))
    monkeypatch.delenv("KG_ENDPOINT", raising=False)
    calls: list[str] = []
    real = sources._validate

    def counting(unit, path):
        calls.append(str(path))
        return real(unit, path)

    monkeypatch.setattr(sources, "_validate", counting)

    def run(*args: str):
        return CliRunner().invoke(main, list(args))

    run.validated = calls
    return run


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> list[Path]:
    """Three generated articles of the genre (bench/generate_corpus.py, fixed seed)."""
    return generate_articles(tmp_path_factory.mktemp("corpus"), 3, seed=7)


@pytest.fixture(scope="module")
def seed_ttl(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "seed.ttl"
    result = CliRunner().invoke(main, ["export", str(SEED), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def _copy(src: Path, folder: Path, with_record: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / src.name
    target.write_bytes(src.read_bytes())
    if with_record:
        Path(f"{target}{VALIDATION_SUFFIX}").write_bytes(Path(f"{src}{VALIDATION_SUFFIX}").read_bytes())
    return target


def _graphs(kg) -> int:
    result = kg("query", GRAPHS, "--format", "json")
    assert result.exit_code == 0, result.output
    return int(json.loads(result.output)["results"]["bindings"][0]["n"]["value"])


# --- the record kg export writes ------------------------------------------------------------------


def test_single_export_writes_a_record_of_the_bytes_it_validated(seed_ttl):
    import hashlib

    record = json.loads(Path(f"{seed_ttl}{VALIDATION_SUFFIX}").read_text(encoding="utf-8"))
    assert record["sha256"] == hashlib.sha256(seed_ttl.read_bytes()).hexdigest()
    assert record["fingerprint"] == validation_fingerprint()
    assert record["verdict"] == "accepted"


def test_no_record_for_stdout_or_a_refused_export(tmp_path):
    result = CliRunner().invoke(main, ["export", str(SEED), "-q"])
    assert result.exit_code == 0
    assert not list(Path.cwd().glob(f"*{VALIDATION_SUFFIX}"))
    result = CliRunner().invoke(main, ["export", str(SEED), "-o", str(tmp_path / "p.json"), "-f", "popolo", "-q"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / f"p.json{VALIDATION_SUFFIX}").exists()  # Popolo JSON is not RDF kg load reads


# --- kg load trusts it, for exactly those bytes ---------------------------------------------------


def test_exported_file_is_not_validated_again(kg, seed_ttl, tmp_path):
    path = _copy(seed_ttl, tmp_path / "out")
    result = kg("load", str(path))
    assert result.exit_code == 0, result.output
    assert "validated 0 files, 1 already validated by kg export" in result.output
    assert kg.validated == []
    assert _graphs(kg) == 1


@pytest.mark.parametrize("case", ["no record", "one byte edited after export"])
def test_a_file_kg_export_did_not_vouch_for_is_validated(kg, seed_ttl, tmp_path, case):
    if case == "no record":
        path = _copy(seed_ttl, tmp_path / "elsewhere", with_record=False)
    else:
        path = _copy(seed_ttl, tmp_path / "out")
        data = path.read_bytes()
        at = data.index(b'"2021-01-06"^^xsd:date')
        path.write_bytes(data[:at + 10] + b"7" + data[at + 11:])  # 2021-01-07: another date, still valid
    result = kg("load", str(path))
    assert result.exit_code == 0, result.output
    assert "validated 1 file" in result.output and "already" not in result.output
    assert kg.validated == [str(path)]


def test_one_byte_edit_that_breaks_the_shapes_is_refused(kg, seed_ttl, tmp_path):
    path = _copy(seed_ttl, tmp_path / "out")
    data = path.read_bytes()
    at = data.index(b'"2021-01-06"^^xsd:date')
    path.write_bytes(data[:at + 9] + b"9" + data[at + 10:])  # 2021-01-96: not a date, a Violation
    result = kg("load", str(path))
    assert result.exit_code != 0
    assert "does not validate" in result.output
    assert not (tmp_path / "kg-store" / "CURRENT").exists() or _graphs(kg) == 0


def test_record_of_other_shapes_is_not_trusted(kg, seed_ttl, tmp_path):
    path = _copy(seed_ttl, tmp_path / "out")
    record_path = Path(f"{path}{VALIDATION_SUFFIX}")
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["fingerprint"] = "0" * 64  # what a record written before the shapes changed holds
    record_path.write_text(json.dumps(record), encoding="utf-8")
    result = kg("load", str(path))
    assert result.exit_code == 0, result.output
    assert kg.validated == [str(path)]


def test_revalidate_and_no_validate(kg, seed_ttl, tmp_path):
    path = _copy(seed_ttl, tmp_path / "out")
    result = kg("load", "--revalidate", str(path))
    assert result.exit_code == 0, result.output
    assert "validated 1 file" in result.output and kg.validated == [str(path)]
    result = kg("load", "--no-validate", str(path))
    assert result.exit_code == 0, result.output
    assert "not validated (--no-validate)" in result.output


def test_mixed_load_into_a_store_with_data_counts_both(kg, seed_ttl, articles, tmp_path):
    trusted = _copy(seed_ttl, tmp_path / "out")
    other = tmp_path / "other.nq"
    result = kg("export", str(articles[0]), "-o", str(other), "-q")
    assert result.exit_code == 0, result.output
    Path(f"{other}{VALIDATION_SUFFIX}").unlink()
    assert kg("load", str(trusted)).exit_code == 0  # the store holds data now: the transaction path
    kg.validated.clear()
    result = kg("load", str(trusted), str(other))
    assert result.exit_code == 0, result.output
    assert "validated 1 file, 1 already validated by kg export" in result.output
    assert kg.validated == [str(other)]


# --- corpus mode: the --out-dir manifest and the shards' records ----------------------------------


def test_corpus_out_dir_manifest_vouches_for_each_file(kg, articles, tmp_path):
    out = tmp_path / "out"
    summary = export_corpus(articles, out_dir=out, jobs=1, progress=False)
    assert summary.failed == 0
    manifest = json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))
    assert manifest["validation"] == validation_fingerprint()
    files = sorted(str(p) for p in out.rglob("*.ttl"))
    assert len(files) == 3 and all("output_sha256" in e for e in manifest["articles"].values())
    result = kg("load", *files)
    assert result.exit_code == 0, result.output
    assert "validated 0 files, 3 already validated by kg export" in result.output
    assert kg.validated == []

    edited = Path(files[1])
    edited.write_bytes(edited.read_bytes() + b"\n")  # one byte more: other bytes, validated again
    result = kg("load", *files)
    assert result.exit_code == 0, result.output
    assert "validated 1 file, 2 already validated by kg export" in result.output
    assert kg.validated == [files[1]]


def test_corpus_without_validation_vouches_for_nothing(kg, articles, tmp_path):
    out = tmp_path / "out"
    export_corpus(articles, out_dir=out, jobs=1, progress=False, validate=False)
    assert "validation" not in json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))
    result = kg("load", *sorted(map(str, out.rglob("*.ttl"))))
    assert result.exit_code == 0, result.output
    assert "validated 3 files" in result.output


def test_shards_carry_a_record_and_an_edited_shard_is_validated(kg, articles, tmp_path):
    out = tmp_path / "corpus.nq.gz"
    summary = export_corpus(articles, output=out, jobs=1, progress=False)
    shard = Path(summary.outputs[0])
    assert Path(f"{shard}{VALIDATION_SUFFIX}").is_file()
    result = kg("load", str(shard))  # into an empty store: the bulk path
    assert result.exit_code == 0, result.output
    assert "validated 0 files, 1 already validated by kg export" in result.output
    assert kg.validated == [] and _graphs(kg) == 3

    text = gzip.decompress(shard.read_bytes()).decode("utf-8")
    shard.write_bytes(gzip.compress((text + "# a comment: the same quads, other bytes\n").encode("utf-8")))
    result = kg("load", str(shard))
    assert result.exit_code == 0, result.output
    assert "validated 1 file" in result.output and "already" not in result.output
    assert len(kg.validated) == 3  # every graph of the edited shard

    mention = next(line for line in text.splitlines() if "anchorOf" in line)
    shard.write_bytes(gzip.compress(text.replace(mention + "\n", "", 1).encode("utf-8")))
    result = kg("load", str(shard))  # a mention without its quote: a Violation, refused
    assert result.exit_code != 0 and "does not validate" in result.output
    assert _graphs(kg) == 3


def test_shard_records_follow_the_shards(articles, tmp_path):
    out = tmp_path / "corpus.nq.gz"
    export_corpus(articles, output=out, jobs=1, progress=False, shard_size=1)  # one shard per article
    assert len(list(tmp_path.glob(f"corpus-*.nq.gz{VALIDATION_SUFFIX}"))) == 3
    export_corpus(articles, output=out, jobs=1, progress=False, force=True)  # one shard now
    assert [p.name for p in tmp_path.glob(f"corpus-*{VALIDATION_SUFFIX}")] == [f"corpus-00000.nq.gz{VALIDATION_SUFFIX}"]
