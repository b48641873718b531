"""Hostile input to `kg export` / `kg extract` (one article at a time): each case gets one clear
line naming the file and the problem, a non-zero exit, no half-written output, nothing lost.

Cases that could hang (FIFOs) or need real file descriptors (/dev/full as stdout) run the
CLI in a subprocess with a timeout; the rest use click's runner, in process.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.text import parse_article, read_article

ROOT = Path(__file__).resolve().parent.parent
BODY = "Ngày 3/2/2022, đồng chí Trần Văn Bình, Bí thư Tỉnh ủy, chủ trì hội nghị tổng kết công tác.\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def article(folder: Path, name: str = "a.txt", front: str | None = None, body: str = BODY) -> Path:
    path = folder / name
    text = body if front is None else f"---\n{front}---\n{body}"
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def kg(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    """The real command in a subprocess (real file descriptors; a hang fails instead of blocking)."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "kg", *args], stderr=subprocess.PIPE, text=True,
                          timeout=timeout, cwd=ROOT, **kwargs)


def one_line_error(stderr: str, *needles: str) -> str:
    """The error is exactly one "kg: error:" line (no traceback) that says each of ``needles``."""
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith(("kg: error:", "Error:"))]
    assert len(errors) == 1, stderr
    for needle in needles:
        assert needle in errors[0], stderr
    return errors[0]


# --- 1. an output path that names an input, a device, a symlink ---------------------------------


def test_output_that_is_the_input_is_refused_and_the_article_kept(tmp_path):
    a = article(tmp_path)
    before = a.read_bytes()
    result = cli("export", str(a), "-o", str(a), "-q")
    assert result.exit_code == 2
    one_line_error(result.stderr, str(a), "one of the input articles")
    assert a.read_bytes() == before


def test_output_that_is_the_second_input_is_refused(tmp_path):
    a, b = article(tmp_path, "a.txt"), article(tmp_path, "b.txt", body=BODY.replace("Bình", "Minh"))
    before = b.read_bytes()
    result = cli("export", str(a), str(b), "-o", str(b), "-q")
    assert result.exit_code == 2
    one_line_error(result.stderr, "one of the input articles")
    assert b.read_bytes() == before


def test_output_through_a_link_or_hard_link_to_the_input_is_refused(tmp_path):
    a = article(tmp_path)
    before = a.read_bytes()
    (tmp_path / "link.ttl").symlink_to(a)
    os.link(a, tmp_path / "hard.ttl")
    for out in ("link.ttl", "hard.ttl"):
        result = cli("export", str(a), "-o", str(tmp_path / out), "-q")
        assert result.exit_code == 2, out
        one_line_error(result.stderr, "one of the input articles")
    assert a.read_bytes() == before


def test_output_symlink_is_written_through_and_stays_a_link(tmp_path):
    a = article(tmp_path)
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "graph.ttl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to(target)
    result = cli("export", str(a), "-o", str(link), "-q")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "@prefix" in target.read_text(encoding="utf-8")
    assert not [p for p in (tmp_path / "real").iterdir() if p.name != "graph.ttl"]  # no temp file left


def test_dangling_symlink_output_creates_its_target(tmp_path):
    a = article(tmp_path)
    link = tmp_path / "link.ttl"
    link.symlink_to(tmp_path / "new.ttl")
    assert cli("export", str(a), "-o", str(link), "-q").exit_code == 0
    assert link.is_symlink() and "@prefix" in (tmp_path / "new.ttl").read_text(encoding="utf-8")


@pytest.mark.skipif(not IS_ROOT, reason="making device nodes needs root")
def test_device_outputs_are_written_to_not_replaced(tmp_path):
    a = article(tmp_path)
    null, full = tmp_path / "null", tmp_path / "full"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the same devices as /dev/null, /dev/full
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    assert cli("export", str(a), "-o", str(null), "-q").exit_code == 0
    result = cli("export", str(a), "-o", str(full), "-q")
    assert result.exit_code == 1
    one_line_error(result.stderr, str(full), "No space left on device")
    for node in (null, full):
        assert stat.S_ISCHR(os.lstat(node).st_mode), f"{node} was replaced by a regular file"


def test_output_in_a_folder_that_cannot_hold_files(tmp_path):
    a = article(tmp_path)
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    result = cli("export", str(a), "-o", str(plain / "out.ttl"), "-q")
    assert result.exit_code == 1
    one_line_error(result.stderr, "out.ttl", "plain.txt is a file, not a folder")
    result = cli("export", str(a), "-o", "/proc/kg-test-out.ttl", "-q")
    assert result.exit_code == 1
    one_line_error(result.stderr, "/proc/kg-test-out.ttl", "cannot write")


@pytest.mark.parametrize("command", ["export", "extract"])
def test_stdout_on_a_full_disk_is_one_line(tmp_path, command):
    a = article(tmp_path)
    with open("/dev/full", "w") as full:
        proc = kg(command, str(a), "-q" if command == "export" else "--max-article-size=2M", stdout=full)
    assert proc.returncode == 1
    one_line_error(proc.stderr, "stdout", "No space left on device")


