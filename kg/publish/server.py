"""Running the app: opening the store read-only and serving it with waitress (threads), in one
process or several (``serve_processes``).

Pages are rendered in Python, so one process runs one page at a time however many threads it has
(the interpreter lock): at 100,000 articles 8 clients asking for person pages (8-25 ms of CPU each)
waited 0.35-0.57 s at p99 on 2 cores. ``kg serve --processes N`` binds the port once and starts N
server processes on that one socket (the kernel hands each connection to one of them); each opens
the store read-only, follows it and keeps its own caches, and the slow shared work (the search
index, the sorted indexes) is done once and kept in the cache folder they share.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError


def open_read_only(path: str | Path) -> ox.Store:
    """The on-disk pyoxigraph store at ``path``, read-only (so a running server never writes)."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(f"{folder}: no store here (create one with `kg load`, or pass --store)")
    try:
        return ox.Store.read_only(str(folder))
    except OSError as err:
        raise InputError(f"{folder}: cannot open the store read-only: {err}") from err


# waitress, set deliberately (its defaults let 100 idle connections lock everyone out for 2 minutes):
# idle or half-sent connections cost no thread (waitress buffers a request until it is complete)
# but count against the connection limit, so the limit is high and an idle connection is closed
# after CHANNEL_TIMEOUT seconds; poll() instead of select() works past 1024 descriptors. A public
# server still belongs behind a reverse proxy that limits connections per client (docs/publish.md).
WAITRESS_SETTINGS = {
    "connection_limit": 1000,
    "channel_timeout": 20,  # seconds a connection may stay idle (or trickle a request)
    "cleanup_interval": 5,  # how often idle connections are looked for
    "asyncore_use_poll": True,
    "max_request_header_size": 64 * 1024,
    "max_request_body_size": 2 * 1024 * 1024,  # a SPARQL query is at most 1 MiB (kg.publish.app.MAX_BODY)
    "backlog": 1024,
    "ident": "kg",
}


def create_server(app, host: str, port: int, threads: int, sockets: list | None = None):
    from waitress.server import create_server as waitress_server

    if sockets is not None:  # a socket the parent bound (serve_processes)
        return waitress_server(app, sockets=sockets, threads=threads, **WAITRESS_SETTINGS)
    return waitress_server(app, host=host, port=port, threads=threads, **WAITRESS_SETTINGS)


def start_server(app, host: str = "127.0.0.1", port: int = 8000, threads: int = 8):
    """A waitress server bound to host:port (port 0 = any free port), running in a daemon thread.

    Returns the server; ``server.effective_port`` is the port, ``server.close()`` stops it.
    """
    server = create_server(app, host=host, port=port, threads=threads)
    _listening(app)
    threading.Thread(target=server.run, name="kg-serve", daemon=True).start()
    return server


def _listening(app) -> None:
    """Tell the app its port is bound (it then starts its query workers in the background)."""
    event = getattr(app, "listening", None)
    if event is not None:
        event.set()


def serve(app, host: str = "127.0.0.1", port: int = 8000, threads: int = 8, announce=print) -> None:
    """Serve ``app`` in the foreground until interrupted (Ctrl-C)."""
    try:
        server = create_server(app, host=host, port=port, threads=threads)
    except OSError as err:
        raise InputError(f"cannot listen on {host}:{port}: {err}") from err
    _listening(app)
    announce(f"kg serve: http://{host}:{server.effective_port}/ (Ctrl-C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        close = getattr(app, "close", None)
        if close is not None:
            close()  # the query workers go with the server


# --- several processes on one socket -------------------------------------------------------------

# a server process's program (not ``-m kg.publish.server``: the package imports this module first)
CHILD = "import sys; from kg.publish.server import _serve_child; sys.exit(_serve_child(int(sys.argv[1]), sys.argv[2]))"
PARENT_CHECK_SECONDS = 1.0  # how often a server process looks whether its parent is still there
STOP_SECONDS = 10.0  # how long the parent waits for its processes to finish before it kills them


def serve_processes(options: dict, processes: int, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
                    announce=print) -> int:
    """Serve the store ``options["location"]`` from ``processes`` server processes sharing one
    listening socket, in the foreground until interrupted; the exit status.

    ``options``: make_app's (location, base, timeout, max_rows, allow_federation) and
    ``sparql_workers``, the query workers of each process. The processes are fresh interpreters
    (CHILD), not forks: nothing of this one (an open store, a thread) is
    copied into them. One that exits stops the others (a supervisor restarts the service); each
    stops by itself when this process is gone.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family, backlog=WAITRESS_SETTINGS["backlog"])
    except OSError as err:
        raise InputError(f"cannot listen on {host}:{port}: {err}") from err
    bound = listener.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    arguments = json.dumps({**options, "threads": threads, "parent": os.getpid()})
    argv = [sys.executable, "-c", CHILD, str(listener.fileno()), arguments]
    try:
        children = [subprocess.Popen(argv, pass_fds=(listener.fileno(),), env=env, stdin=subprocess.DEVNULL)
                    for _ in range(processes)]
    finally:
        listener.close()  # the processes hold it now
    announce(f"kg serve: http://{host}:{bound}/ ({processes} processes; Ctrl-C to stop)")
    stopping = threading.Event()

    def stop(*_):
        stopping.set()

    previous = signal.signal(signal.SIGTERM, stop)
    status = 0
    try:
        while not stopping.is_set():
            ended = [c for c in children if c.poll() is not None]
            if ended:
                status = ended[0].returncode or 1
                print(f"kg serve: a server process ended (exit status {ended[0].returncode}); stopping the others",
                      file=sys.stderr)
                break
            stopping.wait(0.2)
    except KeyboardInterrupt:  # Ctrl-C reaches the processes too (one process group)
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_all(children)
    return status


def _stop_all(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _exit(*_) -> None:
    raise SystemExit(0)  # in the main thread, out of waitress's loop: its finally closes the server


def _serve_child(fd: int, arguments: str) -> int:
    """One of serve_processes' server processes: the app over the store, on the inherited socket."""
    from kg.errors import KgError
    from kg.publish import make_app

    options = json.loads(arguments)
    parent = options.pop("parent")  # its pid as it started this one: it may be gone before we look
    listener = socket.socket(fileno=fd)
    threads = options.pop("threads")
    location = options.pop("location")

    def watch_parent():  # the parent killed (no Ctrl-C, no SIGTERM): this process must not serve on
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, _exit)
    threading.Thread(target=watch_parent, name="kg-parent-watch", daemon=True).start()
    try:  # the parent checked --base already
        app = make_app(open_read_only(location), location=location, **options)
    except KgError as err:
        print(f"kg serve: {err}", file=sys.stderr)
        return 2
    server = create_server(app, "", 0, threads, sockets=[listener])
    _listening(app)
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
        app.close()
    return 0


__all__ = ["open_read_only", "serve", "serve_processes", "start_server"]

