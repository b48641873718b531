"""Exact identity: names that differ only in diacritics never share an IRI (issue 11, item 1).

IRIs are Telex slugs (kg.vietnamese.slug): every mark of the spelling survives. A check in
shapes/recommended.ttl reports a person whose label and mentions disagree.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kg import iri, vietnamese
from kg.namespaces import NIF, PG
from kg.pipeline import export_article
from kg.text import parse_article
from kg.validate import validate

# Given names and name parts of the genre that real people share up to diacritics. Each group
# is one diacritic-free spelling; the old ASCII slugs merged every group into one person.
NEAR_IDENTICAL = [
    ["Hùng", "Hưng", "Hừng", "Hứng"], ["Thanh", "Thành", "Thạnh", "Thảnh"], ["Tú", "Tư", "Tự", "Tứ", "Tủ"],
    ["An", "Ân", "Ấn"], ["Anh", "Ánh", "Ảnh"], ["Bình", "Bính"], ["Chung", "Chúng", "Chưng"],
    ["Dũng", "Dung", "Dụng"], ["Đông", "Đồng", "Động"], ["Hà", "Hạ", "Hả"], ["Hải", "Hai"],
    ["Hạnh", "Hành"], ["Hiền", "Hiển", "Hiến"], ["Hòa", "Hóa", "Họa"], ["Hoàng", "Hoằng"],
    ["Khánh", "Khanh"], ["Lâm", "Lam", "Lăm"], ["Lan", "Lân"], ["Linh", "Lĩnh", "Lịnh"],
    ["Minh", "Mính"], ["Nam", "Năm"], ["Nga", "Ngà", "Ngạ"], ["Phong", "Phóng", "Phòng"],
    ["Phúc", "Phục"], ["Phương", "Phượng", "Phưởng"], ["Quang", "Quảng", "Quáng"],
    ["Sơn", "Son"], ["Tâm", "Tầm", "Tấm"], ["Thắng", "Thăng", "Thặng"], ["Thu", "Thư", "Thứ", "Thủ"],
    ["Tiến", "Tiền", "Tiễn"], ["Trung", "Trúng", "Trùng"], ["Tuấn", "Tuân", "Tuần"],
    ["Vân", "Văn", "Vấn"], ["Việt", "Viết"], ["Vũ", "Vu", "Vụ"], ["Đức", "Dục", "Đúc"],
    ["Lê", "Lễ", "Lệ"], ["Lý", "Ly", "Lỵ"], ["Mai", "Mại", "Mãi"], ["Nguyễn", "Nguyên", "Nguyện"],
]


@pytest.mark.parametrize("group", NEAR_IDENTICAL, ids=lambda g: vietnamese.search_key(g[0]))
def test_names_that_differ_only_in_diacritics_get_different_iris(group):
    for full_names in ([f"Nguyễn Văn {name}" for name in group], [f"{name} Thị Mai" for name in group]):
        iris = {iri.key_to_iri("person:" + iri.slug(name)) for name in full_names}
        assert len(iris) == len(full_names)
        for a, b in combinations(full_names, 2):
            assert vietnamese.search_key(a) == vietnamese.search_key(b)  # the old slugs merged them


def test_one_name_in_both_tone_placements_and_any_case_is_one_iri():
    assert iri.slug("Trần Thị Thuỷ") == iri.slug("TRẦN THỊ THỦY") == iri.slug("Trần Thị Thủy")


def test_names_without_diacritics_keep_the_iris_they_had():
    assert iri.key_to_iri("person:" + iri.slug("Y Thanh Ha Nie Kdam")).endswith("/person/y-thanh-ha-nie-kdam")


ARTICLE = """---
title: Bộ Công Thương triển khai nhiệm vụ năm mới
published: 2026-01-12
url: https://example.org/tin/bo-cong-thuong-trien-khai
---
Sáng 12/1, tại Hà Nội, Bộ Công Thương tổ chức hội nghị triển khai nhiệm vụ năm 2026.
Đồng chí Nguyễn Văn Hùng, Bộ trưởng Bộ Công Thương chủ trì hội nghị.
Đồng chí Nguyễn Văn Hưng, Thứ trưởng Bộ Công Thương trình bày báo cáo tổng kết.
"""


def _people(graph) -> dict[str, set[str]]:
    """label → labels of the posts the person holds."""
    out: dict[str, set[str]] = {}
    for person in graph.subjects(RDF.type, PG.Person):
        posts = {str(graph.value(t, URIRef("http://www.w3.org/ns/org#role")))
                 for t in graph.subjects(URIRef("http://www.w3.org/ns/org#member"), person)}
        out[str(graph.value(person, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))] = posts
    return out


def test_a_minister_and_his_deputy_with_near_identical_names_stay_two_people(tmp_path):
    path = tmp_path / "bo.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = export_article(path)
    people = _people(result.graph)
    assert set(people) == {"Nguyễn Văn Hùng", "Nguyễn Văn Hưng"}
    assert [p.rsplit("/", 1)[1] for p in people["Nguyễn Văn Hùng"]] == ["bo-truong"]
    assert [p.rsplit("/", 1)[1] for p in people["Nguyễn Văn Hưng"]] == ["thu-truong"]
    assert not [r for r in validate(result.graph).results if r.shape == "pgsh:PersonMentionsShape"]


def test_a_person_whose_mention_disagrees_with_the_label_is_reported(tmp_path):
    graph = export_article(_write(tmp_path, ARTICLE)).graph
    hung = next(p for p in graph.subjects(RDF.type, PG.Person)
                if str(graph.value(p, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == "Nguyễn Văn Hùng")
    mention = next(graph.objects(hung, URIRef("http://groundedannotationframework.org/gaf#denotedBy")))
    graph.set((mention, NIF.anchorOf, Literal("Nguyễn Văn Hưng")))  # what a merge of the two looked like
    report = validate(graph)
    found = [r for r in report.results if r.shape == "pgsh:PersonMentionsShape"]
    assert [(r.severity, r.value) for r in found] == [("Warning", "Nguyễn Văn Hưng")]
    assert found[0].message_vi.startswith("Một lần nhắc tên không khớp")  # each language its own message
    assert found[0].message_en.startswith("A mention of this person does not agree")
    assert report.accepted  # reported, never fatal


def _write(tmp_path, text):
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_parse_article_is_what_export_reads():
    assert parse_article(ARTICLE, "x.txt").url == "https://example.org/tin/bo-cong-thuong-trien-khai"


def test_a_known_typo_inside_a_body_name_is_still_that_body(tmp_path):
    """Exact IRIs no longer hide a dropped tone: a known typo (misspellings.tsv) is corrected inside
    longer names too, so "Ủy ban Thương vụ Quốc hội" is the one Ủy ban Thường vụ Quốc hội."""
    from kg.extract import extract
    from kg.text import read_article

    text = ("Chiều 3/3, Ủy ban Thường vụ Quốc hội họp phiên thường kỳ. Sau phiên họp, Ủy ban Thương vụ "
            "Quốc hội cho ý kiến về dự án luật. Thương vụ Việt Nam tại Nhật Bản báo cáo tình hình xuất khẩu.")
    extraction = extract(read_article(_write(tmp_path, text)))
    names = {o.name: o.alt_names for o in extraction.organizations}
    assert names.get("Ủy ban Thường vụ Quốc hội") == ["Ủy ban Thương vụ Quốc hội"]
    assert not any("Thường vụ Việt Nam" in n for n in names)  # "Thương vụ" alone is a trade office