# --- 7. a front-matter url that is not an absolute http(s) IRI -------------------------------------


@pytest.mark.parametrize("url", ['"http://example.org/a b"', '"http://example.org/a>b"', "tin/bai-1.html",
                                 "123", "[http://example.org/]", '"ftp://example.org/a"', '"http:///nohost"',
                                 '"javascript:alert(1)"'])
def test_bad_url_is_one_line_naming_the_file(tmp_path, url):
    a = article(tmp_path, front=f"title: Tin thử\nurl: {url}\n")
    result = cli("export", str(a), "-q")
    assert result.exit_code == 1
    one_line_error(result.stderr, str(a), "'url'")
    assert result.stdout == ""


def test_good_urls_still_pass():
    for url in ("https://example.org/tin/bai-1.html", "http://báo.vn/thời-sự/a?id=1#x"):
        assert parse_article(f"---\nurl: {url}\n---\n{BODY}", "a.txt").url == url


# --- 10. front matter that used to crash the parser ------------------------------------------------


def test_impossible_date_is_one_line(tmp_path):
    a = article(tmp_path, front="published: 2021-13-45\n")
    result = cli("export", str(a), "-q")
    assert result.exit_code == 1
    one_line_error(result.stderr, str(a), "front matter")


@pytest.mark.parametrize("front", ["tags: " + "[" * 10_000 + "\n", "tags: " + "{a: " * 5_000 + "\n",
                                   "".join(" " * i + "- \n" for i in range(300))])
def test_deep_nesting_is_one_line_and_fast(tmp_path, front):
    a = article(tmp_path, front=front)
    start = time.monotonic()
    result = cli("export", str(a), "-q")
    assert time.monotonic() - start < 10
    assert result.exit_code == 1
    one_line_error(result.stderr, str(a), "front matter")


# --- 11. size bounds --------------------------------------------------------------------------------


def test_many_front_matter_keys_are_refused_quickly(tmp_path):
    front = "".join(f"k{i}: v\n" for i in range(300_000))
    a = article(tmp_path, front=front)
    start = time.monotonic()
    result = cli("export", str(a), "-q")
    assert time.monotonic() - start < 5
    assert result.exit_code == 1
    one_line_error(result.stderr, str(a))


def test_front_matter_key_count_is_bounded(tmp_path):
    front = "".join(f"k{i}: v\n" for i in range(1_000))  # small enough in bytes, too many keys
    with pytest.raises(InputError, match="keys"):
        read_article(article(tmp_path, front=front))


def test_article_size_limit_and_flag(tmp_path):
    big = article(tmp_path, "big.txt", body=BODY * (2 * 1024 * 1024 // len(BODY.encode()) + 1))
    result = cli("export", str(big), "-q")
    assert result.exit_code == 1
    one_line_error(result.stderr, str(big), "2 MB", "--max-article-size")
    small = article(tmp_path, "small.txt", body=BODY * 50)
    result = cli("extract", str(small), "--max-article-size", "1K")
    assert result.exit_code == 1
    one_line_error(result.stderr, str(small), "1 KB")
    assert cli("extract", str(small), "--max-article-size", "1M").exit_code == 0
    result = cli("export", str(small), "--max-article-size", "lots")
    assert result.exit_code == 2


# --- 12. things that are not article files ----------------------------------------------------------


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    proc = kg("extract", str(fifo), timeout=30)
    assert proc.returncode != 0
    one_line_error(proc.stderr, "pipe.txt", "FIFO")
    proc = kg("export", str(fifo), "-q", timeout=30)
    assert proc.returncode == 2
    one_line_error(proc.stderr, "pipe.txt", "FIFO")


def test_symlink_loop_and_broken_link_say_what_they_are(tmp_path):
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    broken = tmp_path / "broken.txt"
    broken.symlink_to(tmp_path / "gone.txt")
    for command in ("export", "extract"):
        result = cli(command, str(loop))
        assert result.exit_code == 2
        one_line_error(result.stderr, "loop.txt", "symbolic link loop")
        result = cli(command, str(broken))
        assert result.exit_code == 2
        one_line_error(result.stderr, "broken.txt", "broken symbolic link")


def test_read_article_refuses_a_fifo_even_when_called_directly(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="FIFO"):
        read_article(fifo)


@pytest.mark.parametrize("data", [b"\0" * 4096, BODY.encode() + b"\x01\x02", BODY.encode() + b"\x1b[31m"])
def test_nul_and_control_bytes_are_refused(tmp_path, data):
    a = tmp_path / "bin.txt"
    a.write_bytes(data)
    result = cli("export", str(a), "-q")
    assert result.exit_code == 1
    one_line_error(result.stderr, str(a), "not a text article")


def test_tabs_and_form_feeds_are_still_text(tmp_path):
    a = tmp_path / "ok.txt"
    a.write_bytes(BODY.replace(" ", "\t", 1).encode() + b"\x0c\n" + BODY.encode())
    assert read_article(a).text


def test_extract_reads_stdin_with_dash():
    result = CliRunner().invoke(main, ["extract", "-"], input=BODY, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Trần Văn Bình" in result.stdout
