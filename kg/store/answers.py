"""Kept answers: the shipped CQs' rows, kept per key node beside the embedded store and updated by each load.

The four CQs that return a row per tenure or participation (people, roles, holders, timeline) cost
3-9 s at 20,000 articles, almost all of it Oxigraph joining sub-selects of ~90,000 rows each
(docs/corpus.md). Their answer changes little from one load to the next, so the store keeps it:

* A CQ declares its *key* with a ``#@keep-per ?var`` line: the node each of its rows belongs to
  (a tenure, a participation). Its *keyed form* is the CQ with ``?var`` added to the projection of
  each SELECT that reaches it (the outer one, an aggregate grouped by it), and without ORDER BY: its
  rows, grouped by the key, are the kept answer. The CQ's own rows are those rows without the key
  (DISTINCT again when the CQ says DISTINCT), in the CQ's ORDER BY (kg.store.ordering).
* The first run of such a CQ on a store version evaluates the keyed form and keeps the rows in
  ``<store>/kg-answers/``, stamped with the version (the kept counts' sequence number, triples and
  graphs: kg.store.counts). Any other version ignores the file.
* A load changes some triples of the union. A row of key k can change only if a changed triple
  matches one of the CQ's triple patterns in a match that contains k; that match also binds every
  pattern on the path from k to that pattern (patterns of the same or an enclosing OPTIONAL /
  UNION branch). ``affected_keys`` follows that path back from the changed triple's nodes to the
  keys, in the union before the write for removed triples and after it for added ones. Only those
  keys are evaluated again, with a VALUES block of them in each sub-select that binds the key.
  The path is derived from the CQ's algebra (rdflib's parser), so a CQ edited or added needs no
  code; a shape the analysis cannot follow (MINUS, EXISTS, a variable predicate, a path other
  than a sequence or an inverse, LIMIT, GROUP BY without the key, a part the key does not reach)
  is simply not kept.

Rows within a key are sorted on their terms and keys in IRI order before the ORDER BY's stable
sort, so the answer is a function of the store's content: the same whatever the loads that led
to it (tests/test_store_answers.py compares it, after every kind of load, with a fresh evaluation
of the CQ itself).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from kg.store.ordering import sort_rows, split_order
from kg.store.sourced import _close, _mask

FOLDER = "kg-answers"  # inside the store's folder: RocksDB leaves a subfolder it did not write alone
_KEEP_LINE = re.compile(r"(?m)^[ \t]*#@keep-per[ \t]+\?(\w+)[ \t]*$")
_SELECT = re.compile(r"\bSELECT\b(\s+(?:DISTINCT|REDUCED)\b)?", re.IGNORECASE)
_ORDER = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
FULL_SHARE = 0.3  # more affected keys than this share of all: evaluate the keyed form whole


class NotKept(Exception):
    """The query's shape is one the affected-keys analysis cannot follow."""


# --- the plan: the keyed form, its patterns and their paths to the key ----------------------------------

@dataclass(frozen=True)
class Step:
    predicate: str  # IRI
    forward: bool  # True: from the pattern's subject to its object


@dataclass(frozen=True)
class Pattern:
    subject: str | None  # a variable name, or None for a constant (then ``subject_value``)
    predicate: str
    object: str | None
    subject_value: object = None
    object_value: object = None
    path: tuple = ()  # (end, steps from that end's value to the key): the end nearer the key
    exists: str | None = None  # "subject"/"object": the pattern alone in a DISTINCT sub-select projecting that end


