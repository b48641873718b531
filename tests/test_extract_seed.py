"""The seed article's expected answers (issue 2), straight from kg.extract."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from conftest import read_seed
from extract_helpers import check_spans, holdings, names

from kg.extract import extract, warm_up


@pytest.fixture(scope="module")
def x():
    result = extract(read_seed())
    check_spans(result)
    return result


def test_people_and_posts(x):
    assert holdings(x) == {
        ("Nguyễn Minh Chung", "Trưởng Ban", "Ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương"),
        ("Lại Xuân Lâm", "Phó Bí thư", "Đảng ủy Khối các cơ quan Trung ương"),
    }
    assert {p.name for p in x.people} == {"Nguyễn Minh Chung", "Lại Xuân Lâm"}
    lam = next(p for p in x.people if p.name == "Lại Xuân Lâm")
    assert len(lam.mentions) == 3


def test_documents(x):
    n = names(x)
    got = {d.number: (d.doc_type, n.get(d.issuer)) for d in x.documents}
    assert got == {
        "05-CT/TW": ("Directive", "Bộ Chính trị"), "45-CT/TW": ("Directive", "Bộ Chính trị"),
        "35-NQ/TW": ("Resolution", "Bộ Chính trị"),
        "101-QĐ/TW": ("Regulation", "Ban Chấp hành Trung ương"),
        "55-QĐ/TW": ("Regulation", "Ban Chấp hành Trung ương"),
        "08-QĐi/TW": ("Regulation", "Ban Chấp hành Trung ương"),
    }
    nq35 = next(d for d in x.documents if d.number == "35-NQ/TW")
    assert nq35.title.startswith("Tăng cường bảo vệ nền tảng tư tưởng của Đảng")


def test_meeting_and_roles(x):
    n = names(x)
    (m,) = x.meetings
    assert m.name == "Hội nghị tổng kết công tác tuyên giáo năm 2020, triển khai nhiệm vụ năm 2021"
    assert (m.date, n[m.place], n[m.organizer]) == (date(2021, 1, 6), "Hà Nội", "Đảng ủy Khối các cơ quan Trung ương")
    assert {(n[p.person], p.role) for p in x.participations} == {("Nguyễn Minh Chung", "report"),
                                                                 ("Lại Xuân Lâm", "speech")}
    assert "doc:35-nq-tw" in {r.document for r in x.references}


def test_assemblies(x):
    n = names(x)
    terms = {t.key: t.label for t in x.terms}
    got = {(a.kind, a.ordinal, n.get(a.body), terms.get(a.term)) for a in x.assemblies}
    dbk = "Đảng bộ Khối các cơ quan Trung ương"
    assert got == {
        ("Congress", 13, "Đảng Cộng sản Việt Nam", None), ("Congress", 13, dbk, None),
        ("Congress", 12, dbk, "2020-2025"),
        ("Plenum", 4, "Ban Chấp hành Trung ương", "XII"), ("Plenum", 12, "Ban Chấp hành Trung ương", "XII"),
        ("Plenum", 13, "Ban Chấp hành Trung ương", "XII"),
        ("Session", 9, "Quốc hội", "XIV"), ("Session", 10, "Quốc hội", "XIV"),
        ("Election", None, "Quốc hội", "XV"), ("Election", None, "Hội đồng nhân dân", "2021-2016"),
    }


def test_bodies_and_parents(x):
    orgs = {o.name: o for o in x.organizations}
    assert {"Bộ Chính trị", "Ban Bí thư", "Ban Chấp hành Trung ương", "Quốc hội", "Đảng Cộng sản Việt Nam"} <= set(orgs)
    assert orgs["Ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương"].parent == "org:ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"
    assert "Đảng ủy Khối" in orgs["Đảng ủy Khối các cơ quan Trung ương"].alt_names
    assert all(o.mentions for o in x.organizations)  # every body here is written in the text
    assert not {"Hà Nội", "Bộ Chính", "Tổ quốc", "Hội đồng"} & {p.name for p in x.people}


def test_output_is_stable_and_json_ready(x):
    again = extract(read_seed())
    assert json.dumps(again.to_dict(), ensure_ascii=False) == json.dumps(x.to_dict(), ensure_ascii=False)
    keys = [o.key for o in x.organizations]
    assert len(keys) == len(set(keys))


def test_speed_after_warm_up():
    warm_up()
    article = read_seed()
    extract(article)
    t0 = time.perf_counter()
    for _ in range(10):
        extract(article)
    per_article = (time.perf_counter() - t0) / 10
    assert per_article < 0.25  # ~12 ms here; generous bound for slow CI machines
