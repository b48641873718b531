"""Progress on stderr: a bar on a terminal, a quiet line now and then otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    """``update(done, failed)`` as articles finish; ``close()`` at the end.

    On a TTY the line is redrawn at most 10 times a second; elsewhere (CI logs,
    files) one line is printed every ``every`` seconds, so logs stay short.
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, tty: bool | None = None,
                 every: float = 10.0, enabled: bool = True):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every = every if not self.tty else 0.1
        self.enabled = enabled and total > 0
        self.start = time.monotonic()
        self._last = float("-inf")
        self._drawn = False

    def line(self, done: int, failed: int) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = done / elapsed
        eta = _duration((self.total - done) / rate) if rate > 0 else "?"
        pct = 100 * done / self.total if self.total else 100
        tail = f"{done}/{self.total} articles {pct:3.0f}%  {rate:.1f}/s  ETA {eta}"
        if failed:
            tail += f"  {failed} failed"
        if not self.tty:
            return f"kg: {tail}"
        width = 24
        filled = int(width * done / self.total) if self.total else width
        return f"[{'#' * filled}{'.' * (width - filled)}] {tail}"

    def update(self, done: int, failed: int = 0) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.every and done < self.total:
            return
        self._last = now
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line(done, failed))
            self._drawn = True
        else:
            self.stream.write(self.line(done, failed) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
