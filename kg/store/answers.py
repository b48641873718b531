"""Kept answers: the shipped CQs' rows, kept per key node beside the embedded store and updated by each load.

The four CQs that return a row per tenure or participation (people, roles, holders, timeline) cost
5-11 s at 20,000 articles, almost all of it Oxigraph joining sub-selects of ~90,000 rows each
(docs/corpus.md). Their answer changes little from one load to the next, so the store keeps it:

* A CQ declares its *key* with a ``#@keep-per ?var`` line: the node each of its rows belongs to
  (a tenure, a participation, a meeting). Its *keyed form* is the CQ with ``?var`` added to the
  projection of the outer SELECT and of each aggregate grouped by it, without ORDER BY: its rows,
  grouped by the key, are what is kept. The CQ's answer is those rows without the key (DISTINCT
  again when the CQ says DISTINCT), in the CQ's ORDER BY.
* The first run of such a CQ on a store version evaluates the keyed form and keeps the rows in
  ``<store>/kg-answers/answers.sqlite`` (Keeper), under the store version (the kept counts'
  sequence number, triples and graphs: kg.store.counts). Another version's rows are not used.
* A load or a drop changes some triples of the union. A row of key k can change only if a
  changed triple matches one of the CQ's triple patterns in a match that binds k; that match also
  binds every pattern on the path from k to that pattern (patterns of the same or an enclosing
  OPTIONAL / UNION branch). ``affected_keys`` follows that path back from the changed triple's
  node to the keys, in the union before the write for removed triples and after it for added
  ones. A pattern alone in a ``SELECT DISTINCT ?o`` sub-select (``?anyTenure org:organization
  ?o``: the bodies that have tenures) changes its sub-select only when ?o gains its first or loses
  its last such triple, so a new tenure in a body does not reach every tenure of the body.
* Only the affected keys are evaluated again: the keyed form runs on their *neighbourhood*
  (Plan.neighbourhood: the triples reached from the keys along the CQ's patterns) in an
  in-memory store, and their rows replace the old ones in one SQLite transaction.
* A whole evaluation (the first run, or a write that reaches too many keys) on a big store runs the
  same way, in batches of keys: every key listed from a pattern each row has at the key (its
  *anchor*), then a batch at a time on its neighbourhood (whole_rows), so its memory is that of a
  batch, not of the store; a smaller store, or a CQ whose keys cannot be listed, runs in one query.

The analysis reads the CQ's algebra (rdflib's parser), so a CQ edited or added needs no code; a
shape it cannot follow (MINUS, EXISTS, a variable predicate, a path other than a sequence or an
inverse, LIMIT, GROUP BY without the key, a pattern the key does not reach) is kept until the
next write, then made again by the next query. Rows within a key are in the order of their
values and keys in IRI order, so the answer is a function of the store's content, whatever the
loads that led to it (tests/test_store_answers.py compares it, after every kind of write, with
an evaluation of the CQ itself).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from kg.store.ordering import split_order
from kg.store.sourced import _close, _mask

FOLDER = "kg-answers"  # inside the store's folder: RocksDB leaves a subfolder it did not write alone
_KEEP_LINE = re.compile(r"(?m)^[ \t]*#@keep-per[ \t]+\?(\w+)[ \t]*$")
_SELECT = re.compile(r"\bSELECT\b(\s+(?:DISTINCT|REDUCED)\b)?", re.IGNORECASE)
FULL_SHARE = 0.3  # more affected keys than this share of all: evaluate the keyed form whole
# A whole evaluation (whole_rows) on a store of ONE_QUERY_TRIPLES union triples or more runs BATCH_KEYS
# keys at a time on their neighbourhood: its memory is that of a batch, not of the store. In one query
# the engine's memory grows with the store, not only with the keys (each sub-select is read whole: the
# appointments CQ with no appointment takes 1.15 GB at 100,000 articles): the timeline CQ's peak is
# 766 MB at 20,000 articles (8.7 M triples) and 3.08 GB at 100,000 (42.7 M), ~68 MB a million triples;
# in batches of 10,000 keys 374 MB (610 MB of 30,000). Batches cost ~3x the CPU of one query (28 s
# against 9.6 s for timeline at 20,000): each triple of a neighbourhood is read through the Python API,
# decoded (~10 us), where the engine joins encoded terms. So one query stays the way up to ~20 M
# triples (~45,000 articles), where the timeline CQ takes ~1.5 GB: under 2 GB with the process around it.
BATCH_KEYS = 10_000
ONE_QUERY_TRIPLES = 20_000_000


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
        triples: list = []
        for edge, var, other, new in _walk([p for found in self.patterns.values() for p in found], self.key):
            forward = edge.subject == var
            fixed = edge.object_value if forward else edge.subject_value
            predicate = ox.NamedNode(edge.predicate)
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
    from concurrent.futures import ThreadPoolExecutor

    from rdflib import BNode, URIRef, Variable
    from rdflib.paths import InvPath, SequencePath
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    # parsed on a thread of its own: the parser's failed alternatives are exceptions in reference
    # cycles with its frames, collected only by a later GC, and a frame holds every caller's; from
    # here they would keep the store of the write that asked open (its lock past its load)
    try:
        with ThreadPoolExecutor(max_workers=1) as parser:
            algebra = parser.submit(lambda: prepareQuery(keyed).algebra).result()
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
    scopes: dict[int, tuple] = {}  # id(pattern) → its OPTIONAL/UNION scope
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
        scopes[id(pattern)] = scope
        if anchor is None and not scope and key in (s, o) and not exists:
            anchor = pattern
    _check_first_reach([q for found in by_predicate.values() for q in found], key, scopes)
    return by_predicate, anchor


def _walk(edges: list[Pattern], key: str):
    """The walk of Plan.neighbourhood, level by level from the key: (pattern, the variable it is
    followed from, its other end or None, whether that end is reached here first), each pattern once."""
    seen, followed, frontier = {key}, set(), [key]
    while frontier:
        following = []
        for var in frontier:
            for i, edge in enumerate(edges):
                if i in followed or var not in (edge.subject, edge.object):
                    continue
                followed.add(i)
                other = edge.object if edge.subject == var else edge.subject
                new = other is not None and other not in seen
                if new:
                    seen.add(other)
                    following.append(other)
                yield edge, var, other, new
        frontier = following


def _check_first_reach(edges: list[Pattern], key: str, scopes: dict) -> None:
    """NotKept unless Plan.neighbourhood's walk reaches each variable first through a pattern that
    every match binding the variable also binds: one whose OPTIONAL/UNION scope encloses the scope
    of every other pattern at it. (A variable bound in two sibling OPTIONALs, or in one and outside
    it, could take a value the first pattern never gives, and its triples would be missed.)"""
    first = {other: scopes[id(edge)] for edge, _, other, new in _walk(edges, key) if new}
    for edge in edges:
        for var in (edge.subject, edge.object):
            if var in first and scopes[id(edge)][:len(first[var])] != first[var]:
                raise NotKept(f"?{var} is bound in patterns of scopes that do not enclose each other")


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
    from kg.cq import cq_names, cq_query

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


def _anchor(plan: Plan) -> Pattern | None:
    """The plan's pattern that every row has at the key (``?m a pg:Meeting``), or None."""
    try:
        return plan._analysis[1]
    except NotKept:
        return None


