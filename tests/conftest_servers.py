"""Fixtures for the store tests: real SPARQL servers and real exports to load into them.

Used through ``pytest_plugins = ["conftest_servers"]``. Servers: Oxigraph (from the ``oxigraph``
wheel) and Virtuoso; each binds 127.0.0.1 on a free port, lives in tmp_path, and is killed (by its
own PID) at teardown. ``exports``: the seed and a second article of ours, run through kg export.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@dataclass
class Server:
    url: str  # what a user gives to --endpoint
    process: subprocess.Popen
    user: str | None = None
    password: str | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str | None:
    found = shutil.which("oxigraph")
    beside = Path(sys.executable).with_name("oxigraph")
    return found or (str(beside) if beside.is_file() else None)


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not with 200
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_oxigraph(folder: Path, *extra: str) -> Server:
    binary = oxigraph_binary()
    if not binary:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = free_port()
    with open(folder / "oxigraph.log", "wb") as log:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [binary, "serve", "--location", str(folder / "oxigraph-db"), "--bind", f"127.0.0.1:{port}", *extra],
            stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/query", process)
    return Server(url, process)


@pytest.fixture
def oxigraph_server(tmp_path):
    """A read-write Oxigraph server with an empty on-disk store."""
    server = start_oxigraph(tmp_path)
    yield server
    stop(server.process)


@pytest.fixture
def oxigraph_server_1s(tmp_path):
    """An Oxigraph server that cancels queries after one second (--timeout-s 1)."""
    server = start_oxigraph(tmp_path, "--timeout-s", "1")
    yield server
    stop(server.process)


def virtuoso_ini(folder: Path, http_port: int, sql_port: int, max_rows: int) -> Path:
    """The packaged ini, with its database in ``folder`` and both ports on 127.0.0.1 only."""
    text = VIRTUOSO_INI.read_text()
    text = text.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
    # .ci/virtuoso.sh may already have made the ports "127.0.0.1:1111" / "127.0.0.1:8890"
    text = re.sub(r"(?m)^(ServerPort\s*=\s*)(?:[\d.]+:)?1111\b", rf"\g<1>127.0.0.1:{sql_port}", text)
    text = re.sub(r"(?m)^(ServerPort\s*=\s*)(?:[\d.]+:)?8890\b", rf"\g<1>127.0.0.1:{http_port}", text)
    text = re.sub(r"(?m)^(ResultSetMaxRows\s*=\s*)\d+", rf"\g<1>{max_rows}", text)
    # The packaged ini refuses a query whose *estimated* cost exceeds 400 s before running it; the
    # estimate for the timeout test's query varies from 89 s to 1,827 s with the machine and a fresh
    # database, so the anytime-timeout test failed wherever it ran over 400. 0 turns the estimate
    # check off (verified: with 1 the query is refused, with 0 it runs and hits the anytime limit).
    text, estimated = re.subn(r"(?m)^(MaxQueryCostEstimationTime\s*=\s*)\d+", r"\g<1>0", text)
    if not estimated:
        text = re.sub(r"(?m)^\[SPARQL\]\s*$", "[SPARQL]\nMaxQueryCostEstimationTime = 0", text, count=1)
    text = re.sub(r"(?m)^(DefaultHost\s*=\s*).*$", rf"\g<1>127.0.0.1:{http_port}", text)
    path = folder / "virtuoso.ini"
    path.write_text(text)
    return path


def start_virtuoso(folder: Path, max_rows: int) -> Server:
    """Virtuoso 7 (Debian's virtuoso-opensource) with a fresh database in ``folder``.

    Loads go through /sparql-graph-crud-auth as dba (digest auth, the packaged default password).
    """
    binary = shutil.which("virtuoso-t")
    if not binary or not VIRTUOSO_INI.is_file():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource; see .ci/virtuoso.sh)")
    http_port, sql_port = free_port(), free_port()
    ini = virtuoso_ini(folder, http_port, sql_port, max_rows=max_rows)
    with open(folder / "stdout.log", "wb") as log:
        process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder,
                                   stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        wait_for(url, process, seconds=90)
    except RuntimeError as err:
        stop(process)
        pytest.fail(f"{err}; log: {(folder / 'virtuoso.log').read_text(errors='replace')[-2000:]}")
    return Server(url, process, user="dba", password=os.environ.get("KG_VIRTUOSO_DBA_PASSWORD", "dba"))


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory):
    """Virtuoso capped at 50 rows per answer (to test that the cap is reported)."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), max_rows=50)
    yield server
    stop(server.process)


@pytest.fixture(scope="module")
def virtuoso_server_uncapped(tmp_path_factory):
    """Virtuoso with the packaged row cap (10,000 rows per answer): whole graphs come back."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-uncapped"), max_rows=10000)
    yield server
    stop(server.process)


ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "seed.txt"
SECOND = Path(__file__).parent / "data" / "store_article_2.txt"  # our own short article: same person, same body


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict:
    """seed.ttl and second.ttl written by the exporter (plus both.ttl / both.trig from ``kg export``),
    and the ArticleExport of each under "seed" and "second"."""
    from click.testing import CliRunner

    from kg.cli import main
    from kg.pipeline import export_article
    from kg.serialize import serialize

    folder = tmp_path_factory.mktemp("exports")
    out: dict = {"dir": folder}
    for name, path in (("seed", SEED), ("second", SECOND)):
        done = export_article(str(path))
        assert done.report is not None and done.report.accepted
        (folder / f"{name}.ttl").write_text(serialize(done.graph, "turtle"), encoding="utf-8")
        out[name] = done
    for name in ("both.ttl", "both.trig"):
        result = CliRunner().invoke(main, ["export", "-q", str(SEED), str(SECOND), "-o", str(folder / name)])
        assert result.exit_code == 0, result.output
    return out


@contextlib.contextmanager
def recording_http_server(path: str, body: bytes, content_type: str, status: int = 200):
    """A stand-in for some other host, on 127.0.0.1: answers every GET/POST with ``body`` and records
    each request as "METHOD /path" (tests assert kg never contacted it, or did when allowed).
    Yields (url of ``path``, the list of requests)."""
    import http.server

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            hits.append(f"{self.command} {self.path}")
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    with serving(Handler) as url:
        yield url + path, hits


@contextlib.contextmanager
def serving(handler):
    """A threaded HTTP server on 127.0.0.1 with ``handler`` (a BaseHTTPRequestHandler); yields its URL."""
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
