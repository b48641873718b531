"""ontology/pg.ttl and the SKOS schemes in ontology/vocab/: metadata, alignments, labels, coverage."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from kg.map import role_concept
from kg.namespaces import DCTERMS, ELI, ORG, PG, PGDOC, PGORG, PGPART, PGROLE, SCHEMA, SKOS, TIME
from kg.resources import ontology_dir

ONTOLOGY = URIRef("https://w3id.org/pgkg/ontology")


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_dir() / "pg.ttl", format="turtle")


@pytest.fixture(scope="module")
def vocab() -> Graph:
    graph = Graph()
    for path in sorted((ontology_dir() / "vocab").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _langs(graph: Graph, node, prop) -> set[str]:
    return {v.language for v in graph.objects(node, prop) if isinstance(v, Literal)}


def test_ontology_header(onto):
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY, OWL.versionIRI) is not None
    assert _langs(onto, ONTOLOGY, DCTERMS.title) == {"vi", "en"}
    assert _langs(onto, ONTOLOGY, DCTERMS.description) == {"vi", "en"}
    assert isinstance(onto.value(ONTOLOGY, DCTERMS.license), URIRef)
    assert onto.value(ONTOLOGY, DCTERMS.creator) is not None


def test_size_is_small(onto):
    classes = set(onto.subjects(RDF.type, OWL.Class))
    props = set(onto.subjects(RDF.type, OWL.ObjectProperty)) | set(onto.subjects(RDF.type, OWL.DatatypeProperty))
    assert 15 <= len(classes) <= 30
    assert 8 <= len(props) <= 30


def test_every_term_labelled_commented_and_defined(onto):
    terms = {s for s in onto.subjects(RDF.type, None) if str(s).startswith(str(PG))}
    assert terms
    for term in terms:
        assert _langs(onto, term, RDFS.label) == {"vi", "en"}, term
        assert _langs(onto, term, RDFS.comment) == {"vi", "en"}, term
        assert (term, RDFS.isDefinedBy, ONTOLOGY) in onto, term


@pytest.mark.parametrize("cls, parent", [
    (PG.Organization, ORG.Organization), (PG.Commission, ORG.OrganizationalUnit), (PG.Post, ORG.Post),
    (PG.Tenure, ORG.Membership), (PG.Term, TIME.ProperInterval), (PG.Document, ELI.LegalResource),
    (PG.Person, SCHEMA.Person), (PG.Person, URIRef("http://xmlns.com/foaf/0.1/Person")),
    (PG.Event, SCHEMA.Event),
    (PG.Place, SCHEMA.Place), (PG.PoliticalParty, SCHEMA.PoliticalParty),
    (PG.Congress, PG.Assembly), (PG.Plenum, PG.Assembly), (PG.Session, PG.Assembly),
    (PG.Election, PG.Assembly), (PG.Assembly, PG.Event), (PG.Meeting, PG.Event),
])
def test_alignments(onto, cls, parent):
    assert (cls, RDFS.subClassOf, parent) in onto


def test_soft_alignments_use_close_match(onto):
    assert (PG.Document, SKOS.closeMatch, SCHEMA.Legislation) in onto
    assert not list(onto.objects(None, OWL.equivalentClass))


def test_every_pg_term_in_the_seed_graph_is_declared(onto, seed_graph):
    declared = {s for s in onto.subjects(RDF.type, None)}
    used = {p for p in seed_graph.predicates() if str(p).startswith(str(PG))}
    used |= {o for o in seed_graph.objects(None, RDF.type) if str(o).startswith(str(PG))}
    assert used and used <= declared, used - declared


def test_no_terms_minted_in_other_namespaces(onto):
    for subject in set(onto.subjects(RDF.type, None)):
        assert str(subject).startswith((str(PG), str(ONTOLOGY))), subject


# --- concept schemes ------------------------------------------------------------------

ROLE_WORDS = ["Phó Bí thư", "Trưởng Ban", "Ủy viên", "Thủ tướng", "Phó Trưởng Ban Thường trực", "Bí thư",
              "Tổng Bí thư", "Chủ tịch", "Phó Chủ tịch", "Chủ nhiệm", "Phó Chủ nhiệm", "Bộ trưởng", "Thứ trưởng",
              "Giám đốc", "Phó Giám đốc", "Hiệu trưởng", "Chánh Văn phòng", "Phó Bí thư Thường trực",
              "Ủy viên Ban Thường vụ", "Ủy viên dự khuyết", "Chủ tịch nước", "Chủ tịch Quốc hội", "Phó Trưởng Ban"]


@pytest.mark.parametrize("word", ROLE_WORDS)
def test_role_words_are_pref_labels(vocab, word):
    concept = role_concept(word)
    assert Literal(word, lang="vi") in set(vocab.objects(concept, SKOS.prefLabel))
    assert (concept, SKOS.inScheme, URIRef(PGROLE)) in vocab
    assert "en" in _langs(vocab, concept, SKOS.prefLabel)


def test_role_pref_labels_are_unique(vocab):
    labels = [str(v) for c in vocab.subjects(SKOS.inScheme, URIRef(PGROLE))
              for v in vocab.objects(c, SKOS.prefLabel) if v.language == "vi"]
    assert len(labels) == len(set(labels))


DOC_TYPES = {"Resolution": ("Nghị quyết", "NQ"), "Directive": ("Chỉ thị", "CT"), "Regulation": ("Quy định", "QĐi"),
             "Decision": ("Quyết định", "QĐ"), "Conclusion": ("Kết luận", "KL"), "Instruction": ("Hướng dẫn", "HD"),
             "Programme": ("Chương trình", "CTr"), "Scheme": ("Đề án", "ĐA"), "Plan": ("Kế hoạch", "KH"),
             "Notice": ("Thông báo", "TB"), "Report": ("Báo cáo", "BC"),
             # the State families the genre cites, and the Party's Thông tri (GUIDELINES convention 5)
             "Circular letter": ("Thông tri", "TT"), "Decree": ("Nghị định", "NĐ"), "Circular": ("Thông tư", "TT-B"),
             "Communiqué": ("Thông cáo", "TC"), "Law": ("Luật", "QH"), "Ordinance": ("Pháp lệnh", "PL"),
             "Official letter": ("Công văn", "CV"), "Submission": ("Tờ trình", "TTr"), "Dispatch": ("Công điện", "CĐ")}


def test_document_types(vocab):
    concepts = set(vocab.subjects(SKOS.inScheme, URIRef(PGDOC)))
    found = {}
    for c in concepts:
        labels = {v.language: str(v) for v in vocab.objects(c, SKOS.prefLabel)}
        found[labels["en"]] = (labels["vi"], str(vocab.value(c, SKOS.notation)))
    assert found == DOC_TYPES


def test_participation_roles(vocab):
    notations = {str(vocab.value(c, SKOS.notation)) for c in vocab.subjects(SKOS.inScheme, URIRef(PGPART))}
    assert notations == {"chair", "report", "speech", "attendee"}


def test_org_types_map_to_declared_classes(vocab, onto):
    categories = {"party", "party-committee", "party-organization", "leadership-body", "commission",
                  "inspection-commission", "state-body", "government", "mass-organization", "other"}
    concepts = set(vocab.subjects(SKOS.inScheme, URIRef(PGORG)))
    assert {str(vocab.value(c, SKOS.notation)) for c in concepts} == categories
    for c in concepts:
        assert (vocab.value(c, PG.mapsToClass), RDF.type, OWL.Class) in onto


def test_every_scheme_is_labelled_in_both_languages(vocab):
    for scheme in vocab.subjects(RDF.type, SKOS.ConceptScheme):
        assert _langs(vocab, scheme, SKOS.prefLabel) == {"vi", "en"}
        for concept in vocab.subjects(SKOS.inScheme, scheme):
            assert _langs(vocab, concept, SKOS.prefLabel) == {"vi", "en"}, concept
