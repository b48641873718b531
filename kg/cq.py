"""The shipped competency questions (ontology/cq/*.rq): their names and texts, and their parameters,
bound as RDF terms, never pasted as text.

A shipped query that takes parameters marks the place with a ``#@parameters`` line at the top of
its WHERE group and documents their names in its header (ontology/cq/holders.rq). ``bind`` turns
the values into pyoxigraph terms and puts one ``VALUES`` row there; each term is written by
pyoxigraph, which escapes it, so no value can end the literal or add a clause. A VALUES block in
the group (unlike ``initBindings``) works on every SPARQL 1.1 store, embedded or remote.

    bind(query, {"post": "Bí thư", "date": "2024-03-01"})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from kg.errors import KgError

MARKER = "#@parameters"
_MARKER_LINE = re.compile(r"(?m)^([ \t]*)#@parameters[ \t]*$")  # the marker on a line of its own
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parameters(query: str) -> list[str]:
    """The parameter names a shipped query documents ("# Parameters (… --param NAME=…")."""
    return sorted(set(re.findall(r"--param (\w+)=", query)))


def term(value):
    """A parameter value as an RDF term: an ISO date becomes xsd:date, an IRI in <…> a NamedNode,
    anything else a plain string literal."""
    import pyoxigraph as ox

    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    if isinstance(value, date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return term(date.fromisoformat(text))
        except ValueError:
            raise KgError(f"{text!r} is not a date (YYYY-MM-DD)", exit_code=2) from None
    if text.startswith("<") and text.endswith(">"):
        try:
            return ox.NamedNode(text[1:-1])
        except ValueError as err:
            raise KgError(f"{text!r} is not an IRI: {err}", exit_code=2) from None
    return ox.Literal(text)


def bind(query: str, values: Mapping[str, object]) -> str:
    """``query`` with one VALUES row of ``values`` (name → value) at its ``#@parameters`` line."""
    if not values:
        return query
    known = parameters(query)
    for name in values:
        if not _NAME.match(name):
            raise KgError(f"--param {name!r}: a parameter name is letters, digits and _", exit_code=2)
        if name not in known:
            choices = ", ".join(known) or "none"
            raise KgError(f"--param {name}: this query takes no such parameter (it takes: {choices})", exit_code=2)
    from kg.store.guard import sparql_term

    names = sorted(values)  # each checked against _NAME above: letters, digits and _ only
    variables = " ".join("?" + n for n in names)
    row = " ".join(sparql_term(term(values[n])) for n in names)
    block = "VALUES (" + variables + ") { (" + row + ") }"
    bound, found = _MARKER_LINE.subn(lambda m: m.group(1) + block, query, count=1)
    if not found:
        raise KgError("this query takes no parameters", exit_code=2)
    return bound


def cq_names() -> list[str]:
    """The shipped competency questions (ontology/cq/*.rq), by name."""
    from kg.resources import cq_dir

    folder = cq_dir()
    return sorted(p.stem for p in folder.glob("*.rq")) if folder.is_dir() else []


def cq_query(name: str) -> str:
    """The text of the shipped competency question ``name``."""
    from kg.resources import cq_dir

    path = cq_dir() / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(cq_names()) or "none shipped yet"
        raise KgError(f"no competency question {name!r} (known: {known})", exit_code=2)
    return path.read_text(encoding="utf-8")
