"""Which files ``kg load`` need not validate again: the ones kg export validated, byte for byte.

kg export records what it validated (kg.corpus.state): beside a single export or a shard, a
sidecar ``FILE.kg-validation.json`` (sha256 of the file's bytes, the validation fingerprint);
in a corpus ``--out-dir``, the manifest ``kg-manifest.json`` at the top of the folder
("validation" fingerprint, "output_sha256" per article). A file is vouched for when the sha256
of the very bytes kg load parses is recorded there under today's validation fingerprint (kg's
version, shapes/, kg/validate.py): an edited file, a file from elsewhere, or any file after
the shapes changed is validated as before.

The hash is taken while the file is parsed (``HashingReader`` under the parser), so the bytes
checked are the bytes loaded; a file with no record is parsed and validated without hashing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = "kg-manifest.json"  # kg.corpus.runner.MANIFEST_NAME, without importing the runner


class HashingReader:
    """A binary file object that hashes what is read through it (for the parser, or gzip over it)."""

    def __init__(self, raw) -> None:
        self._raw = raw
        self._digest = hashlib.sha256()
        self._hex: str | None = None

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._digest.update(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readable(self) -> bool:
        return True

    def hexdigest(self) -> str:
        """The sha256 of the whole file: what the parser left unread is read (and hashed) first
        (kg.rdfio.stream_quads reads to the end before it closes the file)."""
        if self._hex is None:
            while not self._raw.closed and self.read(1 << 20):
                pass
            self._hex = self._digest.hexdigest()
        return self._hex

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class Vouchers:
    """The validation records kg export wrote, looked up per file (manifests read once per folder)."""

    fingerprint: str = ""
    validated: list[str] = field(default_factory=list)  # files SHACL-validated by this load
    vouched: list[str] = field(default_factory=list)  # files skipped: kg export validated these bytes
    _manifests: dict[Path, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.fingerprint:
            from kg.corpus.state import validation_fingerprint

            self.fingerprint = validation_fingerprint()

    def candidates(self, path: Path) -> frozenset[str]:
        """The sha256 values recorded as validated for ``path`` (empty: no record, validate it)."""
        from kg.corpus.state import sidecar_path

        found = set()
        record = _read_json(sidecar_path(path))
        if record and record.get("fingerprint") == self.fingerprint and isinstance(record.get("sha256"), str):
            found.add(record["sha256"])
        found |= self._manifest_near(path.resolve().parent)
        return frozenset(found)

    def _manifest_near(self, folder: Path) -> frozenset[str]:
        """Output hashes of the nearest kg-manifest.json in ``folder`` or above (an --out-dir has sub-folders)."""
        seen = []
        hashes: frozenset[str] = frozenset()
        for candidate in (folder, *folder.parents):
            if candidate in self._manifests:
                hashes = self._manifests[candidate]
                break
            seen.append(candidate)
            data = _read_json(candidate / MANIFEST_NAME)
            if data is not None:
                if data.get("validation") == self.fingerprint and isinstance(data.get("articles"), dict):
                    hashes = frozenset(entry["output_sha256"] for entry in data["articles"].values()
                                       if isinstance(entry, dict) and isinstance(entry.get("output_sha256"), str))
                break
        for candidate in seen:
            self._manifests[candidate] = hashes
        return hashes

    def summary(self) -> str:
        """``validated 2 files, 998 already validated by kg export`` for kg load's line."""
        text = f"validated {len(self.validated)} file{'s' * (len(self.validated) != 1)}"
        if self.vouched:
            text += f", {len(self.vouched)} already validated by kg export"
        return text


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
