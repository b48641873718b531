"""Counts the embedded store keeps, so that ``kg stats`` (and the home page, VoID) need not scan it.

What ``kg stats`` shows — article graphs (each with its article and its own triple count),
distinct triples in the union, distinct entities per class — costs a scan of every quad when
computed by query (seconds at 20,000 articles). The embedded store keeps them instead, in the
named graph ``STATS_GRAPH``, written in the same transaction as the data they count: Oxigraph
has no transaction across calls, so each write adds one *record* (a blank node with a JSON
literal) inside the write's own ``extend`` or update, and the counts are the records applied in
order (``seq``): totals add up, a graph's entry is replaced (``null``: dropped). Records are
folded into one from time to time (DROP + INSERT of the stats graph: one update, same counts).

Beside them, what ``kg serve``'s VoID needs and would otherwise scan for on its first start after a
load (a minute at 100,000 articles): the number of *things* (distinct subjects under the project's
IRI space that are typed or labelled, the rule of kg.publish's void:entities: ``is_thing_iri``,
``THING_LABELS``) and, per class, the member with the most mentions (gaf:denotedBy) with its count
(VoID's example resources). A bulk load of N-Quads kg wrote reads the things (and each graph's
size and article) off the lines as they stream to the loader (kg.store.bulk.LineTally); other bulk
loads count them by scan (``things_by_scan``); a delta load updates them from the quads it adds and
removes (``extras_change``), exactly, in the same record.

The counts are exact while every graph in the store holds a kg article (what kg load writes).
A graph without an article (``kg load --graph``) or a SPARQL update (``kg query --update``)
makes the store count again by query (kg.store.queries), as it does for a store written before
this module: its first writable open counts once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.iri import DEFAULT_BASE

STATS_GRAPH = f"{DEFAULT_BASE}graph/stats"
RECORD = "https://w3id.org/pgkg/store#counts"  # predicate of a record (object: the JSON literal)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
NEWS_ARTICLE = "http://schema.org/NewsArticle"
FOLD_AFTER = 32  # records before they are folded into one
GAF_DENOTED_BY = "http://groundedannotationframework.org/gaf#denotedBy"
# kg.publish's display.yaml label_properties: a thing is typed or has one of these with a literal
# (kg serve uses the kept figures only when its own list is this one, and its base THING_ROOT)
THING_LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
                "http://schema.org/name", "http://schema.org/headline", "http://www.w3.org/ns/shacl#name",
                "http://purl.org/dc/terms/title", "http://data.europa.eu/eli/ontology#title",
                "http://www.w3.org/2004/02/skos/core#notation")
THING_ROOT = DEFAULT_BASE
# kg.publish.site.common.safe_path's segments (a page's path must be a plain file name)
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~=,-]*$")


@dataclass
class Counts:
    """Distinct triples of the union, distinct entities per class, each article graph's size and article."""

    triples: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    graphs: dict[str, tuple[int, str]] = field(default_factory=dict)  # graph → (triples, article)
    others: int = 0  # graphs without an article: the counts above are then not kept incrementally
    seq: int = 0
    records: int = 0
    things: int | None = None  # None: not kept (a store written before them)
    examples: dict[str, tuple[int, str]] | None = None  # class → (mentions, IRI) of its most-mentioned member

    def apply(self, record: dict) -> None:
        self.triples += int(record.get("triples", 0))
        if "things_set" in record:
            self.things = None if record["things_set"] is None else int(record["things_set"])
        elif self.things is not None:
            self.things += int(record.get("things", 0))
        if "examples_set" in record:
            found = record["examples_set"]
            self.examples = None if found is None else {c: (int(e[0]), str(e[1])) for c, e in found.items()}
        if self.examples is not None:
            for cls, entry in record.get("examples", {}).items():
                if entry is None:
                    self.examples.pop(cls, None)
                else:
                    self.examples[cls] = (int(entry[0]), str(entry[1]))
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
                "graphs": {g: list(v) for g, v in sorted(self.graphs.items())}, "others": self.others,
                "things_set": self.things,
                "examples_set": None if self.examples is None else {c: list(e) for c, e in sorted(self.examples.items())}}

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
           graphs: dict[str, tuple[int, str] | None] | None = None, others: int | None = None,
           extras: dict | None = None) -> dict:
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
    record.update(extras or {})
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
    keep_extras(store, counts)
    return counts


