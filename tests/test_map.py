"""kg.map: extraction → the article's named graph, following the RDF contract."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from rdflib import RDF, RDFS, BNode, Literal, URIRef

from kg.errors import KgError
from kg.iri import graph_iri, short_hash, slug
from kg.map import fold, role_concept, to_dataset, to_graph
from kg.model import Article, Extraction, Holding, Meeting, Organization, Person, Span
from kg.namespaces import ELI, GAF, NIF, ORG, PG, PGDOC, PGPART, PGROLE, PROV, SCHEMA, SKOS

XSD = "http://www.w3.org/2001/XMLSchema#"  # a str: pytest trips over rdflib's closed XSD namespace
ENTITY_CLASSES = (PG.Person, PG.Organization, PG.Term, PG.Document, PG.Assembly, PG.Meeting, PG.Place)
RELATION_CLASSES = (PG.Tenure, PG.Post, PG.Participation)


def article_node(graph):
    return next(graph.subjects(RDF.type, SCHEMA.NewsArticle))


def test_graph_identifier_is_the_article_graph(seed_graph, seed_article):
    article_id = str(article_node(seed_graph)).rsplit("/", 1)[-1]
    assert str(seed_graph.identifier) == graph_iri(article_id)
    # The seed has no url and no front-matter id: its path below the project root names it.
    assert seed_article.identity == "path:data/articles/seed.txt"
    assert article_id == short_hash("path:data/articles/seed.txt")


def test_no_blank_nodes(seed_graph):
    for triple in seed_graph:
        assert not any(isinstance(term, BNode) for term in triple), triple


def test_article_node(seed_graph, seed_article):
    node = article_node(seed_graph)
    assert (node, RDF.type, NIF.Context) in seed_graph
    assert seed_graph.value(node, NIF.isString) == Literal(seed_article.text)
    assert seed_graph.value(node, SCHEMA.inLanguage) == Literal("vi")
    assert seed_graph.value(node, RDFS.label).language == "vi"


def test_article_metadata_from_front_matter(seed_extraction):
    article = dataclasses.replace(seed_extraction.article, title="Tổng kết công tác tuyên giáo",
                                  published=date(2021, 1, 7), url="https://example.org/tin/1",
                                  author="Hiền Nguyễn", source="Báo mẫu")
    graph = to_graph(dataclasses.replace(seed_extraction, article=article))
    node = article_node(graph)
    assert graph.value(node, SCHEMA.headline) == Literal("Tổng kết công tác tuyên giáo", lang="vi")
    assert graph.value(node, SCHEMA.datePublished) == Literal(date(2021, 1, 7))
    assert graph.value(node, SCHEMA.url) == URIRef("https://example.org/tin/1")
    assert str(graph.value(node, SCHEMA.author)) == "Hiền Nguyễn"


def test_every_entity_is_labelled_derived_and_evidenced(seed_graph):
    article = article_node(seed_graph)
    for cls in ENTITY_CLASSES + RELATION_CLASSES:
        nodes = set(seed_graph.subjects(RDF.type, cls))
        assert nodes, cls
        for node in nodes:
            labels = [lab for lab in seed_graph.objects(node, RDFS.label) if lab.language == "vi"]
            assert len(labels) == 1, node
            assert (node, PROV.wasDerivedFrom, article) in seed_graph
            assert list(seed_graph.objects(node, GAF.denotedBy)), node
            if cls in ENTITY_CLASSES:
                assert (article, SCHEMA.mentions, node) in seed_graph


def test_mentions_quote_the_text(seed_graph, seed_article):
    article = article_node(seed_graph)
    mentions = set(seed_graph.subjects(RDF.type, NIF.String))
    assert len(mentions) > 30
    for m in mentions:
        begin = int(seed_graph.value(m, NIF.beginIndex))
        end = int(seed_graph.value(m, NIF.endIndex))
        assert str(m) == f"{article}#char={begin},{end}"
        assert str(seed_graph.value(m, NIF.anchorOf)) == seed_article.text[begin:end]
        assert seed_graph.value(m, NIF.referenceContext) == article
        assert seed_graph.value(m, NIF.beginIndex).datatype == URIRef(XSD + "integer")


def test_tenure_and_post(seed_graph):
    lam = URIRef("https://w3id.org/pgkg/id/person/laji-xuaan-laam")
    (tenure,) = seed_graph.subjects(ORG.member, lam)
    assert seed_graph.value(tenure, ORG.role) == PGROLE["pho-bi-thu"]
    post = seed_graph.value(tenure, PG.post)
    assert str(post) == "https://w3id.org/pgkg/id/post/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng/pho-bi-thu"
    assert (lam, ORG.holds, post) in seed_graph
    assert seed_graph.value(post, ORG.postIn) == seed_graph.value(tenure, ORG.organization)
    # The only meeting is dated, so this article attests the tenure on that day; the date belongs to
    # the article's attestation, the tenure itself is shared by every article that shows it.
    (attestation,) = seed_graph.subjects(PG.attests, tenure)
    assert seed_graph.value(attestation, PG.attestedOn) == Literal(date(2021, 1, 6))
    assert seed_graph.value(attestation, PG.statedAs) == URIRef("https://w3id.org/pgkg/vocab/statement/current")
    assert seed_graph.value(attestation, PROV.wasDerivedFrom) == seed_graph.value(tenure, PROV.wasDerivedFrom)
    assert seed_graph.value(tenure, PG.attestedOn) is None
    evidence = seed_graph.value(tenure, GAF.denotedBy)
    assert str(seed_graph.value(evidence, NIF.anchorOf)) == "Phó Bí thư Đảng ủy Khối Lại Xuân Lâm"


def test_tenure_iri_is_the_same_in_two_articles(seed_extraction):
    other = dataclasses.replace(seed_extraction.article, url="https://example.org/another")
    first = to_graph(seed_extraction)
    second = to_graph(dataclasses.replace(seed_extraction, article=other))
    assert first.identifier != second.identifier
    assert set(first.subjects(RDF.type, PG.Tenure)) == set(second.subjects(RDF.type, PG.Tenure))
    assert set(first.subjects(RDF.type, PG.Post)) == set(second.subjects(RDF.type, PG.Post))


def _tiny(role: str, *, published=None, meetings=()) -> Extraction:
    text = f"{role} Nguyễn Văn An nói."
    article = Article(path="tiny.txt", text=text, published=published, content_hash="ab" * 32)
    person = Person("person:nguyeexn-vawn-an", "Nguyễn Văn An", [Span(len(role) + 1, len(role) + 14, "Nguyễn Văn An")])
    return Extraction(article=article, people=[person], meetings=list(meetings),
                      holdings=[Holding("person:nguyeexn-vawn-an", role, None, Span(0, len(text) - 5, text[:-5]))])


@pytest.mark.parametrize("written, concept", [
    ("Phó Bí thư", "pho-bi-thu"), ("phó bí thư", "pho-bi-thu"), ("Trưởng ban", "truong-ban"),
    ("Uỷ viên", "uy-vien"), ("Ủy viên Ban Thường vụ", "uy-vien-ban-thuong-vu"),
    ("Thủ tướng Chính phủ", "thu-tuong"),
])
def test_role_words_match_the_vocabulary(written, concept):
    assert role_concept(written) == PGROLE[concept]


def test_fold_is_nfc_case_and_tone_placement_insensitive():
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Uỷ  viên")) == fold("ủy viên")
    assert fold("Hoà") == fold("hòa")


def test_unknown_role_is_minted_with_its_label():
    graph = to_graph(_tiny("Trưởng Tiểu ban"))
    concept = PGROLE[slug("Trưởng Tiểu ban")]  # minted like any name: every diacritic kept
    assert graph.value(concept, SKOS.prefLabel) == Literal("Trưởng Tiểu ban", lang="vi")
    assert (concept, SKOS.inScheme, URIRef(PGROLE)) in graph
    assert (concept, RDF.type, SKOS.Concept) in graph


def test_attested_on_falls_back_to_published_or_is_omitted():
    assert not list(to_graph(_tiny("Bí thư")).objects(None, PG.attestedOn))
    graph = to_graph(_tiny("Bí thư", published=date(2024, 5, 3)))
    assert list(graph.objects(None, PG.attestedOn)) == [Literal(date(2024, 5, 3))]
    two = [Meeting("meeting:a", "Hội nghị A", date(2024, 5, 1)), Meeting("meeting:b", "Hội nghị B", date(2024, 5, 2))]
    graph = to_graph(_tiny("Bí thư", published=date(2024, 5, 3), meetings=two))
    assert list(graph.objects(None, PG.attestedOn)) == [Literal(date(2024, 5, 3))]


def test_standalone_post_has_no_organization():
    graph = to_graph(_tiny("Thủ tướng"))
    (tenure,) = graph.subjects(RDF.type, PG.Tenure)
    assert graph.value(tenure, ORG.organization) is None
    assert str(graph.value(tenure, PG.post)) == "https://w3id.org/pgkg/id/post/thu-tuong"


def test_terms_keep_years_as_written(seed_graph):
    term = URIRef("https://w3id.org/pgkg/id/term/hooji-ddoofng-nhaan-daan/2021-2016")
    assert seed_graph.value(term, PG.startYear) == Literal(2021, datatype=URIRef(XSD + "integer"))
    assert seed_graph.value(term, PG.endYear) == Literal(2016, datatype=URIRef(XSD + "integer"))
    assert str(seed_graph.value(term, SKOS.notation)) == "2021-2016"
    xii = URIRef("https://w3id.org/pgkg/id/term/ban-chaasp-hafnh-trung-uwowng/xii")
    assert seed_graph.value(xii, PG.termNumber) == Literal(12, datatype=URIRef(XSD + "integer"))


def test_documents_and_their_types(seed_graph):
    doc = URIRef("https://w3id.org/pgkg/id/document/08-qddi-tw")
    assert str(seed_graph.value(doc, ELI.id_local)) == "08-QĐi/TW"
    assert seed_graph.value(doc, ELI.type_document) == PGDOC.regulation
    # the concept is copied with its labels, so the file answers the CQs on its own
    assert Literal("Regulation", lang="en") in set(seed_graph.objects(PGDOC.regulation, SKOS.prefLabel))
    assert (PGDOC.regulation, SKOS.inScheme, URIRef(PGDOC)) in seed_graph
    assert str(seed_graph.value(PGDOC.regulation, SKOS.notation)) == "QĐi"


def test_meeting(seed_graph):
    (meeting,) = seed_graph.subjects(RDF.type, PG.Meeting)
    assert seed_graph.value(meeting, SCHEMA.startDate) == Literal(date(2021, 1, 6))
    assert str(seed_graph.value(meeting, SCHEMA.location)) == "https://w3id.org/pgkg/id/place/haf-nooji"
    assert (meeting, SCHEMA.about, URIRef("https://w3id.org/pgkg/id/document/35-nq-tw")) in seed_graph
    roles = set(seed_graph.objects(None, PG.participationRole))
    assert roles == {PGPART.report, PGPART.speech}
    assert str(seed_graph.value(PGPART.speech, SKOS.notation)) == "speech"


def test_organizations_typed_with_class_and_generic(seed_graph):
    btg = URIRef("https://w3id.org/pgkg/id/org/ban-tuyeen-giaso-ddarng-ury-khoosi-casc-cow-quan-trung-uwowng")
    assert {PG.Organization, PG.Commission} <= set(seed_graph.objects(btg, RDF.type))
    assert str(seed_graph.value(btg, ORG.subOrganizationOf)).endswith("/org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng")
    party = URIRef("https://w3id.org/pgkg/id/org/ddarng-coojng-sarn-vieejt-nam")
    assert (party, RDF.type, PG.PoliticalParty) in seed_graph


def test_unknown_category_falls_back_to_organization():
    text = "Công ty Mẫu họp."
    article = Article(path="x.txt", text=text, content_hash="cd" * 32)
    org = Organization("org:coong-ty-maaxu", "Công ty Mẫu", category="company", mentions=[Span(0, 11, text[:11])])
    graph = to_graph(Extraction(article=article, organizations=[org]))
    assert set(graph.objects(URIRef("https://w3id.org/pgkg/id/org/coong-ty-maaxu"), RDF.type)) == {PG.Organization}


def test_base_is_configurable(seed_extraction):
    graph = to_graph(seed_extraction, base="http://example.org/kg")
    assert str(graph.identifier).startswith("http://example.org/kg/graph/")
    persons = set(graph.subjects(RDF.type, PG.Person))
    assert all(str(p).startswith("http://example.org/kg/id/person/") for p in persons)


def test_bad_key_is_a_clear_error():
    article = Article(path="bad.txt", text="x", content_hash="ef" * 32)
    with pytest.raises(KgError, match="bad.txt"):
        to_graph(Extraction(article=article, people=[Person("nobody", "X")]))


def test_dataset_has_one_named_graph_per_article(seed_extraction):
    other = dataclasses.replace(seed_extraction.article, url="https://example.org/another")
    dataset = to_dataset([seed_extraction, dataclasses.replace(seed_extraction, article=other)])
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert len(names) == 2
    assert all(n.startswith("https://w3id.org/pgkg/graph/") for n in names)


def test_post_labels_write_a_shared_word_once():
    from kg.map import post_label

    assert post_label("Trưởng Ban", "Ban Tuyên giáo Trung ương") == "Trưởng Ban Tuyên giáo Trung ương"
    assert post_label("Phó Trưởng Ban Thường trực", "Ban Dân vận Tỉnh ủy Cà Mau") == \
        "Phó Trưởng Ban Thường trực Ban Dân vận Tỉnh ủy Cà Mau"  # "Thường trực" ≠ "Ban": both kept
    assert post_label("Chủ tịch", "Ủy ban nhân dân tỉnh Lạng Sơn") == "Chủ tịch Ủy ban nhân dân tỉnh Lạng Sơn"
    assert post_label("Chánh Văn phòng", "Văn phòng Trung ương Đảng") == "Chánh Văn phòng Trung ương Đảng"
    assert post_label("Ủy viên", "Ban") == "Ủy viên Ban"  # a one-word body keeps its name
    assert post_label("Tổng Bí thư", None) == "Tổng Bí thư"
