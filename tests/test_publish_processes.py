"""`kg serve --processes N`: N server processes on one port, each following the store; they go
when the parent goes (Ctrl-C, SIGTERM, or killed), and one that ends stops the service."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from publish_support import KG, ROOT, Server, build_seed_store, wait_until

from kg.publish.catalogue import claim_preparing, preparing_file

# an invented article in the genre: its person is not in the seed
NEW_ARTICLE = """---
url: https://example.org/tin/hoi-nghi-dang-uy-xa-yen-binh
title: Hội nghị Ban Chấp hành Đảng bộ xã Yên Bình lần thứ tư
date: 2024-05-14
---
Ngày 14/5/2024, đồng chí Khúc Văn Toản, Bí thư Đảng ủy xã Yên Bình, chủ trì hội nghị Ban Chấp hành Đảng bộ xã.
"""


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory) -> Path:
    return build_seed_store(tmp_path_factory.mktemp("processes") / "kg-store")


@pytest.fixture
def store_copy(seed_folder, tmp_path, monkeypatch) -> Path:
    import shutil

    monkeypatch.setenv("KG_SERVE_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "kg-store"
    shutil.copytree(seed_folder, folder)
    return folder


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (Linux: /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def servers(parent: int) -> list[int]:
    """The server processes among ``parent``'s children (the query workers are theirs, not its)."""
    return [p for p in children(parent) if "serve_child" in Path(f"/proc/{p}/cmdline").read_bytes().decode()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def search(server: Server, text: str) -> str:
    status, _, body = server.get("/search?" + urlencode({"q": text}), accept="text/html")
    assert status == 200
    return body.decode("utf-8")


def test_two_processes_answer_every_kind_of_request_and_follow_a_load(store_copy, tmp_path):
    from kg.pipeline import export_text

    server = Server(store_copy, "--processes", "2")
    try:
        assert wait_until(lambda: len(servers(server.proc.pid)) == 2)
        for path, accept in (("/", "text/html"), ("/index/people", "text/html"), ("/.well-known/void", "text/turtle"),
                             ("/ontology", "text/turtle")):
            status, _, _ = server.get(path, accept=accept)
            assert status == 200, path
        query = urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        status, _, body = server.get("/sparql?" + query, accept="application/sparql-results+json")
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0

        nquads = tmp_path / "yen-binh.nq"
        nquads.write_text(export_text(NEW_ARTICLE, "yen-binh.md").nquads, encoding="utf-8")
        loaded = subprocess.run([*KG, "load", "--no-validate", "--store", str(store_copy), str(nquads)],
                                capture_output=True, text=True, cwd=ROOT)
        assert loaded.returncode == 0, loaded.stderr
        # each request on a connection of its own: the kernel hands them to either process, each of
        # which follows the store on its own; twelve in a row that find the new person mean both do
        assert wait_until(lambda: all("Khúc Văn Toản" in search(server, "khuc van toan") for _ in range(12)),
                          timeout=30)
    finally:
        server.stop()
    assert server.proc.returncode == 0


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_the_server_processes_go_with_the_parent(store_copy, how):
    server = Server(store_copy, "--processes", "2")
    assert wait_until(lambda: len(servers(server.proc.pid)) == 2)
    kids = servers(server.proc.pid)
    server.proc.send_signal(getattr(signal, how))
    server.proc.wait(timeout=15)
    assert wait_until(lambda: not any(alive(k) for k in kids), timeout=10)
    if how != "SIGKILL":
        assert server.proc.returncode == 0
    with pytest.raises(OSError):
        server.get("/")


def test_a_server_process_that_ends_stops_the_service_with_one_line(store_copy):
    server = Server(store_copy, "--processes", "2")
    assert wait_until(lambda: len(servers(server.proc.pid)) == 2)
    first, second = servers(server.proc.pid)
    os.kill(first, signal.SIGKILL)
    server.proc.wait(timeout=15)
    assert server.proc.returncode != 0
    assert wait_until(lambda: not alive(second), timeout=10)
    time.sleep(0.2)  # the reader thread has the last lines
    assert any("a server process ended" in line for line in server.log)
    assert not any("Traceback" in line for line in server.log)


def test_a_wrong_base_is_one_line_before_any_process_starts(store_copy):
    done = subprocess.run([*KG, "serve", "--store", str(store_copy), "--port", "0", "--processes", "2",
                           "--base", "https://example.org/elsewhere/"], capture_output=True, text=True, cwd=ROOT,
                          timeout=60)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--base https://w3id.org/pgkg/" in lines[0]


def test_processes_need_a_store_folder():
    done = subprocess.run([*KG, "serve", "--endpoint", "http://127.0.0.1:9/sparql", "--processes", "2"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2 and "--processes" in done.stderr and "Traceback" not in done.stderr


def test_of_several_processes_one_claims_the_search_index_build(tmp_path):
    index = tmp_path / "cache" / "x.search"
    version = [1, 2, 3]
    assert claim_preparing(index, version)
    assert not claim_preparing(index, version)  # this process is alive: a second claim waits
    marker = preparing_file(index)
    assert json.loads(marker.read_text())["pid"] == os.getpid()
    assert claim_preparing(index, [9, 9, 9])  # a marker for another version is stale
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    marker.write_text(json.dumps({"version": version, "pid": int(dead.stdout)}))
    assert claim_preparing(index, version)  # its maker is gone
