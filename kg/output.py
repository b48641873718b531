"""Writing files so that a failure never leaves half a file behind, nor destroys what a path points at.

* A regular file (or a new name) is written via a temporary file beside it and a rename.
* A symbolic link is written *through*: the temp file and the rename happen beside the
  file the link points at, so the link stays a link.
* A device or FIFO (``/dev/null``, ``/dev/full``, a pipe) is written to directly: it is
  never replaced by a regular file, even when kg runs as root.
* An output that is one of the inputs is refused before anything is written.

Every failure is a KgError naming the file and the problem (one line, no traceback).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from kg.errors import KgError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def real_target(path: str | os.PathLike) -> Path:
    """The file a write to ``path`` lands in: symbolic links followed (a dangling one too)."""
    target = Path(path)
    if not target.is_symlink():
        return target
    try:
        os.stat(target)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise KgError(f"{target}: is a symbolic link loop") from None
    return Path(os.path.realpath(target))


class InputGuard:
    """Refuses outputs that are (a link to, a hard link of) one of the inputs: writing would destroy them.

    Built once from the inputs (their device and inode), then ``check`` per output in O(1).
    """

    def __init__(self, inputs: Iterable[str | os.PathLike]):
        self._ids: dict[tuple[int, int], str] = {}
        for item in inputs:
            if os.fspath(item) != "-":
                file_id = _regular_file_id(item)
                if file_id is not None:
                    self._ids.setdefault(file_id, os.fspath(item))

    def check(self, output: str | os.PathLike, what: str = "output") -> None:
        file_id = _regular_file_id(output)
        if file_id is None or file_id not in self._ids:
            return
        item = self._ids[file_id]
        same = "" if item == os.fspath(output) else f" ({item})"
        raise KgError(f"{output}: the {what} is one of the input articles{same}; refusing to overwrite it",
                      exit_code=2)


def _regular_file_id(path: str | os.PathLike) -> tuple[int, int] | None:
    """(device, inode) of a regular file, links followed; None for anything else (devices are no loss)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def refuse_inputs(output: str | os.PathLike, inputs: Iterable[str | os.PathLike], what: str = "output") -> None:
    """KgError (exit 2) when ``output`` is one of ``inputs``."""
    InputGuard(inputs).check(output, what)


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path``: either the old file (or none) or the complete new one is there, never a part.

    Symbolic links are written through, devices and FIFOs written to directly (see the module doc).
    """
    shown = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = real_target(shown)
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new file; the folder check below says what is wrong
        mode = None
    except OSError as err:
        raise KgError(f"{shown}: cannot write ({_reason(err)})") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise KgError(f"{shown}: is a directory, expected a file name for the output")
    if mode is not None and not stat.S_ISREG(mode):
        _write_through(shown, target, payload)
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        if folder.exists() or _under_a_file(folder):
            raise KgError(f"{shown}: {_first_file(folder)} is a file, not a folder")
        raise KgError(f"{shown}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise KgError(f"{shown}: cannot write in {folder} ({_reason(err)})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; an output file gets the usual mode
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise KgError(f"{shown}: cannot write ({_reason(err)})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _under_a_file(folder: Path) -> bool:
    return any(parent.is_file() for parent in folder.parents)


def _first_file(folder: Path) -> Path:
    """The part of ``folder`` that is a file (``a.txt`` in ``a.txt/sub``)."""
    for part in reversed([folder, *folder.parents]):
        if part.exists() and not part.is_dir():
            return part
    return folder


def _write_through(shown: Path, target: Path, payload: bytes) -> None:
    """A device or FIFO: write into it (replacing it would destroy the node)."""
    try:
        with open(target, "wb") as handle:
            handle.write(payload)
    except OSError as err:
        raise KgError(f"{shown}: cannot write ({_reason(err)})") from None


def write_stdout(text: str) -> None:
    """Print ``text`` on stdout; a full disk or a closed pipe is one KgError line, not a traceback.

    After a failure stdout is pointed at /dev/null, so the interpreter's final flush stays quiet.
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as err:
        to_devnull(sys.stdout)
        raise KgError(f"stdout: cannot write ({_reason(err)})") from None


def to_devnull(stream) -> None:
    """Point a standard stream's descriptor at /dev/null: its reader is gone (closed pipe, full disk),
    and Python's own flush at exit must not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's buffer)
        pass