@dataclass(eq=False)
class Plan:
    name: str
    key: str
    keyed: str  # the keyed form: the key projected first, no ORDER BY
    distinct: bool  # the CQ's outer SELECT is DISTINCT: rows again DISTINCT without the key
    order: list = field(default_factory=list)  # [(variable, descending)] of the CQ's ORDER BY

    @cached_property
    def _analysis(self) -> tuple[dict, Pattern | None]:
        return _patterns(self.keyed, self.key)

    @property
    def patterns(self) -> dict:
        """Predicate IRI → [Pattern] with its path to the key; NotKept when the analysis cannot follow it."""
        return self._analysis[0]

    def candidates(self, store, keys: set, kept: dict) -> set:
        """``keys`` less the nodes that cannot be keys: neither kept nor matching a pattern every row
        has at the key (``?m a pg:Meeting``; a changed name reaches people as well as meetings)."""
        import pyoxigraph as ox

        anchor = self._analysis[1]
        if anchor is None:
            return keys
        predicate, fixed, default = ox.NamedNode(anchor.predicate), None, ox.DefaultGraph()
        if anchor.subject == self.key:
            fixed = anchor.object_value
            return {k for k in keys if str(k) in kept or (not isinstance(k, ox.Literal) and next(
                iter(store.quads_for_pattern(k, predicate, fixed, default)), None) is not None)}
        fixed = anchor.subject_value
        return {k for k in keys if str(k) in kept or next(
            iter(store.quads_for_pattern(fixed, predicate, k, default)), None) is not None}

    def neighbourhood(self, store, keys: Iterable) -> list:
        """Every union triple a match of the CQ that binds one of ``keys`` can hold (a superset).

        From the keys, each pattern is followed outward once, from the variable reached first;
        a pattern alone in a DISTINCT sub-select (``exists``) needs only one triple per value to
        give the same answer, so the hub behind it (every tenure of a body) is not read.
        """
        import pyoxigraph as ox

        default = ox.DefaultGraph()
        values: dict[str, set] = {self.key: set(keys)}  # a variable's values, fixed when first reached:
        # a match binds it to one that every pattern at it allows, so the first pattern's suffice
        followed: set[int] = set()
        triples: list = []
        frontier = [self.key]
        edges = [p for found in self.patterns.values() for p in found]
        while frontier:
            following = []
            for var in frontier:
                for i, edge in enumerate(edges):
                    if i in followed or var not in (edge.subject, edge.object):
                        continue
                    followed.add(i)
                    forward = edge.subject == var
                    other = edge.object if forward else edge.subject
                    fixed = edge.object_value if forward else edge.subject_value
                    predicate = ox.NamedNode(edge.predicate)
                    new = other is not None and other not in values
                    reached = values.setdefault(other, set()) if new else set()
                    for value in values[var]:
                        if forward and isinstance(value, ox.Literal):
                            continue
                        found = (store.quads_for_pattern(value, predicate, fixed, default) if forward
                                 else store.quads_for_pattern(fixed, predicate, value, default))
                        for n, quad in enumerate(found):
                            if edge.exists and n:
                                break
                            triples.append(quad)
                            reached.add(quad.object if forward else quad.subject)
                    if new:
                        following.append(other)
            frontier = following
        return triples

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.keyed.encode("utf-8")).hexdigest()[:16]


def declared_key(query: str) -> str | None:
    found = _KEEP_LINE.search(query)
    return found.group(1) if found else None


def _selects(masked: str) -> list[tuple[int, int, int, int]]:
    """Every SELECT: (start, end of SELECT [DISTINCT], its WHERE group's "{", that group's "}")."""
    found = []
    for match in _SELECT.finditer(masked):
        brace = masked.find("{", match.end())
        if brace < 0:
            raise NotKept("a SELECT without a group")
        found.append((match.start(), match.end(), brace, _close(masked, brace)))
    return found


