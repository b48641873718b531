"""Reading RDF the way kg reports errors: one reader for files (any kg.formats format, optionally
gzip-compressed: ``.nq.gz``), standard input (``-`` with a format) and embedded store folders.

Errors are one ``InputError`` naming the file, and the line and column where pyoxigraph stopped.
Nothing here touches the network: pyoxigraph's JSON-LD parser does not fetch remote contexts.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from kg import formats
from kg.errors import InputError


def format_of(path: str | Path, given: str | None = None) -> formats.RdfFormat:
    """The format ``given`` names, else the one the file's extension (before ``.gz``) says."""
    if given:
        return formats.by_name(given)
    name = Path(path)
    suffix = Path(name.stem).suffix if name.suffix.lower() == ".gz" else name.suffix
    found = formats.by_extension(suffix)
    if found is None:
        extensions = " ".join(e for f in formats.ALL for e in f.extensions)
        raise InputError(f"{path}: cannot tell the RDF format from {suffix or 'no extension'!r} "
                         f"(kg reads {extensions}, optionally .gz); give the format")
    return found


def read_quads(path: str | Path, fmt: str | None = None) -> list:
    """Every quad of an RDF file, of ``-`` (stdin, ``fmt`` required) or of an embedded store folder."""
    import pyoxigraph as ox

    if str(path) != "-" and Path(path).is_dir():
        return _store_quads(Path(path))
    rdf_format = format_of(path, fmt) if str(path) != "-" or fmt else None
    if rdf_format is None:
        raise InputError("-: standard input needs a format (e.g. --input-format turtle)")
    data = _read_bytes(path)
    try:
        parsed = ox.parse(data, format=rdf_format.ox(), base_iri=None if str(path) == "-" else Path(path).resolve().as_uri())
        return [q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in parsed]
    except SyntaxError as err:
        raise InputError(f"{path}: not valid {rdf_format.name}: {str(err).splitlines()[0]}") from None


def _read_bytes(path: str | Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix.lower() == ".gz" else data
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise InputError(f"{path}: cannot read: {err}") from None


def _store_quads(folder: Path) -> list:
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(str(folder))
    except OSError as err:
        raise InputError(f"{folder}: not a kg store ({str(err).splitlines()[0]})") from None
    return list(store.quads_for_pattern(None, None, None, None))
