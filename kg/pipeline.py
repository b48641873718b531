"""The whole path for one article: read → extract → map → validate.

``export_article`` is what ``kg export`` runs per article; ``article_to_nquads``
is the pure function a corpus engine (a process pool, Dask, Spark) maps over
partitions: text in, sorted N-Quads of the article's named graph out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from kg.iri import DEFAULT_BASE

if TYPE_CHECKING:  # the heavy imports (rdflib, pyshacl) wait until they are needed
    from rdflib import Graph

    from kg.model import Article, Extraction
    from kg.validate import ValidationReport


@dataclass
class ArticleExport:
    """One article carried through the pipeline."""

    article: Article
    extraction: Extraction
    graph: Graph
    report: ValidationReport | None = None
    base: str = DEFAULT_BASE
    curated: frozenset = frozenset()  # ids of the curation decisions whose target this article has
    _nquads: str | None = field(default=None, repr=False)

    @property
    def graph_iri(self) -> str:
        return str(self.graph.identifier)

    @cached_property
    def article_iri(self) -> str:
        from kg.iri import article_id, article_iri

        return article_iri(article_id(self.article.url, self.article.content_hash, self.article.identity), self.base)

    @property
    def triples(self) -> int:
        return len(self.graph)

    @property
    def nquads(self) -> str:
        """Sorted N-Quads of the article's named graph (deterministic)."""
        if self._nquads is None:
            from kg.serialize import serialize

            self._nquads = serialize(self.graph, "nquads")
        return self._nquads


def export_article(path: str, base: str = DEFAULT_BASE, validate: bool = True,
                   max_bytes: int | None = -1, root: str | None = None, curation=None) -> ArticleExport:
    """Read, extract, map, curate and (unless ``validate`` is false) validate one article file.

    ``max_bytes``: refuse a bigger file (-1: kg.text.MAX_ARTICLE_BYTES; None: no limit).
    ``root``: the corpus root; an article without url or front-matter ``id`` is identified
    by its path relative to it (default: the current directory; "-", stdin: by its text).
    ``curation``: a kg.curation.Curation applied after mapping, before validation.
    """
    from kg.text import MAX_ARTICLE_BYTES, read_article

    return _export(read_article(path, MAX_ARTICLE_BYTES if max_bytes == -1 else max_bytes, root), base, validate,
                   curation)


def export_text(text: str, path: str = "<string>", base: str = DEFAULT_BASE,
                validate: bool = True, name: str | None = None) -> ArticleExport:
    """Like ``export_article`` for text already in memory.

    ``name``: the article's POSIX path relative to the corpus root ("2021/a.txt"); it
    identifies an article without url or front-matter ``id``, as ``export_article`` does.
    Without it such an article is identified by its text (an edit mints a new IRI).
    """
    from kg.text import parse_article, path_identity

    article = parse_article(text, path)
    if name is not None and article.identity is None:
        article.identity = path_identity(name)
    return _export(article, base, validate)


def article_to_nquads(text: str, path: str = "<string>", base: str = DEFAULT_BASE,
                      name: str | None = None) -> str:
    """Pure function: article text → sorted N-Quads of its named graph (no validation).

    Pass ``name`` (the path relative to the corpus root) to get the IRIs ``kg export DIR`` mints.
    """
    return export_text(text, path, base, validate=False, name=name).nquads


def _export(article: Article, base: str, validate: bool, curation=None) -> ArticleExport:
    from kg.extract import extract
    from kg.map import to_graph

    extraction = extract(article)
    graph = to_graph(extraction, base=base)
    curated: frozenset = frozenset()
    if curation is not None and curation.decisions:
        from kg.curation import apply

        curated = frozenset(apply(graph, curation).applied)
    report = None
    if validate:
        from kg.validate import validate as run_validation

        report = run_validation(graph)
    return ArticleExport(article=article, extraction=extraction, graph=graph, report=report, base=base,
                         curated=curated)
