"""bench/generate_corpus.py: synthetic articles of the genre, deterministic by seed."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "generate_corpus.py"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("generate_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("generate_corpus", None)


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_deterministic_by_seed_and_prefix_stable(gen, tmp_path):
    gen.generate_corpus(tmp_path / "a", 30, seed=7)
    gen.generate_corpus(tmp_path / "b", 30, seed=7)
    gen.generate_corpus(tmp_path / "c", 10, seed=7)
    gen.generate_corpus(tmp_path / "d", 10, seed=8)
    a, c = digest(tmp_path / "a"), digest(tmp_path / "c")
    assert a == digest(tmp_path / "b")
    assert all(a[name] == h for name, h in c.items())  # article i depends only on (seed, i)
    assert c != digest(tmp_path / "d")


def test_articles_have_the_genre_features(gen, tmp_path):
    paths = gen.generate_corpus(tmp_path, 200, seed=1)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    joined = "\n".join(texts)
    for family in ("NQ", "CT", "QĐ", "QĐi", "KL", "HD", "TB", "CTr", "ĐA", "KH"):
        assert re.search(rf"\b\d+-{family}/(TW|TU|ĐUK)\b", joined), family
    for suffix in ("TW", "TU", "ĐUK"):
        assert f"/{suffix}" in joined
    assert re.search(r"Ngày \d{1,2}/\d{1,2}, tại ", joined)  # "Ngày 6/1, tại Hà Nội"
    assert re.search(r"ngày \d{1,2}-\d{1,2}-\d{4}", joined)  # document dates
    assert re.search(r"\d{1,2} tháng \d{1,2} năm \d{4}", joined)
    assert re.search(r"nhiệm kỳ \d{4}\s?[-–]\s?\d{4}", joined)
    assert re.search(r"Hội nghị (Trung ương \d+|lần thứ \d+ Ban Chấp hành Trung ương)", joined)
    assert re.search(r"kỳ họp thứ \d+", joined) and "Đại hội" in joined
    assert re.search(r"(Tỉnh|Thành) ủy [A-ZĐ]", joined) and "Trung ương" in joined
    assert "leftcenterrightdel" in joined
    with_front = [t for t in texts if t.startswith("---\n")]
    assert 0.2 < len(with_front) / len(texts) < 0.5
    meta = yaml.safe_load(with_front[0].split("---\n")[1])
    assert set(meta) == {"title", "published", "url", "source", "author"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(meta["published"]))
    assert {p.suffix for p in paths} == {".txt", ".md"}
    assert len({p.parent for p in paths}) == 1 and len(set(texts)) == len(texts)


def test_people_are_varied_vietnamese_names(gen, tmp_path):
    paths = gen.generate_corpus(tmp_path, 50, seed=3)
    joined = "\n".join(p.read_text(encoding="utf-8") for p in paths)
    names = set(re.findall(r"đồng chí ((?:[A-ZĐ][a-zà-ỹđ]+ ){1,3}[A-ZĐ][a-zà-ỹđ]+)", joined))
    assert len(names) > 30


def test_bad_files_are_bad(gen, tmp_path):
    paths = gen.generate_corpus(tmp_path, 2, seed=1, bad=3)
    bad = {p.name: p.read_bytes() for p in paths if "bad" in p.parts}
    assert len(bad) == 3
    with pytest.raises(UnicodeDecodeError):
        bad["bad-0000-not-utf8.txt"].decode("utf-8")
    assert bad["bad-0001-empty.txt"] == b""
    front = bad["bad-0002-bad-front-matter.txt"].decode("utf-8").split("---\n")[1]
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(front)


def test_command_line(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "c"), "-n", "5", "--bad", "1"],
                          capture_output=True, text=True, check=True)
    assert "wrote 6 files" in done.stderr
    assert len([p for p in (tmp_path / "c").rglob("*") if p.is_file()]) == 6
