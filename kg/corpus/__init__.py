"""Corpus mode: thousands of articles, in parallel, incremental, bounded memory.

    from kg.corpus import export_corpus
    summary = export_corpus(["corpus/"], out_dir="out/", jobs=2)      # one file per article
    summary = export_corpus(["corpus/"], output="corpus.nq.gz")       # sorted N-Quads shards
    print(summary.text()); raise SystemExit(summary.exit_code)

For other engines (Dask, Spark) map ``kg.pipeline.article_to_nquads`` over the texts.
"""

from kg.corpus.discover import iter_articles
from kg.corpus.engine import ArticleResult, EngineSettings, kg_engine
from kg.corpus.runner import DEFAULT_SHARD_SIZE, CorpusSummary, export_corpus
from kg.corpus.shards import is_shard_output

__all__ = [
    "DEFAULT_SHARD_SIZE", "ArticleResult", "CorpusSummary", "EngineSettings", "export_corpus",
    "is_shard_output", "iter_articles", "kg_engine",
]
