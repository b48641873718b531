"""Where the project's data files are: ontology/, shapes/, ontology/cq/, gazetteers.

In a checkout (or an editable install) ontology/ and shapes/ sit beside the
package; a wheel carries them as kg/_data/ (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _root(name: str) -> Path:
    for candidate in (PACKAGE_DIR / "_data" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg data folder {name!r} not found beside the package {PACKAGE_DIR}")


def ontology_dir() -> Path:
    return _root("ontology")


def shapes_dir() -> Path:
    return _root("shapes")


def cq_dir() -> Path:
    return ontology_dir() / "cq"


def gazetteer_dir() -> Path:
    return PACKAGE_DIR / "extract" / "gazetteers"
