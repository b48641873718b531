"""kg.extract.bodies: gazetteer names, abbreviations, short forms, compounds, provinces, parents."""

from __future__ import annotations

from extract_helpers import org_names, run


def test_gazetteer_names_and_default_parents():
    x = run("Bộ Chính trị và Ban Bí thư đã cho ý kiến.")
    orgs = {o.name: o for o in x.organizations}
    assert orgs["Bộ Chính trị"].parent == "org:ban-chaasp-hafnh-trung-uwowng"
    assert orgs["Ban Chấp hành Trung ương"].mentions == []  # a default parent, not written
    assert orgs["Ban Chấp hành Trung ương"].parent == "org:ddarng-coojng-sarn-vieejt-nam"


def test_abbreviations_expand():
    x = run("Đoàn công tác của UBKT TW làm việc với BCH TW và MTTQ Việt Nam.")
    assert {"Ủy ban Kiểm tra Trung ương", "Ban Chấp hành Trung ương", "Mặt trận Tổ quốc Việt Nam"} <= org_names(x)
    ubkt = next(o for o in x.organizations if o.name == "Ủy ban Kiểm tra Trung ương")
    assert ubkt.alt_names == ["UBKT TW"]


def test_short_form_defined_by_the_article():
    x = run("Đảng ủy Khối Doanh nghiệp Trung ương tổ chức hội nghị. Đảng ủy khối yêu cầu các đảng bộ.")
    org = next(o for o in x.organizations if o.name == "Đảng ủy Khối Doanh nghiệp Trung ương")
    assert [m.text for m in org.mentions] == ["Đảng ủy Khối Doanh nghiệp Trung ương", "Đảng ủy khối"]


def test_short_form_without_full_form_is_kept_as_written():
    x = run("Đảng ủy Khối yêu cầu các đảng bộ trực thuộc.")
    assert org_names(x) == {"Đảng ủy Khối"}


def test_compound_and_province_from_headline():
    x = run("Lạng Sơn: Sơ kết công tác\n\nBan Thường vụ Tỉnh ủy họp. Ban Dân vận Tỉnh ủy báo cáo.")
    orgs = {o.name: o for o in x.organizations}
    assert orgs["Ban Thường vụ Tỉnh ủy Lạng Sơn"].parent == "org:tirnh-ury-lajng-sown"
    assert orgs["Ban Dân vận Tỉnh ủy Lạng Sơn"].category == "commission"


def test_party_and_central_committee_only_after_cua():
    x = run("Thực hiện nghị quyết của Đảng và chỉ thị của Trung ương, cơ quan Trung ương triển khai.")
    assert org_names(x) == {"Đảng Cộng sản Việt Nam", "Ban Chấp hành Trung ương"}
    bch = next(o for o in x.organizations if o.name == "Ban Chấp hành Trung ương")
    assert len(bch.mentions) == 1


def test_plural_generic_units_are_not_bodies():
    x = run("Ban Tuyên giáo các huyện ủy và Ban Tổ chức các cấp tham dự.")
    assert x.organizations == []


def test_known_misspelling_and_old_tone_marks():
    x = run("Ủy viên Ban Chấp hành Trương và Uỷ ban Kiểm tra Trung ương khoá XII.")
    assert {"Ban Chấp hành Trung ương", "Ủy ban Kiểm tra Trung ương"} <= org_names(x)


def test_parent_stated_in_the_text():
    x = run("Đảng bộ Khối Doanh nghiệp Trung ương trực thuộc Ban Chấp hành Trung ương. "
            "Văn phòng Chính phủ thuộc Chính phủ.")
    orgs = {o.name: o for o in x.organizations}
    assert orgs["Đảng bộ Khối Doanh nghiệp Trung ương"].parent == "org:ban-chaasp-hafnh-trung-uwowng"
    assert orgs["Văn phòng Chính phủ"].parent == "org:chisnh-phur"