def keyed_form(query: str, key: str) -> tuple[str, bool]:
    """(the keyed form, whether the outer SELECT is DISTINCT).

    The key goes into the outer projection and into each aggregate sub-select grouped by it
    (projecting a group key adds a column, nothing else).
    """
    cut = split_order(query)
    if cut is None:
        raise NotKept("no final ORDER BY that kg sorts")
    text = cut[0]
    masked = _mask(text)
    selects = _selects(masked)
    var = re.compile(r"\?" + key + r"\b")
    if not selects or not var.search(masked[selects[0][2]:selects[0][3]]):
        raise NotKept("the outer SELECT does not reach the key")
    inserts: list[int] = []
    for i, (_, end, brace, close) in enumerate(selects):
        if var.search(masked[end:brace]):
            continue
        after = masked[close + 1:]
        after = after[:after.find("}")] if i else after  # a sub-select's modifiers end at its "}"
        grouped = re.search(r"\bGROUP\s+BY\b", after, re.IGNORECASE)
        if i == 0 or (grouped and var.search(after[grouped.end():])):
            inserts.append(end)
    distinct = bool(selects[0][1] > 0 and re.search(r"DISTINCT", masked[selects[0][0]:selects[0][1]], re.IGNORECASE))
    piece = " ?" + key
    for at in sorted(inserts, reverse=True):
        text = text[:at] + piece + text[at:]
    return text, distinct


def _patterns(keyed: str, key: str) -> tuple[dict, Pattern | None]:
    """(predicate IRI → [Pattern] of the keyed form, each with its path to the key; a pattern outside
    any OPTIONAL or UNION with the key at one end, or None). NotKept when a pattern has no path."""
    from rdflib import BNode, URIRef, Variable
    from rdflib.paths import InvPath, SequencePath
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        algebra = prepareQuery(keyed).algebra
    except Exception as err:  # rdflib's parser raises several kinds
        raise NotKept(f"rdflib cannot read it ({type(err).__name__})") from None
    raw: list[tuple] = []  # (subject, predicate, object, scope, exists): ends are names or ("const", term)
    counter = iter(range(1, 1 << 30))

    def end(term, rename):
        if isinstance(term, Variable | BNode):
            return rename(str(term) if isinstance(term, Variable) else "_:" + str(term))
        return ("const", term)

    def add(s, path, o, scope, exists=None):
        if isinstance(path, URIRef):
            raw.append((s, str(path), o, scope, exists))
        elif isinstance(path, InvPath):
            add(o, path.arg, s, scope, {"subject": "object", "object": "subject"}.get(exists))
        elif isinstance(path, SequencePath):
            ends = [s] + [f"_path{next(counter)}" for _ in path.args[:-1]] + [o]
            for i, step in enumerate(path.args):
                add(ends[i], step, ends[i + 1], scope)
        else:
            raise NotKept(f"a property path kg does not follow ({type(path).__name__})")

    def walk(node, rename, scope, top, exists=None):
        if isinstance(node, list):
            for item in node:
                walk(item, rename, scope, top, exists)
            return
        if not isinstance(node, CompValue):
            return
        name = node.name
        if name == "Distinct" and not top:
            # { SELECT DISTINCT ?o WHERE { ?any p ?o } }: its answer is the set of ?o values, which a
            # changed triple changes only when its ?o gains a first such triple or loses the last
            inner = node.p
            if inner.name == "Project" and inner.p.name == "BGP" and len(inner.p.triples) == 1 and len(inner.PV) == 1:
                s, p, o = inner.p.triples[0]
                projected = inner.PV[0]
                if isinstance(s, Variable) and isinstance(o, Variable) and s != o and projected in (s, o):
                    walk(inner, rename, scope, False, "subject" if projected == s else "object")
                    return
        if name in ("Minus", "Builtin_EXISTS", "Builtin_NOTEXISTS", "Graph", "ServiceGraphPattern", "Slice"):
            raise NotKept(f"{name} in the query")
        grouped = [v for v in (node.get("expr") or []) if isinstance(v, Variable)] if name == "Group" else None
        if grouped is not None and (Variable(key) not in grouped or rename(key) != key):
            raise NotKept("a GROUP BY without the key")
        if name == "Project" and not top:
            projected = {str(v) for v in node.PV}
            scope_id = next(counter)
            parent = rename
            rename = lambda v, p=projected, s=scope_id, parent=parent: parent(v) if v in p else f"{v}@{s}"  # noqa: E731
        if name == "BGP":
            for s, p, o in node.triples:
                if isinstance(p, Variable):
                    raise NotKept("a variable predicate")
                add(end(s, rename), p, end(o, rename), scope, exists)
            return
        if name == "LeftJoin":
            walk(node.p1, rename, scope, False)
            walk(node.p2, rename, scope + (next(counter),), False)
            walk(node.get("expr"), rename, scope, False)
            return
        if name == "Union":
            walk(node.p1, rename, scope + (next(counter),), False)
            walk(node.p2, rename, scope + (next(counter),), False)
            return
        for value in node.values():
            walk(value, rename, scope, top and name in ("SelectQuery", "Distinct", "Project"), exists)

    walk(algebra, lambda v: v, (), True)
    by_predicate: dict = {}
    anchor = None
    for s, p, o, scope, exists in raw:
        allowed = [r for r in raw if r[3] == scope[:len(r[3])]]
        paths = []
        for name in ((s if exists == "subject" else o),) if exists else (s, o):
            if isinstance(name, str):
                steps = _path_to_key(name, key, allowed)
                if steps is not None:
                    paths.append((len(steps), name, steps))
        if not paths:
            raise NotKept(f"a pattern with {p} the key does not reach")
        pattern = Pattern(s if isinstance(s, str) else None, p, o if isinstance(o, str) else None,
                          None if isinstance(s, str) else _ox_term(s[1]),
                          None if isinstance(o, str) else _ox_term(o[1]), min(paths)[1:], exists)
        by_predicate.setdefault(p, []).append(pattern)
        if anchor is None and not scope and key in (s, o) and not exists:
            anchor = pattern
    return by_predicate, anchor


