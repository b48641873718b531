"""kg.extract.documents: state numbering, issuers written before or in lower case, plenum issuers."""

from __future__ import annotations

from extract_helpers import names, run


def docs(x) -> set[tuple]:
    n = names(x)
    return {(d.number, d.doc_type, n.get(d.issuer)) for d in x.documents}


def test_state_decision_and_government_resolution():
    x = run("Thực hiện Quyết định số 1234/QĐ-TTg của Thủ tướng Chính phủ và Nghị quyết số 01/NQ-CP của Chính phủ.")
    assert docs(x) == {("1234/QĐ-TTg", "Decision", None), ("01/NQ-CP", "Resolution", "Chính phủ")}


def test_decree_and_law_have_no_type_and_are_left_out():
    x = run("Chính phủ ban hành Nghị định số 15/2024/NĐ-CP; Quốc hội thông qua Luật số 55/2014/QH13.")
    assert docs(x) == set()


def test_national_assembly_resolution():
    x = run("Thành phố thực hiện Nghị quyết số 98/2023/QH15 của Quốc hội.")
    assert docs(x) == {("98/2023/QH15", "Resolution", "Quốc hội")}


def test_issuer_written_before_ban_hành():
    x = run("Thành ủy Đà Nẵng đã ban hành Chương trình hành động số 15-CTr/TU thực hiện Kết luận số 68-KL/TW "
            "của Bộ Chính trị.")
    assert docs(x) == {("15-CTr/TU", "Programme", "Thành ủy Đà Nẵng"), ("68-KL/TW", "Conclusion", "Bộ Chính trị")}


def test_state_office_does_not_issue_a_central_party_document():
    x = run("Văn phòng Chính phủ đã ban hành Thông báo kết luận số 10-TB/TW.")
    assert docs(x) == {("10-TB/TW", "Conclusion", None)}


def test_lower_case_issuer_of_three_words_or_more():
    x = run("Tổ chức đảng vi phạm Quy định số 22-QĐ/TW của ban chấp hành trung ương về công tác kiểm tra.")
    assert docs(x) == {("22-QĐ/TW", "Regulation", "Ban Chấp hành Trung ương")}


def test_plenum_as_issuer_with_a_dated_number():
    x = run("Tổng kết Nghị quyết số 18-NQ/TW, ngày 25/10/2017 của Hội nghị Trung ương 6 khóa XII về sắp xếp "
            "tổ chức bộ máy; Hướng dẫn 25-HD/BTGTW; Kế hoạch số 05-KH/ĐUK.")
    got = {(d.number, d.doc_type, names(x).get(d.issuer), d.date and d.date.isoformat()) for d in x.documents}
    assert got == {("18-NQ/TW", "Resolution", "Ban Chấp hành Trung ương", "2017-10-25"),
                   ("25-HD/BTGTW", "Instruction", None, None), ("05-KH/ĐUK", "Plan", None, None)}
    assert {(a.kind, a.ordinal) for a in x.assemblies} == {("Plenum", 6)}


def test_number_without_code_is_not_a_document():
    x = run("Thể chế hóa Nghị quyết 68 về phát triển kinh tế tư nhân.")
    assert x.documents == []


def test_code_inside_a_number_is_not_a_body():
    x = run("Tỉnh thực hiện Quyết định số 2157/QĐ-UBND của UBND tỉnh Thanh Hóa.")
    assert {o.name for o in x.organizations if o.mentions} == {"Ủy ban nhân dân tỉnh Thanh Hóa"}
    assert docs(x) == {("2157/QĐ-UBND", "Decision", "Ủy ban nhân dân tỉnh Thanh Hóa")}


def test_circular_is_left_out_but_a_party_instruction_coded_tt_is_kept():
    x = run("Bộ tham mưu ban hành Thông tư số 12/2024/TT-BNV; Ban Bí thư ban hành Thông tri số 05-TT/TW.")
    assert docs(x) == {("05-TT/TW", "Instruction", "Ban Bí thư")}
