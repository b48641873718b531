"""Errors a user can cause and fix. The CLI prints them as one line, no traceback."""

from __future__ import annotations


class KgError(Exception):
    """A user-facing error: bad input file, bad query, unreachable endpoint …

    ``str(err)`` is the whole message and names the file (or endpoint) and the problem.
    ``exit_code`` is what the CLI exits with (1 = failed check / bad data, 2 = usage).
    """

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(KgError):
    """An input file is missing, empty, not UTF-8 or malformed."""
