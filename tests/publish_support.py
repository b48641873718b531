"""Shared by tests/test_publish_*.py: a store holding the real seed export, and `kg serve` on a free port."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "seed.txt"
KG = [sys.executable, "-m", "kg"]


def build_seed_store(folder: Path) -> Path:
    """Export the seed article with the real pipeline and load it into an embedded store at ``folder``."""
    from kg.pipeline import export_article
    from kg.store import load_graphs, open_store

    export = export_article(str(SEED), root=str(ROOT))  # the seed is "data/articles/seed.txt", as in the docs
    with open_store(folder) as store:
        load_graphs(store, [(None, export.nquads)])
    return folder


class Server:
    """`kg serve` in a subprocess, on 127.0.0.1 and a port the OS picks; stopped by ``stop()``."""

    def __init__(self, store: Path, *args: str) -> None:
        self.store = store
        self._start("--store", str(store), *args)

    def _start(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([*KG, "serve", "--port", "0", *args],
                                     stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
                                     cwd=ROOT)
        self.log: list[str] = []
        match = None
        while match is None:
            line = self.proc.stderr.readline()
            if not line:
                self.stop()
                raise RuntimeError("kg serve did not start:\n" + "".join(self.log))
            self.log.append(line)
            match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        # keep reading stderr so a chatty server never blocks on a full pipe
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """One raw HTTP request (the path is sent exactly as given: no normalisation, no redirects)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            data = body.encode("utf-8") if isinstance(body, str) else body
            for key, value in (headers or {}).items():
                conn.putheader(key, value)
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def get(self, path: str, accept: str | None = None):
        return self.request("GET", path, headers={"Accept": accept} if accept else {})

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_until(predicate, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    """A TCP port nothing listens on now (for servers that cannot be told to pick one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
