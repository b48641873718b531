"""Corpus mode: thousands of articles, in parallel, incremental, bounded memory.

    from kg.corpus import export_corpus
    summary = export_corpus(["corpus/"], out_dir="out/", jobs=2)      # one file per article
    summary = export_corpus(["corpus/"], output="corpus.nq.gz")       # sorted N-Quads shards
    print(summary.text()); raise SystemExit(summary.exit_code)

On a Dask cluster: ``kg.corpus.distributed.export_with_dask`` (the same shards, byte for byte).
For other engines (Spark) map ``kg.pipeline.article_to_nquads`` over the texts.
Names are imported on first use, so ``kg --help`` does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "iter_articles": "kg.corpus.discover",
    "ArticleResult": "kg.corpus.engine",
    "EngineSettings": "kg.corpus.engine",
    "export_with_dask": "kg.corpus.distributed",
    "kg_engine": "kg.corpus.engine",
    "CorpusSummary": "kg.corpus.runner",
    "export_corpus": "kg.corpus.runner",
    "DEFAULT_SHARD_SIZE": "kg.corpus.shards",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'kg.corpus' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