def whole_keys(plan: Plan, store) -> list | None:
    """Every node that can be a key of ``plan`` in ``store``, in IRI order (NamedNodes): the ends at
    the key of its anchor pattern (one every row has at the key, ``?m a pg:Meeting``, ``?tenure
    org:member ?p``), read from the union's index. None when the plan has no anchor or a key is not
    an IRI (a blank node: only a whole query keeps its identity)."""
    import pyoxigraph as ox

    anchor = _anchor(plan)
    if anchor is None:
        return None
    predicate, default = ox.NamedNode(anchor.predicate), ox.DefaultGraph()
    at_subject = anchor.subject == plan.key
    found: set[str] = set()
    for quad in store.quads_for_pattern(anchor.subject_value, predicate, anchor.object_value, default):
        node = quad.subject if at_subject else quad.object
        if not isinstance(node, ox.NamedNode):
            return None
        found.add(node.value)
    return [ox.NamedNode(iri) for iri in sorted(found)]


def whole_rows(plan: Plan, store, triples: int) -> tuple[list[str], Iterable[dict[str, list]]]:
    """(columns, the keyed form's rows of every key, in batches of key → encoded rows): what
    ``evaluate(plan, store)`` gives in one dict. On a store of ``triples`` union triples,
    ONE_QUERY_TRIPLES or more, BATCH_KEYS keys at a time (in IRI order) on their neighbourhood,
    so the engine and the rows in memory are those of a batch, not of the store (no key: no row,
    and no query). Otherwise, or when whole_keys cannot list the keys, one query: a list of one dict."""
    import pyoxigraph as ox

    batch = BATCH_KEYS
    keys = whole_keys(plan, store) if triples >= ONE_QUERY_TRIPLES else None
    if keys is None:
        columns, rows = evaluate(plan, store)
        return columns, [rows]
    columns = _rows(plan, ox.Store())[0]  # the keyed form's variables, from an empty store

    def batches():
        for start in range(0, len(keys), batch):
            yield evaluate(plan, store, keys[start:start + batch])[1]

    return columns, batches()


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


