"""``kg serve --processes N``: N server processes on one port.

Pages are rendered in Python, so one process runs one page at a time however many threads it has
(the interpreter lock): at 100,000 articles, 8 clients asking for person pages (8-25 ms of CPU each)
waited 0.37-0.48 s at p99 on 2 cores, 0.17-0.19 s with two processes. The parent binds the port once
and starts N server processes on that one socket (the kernel hands each connection to one of them);
each opens the store read-only, follows it and keeps its own caches, and the slow shared work (the
search index) is done by one and kept in the cache folder they share (kg.publish.catalogue).
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

from kg.errors import InputError, KgError
from kg.publish.app import make_app
from kg.publish.server import WAITRESS_SETTINGS, create_server, mark_listening, open_read_only

# a server process's program (a fresh interpreter: nothing of the parent's is copied into it)
CHILD = "import sys; from kg.publish.processes import serve_child; sys.exit(serve_child(int(sys.argv[1]), sys.argv[2]))"
PARENT_CHECK_SECONDS = 1.0  # how often a server process looks whether its parent is still there
STOP_SECONDS = 10.0  # how long the parent waits for its processes to finish before it kills them


def serve_processes(options: dict, processes: int, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
                    announce=print) -> int:
    """Serve the store ``options["location"]`` from ``processes`` server processes sharing one
    listening socket, in the foreground until interrupted; the exit status.

    ``options``: make_app's (location, base, timeout, max_rows, allow_federation) and
    ``sparql_workers``, the query workers of each process. The processes are fresh interpreters
    (CHILD), not forks: nothing of this one (an open store, a thread) is copied into them. One that
    exits stops the others (a supervisor restarts the service); each stops by itself when this
    process is gone.
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
    stopping = threading.Event()

    def stop(*_):
        stopping.set()

    children: list[subprocess.Popen] = []
    previous = signal.signal(signal.SIGTERM, stop)
    status = 0
    try:  # from the first process started: a Ctrl-C at any point stops every one started
        try:
            for _ in range(processes):
                children.append(subprocess.Popen(argv, pass_fds=(listener.fileno(),), env=env,
                                                 stdin=subprocess.DEVNULL))
        finally:
            listener.close()  # the processes hold it now
        announce(f"kg serve: http://{host}:{bound}/ ({processes} processes; Ctrl-C to stop)")
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


def serve_child(fd: int, arguments: str) -> int:
    """One of serve_processes' server processes: the app over the store, on the inherited socket."""
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
    app = server = None
    try:  # Ctrl-C or a stop may come at any point, the start-up included: no traceback then
        app = make_app(open_read_only(location), location=location, **options)  # the parent checked --base
        server = create_server(app, "", 0, threads, sockets=[listener])
        mark_listening(app)
        server.run()
    except KgError as err:
        print(f"kg serve: {err}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if server is not None:
            server.close()
        if app is not None:
            app.close()
    return 0
