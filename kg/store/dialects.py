"""What differs between SPARQL servers, declared once per server (kg.store.remote asks its dialect).

A dialect says where a server keeps its endpoints, where kg's union of article graphs lives
and how queries name it, which request parameter carries a time limit, and how the server
signals an answer that is partial although the request succeeded. Adding a server is one
value here (and its test in tests/test_store_dialects.py); ``DIALECTS`` and the CLI's
``--server`` choices follow from the values.

``guess(url)`` picks one from the URL a user gives to ``--endpoint``:

    …/sparql, …/sparql-auth     Virtuoso
    /query (at the root)        Oxigraph
    /DATASET/query              Fuseki (its graph store is /DATASET/data)
    anything else               Oxigraph, below that path (a server root)
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from kg.errors import KgError
from kg.store.union import UNION_GRAPH


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    gsp: str


@dataclass(frozen=True)
class Dialect:
    """One server's conventions. Endpoint names are the last path segment below a common base;
    None means the one URL the user gave serves that too (plain SPARQL 1.1 Protocol)."""

    name: str
    description: str
    query_names: tuple[str, ...] = ()  # last segments that mark the URL as this server's query endpoint
    update_name: str | None = None
    gsp_name: str | None = None
    auth_suffix: str = ""  # appended to the update and graph store names when a user is given
    # kg's union of the article graphs: "" is the server's default graph (kg.store.union keeps it there)
    union_graph: str = ""
    # how a query is pointed at ``union_graph`` (``{graph}`` is its IRI in <>); None: the protocol's
    # default-graph-uri parameter
    union_pragma: str | None = None
    timeout_parameter: str | None = None  # request parameter that carries a time limit
    timeout_unit: float = 1.0  # its unit in seconds (0.001: milliseconds)
    # partial answers the server sends with HTTP 200 (header, value) or as an error message
    stopped_header: tuple[str, str] | None = None  # stopped at its time limit, the rows so far follow
    stopped_message_header: str | None = None  # the server's words on it ("Activity:" and after dropped)
    row_cap_header: str | None = None  # present only when the server cut the rows at its cap
    stopped_error: str | None = None  # an error that means "stopped at the limit before any row"
    denied_error: str | None = None  # an error (not 401/403) that means "not allowed"
    # the server keeps graphs of its own beside kg's (Virtuoso: virtrdf#, ldp#, its service
    # description, DAV/, named after its host): who reads "every graph" then keeps to the graphs
    # that hold a kg article, as kg stats and drop --all do
    own_graphs: bool = False
    # the most rows the server sorts for a page (ORDER BY … LIMIT … OFFSET …: offset plus limit);
    # a reader of an answer cut at the row cap pages it sorted within this, else graph by graph
    sorted_rows: int | None = None

    def endpoints(self, url: str, *, auth: bool = False) -> Endpoints:
        """Query, update and Graph Store URLs from the one URL a user gives."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise KgError(f"{url}: not an http(s) endpoint URL", exit_code=2)
        if not self.query_names:
            return Endpoints(url, url, url)
        path = parts.path.rstrip("/")
        root = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        head, _, last = path.rpartition("/")
        if last in self.query_names:
            base, query = root + head, url
        else:  # a server (or dataset) root: the layout below it
            base = root + path
            query = f"{base}/{self.query_names[0]}"
        suffix = self.auth_suffix if auth else ""
        update = f"{base}/{self.update_name}{suffix}" if self.update_name else query
        gsp = f"{base}/{self.gsp_name}{suffix}" if self.gsp_name else query
        return Endpoints(query, update, gsp)

    def timeout_value(self, seconds: float) -> str:
        value = seconds / self.timeout_unit
        return str(int(value)) if self.timeout_unit < 1 else f"{value:g}"  # whole milliseconds


GENERIC = Dialect(
    "sparql11", "any SPARQL 1.1 server: query and update at the URL given (--update-endpoint, "
                "--gsp-endpoint for others)")
OXIGRAPH = Dialect(
    "oxigraph", "Oxigraph: /query, /update, /store; the union in the default graph",
    query_names=("query",), update_name="update", gsp_name="store",
    # Oxigraph ignores the parameter (its limit is the server's --timeout-s); sent as before
    timeout_parameter="timeout", timeout_unit=0.001)
VIRTUOSO = Dialect(
    "virtuoso", "Virtuoso: /sparql, /sparql-auth, /sparql-graph-crud(-auth); the union in a named graph",
    query_names=("sparql", "sparql-auth"), update_name="sparql", gsp_name="sparql-graph-crud",
    auth_suffix="-auth",
    # Virtuoso keeps no default graph of its own: the union is a named graph, named by its pragma
    union_graph=UNION_GRAPH, union_pragma="define input:default-graph-uri {graph}\n",
    timeout_parameter="timeout", timeout_unit=0.001,  # its "anytime query" limit
    stopped_header=("X-SQL-State", "S1TAT"), stopped_message_header="X-SQL-Message",
    row_cap_header="X-SPARQL-MaxRows",
    stopped_error="SR203",  # HTTP 500 "SR203: Async statement killed by SQLCancel"
    denied_error="SR186",  # HTTP 500 "SR186:SECURITY: No permission"
    own_graphs=True,
    sorted_rows=10000)  # MaxSortedTopRows: beyond it "SR353: Sorted TOP clause specifies more then …"
FUSEKI = Dialect(
    "fuseki", "Apache Jena Fuseki: /DATASET/query, /DATASET/update, /DATASET/data",
    query_names=("query", "sparql"), update_name="update", gsp_name="data",
    timeout_parameter="timeout", timeout_unit=1.0)

DIALECTS: dict[str, Dialect] = {d.name: d for d in (OXIGRAPH, VIRTUOSO, FUSEKI, GENERIC)}
AUTO = "auto"  # --server's default: guess from the URL


def guess(url: str) -> Dialect:
    """The dialect the URL's shape suggests (``--server`` overrides it)."""
    path = urllib.parse.urlsplit(url).path.rstrip("/")
    head, _, last = path.rpartition("/")
    if last in VIRTUOSO.query_names:
        return VIRTUOSO
    if last == "query" and head:  # Oxigraph's /query is at the root; a dataset before it is Fuseki's
        return FUSEKI
    return OXIGRAPH


def dialect_for(url: str, server: str | Dialect | None = None) -> Dialect:
    """``server`` by name (or as given), else the guess from the URL."""
    if isinstance(server, Dialect):
        return server
    if server in (None, "", AUTO):
        return guess(url)
    try:
        return DIALECTS[server]
    except KeyError:
        raise KgError(f"unknown SPARQL server {server!r}; known: {', '.join([AUTO, *DIALECTS])}",
                      exit_code=2) from None