def token_of(counts) -> str | None:
    """The store version the kept counts name (kg.store.counts): sequence, triples, graphs."""
    if counts is None or counts.others:
        return None
    return f"{counts.seq}-{counts.triples}-{len(counts.graphs)}"


def _triples(token: str) -> int:
    """The union's triples in a store version token_of names."""
    return int(token.split("-")[1])


def folder_of(location) -> Path:
    return Path(location) / FOLDER


def database_of(location) -> Path:
    return folder_of(location) / "answers.sqlite"


def forget(location) -> None:
    """Remove every kept answer (after a write kg does not follow: an update, a recount)."""
    folder = folder_of(location)
    for path in folder.glob("answers.sqlite*") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            path.unlink()


_TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}\Z")


class Keeper:
    """The kept answers of one store folder, in an SQLite database (Python's own sqlite3) inside it.

    A table per CQ holds its rows per key (``key``, ``seq`` within the key, one column per
    projected variable: a plain string as TEXT, unbound as NULL, any other term as JSON with its
    bit set in ``typed``); table ``kept`` names the store version each table stands for. A write
    replaces the affected keys' rows and the version in one SQLite transaction; the CQ's ORDER BY
    runs in SQLite, which orders TEXT by UTF-8 bytes (code points) and NULL first, as SPARQL
    orders strings and unbound. A folder kg cannot write keeps nothing: the CQ runs each time.
    """

    def __init__(self, location):
        self.location = Path(location)
        self._db: sqlite3.Connection | None = None

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        path = database_of(self.location)
        if not (self.location / "CURRENT").is_file() or (not create and not path.is_file()):
            return None  # only inside a store's folder (RocksDB's marker)
        for _ in range(2):
            try:
                path.parent.mkdir(exist_ok=True)
                self._db = _open(path)
                return self._db
            except sqlite3.DatabaseError:  # not a database (damaged): a cache, so made anew
                forget(self.location)
            except (OSError, sqlite3.Error):
                return None
        return None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def answer(self, store, plan: Plan, counts):
        """The CQ's answer from kept rows, made and kept now if none are kept for this version."""
        token = token_of(counts)
        if token is None or not _TABLE_NAME.match(plan.name):
            return None
        db = self._connect(create=True)
        try:
            if db is None:  # nowhere to keep them: ordered as if kept, in memory
                db = _open(":memory:")
                _replace(db, plan, token, *whole_rows(plan, store, _triples(token)))
                return _ordered(db, plan)
            _make(db, plan, token, store)
            return _ordered(db, plan)
        except sqlite3.Error:  # a damaged or locked database: the engine answers
            return None

    def kept_token(self, plan: Plan) -> str | None:
        """The store version ``plan``'s kept rows stand for, or None (none kept, or no database)."""
        db = self._connect(create=False)
        try:
            return _token(db, plan) if db is not None else None
        except sqlite3.Error:
            return None

    def keep(self, store, plan: Plan, counts) -> bool:
        """Make and keep ``plan``'s answer for this store version unless it is kept already: what its
        first query would do (after a big load, in a child process of its own: kg.publish.prepare).
        False when nothing could be kept (no database, a damaged or locked one)."""
        token = token_of(counts)
        db = self._connect(create=True)
        if token is None or db is None or not _TABLE_NAME.match(plan.name):
            return False
        try:
            _make(db, plan, token, store)
        except sqlite3.Error:  # the first query makes it
            return False
        return True

    def start(self, store, token_before: str | None, union_new: list, union_removed: list) -> Upkeep | None:
        """Before a write, with the triples it adds to the union (none there yet) and removes from it:
        None when no answer is kept."""
        db = self._connect(create=False)
        if db is None:
            return None
        pending = []
        removed = None
        for plan in shipped_plans():
            try:
                if token_before is None or _token(db, plan) != token_before:
                    continue
                _analysis_from(db, plan)
            except (NotKept, sqlite3.Error):  # a shape the upkeep cannot follow: made again when asked
                continue
            removed = by_predicate(union_removed) if removed is None else removed
            # removed triples: their matches are in the union as it is now, before the write
            pending.append((plan, affected_keys(plan, store, removed)))
        added = by_predicate(union_new) if pending else {}
        return Upkeep(pending, added)

    def finish(self, upkeep: Upkeep, store, token_after: str | None) -> None:
        """After the write: the affected keys' rows evaluated again, under ``token_after``, in one transaction."""
        import pyoxigraph as ox

        db = self._connect(create=False)
        if db is None:
            return
        try:
            with _transaction(db):
                for plan, keys in upkeep.pending if token_after is not None else ():
                    table = _quoted(plan.name)
                    size = db.execute(_sql("SELECT COUNT(DISTINCT key) FROM {table}", table)).fetchone()[0]
                    keys = plan.candidates(store, keys | affected_keys(plan, store, upkeep.added), _KnownKeys(db, table))
                    if any(isinstance(k, ox.BlankNode) for k in keys) or len(keys) > FULL_SHARE * max(size, 1):
                        # batch by batch, inside this transaction
                        _replace(db, plan, token_after, *whole_rows(plan, store, _triples(token_after)))
                        continue
                    columns, rows = evaluate(plan, store, sorted(keys, key=str))
                    db.executemany(_sql("DELETE FROM {table} WHERE key = ?", table), ((str(k),) for k in keys))
                    _insert(db, table, len(columns), rows)
                    db.execute("UPDATE kept SET token = ? WHERE name = ?", (token_after, plan.name))
                # every other table is of a version before: made again when asked
                db.execute("DELETE FROM kept WHERE token IS NOT ?", (token_after,))
        except sqlite3.Error:
            self.close()
            forget(self.location)


