"""Generated articles of the genre for tests: bench/generate_corpus.py, loaded as a module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "generate_corpus.py"


def generate_articles(folder: Path, n: int, seed: int) -> list[Path]:
    """``n`` deterministic articles (people and bodies shared between them) written into ``folder``."""
    spec = importlib.util.spec_from_file_location("generate_corpus", SCRIPT)
    gen = importlib.util.module_from_spec(spec)
    sys.modules["generate_corpus"] = gen  # dataclasses look their module up here
    try:
        spec.loader.exec_module(gen)
        return gen.generate_corpus(folder, n, seed=seed)
    finally:
        sys.modules.pop("generate_corpus", None)


def export_each(folder: Path, articles) -> list[Path]:
    """``kg export ARTICLE -o folder/STEM.nq`` for each article: one N-Quads file an article."""
    from click.testing import CliRunner

    from kg.cli import main

    out = []
    for article in articles:
        target = folder / f"{Path(article).stem}.nq"
        result = CliRunner().invoke(main, ["export", str(article), "-o", str(target), "-q"])
        assert result.exit_code == 0, result.output
        out.append(target)
    return out