# --- what kg serve's VoID needs: things and the most-mentioned member per class -----------------

def is_thing_iri(iri: str) -> bool:
    """Whether kg serve has a page for ``iri`` (kg.publish's path_for_iri and safe_path, for its
    default base): {THING_ROOT}id/… or vocab/…, every segment a plain name."""
    if not iri.startswith(THING_ROOT):
        return False
    path = iri[len(THING_ROOT):]
    if not path.startswith(("id/", "vocab/")):
        return False
    thing = path.split("#", 1)[0].rstrip("/")
    return bool(thing) and all(_SAFE_SEGMENT.match(seg) for seg in thing.split("/"))


def _quads_of(store, subject=None, predicate=None):
    import pyoxigraph as ox

    return store.quads_for_pattern(subject, None if predicate is None else ox.NamedNode(predicate), None,
                                   ox.DefaultGraph())


def _thing_evidence(quad) -> bool:
    """A default-graph quad that makes its subject a thing (typed, no fragment; or labelled)."""
    import pyoxigraph as ox

    if not isinstance(quad.subject, ox.NamedNode):
        return False
    predicate = quad.predicate.value
    if predicate == RDF_TYPE:
        return "#" not in quad.subject.value and is_thing_iri(quad.subject.value)
    return predicate in THING_LABELS and isinstance(quad.object, ox.Literal) and is_thing_iri(quad.subject.value)


def things_by_scan(store) -> int:
    """Distinct things of the union (one scan of rdf:type and of each label property)."""
    found: set[str] = set()
    for predicate in (RDF_TYPE, *THING_LABELS):
        found.update(q.subject.value for q in _quads_of(store, predicate=predicate) if _thing_evidence(q))
    return len(found)


def examples_by_query(store) -> dict[str, tuple[int, str]]:
    """Class → (mentions, IRI) of its member with the most gaf:denotedBy (ties: the greatest IRI);
    classes whose members have no mention are left out."""
    import pyoxigraph as ox

    from kg.store.guard import sparql_term

    denoted = sparql_term(ox.NamedNode(GAF_DENOTED_BY))
    # the members' classes as a sub-select of their own: Oxigraph then joins the two by hash, one
    # scan each, instead of a seek for each member's types (on a freshly bulk-loaded store at
    # 100,000 articles: 83 s of CPU and 88 s wall against 98 s and 177 s, the same answer)
    query = ("SELECT ?c ?s ?n WHERE { { SELECT ?s (COUNT(?m) AS ?n) WHERE { ?s " + denoted + " ?m "
             "FILTER(isIRI(?s)) } GROUP BY ?s } { SELECT ?s ?c WHERE { ?s a ?c FILTER(isIRI(?c)) } } }")
    best: dict[str, tuple[int, str]] = {}
    for row in store.query(query):
        entry = (int(row[2].value), row[1].value)
        cls = row[0].value
        if cls not in best or entry > best[cls]:
            best[cls] = entry
    return dict(sorted(best.items()))


def keep_extras(store, counts: Counts) -> Counts:
    """``counts`` with the things and examples of ``store`` (the state they describe), by scan."""
    counts.things = things_by_scan(store)
    counts.examples = examples_by_query(store)
    return counts


