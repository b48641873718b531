"""Which things each write changed, by store version: what lets kg serve's kept data follow a small load.

kg serve keeps, per store version, what it derives from the whole data: each index's members sorted
by label, their numbers, the search index (kg.publish.catalogue). A one-article reload at 100,000
articles made all of it again: 34 s to sort the indexes, 68 s to build the search index, and
searches answered 503 meanwhile. Yet each of those values depends, per thing, only on the thing's
own triples (its types, its labels), so a write that changed the triples of a few hundred subjects
changes only those subjects' entries.

The embedded store's writer (kg.store.embedded) therefore notes, for each session (from opening the
store to closing it), the subjects of the union triples it added or removed, and on closing appends
``{"from": version, "to": version, "subjects": [...]}`` to ``kg-answers/changes.json`` in the store's
folder (a subfolder: not part of the version, see ``store_generation``). ``touched_between`` chains the
entries from the version a kept value was made for to the current one. Entries name exact versions,
so a session that left no entry breaks every chain through it: one that wrote what it did not
follow (a bulk load, an update, a clear, too many subjects), one that died before closing, one of
an older kg. The chain then gives None, and the value is made again as before. The entries are only ever a superset
of what changed, so a value patched from them equals a value made anew (tests/test_store_changes.py).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

FOLDER = "kg-answers"  # beside the kept CQ answers (kg.store.answers): what kg derives and keeps with the data
FILE = "changes.json"
MAX_ENTRIES = 64  # the sessions a kept value can be this many loads behind and still be patched
MAX_SUBJECTS = 50_000  # a session that touched more: made anew (a patch would not be cheaper than a rebuild)
FORMAT = 1


def store_generation(location: str | Path) -> tuple[int, int, int]:
    """(newest modification time in ns, number of files, total size) of the store's own files: its version.

    Any write (a `kg load`, `kg drop`) adds or rewrites files, so the triple changes; reading does not.
    Only the files of the folder itself (RocksDB's): a subfolder holds what other tools derive and
    keep beside the data (kept CQ answers, kg-answers/), which is not a new version of the data:
    counting it made every kept answer look like a load (the pages' caches dropped and rebuilt).
    """
    newest = count = size = 0
    try:
        entries = list(os.scandir(location))
    except OSError:
        return newest, count, size
    for entry in entries:
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            info = entry.stat(follow_symlinks=False)
        except OSError:  # a file removed while we look (compaction): the next look sees the rest
            continue
        newest, count, size = max(newest, info.st_mtime_ns), count + 1, size + info.st_size
    return newest, count, size


def journal_of(location: str | Path) -> Path:
    return Path(location) / FOLDER / FILE


class Session:
    """What one writer's session changed: started before the store is opened, recorded after it is closed."""

    def __init__(self, location: str | Path) -> None:
        self.location = Path(location)
        self.before = list(store_generation(self.location))
        self.subjects: set[str] | None = set()  # None: a write kg did not follow

    def touch(self, quads: Iterable) -> None:
        """The subjects of these changed union quads (IRIs: a blank node has no page nor index entry)."""
        if self.subjects is None:
            return
        import pyoxigraph as ox

        self.subjects.update(q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode))
        if len(self.subjects) > MAX_SUBJECTS:
            self.subjects = None

    def unfollowed(self) -> None:
        """A write whose changed triples are not known (an update, a clear, a bulk load into a fresh store)."""
        self.subjects = None

    def record(self) -> None:
        """After the store is closed: this session's entry, the version after it included. Never fails
        the write it follows (a read-only or full disk: the kept values are made anew instead)."""
        after = list(store_generation(self.location))
        if after == self.before or not (self.location / "CURRENT").is_file():
            return  # nothing written (or no store): the chain goes on unbroken
        if self.subjects is None:  # no entry: the chain breaks here, as it does when a write is lost
            return
        path = journal_of(self.location)
        entries = _read(path)
        entries.append({"from": self.before, "to": after, "subjects": sorted(self.subjects)})
        _write(path, entries[-MAX_ENTRIES:])


def touched_between(location: str | Path, since, now) -> set[str] | None:
    """The subjects whose triples may have changed from store version ``since`` to ``now`` (lists
    or tuples, as ``store_generation`` gives), or None when the journal does not link the two."""
    since, now = list(since), list(now)
    if since == now:
        return set()
    following = {}
    for entry in _read(journal_of(location)):
        following[json.dumps(entry.get("from"))] = entry
    touched: set[str] = set()
    at, steps = since, 0
    while at != now and steps <= MAX_ENTRIES:
        entry = following.get(json.dumps(at))
        if entry is None:
            return None
        touched.update(entry.get("subjects", ()))
        at, steps = entry.get("to"), steps + 1
    return touched if at == now else None


def _read(path: Path) -> list[dict]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("entries"), list):
        return []
    entries = doc["entries"]
    if not all(isinstance(e, dict) and isinstance(e.get("from"), list) and isinstance(e.get("to"), list)
               and isinstance(e.get("subjects"), list) and all(isinstance(x, str) for x in e["subjects"])
               for e in entries):
        return []  # damaged (or edited by hand): it links no version, so everything is made anew
    return entries


def _write(path: Path, entries: list[dict]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(exist_ok=True)
        tmp.write_text(json.dumps({"format": FORMAT, "entries": entries}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:  # not written: a gap, which breaks the chain as an unfollowed write does
        with contextlib.suppress(OSError):
            tmp.unlink()
