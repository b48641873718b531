"""Validate many articles per pySHACL call, with the results split back per article.

pySHACL pays per call for harvesting the shapes (~12 ms with our shapes) and per
node shape for target selection; validating 10-20 articles per call costs about
half as much per article as one call each. Two things keep the answer the same as
``kg.validate.validate`` on each article alone:

* the compiled shapes (pySHACL's ShapesGraph) are built once per process and reused;
* articles share entity IRIs (the same person in two articles is one IRI), and a
  union would merge their descriptions (two ``pg:attestedOn`` dates break
  ``sh:maxCount 1``). So every data IRI under ``{base}id/`` is renamed apart per
  article (``urn:kg-batch:{k}:…``) in the batch graph, and renamed back in the
  results. Vocabulary concepts (``skos:inScheme`` checked with ``sh:hasValue``)
  are not renamed: every article carries the same copy, so the union is unchanged,
  and a result on one is given to each article of the batch that has it.

The shapes have no ``sh:pattern``/``sh:in``/``sh:targetNode`` on data IRIs, which
is what makes the renaming invisible; tests/test_corpus.py checks equal results.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from kg.iri import normalise_base

_TAG = "urn:kg-batch:"
_TAGGED = re.compile(r"urn:kg-batch:(\d+):")


@lru_cache(maxsize=1)
def _compiled_shapes():
    """pySHACL's ShapesGraph over kg's shapes, shapes harvested once per process."""
    from pyshacl.shapes_graph import ShapesGraph

    from kg.validate import shapes_graph

    compiled = ShapesGraph(shapes_graph())
    compiled.shapes  # noqa: B018 - the property harvests and caches the shapes
    return compiled


def _speed_up() -> None:
    from kg import validate as kv

    speed_up = getattr(kv, "_speed_up_pyshacl", None)
    if speed_up is not None:
        speed_up()


def validate_many(graphs: list, base: str, *, strict: bool = False) -> list:
    """One ``kg.validate.ValidationReport`` per graph, from one pySHACL run over all of them."""
    from kg.validate import SEVERITIES, ValidationReport

    if not graphs:
        return []
    batch = _batch_graph(graphs, normalise_base(base) + "id/")
    results = _run(batch)
    per_article: list[list] = [[] for _ in graphs]
    for result in results:
        for k in _owners(result.focus, graphs):
            per_article[k].append(_untag(result, normalise_base(base) + "id/"))
    reports = []
    for found in per_article:
        found.sort(key=_order_key())
        counts = {s: sum(1 for r in found if r.severity == s) for s in SEVERITIES}
        conforms = counts["Violation"] == 0 and not (strict and counts["Warning"])
        reports.append(ValidationReport(conforms=conforms, results=found, counts=counts, strict=strict))
    return reports


def _batch_graph(graphs: list, prefix: str):
    from rdflib import Graph, URIRef

    batch = Graph(bind_namespaces="none")
    cut = len(prefix)
    for k, graph in enumerate(graphs):
        tag = f"{_TAG}{k}:"
        renamed: dict = {}

        def rename(term, tag=tag, renamed=renamed):
            if type(term) is URIRef and term.startswith(prefix):
                new = renamed.get(term)
                if new is None:
                    new = renamed[term] = URIRef(tag + term[cut:])
                return new
            return term

        batch.addN((rename(s), p, rename(o), batch) for s, p, o in graph)
    return batch


def _run(batch) -> list:
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph

    from kg import validate as kv

    _speed_up()
    validator = Validator(DataGraph.from_rdflib(batch), shacl_graph=kv.shapes_graph(),
                          options={"inference": "none", "advanced": False, "allow_infos": True})
    validator.shacl_graph = _compiled_shapes()  # reuse the harvested shapes
    _, report_graph, _ = validator.run()
    return kv._results(report_graph, batch)


def _owners(focus: str, graphs: list) -> list[int]:
    match = _TAGGED.match(focus)
    if match:
        return [int(match.group(1))]
    from rdflib import URIRef

    node = URIRef(focus)  # a shared vocabulary node: every article that describes it
    return [k for k, g in enumerate(graphs) if (node, None, None) in g]


def _untag(result, prefix: str):
    def back(text):
        return _TAGGED.sub(prefix, text) if isinstance(text, str) else text

    return dataclasses.replace(result, focus=back(result.focus), value=back(result.value),
                               focus_label=back(result.focus_label))


def _order_key():
    from kg import validate as kv

    return getattr(kv, "_order", lambda r: (r.severity, r.focus, r.path or "", r.shape, r.value or ""))