def _path_to_key(start: str, key: str, patterns: list[tuple]) -> tuple[Step, ...] | None:
    """The shortest chain of patterns from variable ``start`` to ``key``, as steps from start's value."""
    if start == key:
        return ()
    seen, frontier = {start: ()}, [start]
    while frontier:
        following = []
        for var in frontier:
            for s, p, o, *_ in patterns:
                for here, there, forward in ((s, o, True), (o, s, False)):
                    if here == var and isinstance(there, str) and there not in seen:
                        seen[there] = seen[var] + (Step(p, forward),)
                        if there == key:
                            return seen[there]
                        following.append(there)
        frontier = following
    return None


def _ox_term(term):
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise NotKept("a constant kg does not compare")


@cache
def plan_for(query: str, name: str = "") -> Plan | None:
    """The plan of a CQ that declares ``#@keep-per``, or None (not declared, or a shape not kept)."""
    key = declared_key(query)
    if key is None:
        return None
    try:
        keyed, distinct = keyed_form(query, key)
    except NotKept:
        return None
    return Plan(name or key, key, keyed, distinct, split_order(query)[1])


@cache
def _shipped() -> dict[str, tuple[str, str]]:
    """sha256 of each shipped CQ's text that declares a key → (name, text)."""
    from kg.store import cq_names, cq_query

    found = {}
    for name in cq_names():
        text = cq_query(name)
        if declared_key(text):
            found[hashlib.sha256(text.encode("utf-8")).hexdigest()] = (name, text)
    return found


def shipped_plan(sparql: str) -> Plan | None:
    """The plan when ``sparql`` is, character for character, a shipped CQ that keeps its answer."""
    if "#@keep-per" not in sparql:
        return None
    found = _shipped().get(hashlib.sha256(sparql.encode("utf-8")).hexdigest())
    return plan_for(found[1], found[0]) if found else None


def shipped_plans() -> list[Plan]:
    return [p for name, text in sorted(_shipped().values()) if (p := plan_for(text, name)) is not None]


