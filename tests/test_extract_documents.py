"""kg.extract.documents: numbers, types by word or code, issuers, lists, terms, titles, dates."""

from __future__ import annotations

from datetime import date

from extract_helpers import names, run


def docs(x):
    n = names(x)
    return {d.number: (d.doc_type, n.get(d.issuer)) for d in x.documents}


def test_type_is_decided_by_the_word():
    x = run("Thực hiện Quy định số 101-QĐ/TW và Quyết định số 99-QĐ/TW của Ban Bí thư.")
    assert docs(x) == {"101-QĐ/TW": ("Regulation", "Ban Bí thư"), "99-QĐ/TW": ("Decision", "Ban Bí thư")}


def test_regulation_and_decision_with_one_number_are_two_documents():
    # "QĐ" serves both words, so the same number names two documents; a bare repeat keeps its word.
    x = run("Ban Bí thư ban hành Quy định số 40-QĐ/TW. Trước đó, Quyết định số 40-QĐ/TW đã được ban hành. "
            "Các cấp ủy cần quán triệt Quy định số 41-QĐ/TW; việc thực hiện 41-QĐ/TW được kiểm tra.")
    keys = {(d.number, d.doc_type): d.key for d in x.documents}
    assert keys[("40-QĐ/TW", "Regulation")] != keys[("40-QĐ/TW", "Decision")]
    assert [d.doc_type for d in x.documents if d.number == "41-QĐ/TW"] == ["Regulation"]


def test_type_falls_back_to_the_code():
    x = run("Các văn bản 08-QĐi/TW, 21-KL/TW, 12-HD/BTGTW, 3-TB/TW, 7-CTr/TU, 4-ĐA/TU, 9-KH/ĐUK, 2-BC/TW đã ban hành.")
    assert {k: v[0] for k, v in docs(x).items()} == {
        "08-QĐi/TW": "Regulation", "21-KL/TW": "Conclusion", "12-HD/BTGTW": "Instruction",
        "3-TB/TW": "Notice", "7-CTr/TU": "Programme", "4-ĐA/TU": "Scheme", "9-KH/ĐUK": "Plan",
        "2-BC/TW": "Report"}


def test_issuer_applies_to_a_list():
    x = run("Thực hiện Quy định số 11-QĐ/TW, Quy định số 22-QĐ/TW, Quy định số 33-QĐi/TW của Ban Chấp hành "
            "Trung ương về trách nhiệm nêu gương.")
    assert {v[1] for v in docs(x).values()} == {"Ban Chấp hành Trung ương"}


def test_issuer_term_title_and_date():
    x = run("Nghị quyết số 26-NQ/TW ngày 12-8-2021 của Ban Chấp hành Trung ương (khóa VIII) về "
            "“Xây dựng đội ngũ cán bộ” vẫn còn nguyên giá trị.")
    (d,) = x.documents
    assert d.key == "doc:26-nq-tw" and d.doc_type == "Resolution"
    assert d.date == date(2021, 8, 12)
    assert d.title == "Xây dựng đội ngũ cán bộ"
    term = next(t for t in x.terms if t.key == d.issuer_term)
    assert (term.label, term.number, term.body) == ("VIII", 8, "org:ban-chaasp-hafnh-trung-uwowng")


def test_provincial_numbers_are_keyed_with_their_issuer():
    x = run("Tại tỉnh Cà Mau, Nghị quyết số 06-NQ/TU của Tỉnh ủy được sơ kết. Nghị quyết số 06-NQ/TU đạt kết quả.")
    (d,) = x.documents
    assert d.key == "doc:06-nq-tu-tirnh-ury-caf-mau" and len(d.mentions) == 2
    assert d.issuer == "org:tirnh-ury-caf-mau"


def test_repeated_number_is_one_document():
    x = run("Chỉ thị số 05-CT/TW của Bộ Chính trị. Thực hiện Chỉ thị số 05-CT/TW nhiều năm.")
    (d,) = x.documents
    assert len(d.mentions) == 2 and d.mentions[0].text == "Chỉ thị số 05-CT/TW"


def test_resolution_of_a_plenum_is_issued_by_its_committee():
    x = run("Thực hiện Nghị quyết 18-NQ/TW của Hội nghị Trung ương 6 khóa XII về tinh gọn bộ máy.")
    (d,) = x.documents
    assert d.issuer == "org:ban-chaasp-hafnh-trung-uwowng"
    assert d.issuer_term == "term:ban-chaasp-hafnh-trung-uwowng/xii"


