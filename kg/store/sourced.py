"""``--with-source`` in one query: the query evaluated in every article graph at once.

What ``--with-source`` means is the query run on each article's graph alone, each row tagged with
the article (kg.store.base.Store.query_with_source). Running it once per graph costs a query per
article (67 s for the people CQ at 20,000 articles). SPARQL says the same in one query:
``GRAPH ?g { P }`` is P evaluated in each named graph, with ?g bound to it. Two things keep a
rewrite exact and small in memory:

* every pattern must sit inside a ``GRAPH ?g`` and every join must carry ?g, or a join over a
  shared node (a post every article names) pairs rows of different articles before ?g is
  compared (a naive outer ``GRAPH ?g`` around the shipped CQs' sub-selects took 24 GB: a
  sub-select does not see the outer ?g, so Oxigraph evaluates it over the whole store);
* so the graph variable goes *into* each sub-select: its WHERE is wrapped in ``GRAPH ?g``, ?g is
  added to its projection and to its GROUP BY; a query without sub-selects has its whole WHERE
  wrapped.

Only shapes whose per-graph meaning the rewrite keeps are rewritten: a level holds either
sub-selects (with FILTER, BIND, VALUES, OPTIONAL, UNION around them, and groups of plain patterns
``{ … }``, each wrapped in the same ``GRAPH ?g``) or plain patterns alone; no LIMIT/OFFSET (per graph, not overall), no aggregate without GROUP BY (an empty graph
gives a row of zeros per graph), no SELECT *, no EXISTS/MINUS/SERVICE/GRAPH/FROM of its own. For
anything else ``rewrite`` returns None and kg runs the query per graph as before.
"""

from __future__ import annotations

import re

SOURCE_VAR = "kgSourceGraph"
_VAR = "?" + SOURCE_VAR
_OPEN_GRAPH = "{ GRAPH " + _VAR + " {"  # a fixed variable, no value of the query's