# --- which keys a change reaches ---------------------------------------------------------------------

def by_predicate(quads: Iterable) -> dict[str, list]:
    """Quads grouped by predicate IRI: what ``affected_keys`` reads, made once for every plan."""
    grouped: dict[str, list] = {}
    for quad in quads:
        grouped.setdefault(quad.predicate.value, []).append(quad)
    return grouped


def affected_keys(plan: Plan, store, quads: dict[str, list]) -> set:
    """The key nodes whose rows may differ because of ``quads`` (union triples, by_predicate), read in ``store``.

    ``store`` is the union that holds the quads: before the write for removed ones, after it for
    added ones.
    """
    import pyoxigraph as ox

    default = ox.DefaultGraph()

    def first_or_last(pattern: Pattern, value, changed: int) -> bool:
        """Whether the ``changed`` quads at ``value`` are all the store has of ``pattern`` there."""
        predicate = ox.NamedNode(pattern.predicate)
        found = (store.quads_for_pattern(value, predicate, None, default) if pattern.exists == "subject"
                 else store.quads_for_pattern(None, predicate, value, default))
        return sum(1 for _ in zip(range(changed + 1), found)) <= changed

    starts: dict[tuple, set] = {}  # steps → values to follow them from
    for predicate, patterns in plan.patterns.items():
        found = quads.get(predicate, ())
        for pattern in patterns if found else ():
            matching = [q for q in found if (pattern.subject is not None or q.subject == pattern.subject_value)
                        and (pattern.object is not None or q.object == pattern.object_value)]
            name, steps = pattern.path
            values = [q.subject if name == pattern.subject else q.object for q in matching]
            if pattern.exists:
                ends = [q.subject if pattern.exists == "subject" else q.object for q in matching]
                changed: dict = {}
                for end in ends:
                    changed[end] = changed.get(end, 0) + 1
                verdict = {end: first_or_last(pattern, end, n) for end, n in changed.items()}
                values = [v for v, end in zip(values, ends) if verdict[end]]
            starts.setdefault(steps, set()).update(values)
    keys: set = set()
    for steps, values in starts.items():
        for step in steps:
            predicate = ox.NamedNode(step.predicate)
            reached = set()
            for value in values:
                if step.forward:
                    if isinstance(value, ox.Literal):
                        continue
                    reached.update(q.object for q in store.quads_for_pattern(value, predicate, None, default))
                else:
                    reached.update(q.subject for q in store.quads_for_pattern(None, predicate, value, default))
            values = reached
        keys.update(v for v in values if not isinstance(v, ox.Literal))
    return keys


# --- rows: evaluation, encoding, the kept file ---------------------------------------------------------

def _encode(term):
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        if term.language:
            return {"v": term.value, "lang": term.language}
        if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
            return term.value
        return {"v": term.value, "dt": term.datatype.value}
    if isinstance(term, ox.NamedNode):
        return {"iri": term.value}
    return {"bnode": term.value}


def _decode(value):
    import pyoxigraph as ox

    if value is None:
        return None
    if isinstance(value, str):
        return ox.Literal(value)
    if "iri" in value:
        return ox.NamedNode(value["iri"])
    if "bnode" in value:
        return ox.BlankNode(value["bnode"])
    if "lang" in value:
        return ox.Literal(value["v"], language=value["lang"])
    return ox.Literal(value["v"], datatype=ox.NamedNode(value["dt"]))


def _row_order(row: list) -> list:
    return [json.dumps(v, sort_keys=True, ensure_ascii=False) if not isinstance(v, str) else "\0" + v for v in row]