def test_stray_blank_beside_the_dash_is_dropped_from_the_number():
    x = run("Thực hiện Quy định số 57- QĐ/TW và Chỉ thị số 12 -CT/TW của Ban Bí thư.")
    assert docs(x) == {"57-QĐ/TW": ("Regulation", "Ban Bí thư"), "12-CT/TW": ("Directive", "Ban Bí thư")}
    assert "57- QĐ/TW" in {s.text[-9:] for d in x.documents for s in d.mentions}


def test_date_without_a_year_keeps_the_issuer():
    x = run("Thực hiện Quyết định số 123-QĐ/TW ngày 4/5 của Ban Bí thư về công tác cán bộ.")
    assert docs(x) == {"123-QĐ/TW": ("Decision", "Ban Bí thư")}


def test_short_reference_after_the_full_number_is_the_same_document():
    x = run("Huyện ủy quán triệt Chỉ thị số 05-CT/TW của Bộ Chính trị. Việc thực hiện Chỉ thị 05 được sơ kết.")
    assert docs(x) == {"05-CT/TW": ("Directive", "Bộ Chính trị")}
    assert len(x.documents[0].mentions) == 2


def test_short_reference_with_a_date_and_an_issuer():
    x = run("Kỳ họp sửa đổi Nghị quyết số 47 ngày 13/12/2019 của HĐND tỉnh về bảng giá đất.")
    assert docs(x) == {"47": ("Resolution", "Hội đồng nhân dân tỉnh")}
    assert x.documents[0].date == date(2019, 12, 13)


def test_short_references_of_two_types_are_two_documents():
    x = run("Triển khai Kế hoạch 03 của Ban Bí thư và Kết luận 03 của Bộ Chính trị.")
    assert {(d.doc_type, names(x)[d.issuer]) for d in x.documents} == {("Plan", "Ban Bí thư"),
                                                                      ("Conclusion", "Bộ Chính trị")}


def test_a_bare_number_listed_before_a_full_one_shares_its_code():
    x = run("Thực hiện Nghị quyết số 26, 27-NQ/TW của Ban Chấp hành Trung ương và các Quyết định số 12 và 13/QĐ-TTg.")
    assert docs(x) == {"26-NQ/TW": ("Resolution", "Ban Chấp hành Trung ương"),
                       "27-NQ/TW": ("Resolution", "Ban Chấp hành Trung ương"),
                       "12/QĐ-TTg": ("Decision", None), "13/QĐ-TTg": ("Decision", None)}


def test_title_written_before_the_issuer():
    x = run("Thực hiện Chỉ thị số 07-CT/TW ngày 15/5/2022 về “Tăng cường công tác dân vận” của Bộ Chính trị; "
            "Quyết định số 14-QĐ/TU “Về việc kiện toàn Ban Chỉ đạo” của Ban Thường vụ Tỉnh ủy.")
    got = {d.number: (d.doc_type, names(x).get(d.issuer), d.title) for d in x.documents}
    assert got["07-CT/TW"] == ("Directive", "Bộ Chính trị", "Tăng cường công tác dân vận")
    assert got["14-QĐ/TU"][2] == "Về việc kiện toàn Ban Chỉ đạo" and got["14-QĐ/TU"][1] is not None


def test_a_quoted_title_alone_gives_no_issuer():
    x = run("Tỉnh triển khai Kế hoạch số 21-KH/TU “Về chuyển đổi số”, các huyện thực hiện nghiêm.")
    assert docs(x) == {"21-KH/TU": ("Plan", None)}


def test_body_signed_for_issues_the_document():
    x = run("Thay mặt Bộ Chính trị, Tổng Bí thư Lê Văn Tâm đã ký ban hành Nghị quyết số 71-NQ/TW về giáo dục. "
            "Thay mặt Ban Thường vụ, ông Trần Văn Hải phát biểu; Tỉnh ủy ký kết Kế hoạch số 9-KH/TU.")
    assert docs(x)["71-NQ/TW"] == ("Resolution", "Bộ Chính trị")
    assert docs(x)["9-KH/TU"][1] != "Ban Thường vụ"