def _make(db, plan: Plan, token: str, store) -> None:
    """``plan``'s rows kept in ``db`` for the store version ``token``: evaluated now, in one
    transaction, unless they are kept for it already.

    Rows evaluated in batches (whole_rows) go first into a TEMP table, the connection's own: a
    transaction on the database open for the whole evaluation (minutes at 100,000 articles) would
    hold its lock, and readers of the other CQs' rows would wait past their timeout once SQLite
    spills its cache. The kept table is then replaced from it in one short transaction."""
    if _token(db, plan) == token:
        return
    columns, batches = whole_rows(plan, store, _triples(token))
    if isinstance(batches, list):  # one query: its rows are in memory already
        with _transaction(db):
            _replace(db, plan, token, columns, batches)
        return
    staged = "temp.staged_rows"
    db.execute("DROP TABLE IF EXISTS " + staged)
    db.execute("CREATE TABLE " + staged + " (key TEXT, seq INTEGER, typed INTEGER"
               + "".join(", v" + str(i) + " TEXT" for i in range(len(columns))) + ")")
    try:
        for rows in batches:
            _insert(db, staged, len(columns), rows)
        with _transaction(db):
            _replace(db, plan, token, columns, (), staged)
    finally:
        db.execute("DROP TABLE IF EXISTS " + staged)


