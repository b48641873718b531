"""shapes/: pass meta-SHACL, are IRI-named and bilingual, cover every class kg emits, and catch errors."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from kg.map import to_graph
from kg.model import Article, Document, Extraction, Span
from kg.namespaces import NIF, ORG, PG
from kg.validate import shapes_graph, validate

PATTERN_SHAPE = URIRef("https://w3id.org/pgkg/shapes#Document-numberPattern")


def all_shapes(graph: Graph) -> set:
    shapes = set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape))
    return shapes | set(graph.objects(None, SH.property)) | set(graph.objects(None, SH.node))


def test_shapes_pass_meta_shacl():
    conforms, _, text = meta_validate(shapes_graph())
    assert conforms, text


def test_validate_with_meta_shacl_flag(seed_graph):
    from pyshacl import validate as shacl_validate

    conforms, _, _ = shacl_validate(seed_graph, shacl_graph=shapes_graph(), meta_shacl=True, allow_warnings=True,
                                    allow_infos=True)
    assert conforms  # pySHACL raises if the shapes fail meta-SHACL; the seed has only a Warning and Infos


def test_meta_shacl_would_catch_a_broken_shape():
    broken = Graph()
    for triple in shapes_graph():
        broken.add(triple)
    broken.add((URIRef("https://w3id.org/pgkg/shapes#Tenure-member"), SH.minCount, Literal("one")))
    conforms, _, _ = meta_validate(broken)
    assert not conforms


def test_no_blank_node_shapes():
    shapes = all_shapes(shapes_graph())
    assert len(shapes) > 40
    assert not [s for s in shapes if isinstance(s, BNode)]


def test_every_shape_is_named_in_vietnamese_and_english():
    graph = shapes_graph()
    for shape in all_shapes(graph):
        langs = {n.language for n in graph.objects(shape, SH.name)}
        assert {"vi", "en"} <= langs, shape


def test_every_property_shape_has_messages_in_both_languages():
    graph = shapes_graph()
    for shape in graph.subjects(RDF.type, SH.PropertyShape):
        langs = sorted(m.language for m in graph.objects(shape, SH.message))
        assert langs == ["en", "vi"], shape


def test_every_node_kg_emits_is_targeted(seed_graph):
    # Subclasses (pg:Commission, pg:Plenum …) are covered through the generic type kg.map also states.
    targeted = set(shapes_graph().objects(None, SH.targetClass))
    for node in set(seed_graph.subjects(RDF.type, None)):
        assert set(seed_graph.objects(node, RDF.type)) & targeted, node


def test_severities_sit_on_shapes_not_on_sparql_constraints():
    graph = shapes_graph()
    for constraint in graph.subjects(RDF.type, SH.SPARQLConstraint):  # pySHACL ignores a severity there
        assert graph.value(constraint, SH.severity) is None
        assert all(graph.value(shape, SH.severity) for shape in graph.subjects(SH.sparql, constraint))
    warnings = set(graph.subjects(SH.severity, SH.Warning))
    assert URIRef("https://w3id.org/pgkg/shapes#Term-yearOrder") in warnings


# --- document numbers ---------------------------------------------------------------


def _doc_graph(number: str) -> Graph:
    text = f"Văn bản số {number} đã ban hành."
    start = text.index(number)
    article = Article(path="doc.txt", text=text, content_hash="12" * 32)
    doc = Document("doc:x", number, "Directive", mentions=[Span(start, start + len(number), number)])
    return to_graph(Extraction(article=article, documents=[doc]))


@pytest.mark.parametrize("number", ["05-CT/TW", "08-QĐi/TW", "04-ĐA/TU", "09-CTr/TU", "01-QĐNS/TW",
                                    "35-NQ/TW", "101-QĐ/TW", "12-NQ/ĐUK", "3a-HD/BTGTW", "27-KL/TƯ",
                                    "1234/QĐ-TTg", "15/2024/NĐ-CP", "98/2023/QH15", "2816/QĐ-MTTW-BTT", "05"])
def test_good_document_numbers_pass(number):
    report = validate(_doc_graph(number))
    assert not [r for r in report.results if r.shape == "pgsh:Document-numberPattern"]


@pytest.mark.parametrize("number", ["35NQ/TW", "NQ-35/TW", "35-NQ", "35-nq/tw", "35-NQ/TW ", "số 35",
                                    "1234/QĐ", "12345", "15/2024/nđ-cp"])
def test_bad_document_numbers_warn(number):
    report = validate(_doc_graph(number))
    hits = [r for r in report.results if r.shape == "pgsh:Document-numberPattern"]
    assert len(hits) == 1 and hits[0].severity == "Warning"
    assert report.accepted and not report.conforms  # a Warning: not fatal for kg, but not SHACL-conformant


# --- other constraints on a copy of the seed -----------------------------------------------


def _copy(graph: Graph) -> Graph:
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out


def _shapes_hit(graph: Graph) -> set[tuple[str, str]]:
    return {(r.shape, r.severity) for r in validate(graph).results}


def test_mention_begin_must_be_before_end(seed_graph):
    graph = _copy(seed_graph)
    mention = next(graph.subjects(RDF.type, NIF.String))
    graph.set((mention, NIF.beginIndex, Literal(9999, datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    assert ("pgsh:Mention-begin", "Violation") in _shapes_hit(graph)


def test_offsets_and_ordinals_are_integers_within_bounds(seed_graph):
    xsd = "http://www.w3.org/2001/XMLSchema#"
    graph = _copy(seed_graph)
    mention = next(graph.subjects(RDF.type, NIF.String))
    graph.set((mention, NIF.beginIndex, Literal(-1, datatype=URIRef(xsd + "integer"))))
    assembly = next(graph.subjects(PG.ordinal, None))
    graph.set((assembly, PG.ordinal, Literal(0, datatype=URIRef(xsd + "integer"))))
    hits = _shapes_hit(graph)
    assert ("pgsh:Mention-begin", "Violation") in hits
    assert ("pgsh:Assembly-ordinal", "Violation") in hits
    graph = _copy(seed_graph)  # a derived integer type is refused: stores would not keep it
    graph.set((assembly, PG.ordinal, Literal(4, datatype=URIRef(xsd + "positiveInteger"))))
    assert ("pgsh:Assembly-ordinal", "Violation") in _shapes_hit(graph)


def test_tenure_needs_exactly_one_member_and_at_most_one_org(seed_graph):
    graph = _copy(seed_graph)
    tenure = next(graph.subjects(RDF.type, PG.Tenure))
    graph.remove((tenure, ORG.member, None))
    graph.add((tenure, ORG.organization, URIRef("https://w3id.org/pgkg/id/org/quoosc-hooji")))
    hits = _shapes_hit(graph)
    assert ("pgsh:Tenure-member", "Violation") in hits
    assert ("pgsh:Tenure-organization", "Violation") in hits


def test_entity_needs_a_vietnamese_label(seed_graph):
    graph = _copy(seed_graph)
    person = URIRef("https://w3id.org/pgkg/id/person/laji-xuaan-laam")
    graph.remove((person, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None))
    graph.add((person, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Lai Xuan Lam", lang="en")))
    assert ("pgsh:Label", "Violation") in _shapes_hit(graph)


def test_blank_node_entity_is_a_violation(seed_graph):
    graph = _copy(seed_graph)
    graph.add((BNode("p"), RDF.type, PG.Person))
    assert ("pgsh:EntityShape", "Violation") in _shapes_hit(graph)


def test_role_outside_the_role_scheme_is_a_violation(seed_graph):
    graph = _copy(seed_graph)
    tenure = next(graph.subjects(RDF.type, PG.Tenure))
    graph.set((tenure, ORG.role, URIRef("https://w3id.org/pgkg/vocab/doctype/resolution")))
    assert ("pgsh:Tenure-role", "Violation") in _shapes_hit(graph)


def test_meeting_ending_before_it_starts_warns(seed_graph):
    graph = _copy(seed_graph)
    meeting = next(graph.subjects(RDF.type, PG.Meeting))
    graph.add((meeting, URIRef("http://schema.org/endDate"), Literal(date(2021, 1, 5))))
    assert ("pgsh:Meeting-dateOrder", "Warning") in _shapes_hit(graph)


def test_term_pattern_and_year_order(seed_graph):
    hits = _shapes_hit(seed_graph)
    assert ("pgsh:Term-yearOrder", "Warning") in hits
    assert not any(shape == "pgsh:Term-notation" for shape, _ in hits)
    assert re.fullmatch(r"[0-9]{4}-[0-9]{4}", "2021-2016")
