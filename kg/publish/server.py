"""Running the app: opening the store read-only and serving it with waitress (threads); several
such processes on one port: kg.publish.processes."""

from __future__ import annotations

import threading
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
    mark_listening(app)
    threading.Thread(target=server.run, name="kg-serve", daemon=True).start()
    return server


def mark_listening(app) -> None:
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
    mark_listening(app)
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


__all__ = ["create_server", "mark_listening", "open_read_only", "serve", "start_server"]
