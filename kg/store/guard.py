"""Checks on what users hand kg before it reaches a parser: IRIs, and the shape of SPARQL queries.

Oxigraph's SPARQL parser and optimiser recurse on the query's structure, so a small hostile
query (10 KB of nested ``{``, 20 KB of ``!`` in a FILTER, 10,000 triple patterns) overflows the
stack and kills the process (SIGSEGV), which no ``except`` can catch. ``check_query_shape``
bounds length, bracket depth, runs of unary operators and the number of joins and operators
with one linear scan that skips strings, IRIs and comments, before the parser sees the text.
The limits are far above any real query (the competency questions use depth 6 and about 40
joints) and far below the depths that crash (about 2,000).

IRIs given on the command line (``--graph``, ``kg drop``) are checked by ``check_iri``; data
goes to SPARQL only as pyoxigraph terms (``sparql_term``), never pasted as text.
"""

from __future__ import annotations

import re

from kg.errors import KgError

MAX_QUERY_CHARS = 100_000
MAX_DEPTH = 64  # nesting of { ( [
MAX_UNARY_RUN = 32  # consecutive ! + - (FILTER(!!!!…))
MAX_JOINTS = 2_000  # separators and operators: . ; , | / + * && || = < > UNION OPTIONAL …

_JOINT_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "GRAPH", "SERVICE", "SELECT", "VALUES"})
_NAME_CHARS = re.compile(r"[A-Za-z0-9_:\-]*")
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')


class QueryTooComplex(KgError):
    """A query over kg's size or nesting limits: refused before parsing (HTTP 400, exit 2)."""

    exit_code = 2


class BadIri(KgError):
    """An IRI given by the user that is not an absolute IRI (exit 2: usage)."""

    exit_code = 2


# RFC 3987 in brief: a scheme, then no spaces, controls or the characters SPARQL and Turtle use as delimiters.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\\x00-\x1f\x7f]+")


def check_iri(value: str, what: str = "IRI") -> str:
    """``value`` if it is an absolute IRI pyoxigraph accepts; else BadIri naming it and the problem."""
    import pyoxigraph as ox

    bad = next((ch for ch in value if ch.isspace() or ch in '<>"{}|^`\\' or ord(ch) < 0x20 or ord(ch) == 0x7f), None)
    if bad is not None:
        raise BadIri(f"{what} {value!r}: not an IRI (it contains {bad!r})")
    if not _ABSOLUTE_IRI.fullmatch(value):
        raise BadIri(f"{what} {value!r}: not an absolute IRI (give one with a scheme, e.g. https://example.org/g/1)")
    try:
        ox.NamedNode(value)
    except ValueError as err:
        raise BadIri(f"{what} {value!r}: not an IRI ({err})") from None
    return value


def sparql_term(term) -> str:
    """A pyoxigraph term as SPARQL/N-Triples text, escaped by pyoxigraph (the one way kg writes terms).

    A NamedNode can only be built from a valid IRI, so its text cannot close the ``<…>`` and
    inject SPARQL; literals are escaped the same way.
    """
    import pyoxigraph as ox

    if not isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        raise TypeError(f"not an RDF term: {term!r}")
    return str(term)


def iri_term(value: str) -> str:
    """An IRI as SPARQL text ``<…>``, built from a NamedNode (ValueError when it is no IRI)."""
    import pyoxigraph as ox

    return sparql_term(ox.NamedNode(value))


class QueryShape:
    """What the scan found: the deepest nesting, the longest unary run, joints, SERVICE clauses."""

    __slots__ = ("depth", "unary_run", "joints", "services")

    def __init__(self) -> None:
        self.depth = self.unary_run = self.joints = self.services = 0


def scan_query(text: str) -> QueryShape:
    """One pass over the query, skipping strings, IRIs and comments; linear in its length."""
    shape = QueryShape()
    depth = run = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if ch in "\"'":
            i = _skip_string(text, i)
            run = 0
            continue
        if ch == "<":
            match = _IRI.match(text, i)
            if match:
                i = match.end()
                run = 0
                continue
        if ch in "?$":  # a variable: its name is no keyword
            match = _NAME_CHARS.match(text, i + 1)
            i = match.end()
            run = 0
            continue
        if ch.isalpha() or ch == "_":
            match = _NAME_CHARS.match(text, i)
            word = match.group(0)
            i = match.end()
            run = 0
            upper = word.upper()
            if upper in _JOINT_WORDS:
                shape.joints += 1
                if upper == "SERVICE":
                    shape.services += 1
            continue
        if ch in "!+-":
            run += 1
            shape.unary_run = max(shape.unary_run, run)
            shape.joints += 1
            i += 1
            continue
        run = 0
        if ch in "{([":
            depth += 1
            shape.depth = max(shape.depth, depth)
        elif ch in "})]":
            depth = max(0, depth - 1)
        elif ch in ".;,|/*&=<>^":
            shape.joints += 1
        i += 1
    return shape


def _skip_string(text: str, i: int) -> int:
    """The index after the string literal starting at ``i`` (or the end of the text if unclosed)."""
    quote = text[i]
    long = text.startswith(quote * 3, i)
    closing = quote * 3 if long else quote
    j = i + (3 if long else 1)
    n = len(text)
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if text.startswith(closing, j):
            return j + len(closing)
        if not long and ch in "\r\n":
            return j
        j += 1
    return n


