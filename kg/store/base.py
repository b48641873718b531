"""What every store offers, whatever it runs on: the ``Store`` interface, results, exit codes.

A store holds one named graph per article (``kg.iri.graph_for_article_iri``) and
answers SPARQL over the de-duplicated union of its graphs (kg.store.union). ``EmbeddedStore`` (kg.store.embedded)
and ``RemoteStore`` (kg.store.remote) implement it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.store.sources import GraphUnit

# Exit codes of ``kg query`` beyond the usual 0 / 1 (error) / 2 (usage).
EXIT_ASK_FALSE = 1  # like test(1) and grep: an ASK answered false
EXIT_PARTIAL = 3  # the server cut the answer short (timeout, row cap): the rows shown are incomplete

UPDATE_FORMS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


class QueryForm(str, Enum):
    """The four forms of a SPARQL query, as ``QueryResult.form`` (equal to the keyword's string)."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    def __str__(self) -> str:
        return self.value


class QueryError(KgError):
    """The store refused a query: syntax error, unknown graph, server error."""


class UpdateRefused(KgError):
    """A SPARQL update was sent where only queries are allowed."""

    exit_code = 2


@dataclass
class QueryResult:
    """The answer to one query, the same whether it came from disk or over HTTP.

    ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``variables``
    and ``rows`` (tuples of pyoxigraph terms, ``None`` where unbound); ASK fills
    ``boolean``; CONSTRUCT/DESCRIBE fill ``triples``. ``partial`` is true when
    the server stopped early (timeout, row cap); ``reason`` says why.
    """

    form: QueryForm | str  # a remote answer may still carry the keyword as a string
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    partial: bool = False
    reason: str | None = None
    # the server's row cap, when it alone made the answer partial (Virtuoso's X-SPARQL-MaxRows):
    # a reader that can ask again in pages of this size gets the whole answer
    row_cap: int | None = None

    def __len__(self) -> int:
        return len(self.rows) if self.form == QueryForm.SELECT else len(self.triples)

    def values(self) -> list[dict[str, str]]:
        """Rows as dicts of plain strings (a term's value; unbound variables left out)."""
        return [
            {var: term.value for var, term in zip(self.variables, row) if term is not None}
            for row in self.rows
        ]


class Store:
    """A triple store kg can load into and query. Use ``kg.store.open_store`` to get one."""

    description = "store"

    def load_units(self, units: Sequence[GraphUnit], replace: bool = True) -> None:
        raise NotImplementedError

    def query(self, sparql: str, *, update: bool = False, default_graphs: Sequence[str] | None = None,
              timeout: float | None = None) -> QueryResult | None:
        raise NotImplementedError

    def drop(self, graphs: Iterable[str]) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the store (the embedded store's lock on its folder)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # The rest is written once, in SPARQL, for every store.

    def load(self, paths: Sequence[str | Path], *, replace: bool = True, validate: bool = True,
             graph: str | None = None) -> list[GraphUnit]:
        """Parse (and validate) every file, then write them all; nothing is written if one fails.

        Each article goes to its own named graph; ``replace`` (the default) makes a
        reload replace the graph instead of adding to it. Returns what was loaded.
        """
        from kg.store.sources import read_files

        units = read_files(paths, validate=validate, graph=graph)
        self.load_units(units, replace=replace)
        return units

    def _union_name(self) -> str | None:
        """The named graph that holds the union, where the store keeps it in one (Virtuoso); else None."""
        return None

    def article_graphs(self) -> list[tuple[str, str]]:
        """(graph IRI, article IRI) for every graph that holds a kg article, sorted."""
        result = _complete(self.query(packaged_query("article_graphs")))
        union = self._union_name()
        return [(row[0].value, row[1].value) for row in result.rows if row[0].value != union]

    def triple_count(self) -> int:
        """Distinct triples over every graph: ``COUNT(*)`` over the union, which queries read.

        The figure to show as the store's size (kg stats, the home page, VoID's void:triples).
        """
        result = _complete(self.query(packaged_query("stats_triples")))
        return int(result.rows[0][0].value)

    def drop_all(self) -> list[str]:
        """Remove every graph that holds a kg article (other graphs on a shared server stay)."""
        return self.drop(graph for graph, _ in self.article_graphs())

    def stats(self) -> dict:
        """Article graphs, distinct triples (what ``COUNT(*)`` over the union says), entities per class.

        ``graph_list`` gives each article graph's own size; a triple two articles share counts in both.
        """
        per_graph = _complete(self.query(packaged_query("stats_graphs")))
        classes = _complete(self.query(packaged_query("stats_classes")))
        union = self._union_name()
        graphs = [
            {"graph": row[0].value, "article": row[1].value, "triples": int(row[2].value)}
            for row in per_graph.rows if row[0].value != union
        ]
        return {
            "store": self.description,
            "graphs": len(graphs),
            "triples": self.triple_count(),
            "classes": {row[0].value: int(row[1].value) for row in classes.rows},
            "graph_list": graphs,
        }

    def query_with_source(self, sparql: str, *, timeout: float | None = None) -> QueryResult:
        """Run a SELECT on each article graph alone and add a ``?source`` column (the article).

        Each article's graph answers the competency questions on its own (the RDF
        contract), so running the query per graph gives exactly the facts each
        article supports. Where kg.store.sourced can say the same in one query (every
        pattern inside ``GRAPH ?g``: the shipped CQs, plain queries), that one query
        runs; otherwise one query per article graph. Rows keep the order the query
        gives over the union; each fact's sources are sorted.
        """
        from kg.store.sourced import SOURCE_VAR, rewrite

        if query_form(sparql) != QueryForm.SELECT:
            raise QueryError("--with-source needs a SELECT query")
        union = self.query(sparql, timeout=timeout)
        order = {row: i for i, row in enumerate(dict.fromkeys(union.rows))}
        result = QueryResult("SELECT", variables=[*union.variables, "source"],
                             partial=union.partial, reason=union.reason)
        sourced: set[tuple] = set()
        in_graphs = rewrite(sparql)  # every article graph in one query (kg.store.sourced), when exact
        if in_graphs is not None:
            articles = {_named_node(graph): _named_node(article) for graph, article in self.article_graphs()}
            part = self.query(in_graphs, timeout=timeout)
            at = {name: i for i, name in enumerate(part.variables)}
            for row in part.rows:
                article = articles.get(row[at[SOURCE_VAR]])
                if article is not None:  # a graph that holds no article (the union graph on Virtuoso)
                    sourced.add((*(row[at[v]] for v in union.variables), article))
            if part.partial:
                result.partial, result.reason = True, part.reason
        for graph, article in ([] if in_graphs is not None else self.article_graphs()):
            part = self.query(sparql, default_graphs=[graph], timeout=timeout)
            sourced.update((*row, _named_node(article)) for row in part.rows)
            if part.partial:
                result.partial, result.reason = True, part.reason
        # facts the union does not show (an OPTIONAL bound only there) go last, sorted
        result.rows = sorted(sourced, key=lambda row: (order.get(row[:-1], len(order)), _row_key(row)))
        return result


def _complete(result: QueryResult) -> QueryResult:
    """kg's own bookkeeping queries must not be cut short: a partial list of graphs would mislead."""
    if result.partial:
        raise KgError(f"the store's answer was cut short ({result.reason}); raise the server's limits")
    return result


def _named_node(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _row_key(row: tuple) -> tuple:
    return tuple("" if term is None else term.value for term in row)


@cache
def packaged_query(name: str) -> str:
    """A query shipped with kg.store (kg/store/queries/NAME.rq)."""
    return (Path(__file__).with_name("queries") / f"{name}.rq").read_text(encoding="utf-8")


_PROLOGUE = re.compile(
    r"""\s+ | \#[^\n]* | (?:PREFIX\s+[^\s:]*:\s*<[^>]*>) | (?:BASE\s*<[^>]*>)""",
    re.IGNORECASE | re.VERBOSE,
)


def query_form(sparql: str) -> str:
    """The first keyword after the prologue: SELECT, ASK, … for queries, INSERT, DROP, … for updates."""
    pos = 0
    while True:
        match = _PROLOGUE.match(sparql, pos)
        if not match or match.end() == pos:
            break
        pos = match.end()
    word = re.match(r"[A-Za-z]+", sparql[pos:])
    return word.group(0).upper() if word else ""


def check_query(sparql: str, *, update: bool) -> str:
    """The query's form, or a clear refusal: updates need ``update=True`` (``--update``)."""
    form = query_form(sparql)
    if form in UPDATE_FORMS and not update:
        raise UpdateRefused(f"this is a SPARQL update ({form}); kg query only reads unless you give --update")
    return form


def tidy_message(text: str, limit: int = 300) -> str:
    """The first line of a parser's message, without Oxigraph's lists of expected character classes."""
    if text.lstrip().startswith("<"):  # an HTML error page: its title says it
        title = re.search(r"<(?:title|h1)>(.*?)</", text, re.IGNORECASE | re.DOTALL)
        text = title.group(1) if title else ""
    line = text.strip().splitlines()[0] if text.strip() else ""
    cut = line.find(", ['")
    if cut > 0:
        line = line[:cut] + ", …"
    return line if len(line) <= limit else line[:limit] + " …"


def term_from_json(binding: dict) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term from one SPARQL 1.1 JSON results binding."""
    import pyoxigraph as ox

    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    if "datatype" in binding:
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)
