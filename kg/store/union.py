"""The store's layout: a named graph per article, and their de-duplicated union as the default graph.

A body or a person shared by many articles repeats its triples in every article's graph. Oxigraph
and Virtuoso form a union of graphs as a bag, so a plain star pattern over "all graphs" returns a
shared node once per article per pattern (N articles → N² rows). kg therefore keeps a second copy
of the data, each triple once: the default graph (on Virtuoso, which stores no default graph, the
named graph ``UNION_GRAPH``). Queries read it; ``--with-source`` still reads the article graphs.

Invariant: the default graph holds exactly the triples some named graph holds. Loading adds a
graph's triples to it; replacing or dropping a graph removes a triple from it only when no other
named graph still holds the triple (``quads_for_pattern(s, p, o, None)`` tells, or, on a server,
``FILTER NOT EXISTS { GRAPH ?h { … } }``). Everything here is built from pyoxigraph terms through
kg.store.guard.sparql_term: no value is ever pasted into SPARQL as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kg.iri import DEFAULT_BASE
from kg.store.guard import sparql_term

# Virtuoso keeps every triple in some named graph: the union lives in this one there.
UNION_GRAPH = f"{DEFAULT_BASE}graph/union"


def to_default(quad):
    """The same triple in the default graph."""
    import pyoxigraph as ox

    return ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())


def _is_default(graph) -> bool:
    import pyoxigraph as ox

    return isinstance(graph, ox.DefaultGraph)


def orphans(store, removed: Sequence, added: Sequence) -> list:
    """Default-graph quads to delete: triples leaving their graphs (``removed``) that no other named
    graph holds afterwards (``added`` is what the same write puts in)."""
    leaving: dict = {}
    for quad in removed:
        leaving.setdefault(quad.triple, set()).add(quad.graph_name)
    staying = {quad.triple for quad in added}
    out = []
    for triple, graphs in leaving.items():
        if triple in staying:
            continue
        held = any(not _is_default(q.graph_name) and q.graph_name not in graphs
                   for q in store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None))
        if not held:
            import pyoxigraph as ox

            out.append(ox.Quad(triple.subject, triple.predicate, triple.object, ox.DefaultGraph()))
    return out


def _default_is_empty(store) -> bool:
    import pyoxigraph as ox

    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None


def needs_union_fallback(store) -> bool:
    """A store written before this layout: named graphs, an empty default graph."""
    from kg.store.counts import is_stats_graph

    return _default_is_empty(store) and any(not is_stats_graph(g) for g in store.named_graphs())


def build_union(store) -> bool:
    """Fill the default graph of a store written before this layout (one transaction); True if it did.
    The counts' graph (kg.store.counts) is kg's bookkeeping, not data: it stays out of the union."""
    from kg.store.counts import is_stats_graph

    if not needs_union_fallback(store):
        return False
    store.extend([to_default(q) for q in store.quads_for_pattern(None, None, None, None)
                  if not _is_default(q.graph_name) and not is_stats_graph(q.graph_name)])
    store.flush()
    return True


def quads_text(by_graph: dict) -> str:
    """``GRAPH <g> { s p o . … }`` per graph (bare triples for the default graph), terms via sparql_term."""
    parts = []
    for graph, quads in by_graph.items():
        body = "\n".join(triple_text(q) for q in quads)
        parts.append(body if _is_default(graph) else f"GRAPH {sparql_term(graph)} {{\n{body}\n}}")
    return "\n".join(parts)


def triple_text(t) -> str:
    return f"{sparql_term(t.subject)} {sparql_term(t.predicate)} {sparql_term(t.object)} ."


# --- on a SPARQL server --------------------------------------------------------------------------


def _in_union(union, body: str) -> str:
    """``body`` placed in the union: the default graph (``union`` None) or the named graph ``union``."""
    return body if union is None else f"GRAPH {sparql_term(union)} {{ {body} }}"


def remote_release(graph, union) -> str:
    """Update: delete from the union the triples of ``graph`` that no other named graph holds."""
    if union is None:
        others = f"FILTER (?h != {sparql_term(graph)})"
    else:
        others = f"FILTER (?h != {sparql_term(graph)} && ?h != {sparql_term(union)})"
    body = "GRAPH ?h { ?s ?p ?o } " + others
    body = f"GRAPH {sparql_term(graph)} {{ ?s ?p ?o }} FILTER NOT EXISTS {{ {body} }}"
    operation = "DELETE { " + _in_union(union, "?s ?p ?o") + " }"
    return f"{operation} WHERE {{ {body} }}"


def remote_write(graph, triples: Iterable, union, *, replace: bool) -> str:
    """One update request for one graph: release its old triples, drop it, insert it and its union copy."""
    operations = []
    if replace:
        operations += [remote_release(graph, union), f"DROP SILENT GRAPH {sparql_term(graph)}"]
    triples = list(triples)
    if triples:
        body = "\n".join(triple_text(t) for t in triples)
        operation = _in_union(union, body)
        operations.append(f"INSERT DATA {{ GRAPH {sparql_term(graph)} {{\n{body}\n}}\n{operation} }}")
    return " ;\n".join(operations)


def remote_drop(graph, union) -> str:
    operation = f"DROP SILENT GRAPH {sparql_term(graph)}"
    return " ;\n".join([remote_release(graph, union), operation])
