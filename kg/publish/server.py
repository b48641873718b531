"""Running the app: opening the store read-only and serving it with waitress (threads)."""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError


def open_store(path: str | Path) -> ox.Store:
    """The on-disk pyoxigraph store at ``path``, read-only (so a running server never writes)."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(f"{folder}: no store here (create one with `kg load`, or pass --store)")
    try:
        return ox.Store.read_only(str(folder))
    except OSError as err:
        raise InputError(f"{folder}: cannot open the store read-only: {err}") from err


def start_server(app, host: str = "127.0.0.1", port: int = 8000, threads: int = 8):
    """A waitress server bound to host:port (port 0 = any free port), running in a daemon thread.

    Returns the server; ``server.effective_port`` is the port, ``server.close()`` stops it.
    """
    from waitress.server import create_server

    server = create_server(app, host=host, port=port, threads=threads, ident="kg")
    threading.Thread(target=server.run, name="kg-serve", daemon=True).start()
    return server


def serve(app, host: str = "127.0.0.1", port: int = 8000, threads: int = 8, announce=print) -> None:
    """Serve ``app`` in the foreground until interrupted (Ctrl-C)."""
    from waitress.server import create_server

    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="kg")
    except OSError as err:
        raise InputError(f"cannot listen on {host}:{port}: {err}") from err
    announce(f"kg serve: http://{host}:{server.effective_port}/ (Ctrl-C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


__all__ = ["open_store", "serve", "start_server"]
