"""kg.extract.meetings: reported events, their date/place/organizer, roles and documents discussed."""

from __future__ import annotations

from datetime import date

from extract_helpers import names, run


def roles(x):
    n = names(x)
    return {(n[p.person], p.role) for p in x.participations}


LEAD = ("Sáng 12/1, tại Đà Nẵng, Thành ủy Đà Nẵng tổ chức Hội nghị tổng kết công tác dân vận năm 2023, "
        "triển khai nhiệm vụ năm 2024.\n\n")


def test_meeting_from_the_lead_sentence():
    x = run(LEAD + "Đồng chí Lương Văn Hòa, Phó Bí thư Thành ủy chủ trì hội nghị.")
    (m,) = x.meetings
    assert m.name == "Hội nghị tổng kết công tác dân vận năm 2023, triển khai nhiệm vụ năm 2024"
    assert m.date == date(2024, 1, 12)  # a January review of 2023
    assert names(x)[m.place] == "Đà Nẵng" and names(x)[m.organizer] == "Thành ủy Đà Nẵng"
    assert m.key == "meeting:thafnh-ury-ddaf-nawxng/2024-01-12"
    assert roles(x) == {("Lương Văn Hòa", "chair")}


def test_roles_report_speech_attendee():
    x = run(LEAD + "Báo cáo tổng kết tại hội nghị, Trưởng Ban Dân vận Thành ủy Hồ Thị Thu cho biết kết quả. "
            "Phát biểu chỉ đạo, Bí thư Thành ủy Nguyễn Văn Quảng đề nghị tiếp tục đổi mới. "
            "Dự hội nghị có đồng chí Bùi Văn Tiến, Phó Trưởng Ban Dân vận Trung ương.")
    assert roles(x) == {("Hồ Thị Thu", "report"), ("Nguyễn Văn Quảng", "speech"), ("Bùi Văn Tiến", "attendee")}


def test_published_date_gives_the_year_and_name_is_cut_before_a_person():
    x = run("Sáng 20-3, Ban Thường vụ Tỉnh ủy tổ chức Hội nghị Tỉnh ủy lần thứ 10, Bí thư Tỉnh ủy Lê Văn Hiếu "
            "phát biểu khai mạc.", published="2025-03-21")
    (m,) = x.meetings
    assert m.name == "Hội nghị Tỉnh ủy lần thứ 10" and m.date == date(2025, 3, 20)
    assert roles(x) == {("Lê Văn Hiếu", "speech")}


def test_held_session_with_date_range_and_chair():
    x = run("Ủy ban Kiểm tra Trung ương đã họp kỳ thứ 7 từ ngày 2 đến ngày 4/10/2024 tại Hà Nội, với sự chủ trì "
            "của đồng chí Trần Cẩm Tú, Ủy viên Bộ Chính trị, Chủ nhiệm Ủy ban Kiểm tra Trung ương.")
    (m,) = x.meetings
    assert (m.date, m.end_date) == (date(2024, 10, 2), date(2024, 10, 4))
    assert names(x)[m.organizer] == "Ủy ban Kiểm tra Trung ương" and names(x)[m.place] == "Hà Nội"
    assert roles(x) == {("Trần Cẩm Tú", "chair")}


def test_documents_discussed_by_a_speaker_are_references():
    x = run(LEAD + "Phát biểu kết luận, Bí thư Thành ủy Nguyễn Văn Quảng đề nghị thực hiện Chỉ thị số 05-CT/TW.\n\n"
            "Các cấp ủy triển khai Kết luận số 01-KL/TW.")
    assert {r.document for r in x.references} == {"doc:05-ct-tw"}


def test_no_meeting_without_a_reported_event():
    x = run("Tỉnh ủy tiếp tục lãnh đạo thực hiện nghị quyết; đồng chí Lê Văn Hiếu cho biết như vậy.")
    assert x.meetings == [] and x.participations == []


def test_unknown_year_stays_unknown():
    x = run("Chiều 19.5, Tỉnh ủy tổ chức Hội nghị giao ban.")
    assert x.meetings[0].date is None


def test_attendee_list_after_a_colon():
    x = run("Chiều 14/5/2024, Thành ủy Huế tổ chức Hội nghị lần thứ 5. Tham dự hội nghị có các đồng chí: "
            "Lê Trường Lưu, Bí thư Thành ủy; Phan Thiên Định, Phó Bí thư Thành ủy.")
    assert roles(x) == {("Lê Trường Lưu", "attendee"), ("Phan Thiên Định", "attendee")}
    assert x.meetings[0].date == date(2024, 5, 14)


def test_partner_is_not_the_organizer_and_event_that_took_place():
    x = run("Ban Dân vận Trung ương tổ chức Hội thảo về dân vận khéo\n\n"
            "Sáng 9/9/2023, tại Hà Nội, Ban Dân vận Trung ương phối hợp với Bộ Nội vụ tổ chức Hội thảo về dân vận "
            "khéo. Thứ trưởng Bộ Nội vụ, Tiến sĩ Trần Thị Hà tới dự.\n\n"
            "Chiều 10/9/2023, Hội nghị tập huấn cán bộ dân vận đã diễn ra tại Cần Thơ.")
    n = names(x)
    got = {(m.name, m.date, n.get(m.place), n.get(m.organizer)) for m in x.meetings}
    assert got == {("Hội thảo về dân vận khéo", date(2023, 9, 9), "Hà Nội", "Ban Dân vận Trung ương"),
                   ("Hội nghị tập huấn cán bộ dân vận", date(2023, 9, 10), "Cần Thơ", None)}
    assert roles(x) == {("Trần Thị Hà", "attendee")}


def test_undated_event_in_the_background_is_not_reported():
    x = run(LEAD + "Trước đó, Ban Dân vận Thành ủy tổ chức Hội nghị chuyên đề về dân vận.")
    assert [m.name for m in x.meetings] == [
        "Hội nghị tổng kết công tác dân vận năm 2023, triển khai nhiệm vụ năm 2024"]
