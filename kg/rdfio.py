"""Reading RDF the way kg reports errors: one reader for files (any kg.formats format, optionally
gzip-compressed: ``.nq.gz``), standard input (``-`` with a format) and embedded store folders.

Errors are one ``InputError`` naming the file, and the line and column where pyoxigraph stopped.
Nothing here touches the network: pyoxigraph's JSON-LD parser does not fetch remote contexts.
``read_text`` and ``check_syntax`` are the same reading for kg.validate, which parses with rdflib;
``stream_quads`` is the same reading one quad at a time, for loading a corpus into the store.
"""

from __future__ import annotations

import gzip
import re
import sys
import unicodedata
import zlib
from collections.abc import Iterator
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
        raise _syntax_error(path, err) from None


def read_text(path: str | Path) -> str:
    """The file (``-``: standard input) as NFC text; InputError when it is empty or not UTF-8."""
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(f"{path}: file is empty" if str(path) != "-" else "-: standard input is empty")
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: not UTF-8 (byte 0x{data[err.start]:02x})") from err


def check_syntax(path: str | Path, data: bytes, rdf_format: formats.RdfFormat, base: str | None) -> None:
    """InputError naming the line and column where pyoxigraph finds ``data`` is not ``rdf_format``."""
    import pyoxigraph as ox

    try:
        for _ in ox.parse(data, format=rdf_format.ox(), base_iri=base):
            pass
    except SyntaxError as err:
        raise _syntax_error(path, err) from err


def stream_quads(path: str | Path, rdf_format: formats.RdfFormat, *, stream=None, data: bytes | None = None,
                 ) -> Iterator:
    """The quads of an RDF file one at a time, so the caller never holds them all twice; a ``.gz`` is
    decompressed as it is parsed, never whole in memory.

    ``stream``: the file's bytes through a binary reader of the caller's (kg.store.validated's
    HashingReader), read to its end and closed. ``data``: bytes in memory, named ``path`` in errors.
    """
    import pyoxigraph as ox

    fmt = rdf_format.ox()
    try:
        if data is not None:
            yield from ox.parse(input=data, format=fmt)
            return
        path = Path(path)
        base = path.resolve().as_uri()
        gzipped = path.suffix.lower() == ".gz"
        if stream is None and not gzipped:
            yield from ox.parse(path=path, format=fmt, base_iri=base)
            return
        with stream if stream is not None else open(path, "rb") as raw:  # noqa: SIM115 - closed here
            yield from ox.parse(input=gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw,
                                format=fmt, base_iri=base)
            while raw.read(1 << 20):  # what the parser left (a gzip trailer): a hashing reader sees every byte
                pass
    except SyntaxError as err:
        raise _syntax_error(path, err) from None
    except (OSError, ValueError, EOFError, zlib.error) as err:  # gzip: BadGzipFile is an OSError, truncation EOFError
        raise InputError(f"{path}: {err or type(err).__name__}") from None


def _syntax_error(path: str | Path, err: SyntaxError) -> InputError:
    text = str(err.msg or "").strip()
    first = text.splitlines()[0] if text else type(err).__name__
    detail = re.sub(r"^Parser error (at|between) line .*?: ", "", first)
    if err.lineno is None:
        return InputError(f"{path}: syntax error: {detail}")
    return InputError(f"{path}: line {err.lineno}, column {err.offset}: syntax error: {detail}")


def _read_bytes(path: str | Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    data = path.read_bytes()
    if path.suffix.lower() != ".gz":
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise InputError(f"{path}: not gzip: {err}") from None


def _store_quads(folder: Path) -> list:
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(str(folder))
    except OSError as err:
        raise InputError(f"{folder}: not a kg store ({str(err).splitlines()[0]})") from None
    return list(store.quads_for_pattern(None, None, None, None))
