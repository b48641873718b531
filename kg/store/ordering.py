"""A query's final ORDER BY done in Python: the same rows in the same order, without Oxigraph's sort.

Oxigraph sorts by decoding every compared term from its dictionary: the shipped CQs spent half
their time (1.1 of 2.1 s CPU for the people CQ at 5,000 articles) and more as the corpus grows
(n log n comparisons, each a lookup). kg runs such a query without its ORDER BY and sorts the
rows itself, when that gives exactly the engine's answer:

* the ORDER BY is the query's last clause (no LIMIT/OFFSET: those need the engine's order) and
  its keys are projected variables, plain or in ASC()/DESC();
* every key value is a simple literal (a string, as the CQs' ``STR()`` columns are) or unbound:
  SPARQL orders unbound first, then strings by code point, as Python compares ``str``. Any other
  key value (a number, a date, an IRI) and kg runs the original query instead.

Ties keep the engine's order: Oxigraph's sort is stable and runs before DISTINCT's first-seen
pass, so for keys that are functions of the projected row, sorting the DISTINCT rows stably gives
the same sequence (tests/test_cq_speed.py checks every shipped CQ against the engine's order).
"""

from __future__ import annotations

import re

from kg.store.sourced import _close, _mask

_KEY = re.compile(r"\s*(?:(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))", re.IGNORECASE)


def split_order(sparql: str) -> tuple[str, list[tuple[str, bool]]] | None:
    """(the query without its final ORDER BY, [(variable, descending)]), or None to leave it as it is."""
    masked = _mask(sparql)
    select = re.search(r"\bSELECT\b", masked, re.IGNORECASE)
    if select is None or re.search(r"(?<![?$:\w])(LIMIT|OFFSET)\b", masked, re.IGNORECASE):
        return None
    brace = masked.find("{", select.end())
    if brace < 0:
        return None
    try:
        close = _close(masked, brace)
    except ValueError:
        return None
    order = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE).search(masked, close + 1)
    if order is None:
        return None
    keys, at = [], order.end()
    while True:
        key = _KEY.match(masked, at)
        if key is None:
            break
        keys.append((key.group(2) or key.group(3), (key.group(1) or "").upper() == "DESC"))
        at = key.end()
    if not keys or masked[at:].strip():
        return None
    projection = masked[select.end():brace]
    projected = set(re.findall(r"\bAS\s+\?(\w+)\s*\)", projection, re.IGNORECASE))
    projected |= set(re.findall(r"\?(\w+)", re.sub(r"\([^()]*(?:\([^()]*\)[^()]*)*\)", " ", projection)))
    if any(name not in projected for name, _ in keys):  # a key that is not a column (assemblies' ?n)
        return None
    return sparql[:order.start()] + sparql[at:], keys


def term_key(term) -> str | None:
    """The sort key of a term as SPARQL orders simple literals and unbound: unbound as "", a string as
    "\0" + its value (so unbound comes first and strings follow in code-point order); None for any
    other term (only the engine orders those)."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value == _STRING:
        return "\0" + term.value
    return None


_STRING = "http://www.w3.org/2001/XMLSchema#string"


def sort_rows(variables: list[str], rows: list[tuple], keys: list[tuple[str, bool]], key_of=term_key) -> list[tuple] | None:
    """``rows`` in the ORDER BY's order, or None when a key value is not a simple literal or unbound.

    ``key_of`` maps a value to its sort key (None: not orderable here); kg.store.answers sorts its
    encoded rows with the same order.
    """
    where = {name: i for i, name in enumerate(variables)}
    if any(name not in where for name, _ in keys):
        return None
    columns = [where[name] for name, _ in keys]
    sort_keys: list[list[str]] = [[] for _ in rows]  # one key per row and column
    for i in columns:
        for key, row in zip(sort_keys, rows):
            value = key_of(row[i])
            if value is None:
                return None
            key.append(value)
    order = list(range(len(rows)))
    if len({descending for _, descending in keys}) == 1:  # one direction: one stable sort on all keys
        order.sort(key=sort_keys.__getitem__, reverse=keys[0][1])
    else:
        for k in reversed(range(len(keys))):  # stable sorts, last key first
            order.sort(key=lambda n, k=k: sort_keys[n][k], reverse=keys[k][1])
    return [rows[n] for n in order]