def _analysis_from(db, plan: Plan) -> None:
    """Give ``plan`` its pattern analysis from the database, or make it (rdflib's parser: ~0.12 s a
    CQ, paid by every load otherwise) and keep it there, under the keyed form's fingerprint."""
    row = db.execute("SELECT analysis FROM plans WHERE keyed = ?", (plan.fingerprint,)).fetchone()
    if row is not None:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            plan.__dict__["_analysis"] = _analysis_decoded(json.loads(row[0]))
            return
    patterns, anchor = plan._analysis  # NotKept when the shape cannot be followed
    listed = [p for found in patterns.values() for p in found]
    encoded = {"patterns": [[p.subject, p.predicate, p.object, _encode(p.subject_value), _encode(p.object_value),
                             p.path[0], [[step.predicate, step.forward] for step in p.path[1]], p.exists]
                            for p in listed],
               "anchor": listed.index(anchor) if anchor is not None else None}
    with _transaction(db):
        db.execute("INSERT OR REPLACE INTO plans VALUES (?, ?)", (plan.fingerprint, json.dumps(encoded)))


def _analysis_decoded(encoded: dict) -> tuple[dict, Pattern | None]:
    listed = [Pattern(s, p, o, _decode(sv), _decode(ov), (name, tuple(Step(q, bool(f)) for q, f in steps)), exists)
              for s, p, o, sv, ov, name, steps, exists in encoded["patterns"]]
    patterns: dict = {}
    for pattern in listed:
        patterns.setdefault(pattern.predicate, []).append(pattern)
    anchor = encoded["anchor"]
    return patterns, (listed[anchor] if anchor is not None else None)


def _open(path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60, isolation_level=None)  # autocommit: _transaction brackets writes
    db.execute("CREATE TABLE IF NOT EXISTS kept (name TEXT PRIMARY KEY, keyed TEXT, token TEXT, columns TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS plans (keyed TEXT PRIMARY KEY, analysis TEXT)")
    return db


def _sql(text: str, table: str) -> str:
    """``text`` with its table name: SQL takes values as ? parameters but not names, so the name
    (a CQ file's stem, checked by _quoted) goes in here."""
    return text.replace("{table}", table)


def _token(db, plan: Plan) -> str | None:
    row = db.execute("SELECT token FROM kept WHERE name = ? AND keyed = ?", (plan.name, plan.fingerprint)).fetchone()
    return row[0] if row else None


def _replace(db, plan: Plan, token: str, columns: list[str], batches: Iterable[dict], staged: str | None = None) -> None:
    """``plan``'s table made anew with ``batches`` (dicts of key → encoded rows) and the rows of the
    table ``staged``, if any, under the store version ``token`` (inside the caller's transaction)."""
    table = _quoted(plan.name)
    db.execute(_sql("DROP TABLE IF EXISTS {table}", table))
    values = ", ".join("v" + str(i) + " TEXT" for i in range(len(columns)))
    db.execute(_sql("CREATE TABLE {table} (key TEXT, seq INTEGER, typed INTEGER, " + values + ")", table))
    if staged is not None:
        db.execute(_sql("INSERT INTO {table} SELECT * FROM " + staged, table))
    for rows in batches:
        _insert(db, table, len(columns), rows)
    db.execute(_sql("CREATE INDEX " + _quoted(plan.name + "_key") + " ON {table} (key)", table))
    db.execute("INSERT OR REPLACE INTO kept VALUES (?, ?, ?, ?)", (plan.name, plan.fingerprint, token, json.dumps(columns)))


