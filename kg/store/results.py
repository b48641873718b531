"""Writing a QueryResult: a table for people, SPARQL 1.1 CSV/TSV/JSON for programs, Turtle for graphs."""

from __future__ import annotations

import csv
import io
import json
import unicodedata

from kg.store.base import QueryForm, QueryResult

FORMATS = ("table", "csv", "tsv", "json")


def render(result: QueryResult, fmt: str = "table") -> str:
    """The whole answer as text in ``fmt`` (CONSTRUCT/DESCRIBE are always Turtle)."""
    if result.form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
        return turtle(result.triples)
    if result.form == QueryForm.ASK:
        return json.dumps({"head": {}, "boolean": result.boolean}) + "\n" if fmt == "json" else (
            "true\n" if result.boolean else "false\n")
    return {"table": table, "csv": to_csv, "tsv": to_tsv, "json": to_json}[fmt](result)


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON Format."""
    bindings = [
        {var: json_term(term) for var, term in zip(result.variables, row) if term is not None}
        for row in result.rows
    ]
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"  # indented: readable and diffable


def json_term(term) -> dict:
    """A pyoxigraph term as a SPARQL 1.1 Query Results JSON binding."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if not isinstance(term, ox.Literal):  # an RDF-star quoted triple
        return {"type": "triple", "value": str(term)}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV: plain values, CRLF line ends, blank nodes as _:label."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else _csv_value(t) for t in row])
    return buffer.getvalue()


def _csv_value(term) -> str:
    import pyoxigraph as ox

    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 TSV: ?var header, terms in N-Triples/Turtle syntax (so nothing is lost)."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def table(result: QueryResult) -> str:
    """Aligned columns for reading; IRIs shortened with the project's prefixes."""
    header = list(result.variables)
    cells = [["" if t is None else _display(t) for t in row] for row in result.rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = [_line(header, widths), "  ".join("-" * w for w in widths)]
    lines += [_line(r, widths) for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _line(values: list[str], widths: list[int]) -> str:
    return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()


def _width(text: str) -> int:
    """Terminal columns: combining marks take none, wide (CJK) characters two."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def _display(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return _compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value.replace("\n", " ")


def _compact(iri: str) -> str:
    from kg.namespaces import curie

    return curie(iri) or iri


def turtle(triples: list) -> str:
    """Turtle with the project's prefixes, through kg.serialize (deterministic)."""
    import pyoxigraph as ox

    from kg.namespaces import new_graph

    graph = new_graph()
    data = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    graph.parse(data=data, format="nt")
    from kg.serialize import serialize

    return serialize(graph, "turtle")
