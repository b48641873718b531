"""Per-article attestations: a tenure (person, post) is shared by the corpus, each article adds its
own dated attestation, so the union of any number of valid articles stays valid."""

from __future__ import annotations

from rdflib import Graph, URIRef

from kg.namespaces import ORG, PG, PROV
from kg.pipeline import export_text
from kg.validate import validate

TOPICS = ["tổng kết công tác tuyên giáo năm", "sơ kết công tác sáu tháng đầu năm", "quán triệt nghị quyết",
          "triển khai nhiệm vụ trọng tâm", "góp ý dự thảo văn kiện", "tập huấn nghiệp vụ báo chí"]

# Our own sentences in the genre; the same two people and posts in every article, on other days.
ARTICLE = """---
title: Hội nghị {topic} số {n}
published: 2024-{month:02d}-{day:02d}
url: https://example.org/tin/{n}
---
Ngày {day}/{month}/2024, tại Hà Nội, Ban Tuyên giáo Trung ương tổ chức Hội nghị {topic}.
Đồng chí Trần Văn Khải, Ủy viên Trung ương Đảng, Phó Trưởng Ban Tuyên giáo Trung ương chủ trì hội nghị.
Dự hội nghị có đồng chí Lê Thị Hạnh, Phó Bí thư Tỉnh ủy Nam Định.
"""


def articles(n: int) -> list:
    return [export_text(ARTICLE.format(n=i, topic=TOPICS[i % len(TOPICS)], month=1 + i % 12, day=1 + i % 27),
                        f"tin-{i}.txt") for i in range(n)]


def union(exports) -> Graph:
    graph = Graph()
    for item in exports:
        for triple in item.graph:
            graph.add(triple)
    return graph


def test_a_union_of_24_articles_about_the_same_people_validates():
    exports = articles(24)
    assert all(item.report.accepted for item in exports)
    graph = union(exports)
    report = validate(graph)
    assert [r for r in report.results if r.severity == "Violation"] == []


def test_each_article_attests_the_shared_tenure_with_its_own_date():
    exports = articles(6)
    graph = union(exports)
    khai = URIRef("https://w3id.org/pgkg/id/person/traafn-vawn-khari")
    tenures = [t for t in graph.subjects(ORG.member, khai)
               if graph.value(t, ORG.organization) == URIRef("https://w3id.org/pgkg/id/org/ban-tuyeen-giaso-trung-uwowng")]
    assert len(tenures) == 1  # one tenure for the corpus
    attestations = sorted(graph.subjects(PG.attests, tenures[0]))
    assert len(attestations) == 6  # one per article
    assert len({graph.value(a, PG.attestedOn) for a in attestations}) == 6
    assert {graph.value(a, PROV.wasDerivedFrom) for a in attestations} == {URIRef(e.article_iri) for e in exports}
    assert graph.value(tenures[0], PG.attestedOn) is None


def test_a_date_on_the_shared_tenure_is_refused():
    graph = union(articles(1))
    tenure = next(graph.subjects(predicate=None, object=PG.Tenure))
    attestation = next(graph.subjects(PG.attests, tenure))
    graph.add((tenure, PG.attestedOn, graph.value(attestation, PG.attestedOn)))
    assert any(r.shape == "pgsh:Tenure-attestedOn" and r.severity == "Violation" for r in validate(graph).results)


def test_two_people_in_a_single_holder_post_on_one_day_are_reported_not_fatal():
    """Union-level check: Bí thư of one Tỉnh ủy held by two people on one day is a Warning."""
    text = """---
published: 2024-03-04
url: https://example.org/tin/{n}
---
Ngày 4/3/2024, tại thành phố Nam Định, Tỉnh ủy Nam Định tổ chức Hội nghị sơ kết công tác quý I.
Đồng chí {who}, Bí thư Tỉnh ủy Nam Định chủ trì hội nghị.
"""
    exports = [export_text(text.format(n=n, who=who), f"b{n}.txt")
               for n, who in enumerate(("Vũ Đức Thành", "Ngô Văn Toàn"))]
    assert all(item.report.accepted for item in exports)  # each article alone is fine
    assert not [r for r in validate(union(exports)).results if r.shape == "pgsh:SingleHolderShape"]
    report = validate(union(exports), corpus=True)  # the corpus-level checks of shapes/corpus/
    hits = [r for r in report.results if r.shape == "pgsh:SingleHolderShape"]
    assert report.accepted and hits and {r.severity for r in hits} == {"Warning"}
    same_person = validate(union([exports[0], export_text(text.format(n=9, who="Vũ Đức Thành"), "c.txt")]),
                           corpus=True)
    assert not [r for r in same_person.results if r.shape == "pgsh:SingleHolderShape"]


def test_kg_validate_corpus_reports_the_conflict(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    text = ("---\npublished: 2024-03-04\nurl: https://example.org/v/{n}\n---\n"
            "Ngày 4/3/2024, tại thành phố Nam Định, Tỉnh ủy Nam Định tổ chức Hội nghị sơ kết công tác quý I.\n"
            "Đồng chí {who}, Bí thư Tỉnh ủy Nam Định chủ trì hội nghị.\n")
    paths = []
    for n, who in enumerate(("Vũ Đức Thành", "Ngô Văn Toàn")):
        paths.append(tmp_path / f"v{n}.txt")
        paths[-1].write_text(text.format(n=n, who=who), encoding="utf-8")
    dump = tmp_path / "dump.nq"
    assert CliRunner().invoke(main, ["export", "-q", *map(str, paths), "-o", str(dump)]).exit_code == 0
    plain = CliRunner().invoke(main, ["validate", str(dump)])
    assert plain.exit_code == 0 and "SingleHolder" not in plain.stdout
    checked = CliRunner().invoke(main, ["validate", str(dump), "--corpus"])
    assert checked.exit_code == 0 and "pgsh:SingleHolderShape" in checked.stdout  # reported, not fatal
    assert CliRunner().invoke(main, ["validate", str(dump), "--corpus", "--strict"]).exit_code == 1