def extras_change(store, counts: Counts, union_added: list, union_removed: list) -> dict:
    """The record fields for a write adding ``union_added`` (default-graph quads not there yet) and
    removing ``union_removed``, read against ``store`` before the write: the change of the things
    count and the examples of every class the write touches. Looks up only the subjects it touches
    (a class whose most-mentioned member loses mentions or the class is asked again by query)."""
    import pyoxigraph as ox

    if counts.things is None or counts.examples is None:  # a store written before them: counted once now
        keep_extras(store, counts)
        before = {"things_set": counts.things, "examples_set": {c: list(e) for c, e in counts.examples.items()}}
    else:
        before = {}
    added: dict = {}
    removed: dict = {}
    for side, quads in ((added, union_added), (removed, union_removed)):
        for q in quads:
            if isinstance(q.subject, ox.NamedNode) and (q.predicate.value in (RDF_TYPE, GAF_DENOTED_BY)
                                                        or q.predicate.value in THING_LABELS):
                side.setdefault(q.subject.value, []).append(q)
    delta = 0
    examples = dict(counts.examples or {})
    changed: dict[str, tuple[int, str] | None] = {}
    recount: set[str] = set()
    for iri in sorted(set(added) | set(removed)):
        node = ox.NamedNode(iri)
        gone = set(removed.get(iri, ()))
        new = added.get(iri, [])
        old_quads = [q for p in (RDF_TYPE, GAF_DENOTED_BY, *THING_LABELS) for q in _quads_of(store, node, p)]
        after = [q for q in old_quads if q not in gone] + new
        if is_thing_iri(iri):
            delta += any(map(_thing_evidence, after)) - any(map(_thing_evidence, old_quads))
        mentions = sum(1 for q in after if q.predicate.value == GAF_DENOTED_BY)
        classes_after = {q.object.value for q in after if q.predicate.value == RDF_TYPE
                         and isinstance(q.object, ox.NamedNode)}
        classes_before = {q.object.value for q in old_quads if q.predicate.value == RDF_TYPE
                          and isinstance(q.object, ox.NamedNode)}
        for cls in classes_after | classes_before:
            best = changed.get(cls, examples.get(cls))
            if best is not None and best[1] == iri and (cls not in classes_after or mentions < best[0]):
                recount.add(cls)  # its best member lost: the class is asked again (below)
            elif cls in classes_after and mentions and (best is None or (mentions, iri) > best):
                changed[cls] = (mentions, iri)
    for cls in sorted(recount):
        changed[cls] = _best_after(store, cls, added, removed)
    if not before:
        return {"things": delta, "examples": {c: (None if e is None else list(e)) for c, e in sorted(changed.items())}}
    for cls, entry in changed.items():
        if entry is None:
            examples.pop(cls, None)
        else:
            examples[cls] = entry
    return {"things_set": counts.things + delta, "examples_set": {c: list(e) for c, e in sorted(examples.items())}}


def _best_after(store, cls: str, added: dict, removed: dict) -> tuple[int, str] | None:
    """The most-mentioned member of ``cls`` once the write is done: the store's answer for the
    members the write leaves alone, the touched ones counted from before ± the write."""
    import pyoxigraph as ox

    touched = set(added) | set(removed)
    best: tuple[int, str] | None = None
    from kg.store.guard import sparql_term

    query = (f"SELECT ?s (COUNT(?m) AS ?n) WHERE {{ ?s a {sparql_term(ox.NamedNode(cls))} . "
             f"?s {sparql_term(ox.NamedNode(GAF_DENOTED_BY))} ?m FILTER(isIRI(?s)) }} GROUP BY ?s")
    for row in store.query(query):
        if row[0].value not in touched:
            entry = (int(row[1].value), row[0].value)
            best = entry if best is None or entry > best else best
    for iri in touched:
        node = ox.NamedNode(iri)
        gone = set(removed.get(iri, ()))
        after = [q for p in (RDF_TYPE, GAF_DENOTED_BY) for q in _quads_of(store, node, p) if q not in gone]
        after += [q for q in added.get(iri, []) if q.predicate.value in (RDF_TYPE, GAF_DENOTED_BY)]
        if any(q.predicate.value == RDF_TYPE and q.object.value == cls for q in after):
            mentions = sum(1 for q in after if q.predicate.value == GAF_DENOTED_BY)
            if mentions and (best is None or (mentions, iri) > best):
                best = (mentions, iri)
    return best


def rewrite(store, counts: Counts) -> None:
    """Replace every record by one holding ``counts`` (one update: all or nothing)."""
    from kg.store.guard import sparql_term

    quad = record_quad(counts.whole())
    store.update(f"DROP SILENT GRAPH {sparql_term(_graph_node())} ;\n"
                 f"INSERT DATA {{ GRAPH {sparql_term(_graph_node())} {{ _:counts {sparql_term(quad.predicate)} "
                 f"{sparql_term(quad.object)} }} }}")
    counts.records = 1
