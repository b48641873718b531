"""The ontology stays consistent with what it aligns to: an OWL RL reasoner (owlrl, pure Python)
over ontology/ + the aligned vocabularies' axioms (tests/data/aligned/axioms.ttl) + a real export
finds no inconsistency; and every SKOS scheme lists its top concepts both ways."""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parent.parent
AXIOMS = Path(__file__).parent / "data" / "aligned" / "axioms.ttl"


def ontology() -> Graph:
    graph = Graph()
    graph.parse(ROOT / "ontology" / "pg.ttl")
    for path in sorted((ROOT / "ontology" / "vocab").glob("*.ttl")):
        graph.parse(path)
    return graph


def inconsistencies(graph: Graph) -> list[str]:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return sorted(str(message) for message in graph.objects(None, ERRNS.error))


def test_the_seed_export_is_consistent_with_prov_org_time_and_foaf(seed_graph):
    graph = ontology()
    graph.parse(AXIOMS)
    for triple in seed_graph:
        graph.add(triple)
    assert inconsistencies(graph) == []


def test_the_reasoner_does_report_a_prov_clash():
    """The check can fail: an event said to be an Activity, derived from an article, is caught."""
    graph = ontology()
    graph.parse(AXIOMS)
    graph.parse(data="""
        @prefix prov: <http://www.w3.org/ns/prov#> .
        <https://example.org/e> a <https://w3id.org/pgkg/ontology#Meeting> , prov:Activity ;
            prov:wasDerivedFrom <https://example.org/article> .
    """, format="turtle")
    assert any("prov#Entity" in m and "prov#Activity" in m for m in inconsistencies(graph))


@pytest.mark.parametrize("path", sorted((ROOT / "ontology" / "vocab").glob("*.ttl")), ids=lambda p: p.stem)
def test_every_scheme_lists_its_top_concepts(path):
    graph = Graph().parse(path)
    for scheme in graph.subjects(None, SKOS.ConceptScheme):
        down = set(graph.objects(scheme, SKOS.hasTopConcept))
        up = set(graph.subjects(SKOS.topConceptOf, scheme))
        assert isinstance(scheme, URIRef) and down, f"{path.name}: {scheme} has no skos:hasTopConcept"
        assert down == up, f"{path.name}: hasTopConcept and topConceptOf disagree: {sorted(down ^ up)}"
