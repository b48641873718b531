"""kg.validate.validate_many (many articles per pySHACL run) gives what kg.validate.validate gives on
each article alone, result for result, including nested results on nodes an article only points to."""

from __future__ import annotations

import pytest
from conftest import SEED
from corpus_support import generate_articles
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from kg.validate import validate, validate_many

BASE = "https://w3id.org/pgkg/"
GAF_DENOTED_BY = URIRef("http://groundedannotationframework.org/gaf#denotedBy")


def _copy(graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


@pytest.fixture(scope="module")
def seed_graph_built():
    from kg.pipeline import export_article

    return export_article(str(SEED), validate=False).graph


def _without_description(graph, node) -> Graph:
    """The graph with ``node`` still an object (a document's type) but no longer described."""
    out = _copy(graph)
    for triple in list(out.triples((node, None, None))):
        out.remove(triple)
    return out


def _first_concept(graph):
    return sorted(set(graph.subjects(SKOS.inScheme, None)))[0]


def test_nested_result_on_a_node_the_article_only_points_to(seed_graph_built):
    broken = _without_description(seed_graph_built, _first_concept(seed_graph_built))
    alone = validate(broken)
    assert any(r.focus == str(_first_concept(seed_graph_built)) for r in alone.results)  # the nested result
    (batched,) = validate_many([broken], BASE)
    assert batched.results == alone.results and batched.counts == alone.counts


def test_another_article_describing_the_node_does_not_hide_the_result(seed_graph_built):
    """In a plain union the intact article's copy of the concept would satisfy the broken one's check."""
    broken = _without_description(seed_graph_built, _first_concept(seed_graph_built))
    graphs = [seed_graph_built, broken, seed_graph_built]
    batched = validate_many(graphs, BASE)
    alone = [validate(g) for g in graphs]
    assert [r.results for r in batched] == [r.results for r in alone]
    assert [r.counts for r in batched] == [r.counts for r in alone]


@pytest.fixture(scope="module")
def generated_corpus_graphs(tmp_path_factory):
    """About 100 generated articles (people and bodies shared between them), mapped by kg."""
    from kg.pipeline import export_article

    paths = generate_articles(tmp_path_factory.mktemp("gen100"), 100, seed=3)
    return [_perturb(export_article(str(p), validate=False).graph, k) for k, p in enumerate(paths)]


def _perturb(graph, k: int) -> Graph:
    """Some articles broken on purpose, so that the comparison covers every kind of result: a concept
    the article only points to (nested results), a second date on an attestation (sh:maxCount across
    shared IRIs), an ill-typed date, a term that ends before it starts (a Warning)."""
    from rdflib import XSD, Literal

    from kg.namespaces import NIF, PG
    from kg.validate import quiet_rdflib

    graph = _copy(graph)
    people = sorted(graph.subjects(RDF.type, PG.Person))
    if k % 8 == 4 and people:  # a mention that disagrees with the label: the SPARQL constraint's Warning
        mention = sorted(graph.objects(people[k % len(people)], GAF_DENOTED_BY))[0]
        graph.set((mention, NIF.anchorOf, Literal(f"Người Khác Số {k}")))
    terms = sorted(graph.subjects(PG.endYear, None))
    if k % 8 == 0 and terms:
        graph.set((terms[0], PG.startYear, Literal(graph.value(terms[0], PG.endYear).toPython() + 3)))
    if k % 4 == 1 and list(graph.subjects(SKOS.inScheme, None)):
        return _without_description(graph, _first_concept(graph))
    attestations = sorted(graph.subjects(None, PG.Attestation))
    if k % 4 == 2 and attestations:
        graph.add((attestations[0], PG.attestedOn, Literal("2001-02-03", datatype=XSD.date)))
    if k % 4 == 3 and attestations:
        with quiet_rdflib():
            graph.add((attestations[-1], PG.attestedOn, Literal("2021-13-45", datatype=XSD.date)))
    return graph


def _plain_pyshacl(graph):
    """pySHACL as it comes (none of kg's speed-ups), on the same shapes: the reference."""
    from pyshacl import validate as shacl_validate

    from kg.validate import shapes_graph

    _, report, _ = shacl_validate(graph, shacl_graph=shapes_graph(), inference="none", advanced=False)
    return report


def test_batched_validation_on_a_generated_corpus_equals_plain_pyshacl(generated_corpus_graphs):
    from kg.validate import _order, _results, ill_typed_results, plain_pyshacl

    graphs = generated_corpus_graphs
    batched = []
    for start in range(0, len(graphs), 16):  # the corpus engine's batches
        batched += validate_many(graphs[start:start + 16], BASE)
    with plain_pyshacl():
        reference = [sorted([*_results(_plain_pyshacl(g), g), *ill_typed_results(g)], key=_order) for g in graphs]
    assert [r.results for r in batched] == reference
    # one article at a time too: the SPARQL constraints' queries are parsed once and run again
    # with each focus node's bindings (kg.validate.IndexedGraph.query)
    assert [validate(g).results for g in graphs] == reference
    kinds = {(r.severity, r.shape) for found in reference for r in found}
    assert {"Violation", "Warning", "Info"} <= {severity for severity, _ in kinds}
    assert ("Violation", "kg:ill-typed-literal") in kinds and len(kinds) >= 6, kinds
    mentions = [r.value for found in reference for r in found if r.shape == "pgsh:PersonMentionsShape"]
    assert len(mentions) >= 10 and len(set(mentions)) == len(mentions), mentions  # each article its own value


def test_indexed_graph_answers_every_pattern_like_rdflib(seed_graph_built):
    """The same triples (each once) for all eight patterns, a property path, len and membership."""
    from rdflib import RDF, RDFS

    from kg.validate import IndexedGraph

    graph = seed_graph_built
    views = [IndexedGraph(store=graph.store, identifier=graph.identifier), IndexedGraph.of(list(graph))]
    s, p, o = sorted(graph)[5]
    patterns = [(a, b, c) for a in (None, s) for b in (None, p) for c in (None, o)]
    patterns += [(s, RDF.type / (RDFS.subClassOf * "*"), None), (URIRef("urn:none"), None, None)]
    for view in views:
        assert len(view) == len(graph) and (s, p, o) in view and (o, p, s) not in view
        for pattern in patterns:
            found = list(view.triples(pattern))
            assert len(found) == len(set(found)) and set(found) == set(graph.triples(pattern)), pattern


def test_an_indexed_view_sees_changes_to_its_graph(seed_graph_built):
    from kg.validate import IndexedGraph

    graph = _copy(seed_graph_built)
    view = IndexedGraph(store=graph.store, identifier=graph.identifier)
    extra = (URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c"))
    assert extra not in view
    view.add(extra)
    assert extra in view and extra in graph
    view.remove(extra)
    assert extra not in view
