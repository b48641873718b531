"""Counts the embedded store keeps, so that ``kg stats`` (and the home page, VoID) need not scan it.

What ``kg stats`` shows — article graphs (each with its article and its own triple count),
distinct triples in the union, distinct entities per class — costs a scan of every quad when
computed by query (seconds at 20,000 articles). The embedded store keeps them instead, in the
named graph ``STATS_GRAPH``, written in the same transaction as the data they count: Oxigraph
has no transaction across calls, so each write adds one *record* (a blank node with a JSON
literal) inside the write's own ``extend`` or update, and the counts are the records applied in
order (``seq``): totals add up, a graph's entry is replaced (``null``: dropped). Records are
folded into one from time to time (DROP + INSERT of the stats graph: one update, same counts).

The counts are exact while every graph in the store holds a kg article (what kg load writes).
A graph without an article (``kg load --graph``) or a SPARQL update (``kg query --update``)
makes the store count again by query (kg.store.queries), as it does for a store written before
this module: its first writable open counts once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.iri import DEFAULT_BASE

STATS_GRAPH = f"{DEFAULT_BASE}graph/stats"
RECORD = "https://w3id.org/pgkg/store#counts"  # predicate of a record (object: the JSON literal)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NEWS_ARTICLE = "http://schema.org/NewsArticle"
FOLD_AFTER = 32  # records before they are folded into one


@dataclass
class Counts:
    """Distinct triples of the union, distinct entities per class, each article graph's size and article."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    graphs: dict[str, tuple[int, str]] = field(default_factory=dict)  # graph → (triples, article)
    others: int = 0  # graphs without an article: the counts above are then not kept incrementally
    seq: int = 0
    records: int = 0

    def apply(self, record: dict) -> None:
        self.triples += int(record.get("triples", 0))
        for cls, n in record.get("classes", {}).items():
            total = self.classes.get(cls, 0) + int(n)
            if total:
                self.classes[cls] = total
            else:
                self.classes.pop(cls, None)
        for graph, entry in record.get("graphs", {}).items():
            if entry is None:
                self.graphs.pop(graph, None)
            else:
                self.graphs[graph] = (int(entry[0]), str(entry[1]))
        self.others = int(record.get("others", self.others))
        self.seq = max(self.seq, int(record.get("seq", 0)))
        self.records += 1

    def whole(self) -> dict:
        """One record holding everything (the fold)."""
        return {"seq": self.seq, "triples": self.triples, "classes": dict(sorted(self.classes.items())),
                "graphs": {g: list(v) for g, v in sorted(self.graphs.items())}, "others": self.others}

    def stats(self, description: str) -> dict:
        """What ``Store.stats`` returns, in its order (classes by count, then name; graphs by IRI)."""
        return {
            "store": description,
            "graphs": len(self.graphs),
            "triples": self.triples,
            "classes": dict(sorted(self.classes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "graph_list": [{"graph": g, "article": a, "triples": n} for g, (n, a) in sorted(self.graphs.items())],
        }


def _graph_node():
    import pyoxigraph as ox

    return ox.NamedNode(STATS_GRAPH)


def read(store) -> Counts | None:
    """The store's counts, or None when it keeps none (written before them, or after an update)."""
    import pyoxigraph as ox

    records = []
    for quad in store.quads_for_pattern(None, ox.NamedNode(RECORD), None, _graph_node()):
        try:
            records.append(json.loads(quad.object.value))
        except ValueError:
            return None
    if not records:
        return None
    counts = Counts()
    for record in sorted(records, key=lambda r: int(r.get("seq", 0))):
        if record.get("stale"):
            return None
        counts.apply(record)
    return counts


def record_quad(record: dict):
    """The quad that stores ``record`` (a fresh blank node: two equal records stay two)."""
    import pyoxigraph as ox

    return ox.Quad(ox.BlankNode(), ox.NamedNode(RECORD),
                   ox.Literal(json.dumps(record, ensure_ascii=False, separators=(",", ":"))), _graph_node())


def is_stats_graph(graph) -> bool:
    return getattr(graph, "value", None) == STATS_GRAPH


def change(counts: Counts, *, union_added: Iterable = (), union_removed: Iterable = (),
           graphs: dict[str, tuple[int, str] | None] | None = None, others: int | None = None) -> dict:
    """The record of one write: default-graph quads it adds (new ones only) and removes, graph entries."""
    classes: dict[str, int] = {}
    triples = 0
    for sign, quads in ((1, union_added), (-1, union_removed)):
        for quad in quads:
            triples += sign
            if quad.predicate.value == RDF_TYPE:
                classes[quad.object.value] = classes.get(quad.object.value, 0) + sign
    counts.seq += 1
    record = {"seq": counts.seq, "triples": triples, "classes": {c: n for c, n in classes.items() if n},
              "graphs": graphs or {}}
    if others is not None:
        record["others"] = others
    counts.apply(record)
    return record


def article_of(triples: Iterable) -> str:
    """The graph's article as kg stats names it: the smallest schema:NewsArticle IRI ("" for none)."""
    articles = [t.subject.value for t in triples
                if t.predicate.value == RDF_TYPE and t.object.value == NEWS_ARTICLE]
    return min(articles) if articles else ""


def count_by_query(store) -> Counts:
    """Count everything by query (a scan): for a store that keeps no counts yet, or after a bulk load."""
    from kg.store.base import packaged_query

    counts = Counts()
    counts.triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)
    for row in store.query(packaged_query("stats_classes")):
        counts.classes[row["class"].value] = int(row["entities"].value)
    for row in store.query(packaged_query("stats_graphs")):
        counts.graphs[row["graph"].value] = (int(row["triples"].value), row["article"].value)
    named = sum(1 for g in store.named_graphs() if not is_stats_graph(g))
    counts.others = named - len(counts.graphs)
    return counts


def rewrite(store, counts: Counts) -> None:
    """Replace every record by one holding ``counts`` (one update: all or nothing)."""
    from kg.store.guard import sparql_term

    quad = record_quad(counts.whole())
    store.update(f"DROP SILENT GRAPH {sparql_term(_graph_node())} ;\n"
                 f"INSERT DATA {{ GRAPH {sparql_term(_graph_node())} {{ _:counts {sparql_term(quad.predicate)} "
                 f"{sparql_term(quad.object)} }} }}")
    counts.records = 1