# Words that change what a level means per graph (see the module doc): such a query is run per graph.
# Keywords only: not a variable (?from) nor a prefixed name (ex:limit).
_REFUSED = re.compile(r"(?<![?$:\w])(LIMIT|OFFSET|EXISTS|MINUS|SERVICE|GRAPH|FROM|DESCRIBE|CONSTRUCT|ASK)\b", re.IGNORECASE)
_AGGREGATE = re.compile(r"(?<![?$:\w])(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.IGNORECASE)


def _mask(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked (same length), so braces and words are syntax."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:i + 2048]):
            j = i + re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:i + 2048]).end()
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(j + len(quote), n)
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def _close(masked: str, start: int) -> int:
    """Index of the ``}`` that closes the ``{`` at ``start``."""
    depth = 0
    for i in range(start, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced braces")


class _NotRewritable(Exception):
    pass


def rewrite(sparql: str) -> str | None:
    """The query with the graph variable ?kgSourceGraph through every level, or None (run it per graph)."""
    masked = _mask(sparql)
    if _REFUSED.search(masked) or re.search(rf"\?{SOURCE_VAR}\b|\${SOURCE_VAR}\b", masked):
        return None
    try:
        select = re.search(r"\bSELECT\b", masked, re.IGNORECASE)
        if select is None:
            return None
        edits: list[tuple[int, int, str]] = []
        _query(masked, select.start(), len(masked), edits)
    except (_NotRewritable, ValueError):
        return None
    out = sparql
    for start, end, text in sorted(edits, reverse=True):
        out = out[:start] + text + out[end:]
    return out


def _query(masked: str, select: int, end: int, edits: list) -> None:
    """Edits for one SELECT … WHERE { … } [modifiers] spanning masked[select:end]."""
    head = re.compile(r"SELECT\s+((?:DISTINCT|REDUCED)\s+)?", re.IGNORECASE).match(masked, select)
    brace = masked.find("{", head.end(), end)
    if brace < 0:
        raise _NotRewritable
    projection = masked[head.end():brace]
    if projection.strip().startswith("*"):
        raise _NotRewritable
    close = _close(masked, brace)
    modifiers = masked[close + 1:end]
    group_by = re.search(r"\bGROUP\s+BY\b", modifiers, re.IGNORECASE)
    if _AGGREGATE.search(projection) and not group_by:
        raise _NotRewritable
    edits.append((head.end(), head.end(), f"{_VAR} "))
    if group_by:
        after = re.search(r"\b(HAVING|ORDER)\b|$", modifiers[group_by.end():], re.IGNORECASE)
        at = close + 1 + group_by.end() + after.start()
        edits.append((at, at, f" {_VAR} "))
    subs = _subselects(masked, brace + 1, close)
    if not subs:
        edits.append((brace, brace + 1, _OPEN_GRAPH))
        edits.append((close, close + 1, "} }"))
        return
    rest = list(masked[brace + 1:close])
    for start, stop in subs:
        for k in range(start - brace - 1, stop - brace):
            rest[k] = "\0"  # a sub-select's place: no group around it is a plain one
        inner = re.search(r"\bSELECT\b", masked[start:stop], re.IGNORECASE)
        _query(masked, start + inner.start(), stop, edits)
    level = "".join(rest)
    data_blocks = _VALUES.sub(lambda m: " " * len(m.group()), level)  # a VALUES block's {…} is no group
    for group in _PLAIN_GROUP.finditer(data_blocks):
        if _reads_data(group.group()[1:-1]):
            # a group of plain patterns beside sub-selects (a label looked up for the nodes a nested
            # sub-select found): evaluated in the same graph, and joined with the others on it
            at = brace + 1 + group.start()
            edits.append((at, at + 1, _OPEN_GRAPH))
            edits.append((brace + group.end(), brace + group.end() + 1, "} }"))
            level = level[:group.start()] + " " * (group.end() - group.start()) + level[group.end():]
    _only_glue(level.replace("\0", " "))


def _subselects(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each ``{ SELECT … }`` directly in masked[start:end], end at its closing brace."""
    found = []
    i = start
    while i < end:
        if masked[i] == "{":
            stop = _close(masked, i)
            if re.match(r"\{\s*SELECT\b", masked[i:stop], re.IGNORECASE):
                found.append((i + 1, stop))
                i = stop + 1
                continue
        i += 1
    return found


# A group holding no sub-select and no group: ``{ ?o rdfs:label ?name . FILTER (…) }``.
_PLAIN_GROUP = re.compile(r"\{[^{}\0]*\}")
_VALUES = re.compile(r"\bVALUES\s*(?:\?\w+|\(\s*(?:\?\w+\s*)*\))\s*\{[^{}]*\}", re.IGNORECASE)


def _reads_data(text: str) -> bool:
    """Whether ``text`` (a level's text, sub-selects blanked) holds a triple pattern."""
    try:
        _only_glue(text)
    except _NotRewritable:
        return True
    return False


_GLUE = re.compile(r"""\s+|[{}.]|\bOPTIONAL\b|\bUNION\b
                     |\bVALUES\s*(?:\?\w+|\(\s*(?:\?\w+\s*)*\))\s*\{[^{}]*\}""", re.IGNORECASE | re.VERBOSE)
_CALL = re.compile(r"\b(FILTER|BIND)\s*\(", re.IGNORECASE)


def _only_glue(text: str) -> None:
    """A level that holds sub-selects may hold nothing else that reads data (no bare triple pattern)."""
    i = 0
    while i < len(text):
        glue = _GLUE.match(text, i)
        if glue and glue.end() > i:
            i = glue.end()
            continue
        call = _CALL.match(text, i)
        if call:
            depth, j = 1, call.end()
            while j < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                if text[j] in "{}":
                    raise _NotRewritable  # a pattern inside a FILTER
                j += 1
            i = j
            continue
        raise _NotRewritable
