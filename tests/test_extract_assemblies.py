"""kg.extract.assemblies: congresses, plenums, sessions, elections, terms and ordinals."""

from __future__ import annotations

import pytest
from extract_helpers import names, run

from kg.extract.assemblies import parse_ordinal


def facts(x):
    n = names(x)
    terms = {t.key: t.label for t in x.terms}
    return {(a.kind, a.ordinal, n.get(a.body), terms.get(a.term)) for a in x.assemblies}


@pytest.mark.parametrize("text, value", [("XIII", 13), ("XIV", 14), ("IX", 9), ("12", 12), ("tám", 8),
                                         ("mười hai", 12), ("IIX", None), ("abc", None)])
def test_ordinals(text, value):
    assert parse_ordinal(text) == value


def test_congress_forms_are_one_assembly():
    x = run("Đảng bộ Khối Doanh nghiệp Trung ương chuẩn bị Đại hội lần thứ IV Đảng bộ Khối Doanh nghiệp Trung ương. "
            "Đại hội IV Đảng bộ Khối thành công. Tuyên truyền Đại hội đại biểu toàn quốc lần thứ XIII của Đảng "
            "và Đại hội XIII của Đảng.")
    assert facts(x) == {("Congress", 4, "Đảng bộ Khối Doanh nghiệp Trung ương", None),
                        ("Congress", 13, "Đảng Cộng sản Việt Nam", None)}
    party = next(a for a in x.assemblies if a.ordinal == 13)
    assert party.key == "assembly:ddarng-coojng-sarn-vieejt-nam/congress/13" and len(party.mentions) == 2


def test_congress_with_term_years():
    x = run("Đại hội III Đảng bộ tỉnh nhiệm kỳ 2020-2025 của tỉnh Kon Tum thành công.")
    assert facts(x) == {("Congress", 3, "Đảng bộ tỉnh Kon Tum", "2020-2025")}
    (term,) = x.terms
    assert (term.start_year, term.end_year) == (2020, 2025)


def test_plenums():
    x = run("Quán triệt Nghị quyết Hội nghị Trung ương 8 khóa XIII và các Hội nghị Ban Chấp hành Trung ương "
            "6, 7 (khóa XIII).")
    assert facts(x) == {("Plenum", n, "Ban Chấp hành Trung ương", "XIII") for n in (6, 7, 8)}


def test_provincial_plenum_words_and_bare_reference():
    x = run("Tại tỉnh Nghệ An, Hội nghị lần thứ 15 Ban Chấp hành Đảng bộ tỉnh khóa XIX khai mạc. "
            "Hội nghị Tỉnh ủy lần thứ 15 bàn nhiều nội dung. Hội nghị lần thứ mười lăm, khóa XIX bế mạc.")
    assert facts(x) == {("Plenum", 15, "Ban Chấp hành Đảng bộ tỉnh Nghệ An", "XIX")}
    assert len(x.assemblies[0].mentions) == 3


def test_sessions_and_body_term_from_the_article():
    x = run("Kỳ họp thứ 5, 6 Quốc hội khóa XV đã thành công. Ủy ban Kiểm tra Trung ương (khóa XIII) "
            "đã họp kỳ thứ 20. Kết quả Kỳ họp thứ 20 của Ủy ban được thông báo.")
    assert facts(x) == {("Session", 5, "Quốc hội", "XV"), ("Session", 6, "Quốc hội", "XV"),
                        ("Session", 20, "Ủy ban Kiểm tra Trung ương", "XIII")}


def test_elections_keep_years_as_written():
    x = run("Lãnh đạo cuộc bầu cử đại biểu Quốc hội khóa XVI và đại biểu Hội đồng nhân dân các cấp "
            "nhiệm kỳ 2026 - 2021.")
    assert facts(x) == {("Election", None, "Quốc hội", "XVI"), ("Election", None, "Hội đồng nhân dân", "2026-2021")}
    hdnd = next(t for t in x.terms if t.label == "2026-2021")
    assert (hdnd.start_year, hdnd.end_year) == (2026, 2021)


def test_no_assembly_without_ordinal_or_body():
    x = run("Đại hội đảng bộ các cấp và Hội nghị tổng kết năm đã diễn ra; Hội nghị Ban Tuyên giáo Trung ương 3.")
    assert x.assemblies == []


def test_bare_plenum_gives_its_term_and_an_earlier_one_is_of_the_same_body():
    x = run("Hội nghị Ban Chấp hành Đảng bộ tỉnh Hà Tĩnh lần thứ 25\n"
            "Ngày 11/12, Ban Chấp hành Đảng bộ tỉnh Hà Tĩnh tổ chức Hội nghị lần thứ 25, khóa XIX. "
            "Tại Hội nghị lần thứ 24 trước đó, tỉnh đã bàn nhiều nội dung.")
    terms = {t.key: t.label for t in x.terms}
    got = {(a.kind, a.ordinal, terms.get(a.term)) for a in x.assemblies}
    assert got == {("Plenum", 25, "XIX"), ("Plenum", 24, "XIX")}
    assert {a.body for a in x.assemblies} == {"org:ban-chaasp-hafnh-ddarng-booj-tirnh-haf-tixnh"}


