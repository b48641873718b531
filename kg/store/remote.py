"""Any SPARQL 1.1 server: Protocol for queries, SPARQL Update for loads and drops (kg.store.union).

Standard library HTTP only (urllib), with basic or digest auth. What differs between servers
(where their endpoints live, where the union graph is, partial-answer signals) is their
dialect in kg.store.dialects, guessed from the URL the user gives or named (``server=``).

Partial answers are reported, not hidden: a stream cut off after HTTP 200 (Oxigraph ends a
cancelled one with a message) keeps its complete rows; the dialect's own signals (Virtuoso's
``X-SPARQL-MaxRows``, ``X-SQL-State: S1TAT``, SR203) mark the rest.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.store.base import (
    QueryError,
    QueryResult,
    Store,
    check_query,
    term_from_json,
    tidy_message,
)
from kg.store.dialects import Dialect, Endpoints, dialect_for
from kg.store.guard import sparql_term
from kg.store.union import remote_drop, remote_write

if TYPE_CHECKING:
    from kg.store.sources import GraphUnit

RESULTS_JSON = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
CANCELLED_MARKERS = ("cancelled", "canceled", "timeout", "timed out")
DEFAULT_TIMEOUT = 60.0


__all__ = ["Endpoints", "RemoteStore", "endpoints_for"]


def endpoints_for(url: str, *, update: str | None = None, gsp: str | None = None, auth: bool = False,
                  server: str | Dialect | None = None) -> Endpoints:
    """Query, update and Graph Store URLs from the one URL a user gives, by the server's dialect
    (``server``: a name of kg.store.dialects.DIALECTS, default the guess from the URL); overridable."""
    dialect = dialect_for(url, server)
    guess = dialect.endpoints(url, auth=auth)
    return Endpoints(guess.query, update or guess.update, gsp or guess.gsp)


class RemoteStore(Store):
    """A SPARQL 1.1 server, with kg's layout (kg.store.union): a named graph per article and their
    de-duplicated union, which queries read. The union is the server's default graph (Oxigraph),
    or on Virtuoso, which keeps no default graph of its own, the named graph ``UNION_GRAPH``
    (named by Virtuoso's ``define input:default-graph-uri`` pragma): the dialect's choice
    (``server``: a dialect or its name, default the guess from the URL). ``union_graph``
    overrides it: an IRI, or "" for the default graph."""

    def __init__(self, endpoint: str, *, update_endpoint: str | None = None, gsp_endpoint: str | None = None,
                 user: str | None = None, password: str | None = None, timeout: float | None = None,
                 union_graph: str | None = None, server: str | Dialect | None = None):
        import pyoxigraph as ox

        self.dialect = dialect_for(endpoint, server)
        self.endpoints = endpoints_for(endpoint, update=update_endpoint, gsp=gsp_endpoint, auth=bool(user),
                                       server=self.dialect)
        if union_graph is None:
            union_graph = self.dialect.union_graph
        self.union_graph = ox.NamedNode(union_graph) if union_graph else None
        self.description = f"SPARQL endpoint {self.endpoints.query}"
        self.timeout = timeout or DEFAULT_TIMEOUT
        self._server_timeout = timeout  # only a limit the user set is sent to the server
        handlers = []
        if user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in {self.endpoints.query, self.endpoints.update, self.endpoints.gsp}:
                passwords.add_password(None, url, user, password or "")
            handlers = [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    # --- queries ---------------------------------------------------------------------

    def query(self, sparql: str, *, update: bool = False, default_graphs: Sequence[str] | None = None,
              timeout: float | None = None) -> QueryResult | None:
        form = check_query(sparql, update=update)
        if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE", ""):
            self._send(self.endpoints.update, {"update": sparql}, timeout=timeout)
            return None
        params: list[tuple[str, str]] = [("query", sparql)]
        if default_graphs:
            params += [("default-graph-uri", g) for g in default_graphs]
        elif self.union_graph is not None and not _names_graphs(sparql):
            # naming a default graph also hides every named graph, so a query that says GRAPH goes
            # without it and sees the server's union of all graphs, as before
            pragma = self.dialect.union_pragma
            if pragma is not None:  # the server's own pragma (Virtuoso's)
                params[0] = ("query", pragma.format(graph=sparql_term(self.union_graph)) + sparql)
            else:
                params.append(("default-graph-uri", self.union_graph.value))
        limit = timeout or self._server_timeout
        if limit and self.dialect.timeout_parameter:  # e.g. Virtuoso's "anytime query" limit
            params.append((self.dialect.timeout_parameter, self.dialect.timeout_value(limit)))
        accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON
        try:
            body, headers = self._send(self.endpoints.query, params, accept=accept, timeout=timeout)
        except KgError as err:
            stopped = self.dialect.stopped_error
            if limit and stopped and stopped in str(err):
                # Virtuoso's other way to stop an anytime query at the limit: it cancels the statement
                # before any row (HTTP 500 "SR203: Async statement killed by SQLCancel"). Same meaning as
                # S1TAT with no rows: a partial (here empty) answer, not a failed query.
                return QueryResult(form if form in ("ASK", "CONSTRUCT", "DESCRIBE") else "SELECT", partial=True,
                                   reason=f"the server stopped the query at its time limit before any row ({stopped})")
            raise
        if form in ("CONSTRUCT", "DESCRIBE"):
            result = _graph_result(body, headers.get("Content-Type", ""))
        else:
            result = _json_result(body)
        _check_server_limits(result, headers, self.dialect)
        return result

    # --- graph store -------------------------------------------------------------------

    def load_units(self, units: Sequence[GraphUnit], replace: bool = True) -> None:
        """One SPARQL update per graph (one transaction on the server): release the old triples
        from the union, replace the graph, add its triples to the union. Everything was parsed
        before the first request; a failure half-way names the graphs already written."""
        import pyoxigraph as ox

        done: list[str] = []
        for unit in units:
            try:
                self._send(self.endpoints.update, {"update": remote_write(
                    ox.NamedNode(unit.graph), sorted(unit.triples, key=str), self.union_graph, replace=replace)})
            except KgError as err:
                already = f"; graphs already written: {', '.join(done)}" if done else ""
                raise KgError(f"{err}{already}") from None
            done.append(unit.graph)

    def drop(self, graphs: Iterable[str]) -> list[str]:
        import pyoxigraph as ox

        present = {graph for graph, _ in self.article_graphs()}
        dropped = []
        for graph in graphs:
            node = ox.NamedNode(graph)
            if graph not in present and not self._holds(node):
                continue
            self._send(self.endpoints.update, {"update": remote_drop(node, self.union_graph)})
            dropped.append(graph)
        return dropped

    def _holds(self, graph) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {sparql_term(graph)} {{ ?s ?p ?o }} }}").boolean)

    def _union_name(self) -> str | None:
        return self.union_graph.value if self.union_graph is not None else None

    # --- HTTP ------------------------------------------------------------------------

    def _send(self, url: str, params: list[tuple[str, str]] | dict, *, accept: str = "*/*",
              timeout: float | None = None):
        data = urllib.parse.urlencode(params).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        return self._request("POST", url, data, headers, timeout=timeout)

    def _request(self, method: str, url: str, data: bytes | None = None, headers: dict | None = None,
                 timeout: float | None = None):
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        # The server's own limit answers first (with a partial result); ours is the backstop.
        wait = (timeout or self.timeout) + 5
        try:
            with self._opener.open(request, timeout=wait) as response:
                return _read_all(response), response.headers
        except urllib.error.HTTPError as err:
            raise _http_error(err, method, url, self.dialect) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as err:
            reason = getattr(err, "reason", err)
            raise KgError(f"{url}: cannot reach the SPARQL endpoint ({reason})") from None


# GRAPH followed by what it names: an IRI, a variable or a prefixed name (not the word in a comment)
_GRAPH_WORD = re.compile(r"\bGRAPH\s*(?:<|\?|\$|[A-Za-z][\w.-]{0,64}:|:)", re.IGNORECASE)


def _names_graphs(sparql: str) -> bool:
    """Whether the query asks for named graphs (a GRAPH clause; a string that says GRAPH counts too)."""
    return bool(_GRAPH_WORD.search(sparql))


class _NotFound(KgError):
    pass


def _read_all(response) -> bytes:
    """The body; a stream the server cut off keeps what arrived (the caller sees it is incomplete)."""
    chunks = []
    try:
        while chunk := response.read(65536):
            chunks.append(chunk)
    except (ConnectionError, TimeoutError, OSError) as err:
        if not chunks:
            raise
        chunks.append(f"\n[connection lost: {err}]".encode())
    except http.client.IncompleteRead as err:
        chunks.append(err.partial or b"")
    return b"".join(chunks)


def _http_error(err: urllib.error.HTTPError, method: str, url: str, dialect: Dialect) -> KgError:
    first = tidy_message(err.read().decode("utf-8", "replace")) or err.reason
    if err.code == 404 and method == "DELETE":
        return _NotFound(f"{url}: no such graph")
    if err.code in (401, 403) or (dialect.denied_error and dialect.denied_error in first):
        return KgError(f"{url}: HTTP {err.code}: not allowed ({first}); give --user, or KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD")
    if err.code == 400:
        return QueryError(f"{url}: the server rejected the request: {first}")
    return KgError(f"{url}: HTTP {err.code} {err.reason}: {first}")


def _json_result(body: bytes) -> QueryResult:
    """SPARQL 1.1 JSON results; a body that stops early keeps the complete rows and says why."""
    text = body.decode("utf-8", "replace")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return _salvage_json(text)
    if "boolean" in doc:
        return QueryResult("ASK", boolean=bool(doc["boolean"]))
    names = doc.get("head", {}).get("vars", [])
    rows = [_row(binding, names) for binding in doc.get("results", {}).get("bindings", [])]
    return QueryResult("SELECT", variables=names, rows=rows)


def _row(binding: dict, names: list[str]) -> tuple:
    return tuple(term_from_json(binding[n]) if n in binding else None for n in names)


def _salvage_json(text: str) -> QueryResult:
    """Decode the head and every complete binding of a truncated JSON result."""
    decoder = json.JSONDecoder()
    head_at, rows_at = text.find('"vars"'), text.find('"bindings"')
    if head_at < 0 or rows_at < 0:
        raise QueryError(f"the endpoint sent something that is not a SPARQL result: {text.strip()[:300]}")
    names, _ = decoder.raw_decode(text, text.index("[", head_at))
    rows, pos = [], text.index("[", rows_at) + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        try:
            binding, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            break
        if not isinstance(binding, dict):
            break
        rows.append(_row(binding, names))
    tail = text[pos:].strip().lstrip("]}").strip()
    reason = tail[:200] if tail else "the result ended before it was complete"
    return QueryResult("SELECT", variables=names, rows=rows, partial=True, reason=reason)


def _graph_result(body: bytes, content_type: str) -> QueryResult:
    """CONSTRUCT/DESCRIBE as N-Triples (or Turtle); line-based N-Triples survives a cut-off stream."""
    import pyoxigraph as ox

    mime = content_type.split(";")[0].strip().lower()
    fmt = ox.RdfFormat.from_media_type(mime) or ox.RdfFormat.N_TRIPLES
    if mime == "text/plain":
        fmt = ox.RdfFormat.N_TRIPLES
    try:
        return QueryResult("CONSTRUCT", triples=[q.triple for q in ox.parse(input=body, format=fmt)])
    except SyntaxError:
        if fmt != ox.RdfFormat.N_TRIPLES:
            raise QueryError(f"the endpoint sent {mime} that does not parse") from None
    triples, bad = [], ""
    for line in body.decode("utf-8", "replace").splitlines():
        try:
            triples.extend(q.triple for q in ox.parse(input=line.encode(), format=fmt))
        except SyntaxError:
            bad = line.strip()
            break
    return QueryResult("CONSTRUCT", triples=triples, partial=True, reason=bad[:200] or "the result was cut off")


def _check_server_limits(result: QueryResult, headers, dialect: Dialect) -> None:
    """Servers that answer HTTP 200 when they cap rows or stop a query at its limit (Virtuoso); say so."""
    if dialect.stopped_header:
        name, value = dialect.stopped_header
        if headers.get(name) == value:
            said = headers.get(dialect.stopped_message_header) if dialect.stopped_message_header else None
            message = (said or "").split("Activity:")[0].strip()
            result.partial = True
            result.reason = f"the server stopped the query at its time limit ({name}: {value}) {message}".strip()
    cap = headers.get(dialect.row_cap_header) if dialect.row_cap_header else None
    if cap:  # sent only when the server cut the result (Virtuoso: also when it holds exactly the cap)
        if not result.partial:  # stopped at the time limit as well: paging would not help
            result.row_cap = int(cap) if cap.strip().isdigit() and int(cap) > 0 else None
        result.partial = True
        result.reason = f"the server cut the answer at {cap} rows ({dialect.row_cap_header}: {cap})"