def evaluate(plan: Plan, store, keys: list | None = None) -> tuple[list[str], dict[str, list]]:
    """(columns without the key, key → encoded rows) of the keyed form, for ``keys`` or all.

    For some keys the form runs on their neighbourhood alone, in memory: the store's sub-selects
    that do not bind the key (every person's name) would otherwise be read whole each time.
    """
    import pyoxigraph as ox

    if keys is None:
        return _rows(plan, store)
    small = ox.Store()
    small.extend(plan.neighbourhood(store, keys))
    wanted = {str(k) for k in keys}
    columns, rows = _rows(plan, small)
    return columns, {k: v for k, v in rows.items() if k in wanted}


def _rows(plan: Plan, store) -> tuple[list[str], dict[str, list]]:
    answer = store.query(plan.keyed)
    names = [v.value for v in answer.variables]
    at = names.index(plan.key)
    rows: dict[str, list] = {}
    for solution in answer:
        values = list(solution)
        key = values.pop(at)
        if key is None:
            continue
        rows.setdefault(str(key), []).append([_encode(v) for v in values])
    for found in rows.values():
        found.sort(key=_row_order)
    return [n for n in names if n != plan.key], rows


@dataclass
class Kept:
    """One CQ's kept rows at one store version."""

    plan: Plan
    token: str
    columns: list[str]
    rows: dict[str, list]  # key (N-Triples) → encoded rows

    def result(self):
        """The CQ's answer: the rows without the key, in the CQ's order (None: an order only the engine gives)."""
        from kg.store.base import QueryForm, QueryResult

        rows: list = []
        seen: set = set()
        for key in sorted(self.rows):
            for row in self.rows[key]:
                if self.plan.distinct:
                    marker = tuple(v if not isinstance(v, dict) else tuple(sorted(v.items())) for v in row)
                    if marker in seen:
                        continue
                    seen.add(marker)
                rows.append(row)
        ordered = sort_rows(self.columns, rows, self.plan.order, key_of=_encoded_key)
        if ordered is None:
            return None
        terms: dict = {}  # one term per distinct string: names and posts repeat in many rows

        def term(value):
            if value is None:
                return None
            if isinstance(value, str):
                found = terms.get(value)
                if found is None:
                    found = terms[value] = _decode(value)
                return found
            return _decode(value)

        return QueryResult(QueryForm.SELECT, variables=list(self.columns),
                           rows=[tuple(map(term, row)) for row in ordered])


def _encoded_key(value) -> str | None:
    """kg.store.ordering.term_key for an encoded value: unbound "", a plain string "\0" + it, else None."""
    if value is None:
        return ""
    return "\0" + value if isinstance(value, str) else None


def folder_of(location) -> Path:
    return Path(location) / FOLDER


def _file(location, plan: Plan, token: str) -> Path:
    # the version in the name: a reader of an older snapshot (a read-only open while kg load
    # writes) keeps its own file instead of replacing the writer's
    return folder_of(location) / f"{plan.name}-{plan.fingerprint}-{token}.json"


