"""kg.extract.documents: state numbering, issuers written before or in lower case, plenum issuers."""

from __future__ import annotations

from extract_helpers import names, run


def docs(x) -> set[tuple]:
    n = names(x)
    return {(d.number, d.doc_type, n.get(d.issuer)) for d in x.documents}


def test_state_decision_and_government_resolution():
    # The Prime Minister signs for the Government (GUIDELINES convention 5 accepts "Chính phủ").
    x = run("Thực hiện Quyết định số 1234/QĐ-TTg của Thủ tướng Chính phủ và Nghị quyết số 01/NQ-CP của Chính phủ.")
    assert docs(x) == {("1234/QĐ-TTg", "Decision", "Chính phủ"), ("01/NQ-CP", "Resolution", "Chính phủ")}


def test_prime_ministers_decision_named_after_the_number():
    x = run("Theo Quyết định số 77/QĐ-TTg, Thủ tướng phê chuẩn kết quả bầu ông Lâm Văn Tòng. "
            "Ngày 3/4, Thủ tướng Chính phủ ký Quyết định số78/QĐ-TTg phê chuẩn kết quả bầu bổ sung.")
    assert docs(x) == {("77/QĐ-TTg", "Decision", "Chính phủ"), ("78/QĐ-TTg", "Decision", "Chính phủ")}


def test_code_names_no_issuer_when_the_sentence_does_not():
    x = run("Tỉnh đã rà soát việc thực hiện Quyết định số 79/QĐ-TTg về quy hoạch vùng.")
    assert docs(x) == {("79/QĐ-TTg", "Decision", None)}


def test_decree_law_and_circular_have_their_own_types():
    x = run("Chính phủ ban hành Nghị định số 15/2024/NĐ-CP; Quốc hội thông qua Luật số 55/2014/QH13; "
            "Bộ ban hành Thông tư 12/2024/TT-BNV.")
    assert docs(x) == {("15/2024/NĐ-CP", "Decree", "Chính phủ"), ("55/2014/QH13", "Law", None),
                       ("12/2024/TT-BNV", "Circular", None)}


def test_government_has_a_decree():
    x = run("Chính phủ đã có Nghị định 31/2022/NĐ-CP về hỗ trợ lãi suất.")
    assert docs(x) == {("31/2022/NĐ-CP", "Decree", "Chính phủ")}


def test_state_codes_give_the_type_without_a_word():
    x = run("Các văn bản 15/2024/NĐ-CP và 12/2024/TT-BNV đã được tỉnh triển khai.")
    assert docs(x) == {("15/2024/NĐ-CP", "Decree", None), ("12/2024/TT-BNV", "Circular", None)}


def test_front_office_number_with_two_codes():
    x = run("Theo Quyết định số 2716/QĐ-MTTW-BTT ngày 20/7/2024 về việc chỉ định đại biểu.")
    assert docs(x) == {("2716/QĐ-MTTW-BTT", "Decision", None)}


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


def test_short_reference_is_a_document_with_the_number_as_written():
    # GUIDELINES convention 4: "Nghị quyết 41 của Bộ Chính trị" is a document row, number as written.
    x = run("Thể chế hóa Nghị quyết 68 về phát triển kinh tế tư nhân; thực hiện Chỉ thị số 09 của Ban Bí thư.")
    assert docs(x) == {("68", "Resolution", None), ("09", "Directive", "Ban Bí thư")}


def test_counts_years_and_lower_case_words_are_not_short_references():
    x = run("Tỉnh thực hiện Kế hoạch 5 năm, Đề án 3 giai đoạn; Kế hoạch 2025 được giao; các nghị quyết 12 "
            "của huyện; Quyết định 15,5 tỷ đồng; Nghị quyết Trung ương 4 khóa XII.")
    assert [d.number for d in x.documents] == []


def test_code_inside_a_number_is_not_a_body():
    x = run("Tỉnh thực hiện Quyết định số 2157/QĐ-UBND của UBND tỉnh Thanh Hóa.")
    assert {o.name for o in x.organizations if o.mentions} == {"Ủy ban nhân dân tỉnh Thanh Hóa"}
    assert docs(x) == {("2157/QĐ-UBND", "Decision", "Ủy ban nhân dân tỉnh Thanh Hóa")}


def test_state_circular_and_party_circular_letter_are_told_apart():
    x = run("Bộ tham mưu ban hành Thông tư số 12/2024/TT-BNV; Ban Bí thư ban hành Thông tri số 05-TT/TW.")
    assert docs(x) == {("12/2024/TT-BNV", "Circular", None), ("05-TT/TW", "Circular letter", "Ban Bí thư")}


def test_party_number_coded_tt_without_a_word_is_a_circular_letter():
    x = run("Các cấp ủy quán triệt 07-TT/TW của Ban Bí thư.")
    assert docs(x) == {("07-TT/TW", "Circular letter", "Ban Bí thư")}


def test_party_number_with_an_office_after_the_suffix():
    x = run("Thực hiện Kế hoạch số 12-KH/MTTW-BTT của Ủy ban Trung ương MTTQ Việt Nam.")
    assert docs(x) == {("12-KH/MTTW-BTT", "Plan", "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam")}


def test_letters_submissions_and_dispatches_are_documents():
    x = run("Tỉnh ủy gửi Công văn số 1520-CV/TU; UBND tỉnh có Tờ trình số 45/TTr-UBND; "
            "Thủ tướng Chính phủ ban hành Công điện số 87/CĐ-TTg về phòng chống bão.")
    assert {(n, t) for n, t, _ in docs(x)} == {("1520-CV/TU", "Official letter"), ("45/TTr-UBND", "Submission"),
                                              ("87/CĐ-TTg", "Dispatch")}


def test_type_word_qualified_before_so():
    x = run("Theo Thông tri Triệu tập số 38/TT-MTTW-BTT ngày 26/8/2024 và Quyết định Chuẩn y số 12-QĐ/TU.")
    assert {(n, t) for n, t, _ in docs(x)} == {("38/TT-MTTW-BTT", "Circular letter"), ("12-QĐ/TU", "Decision")}


def test_issuer_written_as_an_office_is_its_body():
    x = run("Thực hiện Quyết định số 345/QĐ-UBND của Chủ tịch UBND tỉnh Gia Lai và Kết luận số 12-KL/TW của "
            "Tổng Bí thư.")
    assert docs(x) == {("345/QĐ-UBND", "Decision", "Ủy ban nhân dân tỉnh Gia Lai"), ("12-KL/TW", "Conclusion", None)}
