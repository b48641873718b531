"""Queries in child processes, so a query past its deadline can be stopped for real.

pyoxigraph cannot cancel a running query, and a thread cannot be killed: a query that timed out
in a thread keeps its CPU until it finishes. A child process can be killed. Each worker opens the
on-disk store read-only (many readers may share a RocksDB folder) and answers requests over a
pipe; at the deadline the parent kills it (SIGKILL), reaps it, and a fresh worker takes its place
on the next request. A query that crashes the parser (SIGSEGV) kills only its worker.

Children are started with "spawn", not "fork": the parent runs threads (waitress) and holds
RocksDB handles that must not be copied mid-operation.
"""

from __future__ import annotations

import importlib
import multiprocessing
import queue
import threading
from pathlib import Path

_CTX = multiprocessing.get_context("spawn")
START_TIMEOUT = 60.0  # opening the store and importing kg in a fresh interpreter; not the query's time


class WorkerTimeout(Exception):
    """The request ran past its deadline; the worker was killed."""


class WorkerCrashed(Exception):
    """The worker died while answering (a crash in the parser or the evaluator)."""


class PoolBusy(Exception):
    """Every worker is answering another request."""


class WorkerError(Exception):
    """The handler raised; ``kind`` is the exception's class name, ``message`` its text."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def _child(conn, location: str, factory: str, options: dict) -> None:
    """The worker's main loop: open the store, build the handler, answer requests until the pipe closes."""
    import signal

    import pyoxigraph as ox

    # Ctrl-C in a terminal reaches the whole process group; the parent stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    module, _, name = factory.partition(":")
    try:
        store = ox.Store.read_only(location)
        handle = getattr(importlib.import_module(module), name)(store, **options)
    except Exception as err:  # noqa: BLE001 -- reported to the parent, which shows it as one line
        conn.send(("error", type(err).__name__, str(err)))
        return
    conn.send(("ready", None, None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        try:
            reply = ("ok", handle(*request), None)
        except Exception as err:  # noqa: BLE001 -- every failure goes back as data, the worker lives on
            reply = ("error", type(err).__name__, str(err))
        conn.send(reply)


class Worker:
    """One child process with the store at ``location`` open read-only and ``factory(store, **options)``."""

    def __init__(self, location: str | Path, factory: str, options: dict | None = None) -> None:
        parent, child = _CTX.Pipe()
        self.proc = _CTX.Process(target=_child, args=(child, str(location), factory, options or {}),
                                 name="kg-query-worker", daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        self._ready = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.is_alive()

    def call(self, request: tuple, timeout: float):
        """The handler's answer to ``request``; WorkerTimeout / WorkerCrashed / WorkerError otherwise."""
        if not self._ready:
            self._receive(START_TIMEOUT)  # "ready", or the reason the store could not be opened
            self._ready = True
        self.conn.send(request)
        return self._receive(timeout)

    def _receive(self, timeout: float):
        try:
            if not self.conn.poll(timeout):
                self.kill()
                raise WorkerTimeout()
            status, value, detail = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.kill()
            raise WorkerCrashed(f"the query worker died (exit {self.proc.exitcode})") from None
        if status == "error":
            if not self._ready:
                self.kill()
            raise WorkerError(value, detail)
        return value

    def kill(self) -> None:
        """Stop the child now and reap it, so it holds no CPU and leaves no zombie."""
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class WorkerPool:
    """``size`` workers over one store; a request waits at most ``wait`` seconds for a free one."""

    def __init__(self, location: str | Path, factory: str, options: dict | None = None, size: int = 4) -> None:
        self.location, self.factory, self.options = str(location), factory, options or {}
        self._idle: queue.Queue[Worker | None] = queue.Queue()
        self._all: set[Worker] = set()
        self._lock = threading.Lock()
        for _ in range(size):
            self._idle.put(None)  # started on first use (or by ``warm``)

    def _new(self) -> Worker:
        worker = Worker(self.location, self.factory, self.options)
        with self._lock:
            self._all.add(worker)
        return worker

    def _forget(self, worker: Worker | None) -> None:
        if worker is not None:
            worker.kill()
            with self._lock:
                self._all.discard(worker)

    def warm(self) -> None:
        """Start every worker now (the first queries then do not pay for the start-up)."""
        started = []
        while True:
            try:
                slot = self._idle.get_nowait()
            except queue.Empty:
                break
            started.append(slot or self._new())
        for worker in started:
            self._idle.put(worker)

    def call(self, request: tuple, timeout: float, wait: float = 0.5):
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise PoolBusy() from None
        try:
            if worker is None or not worker.alive():
                self._forget(worker)
                worker = self._new()
            return worker.call(request, timeout)
        except (WorkerTimeout, WorkerCrashed):
            self._forget(worker)
            worker = self._new()  # starts now, in the background: the next request need not wait for it
            raise
        except WorkerError:
            if worker is not None and not worker.alive():
                self._forget(worker)
                worker = None
            raise
        finally:
            self._idle.put(worker)

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all if w.pid is not None and w.alive())

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()


def run_once(location: str | Path, factory: str, request: tuple, timeout: float, options: dict | None = None):
    """One request in a fresh worker that is gone when this returns (``kg query --timeout``)."""
    worker = Worker(location, factory, options)
    try:
        return worker.call(request, timeout)
    finally:
        worker.kill()
