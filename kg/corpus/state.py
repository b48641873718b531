"""Incremental runs: a content hash per article and a fingerprint of the toolkit.

An article is skipped when its bytes, the toolkit version, the ontology, the
shapes, the gazetteers and the export settings are all what they were when its
output was written. The manifest (JSON) records that per article.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.output import atomic_write

MANIFEST_VERSION = 1
# A record that kg validated an output file: beside a single export or a shard (FILE + this suffix),
# and, in a corpus --out-dir, the manifest's "output_sha256" per article. kg load reads both.
VALIDATION_SUFFIX = ".kg-validation.json"
VALIDATION_RECORD_VERSION = 1


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


@lru_cache(maxsize=1)
def validation_fingerprint() -> str:
    """sha256 over what decides kg's SHACL verdict on a graph: kg's version, shapes/ and kg/validate.py.

    Narrower than toolkit_fingerprint (a gazetteer or an export setting changes what is extracted,
    not how a given file validates): ``kg load`` skips SHACL for a file whose bytes kg export
    recorded as accepted under this fingerprint, and validates it when any of these changed.
    """
    from kg import __version__
    from kg.resources import shapes_dir

    digest = hashlib.sha256(f"kg {__version__}\n[validate.py]\n".encode())
    digest.update(hashlib.sha256(Path(__file__).resolve().parent.parent.joinpath("validate.py").read_bytes()).digest())
    digest.update(b"\n[shapes]\n")
    try:
        _hash_tree(digest, shapes_dir())
    except FileNotFoundError:
        pass
    return digest.hexdigest()


def validation_record(sha256: str, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """The sidecar's content: these bytes were validated by kg and accepted (no Violation)."""
    from kg import __version__

    record: dict[str, Any] = {"kg_validation": VALIDATION_RECORD_VERSION, "sha256": sha256,
                              "fingerprint": validation_fingerprint(), "verdict": "accepted",
                              "validator": f"kg {__version__}"}
    if counts is not None:
        record["counts"] = {k: int(v) for k, v in sorted(counts.items()) if v}
    return record


def sidecar_path(path: str | os.PathLike) -> Path:
    return Path(f"{os.fspath(path)}{VALIDATION_SUFFIX}")


def write_validation_record(path: str | os.PathLike, data: bytes, counts: dict[str, int] | None = None) -> None:
    """Record beside the regular file ``path`` (just written with ``data``) that kg validated it.

    Nothing for stdout, a device or a FIFO: there is no file to load again.
    """
    if not Path(path).is_file():
        return
    record = validation_record(hashlib.sha256(data).hexdigest(), counts)
    atomic_write(sidecar_path(path), json.dumps(record, indent=1) + "\n")


class Manifest:
    """``{article name: {sha256, output, graph, triples, status, counts}}`` under one fingerprint.

    ``previous`` holds the entries of the last run whatever its fingerprint: what it wrote
    (``output``, relative to the manifest's folder) and loaded (``graph``), so that the
    outputs of articles gone from the input can be removed.
    """

    def __init__(self, path: Path, fingerprint: str, *, validated: bool = False):
        self.path = path
        self.fingerprint = fingerprint
        # the articles' output files were SHACL-validated (their "output_sha256"): kg load trusts them
        self.validation = validation_fingerprint() if validated else None
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
            if data.get("validation") != self.validation:  # validated otherwise (or not): no longer vouched for
                for entry in self.articles.values():
                    entry.pop("output_sha256", None)

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
        data = {"version": MANIFEST_VERSION, "fingerprint": self.fingerprint}
        if self.validation:
            data["validation"] = self.validation
        data["articles"] = dict(sorted(self.articles.items()))
        os.makedirs(self.path.parent, exist_ok=True)
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=0) + "\n")


def record_shards(output: Path, shards: list[Path]) -> None:
    """A validation record beside every shard just written; records of shards no longer there go."""
    import glob

    from kg.corpus.shards import split_output

    for shard in shards:
        write_validation_record(shard, shard.read_bytes())
    stem, suffix, _ = split_output(output)
    for record in output.parent.glob(f"{glob.escape(stem)}-*{suffix}{VALIDATION_SUFFIX}"):
        if not Path(str(record)[:-len(VALIDATION_SUFFIX)]).exists():
            record.unlink(missing_ok=True)
