"""The published data on a SPARQL 1.1 server: the part of pyoxigraph.Store's API that publishing reads.

``kg serve --endpoint URL`` builds its ``Site`` on an ``EndpointData`` instead of an on-disk store.
Everything kg.publish asks of its data store is one of these calls, each answered by one request
through kg.store.remote.RemoteStore (SPARQL 1.1 Protocol):

    quads_for_pattern(s, p, o, g)   one SELECT; the given terms written by kg.store.guard.sparql_term
    query(text, …)                  forwarded; SELECT/ASK come back as real pyoxigraph results
    named_graphs(), contains_named_graph(g), len()   SELECT DISTINCT ?g / ASK / COUNT

The server holds kg's layout (kg.store.union, written by ``kg load --endpoint``): a named graph per
article and their de-duplicated union as the default graph (on Virtuoso the named graph
``UNION_GRAPH``, which RemoteStore reads as the default graph and which is reported here as the
default graph, not as a named one). So ``use_default_graph_as_union`` needs no translation: the
default graph already is the union. A server that keeps graphs of its own beside kg's (the
dialect's ``own_graphs``: Virtuoso's virtrdf#, ldp#, service description, DAV/) shows only kg's:
the graphs that hold a kg article (the union among them), as kg stats counts them. Nothing is
written; an answer the server cut short (its timeout, its row cap) raises ``IncompleteAnswer``
rather than showing half a page.

One EndpointData stands for one version of the server's data: it keeps the answers to patterns it
was asked (bounded), and ``kg serve`` replaces it by ``fresh()`` when ``fingerprint()`` (the
number of quads) changes, so pages follow a later ``kg load`` within seconds.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

import pyoxigraph as ox

from kg.errors import KgError
from kg.store.base import QueryError
from kg.store.counts import NEWS_ARTICLE, RDF_TYPE
from kg.store.guard import sparql_term
from kg.store.remote import RemoteStore
from kg.store.results import to_json

KEPT_PATTERNS = 4096  # answers to quad patterns kept per data version (labels, types: asked by every page)
KEPT_QUADS = 20_000  # a bigger answer (a whole-store scan) is not kept: the Catalogue keeps what it derives
_NAMES = ("s", "p", "o")
# "?g is one of kg's graphs": it holds a kg article (kg.store's article_graphs, kg stats); the union
# graph holds every article, so it is one of them. Written from terms, with a variable no caller uses.
# Counted with a filter, not a join (a join repeats the rows of a graph that holds two articles, the
# union graph); rows are kept to kg's graphs here, after the answer: Virtuoso 7 pages a plain pattern
# by OFFSET faithfully, but repeats one page for every OFFSET of a pattern with a FILTER EXISTS or a
# joined sub-SELECT (paged answers, below).
_HOLDS_ARTICLE = "?kg_article " + sparql_term(ox.NamedNode(RDF_TYPE)) + " " + sparql_term(ox.NamedNode(NEWS_ARTICLE))
_KG_GRAPH = " FILTER EXISTS { GRAPH ?g { " + _HOLDS_ARTICLE + " } }"


class IncompleteAnswer(RuntimeError):
    """The server stopped early (its time limit or row cap): publishing shows no half answers."""


class EndpointData:
    """Read-only, pyoxigraph.Store-like access to kg's layout on a SPARQL server."""

    def __init__(self, remote: RemoteStore) -> None:
        self.remote = remote
        self.union = remote.union_graph  # None: the server's default graph is the union (Oxigraph)
        # "every graph" keeps to kg's where the server holds graphs of its own (Virtuoso)
        self._kg_graphs = _KG_GRAPH if remote.dialect.own_graphs else ""
        self.description = remote.description
        self._kept: OrderedDict[tuple, list] = OrderedDict()
        self._lock = threading.Lock()

    def fresh(self) -> EndpointData:
        """The same server as a new data version: nothing kept."""
        return EndpointData(self.remote)

    # --- requests ------------------------------------------------------------------------------

    def _ask(self, sparql: str, **options):
        result = self.remote.query(sparql, **options)
        if result.partial:
            raise IncompleteAnswer(f"{self.description}: incomplete answer ({result.reason})")
        return result

    def _select_rows(self, variables: list[str], where: str, *, limit: int | None = None,
                     distinct: bool = False) -> list[tuple]:
        """``SELECT variables WHERE { where }``, rows that are distinct (quads of a pattern; or
        ``distinct``). An answer the server cut at its row cap (Virtuoso's ResultSetMaxRows) is
        asked again in sorted pages of the cap, as long as the server sorts that many rows (the
        dialect's ``sorted_rows``), and checked against its COUNT: all the rows, or _TooMany."""
        projection = ("DISTINCT " if distinct else "") + " ".join(variables)
        text = "SELECT " + projection + " WHERE { " + where + " }"
        result = self.remote.query(text + (" LIMIT " + str(int(limit)) if limit else ""))
        if not result.partial:
            return result.rows
        if result.row_cap is None or limit:
            raise IncompleteAnswer(f"{self.description}: incomplete answer ({result.reason})")
        counted = self._ask("SELECT (COUNT(*) AS ?n) WHERE { " + text + " }")
        expected = _number(counted)
        most = self.remote.dialect.sorted_rows
        if most is not None and expected > most:
            raise _TooMany(f"{self.description}: {expected} rows, more than the server's row cap "
                           f"({result.row_cap}) and more than it sorts to page them ({most})")
        # Sorted: Virtuoso pages an unsorted answer by OFFSET in an order that may change between pages
        ordered = text + " ORDER BY " + " ".join(variables)
        rows: list[tuple] = []
        page = result.row_cap
        for offset in range(0, expected, page):  # as many pages as the count says, never more
            part = self.remote.query(ordered + " LIMIT " + str(page) + " OFFSET " + str(offset))
            if part.partial and part.row_cap is None:  # stopped at its time limit
                raise IncompleteAnswer(f"{self.description}: incomplete answer ({part.reason})")
            rows.extend(part.rows)
        if len(rows) != expected or len(set(rows)) != expected:  # a write between the pages, say
            raise IncompleteAnswer(f"{self.description}: the answer, read in pages of {page} rows (the server's "
                                   f"row cap), came to {len(set(rows))} rows, not the {expected} it counts")
        return rows

    def _graph_names(self, held: str) -> list[ox.NamedNode]:
        """The graphs that hold ``held``, sorted. Past the row cap, in pages that start after the
        last graph of the one before (no OFFSET: the server sorts one page at a time)."""
        found: list[ox.NamedNode] = []
        page = None
        while True:
            after = (" FILTER (STR(?g) > " + sparql_term(ox.Literal(found[-1].value)) + ")") if found else ""
            text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { " + held + " }" + after + " } ORDER BY (STR(?g))"
            result = self.remote.query(text + (" LIMIT " + str(page) if page else ""))
            if result.partial and result.row_cap is None:
                raise IncompleteAnswer(f"{self.description}: incomplete answer ({result.reason})")
            names = [row[0] for row in result.rows if isinstance(row[0], ox.NamedNode)]
            found.extend(names)
            if not result.partial and (page is None or len(result.rows) < page):
                return found
            page = page or result.row_cap
            if page is None or not names:
                raise IncompleteAnswer(f"{self.description}: incomplete answer ({result.reason})")

    # --- the Store API publishing uses ---------------------------------------------------------

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None):  # noqa: A002
        """Quads matching the pattern; ``graph_name`` None: every graph (default and named), a
        DefaultGraph: the default graph (the union), a NamedNode: that graph.

        A scan (neither subject nor object given) is fetched lazily: its first quad by a LIMIT 1
        request, the rest only if the caller reads on (``next(iter(…))`` asks whether a graph is
        empty, or a property used, without fetching the whole store)."""
        key = (subject, predicate, object, graph_name)
        kept = self._kept_answer(key)
        if kept is not None:
            return kept
        if subject is None and object is None:
            return _Scan(self, key)
        return self._keep(key, self._fetch(*key))

    def _kept_answer(self, key: tuple) -> list[ox.Quad] | None:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        return None

    def _keep(self, key: tuple, found: list[ox.Quad]) -> list[ox.Quad]:
        if len(found) <= KEPT_QUADS:
            with self._lock:
                self._kept[key] = found
                while len(self._kept) > KEPT_PATTERNS:
                    self._kept.popitem(last=False)
        return found

    def _fetch(self, subject, predicate, object, graph_name, limit: int | None = None) -> list[ox.Quad]:  # noqa: A002
        given = (subject, predicate, object)
        body = " ".join(sparql_term(t) if t is not None else "?" + n for t, n in zip(given, _NAMES)) + " ."
        variables = ["?" + n for t, n in zip(given, _NAMES) if t is None]
        if isinstance(graph_name, ox.NamedNode) and graph_name != self.union:
            where = f"GRAPH {sparql_term(graph_name)} {{ {body} }}"
        elif graph_name is not None:  # the default graph (RemoteStore reads Virtuoso's union graph as it)
            where = body
        elif self.union is None:
            variables.append("?g")
            where = "{ " + body + " } UNION { GRAPH ?g { " + body + " } }"
        else:  # Virtuoso: every triple is in a named graph, the union graph among them
            variables.append("?g")
            where = f"GRAPH ?g {{ {body} }}"
        if not variables:
            variables = ["?present"]
            where = where + " BIND (true AS ?present)"
        try:
            rows = self._select_rows(variables, where, limit=limit)
        except _TooMany:
            if graph_name is not None:
                raise
            # too many rows to page over all graphs: one graph at a time (an article's graph is small)
            return [quad for graph in sorted(self._kg_graph_set(), key=lambda g: g.value)
                    for quad in self._fetch(subject, predicate, object, graph)]
        kept = self._kg_graph_set() if graph_name is None and self._kg_graphs else None
        quads = []
        for row in rows:
            values = dict(zip((v[1:] for v in variables), row))
            terms = [t if t is not None else values[n] for t, n in zip(given, _NAMES)]
            graph = graph_name if graph_name is not None else values.get("g")
            if kept is not None and graph not in kept:  # one of the server's own graphs
                continue
            if graph is None or graph == self.union:
                graph = ox.DefaultGraph()
            quads.append(ox.Quad(*terms, graph))
        if limit and kept is not None and len(quads) < len(rows):  # a probe that met a server graph first
            return self._fetch(subject, predicate, object, graph_name)[:limit]
        return quads

    def _kg_graph_set(self) -> frozenset:
        """kg's graphs on a server with graphs of its own: the article graphs and the union."""
        with self._lock:
            known = self._kept.get(("kg graphs",))
        if known is None:
            known = [*self.named_graphs(), *([self.union] if self.union is not None else [])]
            with self._lock:
                self._kept[("kg graphs",)] = known
        return frozenset(known)

    def query(self, sparql: str, *, use_default_graph_as_union: bool = False, prefixes=None,
              default_graph=None, named_graphs=None, **_ignored):
        """The query on the server; SELECT and ASK as pyoxigraph QuerySolutions / QueryBoolean,
        CONSTRUCT and DESCRIBE as a list of triples. ``use_default_graph_as_union`` changes nothing:
        on kg's layout the default graph is the union of the articles' graphs. ``prefixes`` (a
        dict) is written as PREFIX lines before the query."""
        if prefixes:
            sparql = "".join("PREFIX " + name + ": " + sparql_term(ox.NamedNode(iri)) + "\n"
                             for name, iri in sorted(prefixes.items())) + sparql
        if named_graphs:  # the protocol's named-graph-uri has no RemoteStore keyword: a FROM NAMED would
            raise IncompleteAnswer("named-graph-uri is not forwarded to a remote endpoint")
        defaults = None
        if default_graph is not None:
            graphs = default_graph if isinstance(default_graph, list) else [default_graph]
            defaults = [g.value for g in graphs if isinstance(g, ox.NamedNode)]
        try:
            result = self._ask(sparql, default_graphs=defaults)
        except QueryError as err:  # the server refused the query: what pyoxigraph raises for a bad one
            raise SyntaxError(str(err)) from None
        except KgError as err:  # unreachable, or some other failure: /sparql reports it as failed
            raise IncompleteAnswer(str(err)) from None
        if result.form in ("CONSTRUCT", "DESCRIBE"):
            return list(result.triples)
        if result.form == "ASK":
            text = json.dumps({"head": {}, "boolean": bool(result.boolean)})
        else:
            text = to_json(result)
        return ox.parse_query_results(text.encode("utf-8"), format=ox.QueryResultsFormat.JSON)

    def named_graphs(self) -> list[ox.NamedNode]:
        graphs = self._graph_names(_HOLDS_ARTICLE if self._kg_graphs else "?s ?p ?o")
        return sorted((g for g in graphs if g != self.union), key=lambda g: g.value)

    def contains_named_graph(self, graph) -> bool:
        if graph == self.union:
            return False
        held = _HOLDS_ARTICLE if self._kg_graphs else "?s ?p ?o"
        return bool(self._ask("ASK { GRAPH " + sparql_term(graph) + " { " + held + " } }").boolean)

    def __len__(self) -> int:
        """Quads in the store, the default graph's included (pyoxigraph's len)."""
        if self.union is None:
            where = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
        else:
            where = "GRAPH ?g { ?s ?p ?o }" + self._kg_graphs
        return _number(self._ask("SELECT (COUNT(*) AS ?n) WHERE { " + where + " }"))

    def fingerprint(self) -> int:
        """What changes when a `kg load` or `kg drop` writes the server: the number of quads."""
        return len(self)


class _TooMany(IncompleteAnswer):
    """More rows than the server answers at once or sorts into pages (Virtuoso's caps)."""


def _number(result) -> int:
    """The one number a COUNT query answers (0 for no row)."""
    return int(result.rows[0][0].value) if result.rows and result.rows[0][0] is not None else 0


class _Scan:
    """A scan's quads, fetched when iterated: the first by a LIMIT 1 request, then (when the caller
    reads on) all of them, the first not given twice."""

    def __init__(self, data: EndpointData, key: tuple) -> None:
        self.data, self.key = data, key

    def __iter__(self):
        kept = self.data._kept_answer(self.key)
        if kept is not None:
            yield from kept
            return
        probe = self.data._fetch(*self.key, limit=1)
        if not probe:
            self.data._keep(self.key, [])
            return
        yield probe[0]
        every = self.data._keep(self.key, self.data._fetch(*self.key))
        skipped = False
        for quad in every:
            if not skipped and quad == probe[0]:
                skipped = True
                continue
            yield quad
