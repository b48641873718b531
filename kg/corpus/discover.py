"""Which files make a corpus, and what each one's output is called."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from kg.errors import InputError

ARTICLE_SUFFIXES = (".txt", ".md")
_GLOB_CHARS = set("*?[")


def iter_articles(inputs: Iterable[str | os.PathLike]) -> list[Path]:
    """The article files named by ``inputs``, sorted and without duplicates.

    Each input is a directory (searched recursively for ``*.txt`` and ``*.md``,
    hidden folders skipped), a glob pattern (``corpus/2021/*.txt``, ``**`` allowed)
    or a file. An input that names nothing raises InputError naming it.

    Paths are made absolute without following symbolic links: an article that is a link
    keeps its name in the corpus (its output stays beside the others, under --out-dir),
    and two names for one file (a link, a hard link) count once, under the first name.
    """
    found: set[Path] = set()
    for item in inputs:
        text = os.fspath(item)
        if Path(text).is_dir():
            matches = list(_walk(Path(text)))
        elif _GLOB_CHARS & set(text):
            matches = [Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file()]
            if not matches:
                raise InputError(f"{text}: the pattern matches no file")
        elif Path(text).is_file():
            matches = [Path(text)]
        else:
            from kg.text import file_problem

            problem = file_problem(text)
            raise InputError(f"{text}: {'no such file or directory' if problem == 'no such file' else problem}")
        found.update(Path(os.path.abspath(p)) for p in matches)
    return _one_name_per_file(sorted(found))


def _one_name_per_file(paths: list[Path]) -> list[Path]:
    seen: set[tuple[int, int]] = set()
    kept = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:  # a broken link or a loop: kept, the worker reports what it is
            kept.append(path)
            continue
        if (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            kept.append(path)
    return kept


def _walk(root: Path) -> Iterable[Path]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # skip .git, .kg caches
        for name in files:
            if name.endswith(ARTICLE_SUFFIXES) and not name.startswith("."):
                yield Path(folder) / name


def common_root(paths: list[Path]) -> Path:
    """The deepest folder holding every path (outputs mirror the layout below it)."""
    if not paths:
        return Path.cwd()
    return Path(os.path.commonpath([str(p.parent) for p in paths]))


def identity_root(inputs: list[str | os.PathLike], paths: list[Path], root: str | os.PathLike | None = None) -> Path:
    """The folder whose relative paths identify articles without url or front-matter id.

    ``root`` when given (``--root``); else the one folder given (``kg export corpus/``: a new
    subfolder does not rename the others); else the folder holding every article.
    """
    if root is not None:
        return Path(os.path.abspath(root))
    if len(inputs) == 1 and Path(os.fspath(inputs[0])).is_dir():
        return Path(os.path.abspath(inputs[0]))
    return common_root(paths)


def relative_names(paths: list[Path], root: Path) -> list[str]:
    """POSIX paths relative to ``root``: the articles' names in manifests and reports."""
    return [p.relative_to(root).as_posix() for p in paths]


def output_names(names: list[str], extension: str) -> list[str]:
    """Output file per article: ``2021/a.txt`` → ``2021/a.ttl``.

    When two inputs would give the same name (``a.txt`` and ``a.md``) both keep
    their input suffix (``a.txt.ttl``, ``a.md.ttl``) so nothing is overwritten.
    """
    stems = [str(Path(n).with_suffix("")) for n in names]
    seen: dict[str, int] = {}
    for stem in stems:
        seen[stem] = seen.get(stem, 0) + 1
    return [f"{stem if seen[stem] == 1 else name}{extension}" for stem, name in zip(stems, names)]
