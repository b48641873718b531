"""Incremental runs: a content hash per article and a fingerprint of the toolkit.

An article is skipped when its bytes, the toolkit version, the ontology, the
shapes, the gazetteers and the export settings are all what they were when its
output was written. The manifest (JSON) records that per article.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from kg.output import atomic_write

MANIFEST_VERSION = 1


def file_sha256(path: Path, max_bytes: int | None = None) -> str:
    """sha256 of a regular file's bytes (InputError for a FIFO, a device, a file over ``max_bytes``)."""
    from kg.text import read_regular_file

    return hashlib.sha256(read_regular_file(path, max_bytes)).hexdigest()


def _hash_tree(digest: Any, folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def toolkit_fingerprint(settings: dict[str, Any]) -> str:
    """sha256 over kg's version, ontology/, shapes/, gazetteers and the export settings."""
    from kg import __version__
    from kg.resources import gazetteer_dir, ontology_dir, shapes_dir

    digest = hashlib.sha256(f"kg {__version__}\n".encode())
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for name, folder in (("ontology", ontology_dir), ("shapes", shapes_dir), ("gazetteers", gazetteer_dir)):
        digest.update(f"\n[{name}]\n".encode())
        try:
            _hash_tree(digest, folder())
        except FileNotFoundError:
            pass
    return digest.hexdigest()


class Manifest:
    """``{article name: {sha256, output, graph, triples, status, counts}}`` under one fingerprint.

    ``previous`` holds the entries of the last run whatever its fingerprint: what it wrote
    (``output``, relative to the manifest's folder) and loaded (``graph``), so that the
    outputs of articles gone from the input can be removed.
    """

    def __init__(self, path: Path, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self.articles: dict[str, dict[str, Any]] = {}
        self.previous: dict[str, dict[str, Any]] = {}
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # no manifest (or a damaged one): everything is new
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return
        articles = data.get("articles")
        if not isinstance(articles, dict):
            return
        self.previous = {name: entry for name, entry in articles.items() if isinstance(entry, dict)}
        if data.get("fingerprint") == self.fingerprint:
            self.articles = dict(self.previous)

    def is_current(self, name: str, sha256: str, output: Path | None) -> bool:
        entry = self.articles.get(name)
        if not entry or entry.get("sha256") != sha256:
            return False
        return output is None or output.exists()

    def record(self, name: str, entry: dict[str, Any]) -> None:
        self.articles[name] = entry

    def forget(self, name: str) -> dict[str, Any] | None:
        return self.articles.pop(name, None)

    def save(self) -> None:
        data = {"version": MANIFEST_VERSION, "fingerprint": self.fingerprint,
                "articles": dict(sorted(self.articles.items()))}
        os.makedirs(self.path.parent, exist_ok=True)
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=0) + "\n")