def check_query_shape(text: str, *, allow_service: bool = True, update: bool = False) -> QueryShape:
    """Refuse (QueryTooComplex) a query too long, too deeply nested or with too many parts to parse safely.

    With ``allow_service=False`` a SERVICE clause (federation) is refused too. An ``update`` (only
    ever from the command line) is not bounded in length or parts: INSERT DATA of a thousand
    triples is flat and safe; its nesting is still bounded.
    """
    if len(text) > MAX_QUERY_CHARS and not update:
        raise QueryTooComplex(f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    shape = scan_query(text)
    if shape.depth > MAX_DEPTH:
        raise QueryTooComplex(f"the query nests brackets {shape.depth} deep; the limit is {MAX_DEPTH}")
    if shape.unary_run > MAX_UNARY_RUN:
        raise QueryTooComplex(f"the query has a run of {shape.unary_run} unary operators (! + -); "
                              f"the limit is {MAX_UNARY_RUN}")
    if shape.joints > MAX_JOINTS and not update:
        raise QueryTooComplex(f"the query has {shape.joints} patterns and operators; the limit is {MAX_JOINTS}")
    if shape.services and not allow_service:
        raise QueryTooComplex("SERVICE (federated query) is disabled on this endpoint: it would make the server "
                              "send requests to hosts a visitor names; the operator can enable it with "
                              "`kg serve --allow-federation`")
    return shape


# --- files -------------------------------------------------------------------------------------

MAX_DTD_BYTES = 1 << 20
MAX_ENTITIES = 256
MAX_ENTITY_CHARS = 200  # namespace abbreviations (<!ENTITY owl "http://…#">) are shorter
_DOCTYPE = re.compile(rb"<!DOCTYPE\b", re.IGNORECASE)
_ENTITY = re.compile(rb"""<!ENTITY\s+(%\s+)?[^\s>]+\s+(?:"([^"]*)"|'([^']*)'|(\S+))""")


def check_xml_entities(head: bytes, name: str) -> None:
    """Refuse an XML DTD that can blow up (billion laughs, quadratic blow-up) or reach out (external entities).

    Allowed: a few short internal entities without references, the namespace abbreviations OWL
    tools write. ``head`` is the start of the file (the DTD comes before the root element).
    """
    from kg.errors import InputError

    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        raise InputError(f"{name}: the XML is not UTF-8 (UTF-16?); kg reads RDF/XML in UTF-8 only")
    prolog_end = _prolog_end(head)
    if prolog_end is None:
        raise InputError(f"{name}: no root element in the first {MAX_DTD_BYTES} bytes (a prolog that long is "
                         "refused: it could hide a document type declaration)")
    found = _DOCTYPE.search(head, 0, prolog_end)
    if not found:
        return
    end = head.find(b"]>", found.end())
    bracket = head.find(b"[", found.end())
    close = head.find(b">", found.end())
    if bracket < 0 or (0 <= close < bracket):  # no internal subset: <!DOCTYPE rdf:RDF> or an external DTD
        if close >= 0 and re.search(rb"\b(SYSTEM|PUBLIC)\b", head[found.end():close]):
            raise InputError(f"{name}: the XML names an external DTD; kg reads no external files or URLs")
        return
    if end < 0:
        raise InputError(f"{name}: the XML document type declaration is unterminated or longer than "
                         f"{MAX_DTD_BYTES} bytes; kg refuses it")
    subset = head[bracket:end]
    entities = _ENTITY.findall(subset)
    if len(entities) > MAX_ENTITIES:
        raise InputError(f"{name}: the XML declares {len(entities)} entities; kg allows at most {MAX_ENTITIES}")
    for parameter, double, single, other in entities:
        value = double or single
        if parameter or other:
            raise InputError(f"{name}: the XML declares an external or parameter entity; kg reads no external "
                             "files or URLs and refuses them")
        if b"&" in value or b"%" in value:
            raise InputError(f"{name}: the XML declares an entity that refers to other entities "
                             "(entity expansion, a 'billion laughs' document); kg refuses it")
        if len(value) > MAX_ENTITY_CHARS:
            raise InputError(f"{name}: the XML declares an entity of {len(value)} characters; "
                             f"kg allows at most {MAX_ENTITY_CHARS}")


def _prolog_end(head: bytes) -> int | None:
    """Where the root element starts, past the XML declaration, comments, PIs and the DOCTYPE; None if not in ``head``."""
    pos, n = 0, len(head)
    if head.startswith(b"\xef\xbb\xbf"):
        pos = 3
    while pos < n:
        if head[pos:pos + 1] in (b" ", b"\t", b"\r", b"\n"):
            pos += 1
        elif head.startswith(b"<?", pos):
            end = head.find(b"?>", pos)
            pos = -1 if end < 0 else end + 2
        elif head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos)
            pos = -1 if end < 0 else end + 3
        elif head.startswith(b"<!", pos):  # <!DOCTYPE …>: its internal subset may hold ">" inside [ … ]
            bracket, close = head.find(b"[", pos), head.find(b">", pos)
            if 0 <= bracket < close:
                end = head.find(b"]", bracket)
                close = -1 if end < 0 else head.find(b">", end)
            pos = -1 if close < 0 else close + 1
        else:
            return pos
        if pos < 0:
            return None
    return None


def check_jsonld_contexts(doc, name: str) -> None:
    """Refuse a JSON-LD document whose @context (or @import) names a URL: kg never fetches during load or validation."""
    from kg.errors import InputError

    todo = [doc]
    while todo:  # iterative: a deeply nested document cannot overflow the stack here
        node = todo.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@context", "@import"):
                    for ctx in value if isinstance(value, list) else [value]:
                        if isinstance(ctx, str):
                            raise InputError(f"{name}: the JSON-LD names a remote context {ctx!r}; kg never "
                                             "fetches URLs while loading or validating: inline the context")
                todo.append(value)
        elif isinstance(node, list):
            todo.extend(node)
