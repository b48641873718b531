"""kg.extract.bodies: district and commune bodies, bodies named in a list, mass organisations."""

from __future__ import annotations

from extract_helpers import holdings, org_names, run


def test_district_body_then_its_short_form_in_a_compound():
    x = run("Ban Thường vụ Huyện ủy Châu Thành tổ chức hội nghị. Đồng chí Phạm Minh Tâm, "
            "Trưởng Ban Dân vận Huyện ủy báo cáo.")
    assert holdings(x) == {("Phạm Minh Tâm", "Trưởng Ban", "Ban Dân vận Huyện ủy Châu Thành")}
    assert "Huyện ủy" not in org_names(x)


def test_bare_district_body_naming_no_district_is_dropped():
    x = run("Các đồng chí trong Huyện ủy đã họp.")
    assert org_names(x) == set()


def test_commune_party_committee_and_organisation():
    x = run("Đảng bộ xã Minh Quang tổ chức đại hội. Đồng chí Ma Văn Thành, Bí thư Đảng ủy xã Minh Quang "
            "phát biểu.")
    assert holdings(x) == {("Ma Văn Thành", "Bí thư", "Đảng ủy xã Minh Quang")}
    assert {"Đảng bộ xã Minh Quang", "Đảng ủy xã Minh Quang"} <= org_names(x)


def test_bare_councils_in_a_list_take_the_place_that_ends_it():
    x = run("Tỉnh ủy, HĐND, UBND, Ủy ban MTTQ Việt Nam tỉnh Quảng Ninh tổ chức lễ kỷ niệm.")
    assert org_names(x) == {"Tỉnh ủy Quảng Ninh", "Hội đồng nhân dân tỉnh Quảng Ninh",
                            "Ủy ban nhân dân tỉnh Quảng Ninh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Ninh"}


def test_bare_council_outside_a_list_stays_generic():
    x = run("Cuộc bầu cử đại biểu Hội đồng nhân dân các cấp được chuẩn bị chu đáo.")
    assert "Hội đồng nhân dân" in org_names(x)


def test_provincial_mass_organisations_and_national_ones():
    x = run("Ban Tuyên giáo Tỉnh ủy Điện Biên phối hợp với Hội Cựu chiến binh tỉnh tổ chức tọa đàm. "
            "Hội Nông dân, Hội Liên hiệp Phụ nữ tham gia.")
    assert {"Hội Cựu chiến binh tỉnh Điện Biên", "Hội Nông dân Việt Nam",
            "Hội Liên hiệp Phụ nữ Việt Nam"} <= org_names(x)


def test_youth_union_central_committee_is_not_the_party_secretariat():
    x = run("Đồng chí Bùi Văn Huy, Bí thư Thứ nhất Trung ương Đoàn chủ trì. Thay mặt Ban Bí thư Trung ương "
            "Đoàn, đồng chí Nguyễn Tường Lam, Bí thư Trung ương Đoàn báo cáo.")
    youth = "Ban Chấp hành Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh"
    assert holdings(x) == {("Bùi Văn Huy", "Bí thư Thứ nhất", youth), ("Nguyễn Tường Lam", "Bí thư", youth)}
    assert "Ban Bí thư" not in org_names(x)


def test_army_party_committee_old_name_and_merged_commission():
    x = run("Đảng ủy Quân sự Trung ương và Ban Tuyên giáo và Dân vận Trung ương phối hợp.")
    assert org_names(x) >= {"Quân ủy Trung ương", "Ban Tuyên giáo và Dân vận Trung ương"}


def test_unknown_academy_is_not_resolved_to_the_known_one():
    x = run("Học viện Chính trị quốc gia Hồ Chí Minh và Học viện Báo chí phối hợp.")
    assert org_names(x) == {"Học viện Chính trị quốc gia Hồ Chí Minh"}


def test_district_body_without_a_name_takes_the_district_named_in_the_article():
    x = run("Ban Thường vụ Quận ủy Ba Đình họp. Đồng chí Lê Minh Anh, Phó Bí thư Quận ủy, Chủ tịch UBND quận "
            "báo cáo.")
    assert holdings(x) == {("Lê Minh Anh", "Phó Bí thư", "Quận ủy Ba Đình"),
                           ("Lê Minh Anh", "Chủ tịch", "Ủy ban nhân dân quận Ba Đình")}


def test_merged_provincial_commission_of_2025():
    x = run("Tại Huế, TS. Phan Thanh Long, Phó Trưởng Ban Tuyên giáo và Dân vận Thành ủy Huế trình bày chuyên đề.")
    assert holdings(x) == {("Phan Thanh Long", "Phó Trưởng Ban", "Ban Tuyên giáo và Dân vận Thành ủy Huế")}