def read(location, plan: Plan, token: str) -> Kept | None:
    """The kept rows of ``plan`` at version ``token``, or None (none kept, another version, damaged)."""
    try:
        with open(_file(location, plan, token), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("token") != token or data.get("keyed") != plan.fingerprint:
        return None
    return Kept(plan, token, list(data["columns"]), dict(data["rows"]))


def write(location, kept: Kept) -> None:
    """Write atomically (a temporary file renamed); a folder kg cannot write is left alone (a cache)."""
    if not (Path(location) / "CURRENT").is_file():  # only into a store's folder (RocksDB's marker)
        return
    target = _file(location, kept.plan, kept.token)
    try:
        target.parent.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # dumps, not dump: the C encoder, 5x faster
            out.write(json.dumps({"token": kept.token, "keyed": kept.plan.fingerprint, "columns": kept.columns,
                                  "rows": kept.rows}, ensure_ascii=False, separators=(",", ":")))
        os.replace(temporary, target)
    except OSError:
        return


def forget(location, keep: Iterable[Path] = ()) -> None:
    """Remove the kept answers but ``keep`` (all after a write kg does not follow: an update, a recount)."""
    folder = folder_of(location)
    if not folder.is_dir():
        return
    kept = set(keep)
    for path in folder.iterdir():
        if path not in kept:
            with contextlib.suppress(OSError):
                path.unlink()


def token_of(counts) -> str | None:
    """The store version the kept counts name (kg.store.counts): sequence, triples, graphs."""
    if counts is None or counts.others:
        return None
    return f"{counts.seq}-{counts.triples}-{len(counts.graphs)}"


class Keeper:
    """The kept answers of one store folder, as one process uses them.

    ``answer`` reads them (or makes and writes them); ``start`` and ``finish`` bracket a write. A
    write updates them in memory and removes the files of the version before; ``flush`` (the
    store's close) writes them: a load of many chunks (kg.store.load_stream) writes once, and a
    process that dies before leaves no file, so the next query makes them again.
    """

    def __init__(self, location):
        self.location = Path(location)
        self.memory: dict[str, Kept] = {}
        self.unwritten: set[str] = set()

    def kept(self, plan: Plan, token: str) -> Kept | None:
        found = self.memory.get(plan.name)
        if found is not None and found.token == token and found.plan is plan:
            return found
        found = read(self.location, plan, token)
        if found is not None:
            self.memory[plan.name] = found
        return found

    def answer(self, store, plan: Plan, counts):
        """The CQ's answer from kept rows, made and written now if none are kept for this version."""
        token = token_of(counts)
        if token is None:
            return None
        kept = self.kept(plan, token)
        if kept is None:
            kept = self.memory[plan.name] = Kept(plan, token, *evaluate(plan, store))
            write(self.location, kept)
            self.unwritten.discard(plan.name)
        return kept.result()

    def start(self, store, token_before: str | None, union_added: list, union_removed: list) -> Upkeep | None:
        """Before a write (its union changes in hand): None when no answer is kept for this version."""
        if token_before is None:
            return Upkeep([], {})
        pending = []
        removed = None
        for plan in shipped_plans():
            kept = self.kept(plan, token_before)
            if kept is None:
                continue
            try:
                _ = plan.patterns
            except NotKept:  # a shape the upkeep cannot follow: made again by the next query
                continue
            removed = by_predicate(union_removed) if removed is None else removed
            # removed triples: their matches are in the union as it is now, before the write
            pending.append((kept, affected_keys(plan, store, removed)))
        if not pending and not folder_of(self.location).is_dir():
            return None
        added = by_predicate(q for q in union_added if q not in store) if pending else {}
        return Upkeep(pending, added)

    def finish(self, upkeep: Upkeep, store, token_after: str | None) -> None:
        """After the write: evaluate the affected keys again; the rows now stand for ``token_after``."""
        import pyoxigraph as ox

        current = {}
        for kept, keys in upkeep.pending if token_after is not None else ():
            keys = kept.plan.candidates(store, keys | affected_keys(kept.plan, store, upkeep.added), kept.rows)
            if any(isinstance(k, ox.BlankNode) for k in keys) or len(keys) > FULL_SHARE * max(len(kept.rows), 1):
                kept.columns, kept.rows = evaluate(kept.plan, store)
            else:
                for key in keys:
                    kept.rows.pop(str(key), None)
                kept.rows.update(evaluate(kept.plan, store, sorted(keys, key=str))[1])
            kept.token = token_after
            current[kept.plan.name] = kept
            self.unwritten.add(kept.plan.name)
        self.memory = current
        self.unwritten &= set(current)
        forget(self.location)  # the files of the version before: what is current is in memory

    def flush(self) -> None:
        """Write what the writes since the last flush changed."""
        for name in sorted(self.unwritten):
            write(self.location, self.memory[name])
        self.unwritten.clear()


@dataclass
class Upkeep:
    """One write's pending upkeep: (kept answer, keys its removed triples reach), and the added triples."""

    pending: list
    added: dict