def test_congress_of_a_provincial_youth_union_written_lan_without_thu():
    x = run("Ngày 5-9, Đại hội đại biểu Đoàn TNCS Hồ Chí Minh tỉnh Lào Cai lần 14 (nhiệm kỳ 2022-2027) bế mạc.")
    assert facts(x) == {("Congress", 14, "Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh Lào Cai", "2022-2027")}


def test_congress_ordinal_written_as_khoa_after_the_holder():
    x = run("Đại hội đại biểu Đảng bộ tỉnh Kon Tum khóa XV (nhiệm kỳ 2015-2020) đã bế mạc.")
    assert facts(x) == {("Congress", 15, "Đảng bộ tỉnh Kon Tum", "2015-2020")}


def test_congress_holder_missing_from_the_gazetteer_is_read_to_the_ordinal():
    x = run("Các nhiệm vụ mà Đại hội Đảng bộ Học viện Kỹ thuật Mật mã lần thứ 7 đề ra đã hoàn thành.")
    assert facts(x) == {("Congress", 7, "Đảng bộ Học viện Kỹ thuật Mật mã", None)}


def test_congress_holder_written_before_to_chuc():
    x = run("Ngày 12 và 13-5, Đảng bộ Trường Cao đẳng Nghề Sông Lam tổ chức Đại hội đại biểu lần thứ IX, "
            "nhiệm kỳ 2020 - 2025.")
    assert facts(x) == {("Congress", 9, "Đảng bộ Trường Cao đẳng Nghề Sông Lam", "2020-2025")}


def test_generic_congresses_are_not_read_as_a_holder():
    x = run("Chuẩn bị tốt Đại hội Đảng bộ các cấp lần thứ nhất. Ông Lê Văn Tám chúc Đại hội thành công.")
    assert [a for a in x.assemblies if a.kind == "Congress" and a.body] == []


def test_session_holder_after_a_bracket_and_before_tien_hanh():
    x = run("Tại kỳ họp thứ tám (từ 3 đến 5/6), Ủy ban Kiểm tra Trung ương đã xem xét nhiều nội dung. "
            "Sáng 2/4, HĐND tỉnh khóa XI, nhiệm kỳ 2021 - 2026 tiến hành Kỳ họp thứ 19 để quyết định dự án.")
    got = facts(x)
    assert ("Session", 8, "Ủy ban Kiểm tra Trung ương", None) in got
    assert any(k == "Session" and o == 19 and b.startswith("Hội đồng nhân dân tỉnh") and t in ("XI", "2021-2026")
               for k, o, b, t in got)


def test_session_written_hop_ky_without_thu():
    x = run("Trước đó, Ủy ban Kiểm tra Trung ương họp kỳ 31 xem xét kỷ luật.")
    assert facts(x) == {("Session", 31, "Ủy ban Kiểm tra Trung ương", None)}


def test_plenum_of_a_bare_executive_committee_belongs_to_the_organiser():
    x = run("Sáng 3/7, Hội Nông dân tỉnh Quảng Trị tổ chức Hội nghị lần thứ 9 Ban Chấp hành khóa X để kiện toàn nhân sự.")
    assert facts(x) == {("Plenum", 9, "Ban Chấp hành Hội Nông dân tỉnh Quảng Trị", "X")}


def test_plenum_convened_by_a_standing_committee_is_its_committees():
    x = run("Ban Thường vụ Tỉnh ủy Gia Lai tổ chức Hội nghị lần thứ 3 Ban Chấp hành mở rộng.")
    assert facts(x) == {("Plenum", 3, "Ban Chấp hành Đảng bộ tỉnh Gia Lai", None)}


def test_evidence_of_a_plenum_stops_at_its_term():
    x = run("Hội nghị lần thứ 8 Ban Chấp hành Đảng bộ tỉnh Gia Lai khoá XI \n\nNgày 5/3, hội nghị bế mạc.")
    (plenum,) = x.assemblies
    assert plenum.mentions[0].text.endswith("khoá XI")


def test_a_holder_written_with_a_place_abbreviation_takes_the_places_name():
    x = run("Các mục tiêu mà Đại hội Đảng bộ TPHCM lần thứ 11 đề ra được triển khai tại TPHCM.")
    assert facts(x) == {("Congress", 11, "Đảng bộ Thành phố Hồ Chí Minh", None)}


def test_a_holder_named_with_cac_co_quan_is_one_body():
    x = run("Đại hội đại biểu Đảng bộ các cơ quan Đảng tỉnh Gia Lai lần thứ I, nhiệm kỳ 2025-2030 thành công.")
    (a,) = x.assemblies
    assert (a.kind, a.ordinal) == ("Congress", 1)
    assert names(x)[a.body].startswith("Đảng bộ các cơ quan Đảng tỉnh")