def _insert(db, table: str, width: int, rows: dict) -> None:
    marks = ", ".join("?" * (width + 3))
    db.executemany(_sql("INSERT INTO {table} VALUES (" + marks + ")", table),
                   (_stored(key, seq, row) for key, found in rows.items() for seq, row in enumerate(found)))


def _ordered(db, plan: Plan):
    """The CQ's rows from its table: DISTINCT as the CQ says, in its ORDER BY, ties in key order
    (None when an ORDER BY column holds a term other than a string: only the engine orders it)."""
    columns = json.loads(db.execute("SELECT columns FROM kept WHERE name = ?", (plan.name,)).fetchone()[0])
    where = {name: i for i, name in enumerate(columns)}
    if any(name not in where for name, _ in plan.order):
        return None
    table, values = _quoted(plan.name), ", ".join("v" + str(i) for i in range(len(columns)))
    mask = sum(1 << where[name] for name, _ in plan.order)
    if db.execute(_sql("SELECT 1 FROM {table} WHERE typed & ? LIMIT 1", table), (mask,)).fetchone():
        return None
    order = ", ".join("v" + str(where[name]) + (" DESC" if descending else " ASC") for name, descending in plan.order)
    if plan.distinct:  # each distinct row where it first comes, in key order
        text = ("SELECT typed, " + values + ", MIN(key || char(0) || printf('%010d', seq)) AS first FROM {table} "
                "GROUP BY typed, " + values + " ORDER BY " + order + ", first")
    else:
        text = "SELECT typed, " + values + " FROM {table} ORDER BY " + order + ", key, seq"
    return _result(columns, db.execute(_sql(text, table)), len(columns))


@dataclass
class Upkeep:
    """One write's pending upkeep: (plan, keys its removed triples reach), and the added triples by predicate."""

    pending: list
    added: dict


class _KnownKeys:
    """``key in known``: whether a CQ's table holds rows of that key."""

    def __init__(self, db, table: str):
        self.db, self.query = db, _sql("SELECT 1 FROM {table} WHERE key = ? LIMIT 1", table)

    def __contains__(self, key: str) -> bool:
        return self.db.execute(self.query, (key,)).fetchone() is not None


class _transaction:
    """BEGIN … COMMIT, or ROLLBACK on an exception (the connection runs in autocommit mode)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, *_):
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def _quoted(name: str) -> str:
    """A table name for SQL: ``name`` checked against _TABLE_NAME (a CQ file's stem), in double quotes."""
    if not _TABLE_NAME.match(name.removesuffix("_key")):
        raise sqlite3.Error(f"{name!r} is not a name for a kept answer")
    return '"cq_' + name + '"'


def _stored(key: str, seq: int, row: list) -> tuple:
    typed = 0
    values = []
    for i, value in enumerate(row):
        if value is None or isinstance(value, str):
            values.append(value)
        else:
            typed |= 1 << i
            values.append(json.dumps(value, sort_keys=True, ensure_ascii=False))
    return (key, seq, typed, *values)


def _result(columns: list[str], cursor, width: int):
    """A QueryResult of stored rows: one term per distinct value (names and posts repeat in many rows)."""
    from kg.store.base import QueryForm, QueryResult

    terms: dict = {}
    rows = []
    for found in cursor:
        typed, values = found[0], found[1:width + 1]
        row = []
        for i, value in enumerate(values):
            if value is None:
                row.append(None)
                continue
            marker = (value, bool(typed >> i & 1))
            term = terms.get(marker)
            if term is None:
                term = terms[marker] = _decode(json.loads(value) if marker[1] else value)
            row.append(term)
        rows.append(tuple(row))
    return QueryResult(QueryForm.SELECT, variables=list(columns), rows=rows)
