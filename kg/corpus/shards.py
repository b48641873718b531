"""Sorted, deterministic N-Quads / TriG shards for bulk loaders.

``corpus.nq.gz`` → ``corpus-00000.nq.gz``, ``corpus-00001.nq.gz`` …: articles in
path order, each article's named graph whole in one shard and its quads sorted,
a new shard once ``shard_size`` quads are written. gzip by extension (mtime 0,
so the bytes depend only on the content).
"""

from __future__ import annotations

import gzip
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

from kg.errors import InputError, KgError
from kg.output import real_target
from kg.serialize import prefix_header, trig_block

DEFAULT_SHARD_SIZE = 1_000_000  # quads per shard
SHARD_SUFFIXES = {".nq": "nquads", ".nq.gz": "nquads", ".trig": "trig", ".trig.gz": "trig",
                  ".nquads": "nquads", ".nquads.gz": "nquads"}


def split_output(output: Path) -> tuple[str, str, str]:
    """``dir/corpus.nq.gz`` → (stem "corpus", suffix ".nq.gz", format "nquads")."""
    name = output.name
    for suffix in sorted(SHARD_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)], name[-len(suffix):], SHARD_SUFFIXES[suffix]
    raise InputError(f"{output}: corpus output must end in .nq, .nq.gz, .trig or .trig.gz "
                     "(or use --out-dir for one file per article)", exit_code=2)


def shard_path(output: Path, index: int) -> Path:
    stem, suffix, _ = split_output(output)
    return output.with_name(f"{stem}-{index:05d}{suffix}")


class ShardWriter:
    """Write article blocks into numbered shards, each via a temp file and a rename."""

    def __init__(self, output: Path, shard_size: int):
        self.output = output
        self.shard_size = max(1, shard_size)
        _, suffix, self.fmt = split_output(output)
        self.gzip = suffix.endswith(".gz")
        self.paths: list[Path] = []
        self._handle = None
        self._file = None
        self._tmp: Path | None = None  # None while writing straight into a device or FIFO
        self._real: Path | None = None  # the file the shard name leads to (a symlink is written through)
        self._quads = 0

    def add(self, nquads: str) -> None:
        count = nquads.count("\n")
        if self._handle is None or (self._quads and self._quads + count > self.shard_size):
            self._next()
        self._handle.write(trig_block(nquads) if self.fmt == "trig" else nquads)
        self._quads += count

    def _next(self) -> None:
        self._finish()
        target = shard_path(self.output, len(self.paths))
        self._real = real_target(target)
        special = self._real.exists() and not self._real.is_file() and not self._real.is_dir()
        self._tmp = None if special else self._real.with_name(f".{self._real.name}.tmp")
        try:
            self._file = raw = open(self._real if special else self._tmp, "wb")
        except OSError as err:
            raise KgError(f"{target}: cannot write ({err.strerror})") from None
        if self.gzip:
            raw = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
        self._handle = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        if self.fmt == "trig":
            self._handle.write(prefix_header())
        self.paths.append(target)
        self._quads = 0

    def _finish(self) -> None:
        if self._handle is None:
            return
        self._handle.close()  # the gzip stream; GzipFile leaves a fileobj it was given open
        self._file.close()
        self._handle = None
        if self._tmp is not None:
            os.replace(self._tmp, self._real)

    def close(self) -> list[Path]:
        """Finish the last shard and delete shards of an earlier, longer run."""
        self._finish()
        remove_stale(self.output, len(self.paths))
        return self.paths

    def abort(self) -> None:
        if self._handle is not None:
            for stream in (self._handle, self._file):
                try:
                    stream.close()
                except OSError:  # the disk that failed the write may fail the close too
                    pass
            self._handle = None
            if self._tmp is not None:
                self._tmp.unlink(missing_ok=True)
            self.paths.pop()


def remove_stale(output: Path, keep: int) -> None:
    stem, suffix, _ = split_output(output)
    pattern = re.compile(re.escape(stem) + r"-(\d{5})" + re.escape(suffix) + "$")
    for path in output.parent.glob(f"{stem}-*{suffix}"):
        match = pattern.match(path.name)
        if match and int(match.group(1)) >= keep:
            path.unlink()


def write_shards(output: Path, blocks: Iterable[str], shard_size: int) -> list[Path]:
    writer = ShardWriter(output, shard_size)
    try:
        for block in blocks:
            if block:
                writer.add(block)
    except BaseException:
        writer.abort()
        raise
    return writer.close()
