"""kg.extract.meetings: the sentence shapes that report an event, its date, place and organiser."""

from __future__ import annotations

from extract_helpers import names, run


def meetings(x) -> set[tuple]:
    n = names(x)
    return {(m.date and m.date.isoformat(), n.get(m.place), n.get(m.organizer)) for m in x.meetings}


def test_body_that_meets():
    x = run("Chiều 19/1, tại Trụ sở Trung ương Đảng, Bộ Chính trị họp cho ý kiến về Đề án sắp xếp bộ máy.",
            published="2025-01-20")
    assert meetings(x) == {("2025-01-19", "Trụ sở Trung ương Đảng", "Bộ Chính trị")}  # venues are places


def test_someone_chairs_a_government_meeting():
    x = run("Sáng 4/5, Thủ tướng Phạm Văn Chính chủ trì Phiên họp Chính phủ thường kỳ tháng 4.",
            published="2024-05-04")
    assert meetings(x) == {("2024-05-04", None, "Chính phủ")}


def test_working_session_has_no_organiser():
    x = run("Chiều ngày 5-4-2024, Tổng Bí thư Nguyễn Văn Trọng đã có buổi làm việc với Ban Thường vụ "
            "Thành ủy Hải Phòng.")
    assert meetings(x) == {("2024-04-05", None, None)}


def test_session_that_opens_is_held_by_its_body():
    x = run("Sáng 21/10, tại Nhà Quốc hội, Kỳ họp thứ 8, Quốc hội khóa XV khai mạc trọng thể.",
            published="2024-10-21")
    assert meetings(x) == {("2024-10-21", "Nhà Quốc hội", "Quốc hội")}


def test_two_day_meeting_and_held_session():
    x = run("Trong hai ngày 29 và 30/7, tại Hà Nội, Ủy ban Kiểm tra Trung ương đã họp kỳ thứ 42.",
            published="2024-07-31")
    (m,) = x.meetings
    assert (m.date.isoformat(), m.end_date.isoformat()) == ("2024-07-29", "2024-07-30")


def test_town_as_place_and_partner_organiser():
    x = run("Sáng ngày 06/5/2024, tại thành phố Điện Biên Phủ, Ban Tuyên giáo Tỉnh ủy Điện Biên phối hợp với "
            "Hội Cựu chiến binh tỉnh tổ chức Tọa đàm khoa học.")
    assert meetings(x) == {("2024-05-06", "Điện Biên Phủ", "Ban Tuyên giáo Tỉnh ủy Điện Biên")}


def test_place_written_with_its_kind():
    x = run("Ngày 14/3, tại thành phố Đà Nẵng, Ban Tuyên giáo Trung ương tổ chức Hội nghị giao ban.",
            published="2024-03-15")
    assert meetings(x) == {("2024-03-14", "Đà Nẵng", "Ban Tuyên giáo Trung ương")}


def test_first_body_of_a_list_organises():
    x = run("Tối 1/2, Tỉnh ủy, HĐND, UBND tỉnh Quảng Ninh long trọng tổ chức Lễ kỷ niệm 95 năm Ngày thành lập "
            "Đảng (3/2/1930 - 3/2/2025).")
    assert meetings(x) == {("2025-02-01", None, "Tỉnh ủy Quảng Ninh")}


def test_anniversary_span_is_not_the_event_date():
    x = run("Tỉnh ủy Quảng Ninh tổ chức Lễ kỷ niệm 95 năm Ngày thành lập Đảng (3/2/1930 - 3/2/2025).")
    assert meetings(x) == {(None, None, "Tỉnh ủy Quảng Ninh")}


def test_congress_held_by_a_commune_organisation_gets_the_date():
    x = run("Ngày 14/7, Đảng bộ xã Minh Quang, tỉnh Tuyên Quang tổ chức Đại hội đại biểu Đảng bộ xã lần thứ I, "
            "nhiệm kỳ 2025-2030.", published="2025-07-15")
    assert meetings(x) == {("2025-07-14", None, "Đảng bộ xã Minh Quang")}
    (congress,) = x.assemblies
    assert (congress.kind, congress.ordinal, congress.date.isoformat()) == ("Congress", 1, "2025-07-14")


def test_date_in_brackets_after_sáng_nay_beats_a_document_date():
    x = run("Sáng nay (15/10), Ban Thường vụ Tỉnh ủy Long An tổ chức Hội nghị quán triệt Quy định số "
            "189-QĐ/TW ngày 8/10/2024 của Bộ Chính trị.", published="2024-10-16")
    assert meetings(x) == {("2024-10-15", None, "Ban Thường vụ Tỉnh ủy Long An")}


def test_a_weaker_shape_on_the_same_day_is_the_same_event():
    x = run("Ngày 6/1, Đảng ủy Khối các cơ quan Trung ương tổ chức Hội nghị tổng kết. Sáng 6/1, đồng chí "
            "Trần Văn An, Bí thư Đảng ủy Khối chủ trì Hội nghị tổng kết.", published="2021-01-07")
    assert meetings(x) == {("2021-01-06", None, "Đảng ủy Khối các cơ quan Trung ương")}
    assert [p.role for p in x.participations] == ["chair"]


def test_organiser_written_after_do():
    x = run("Sáng 5/6, tại tỉnh Nghệ An, Hội thảo khoa học \"Đảng bộ tỉnh 95 năm\" do Ban Tuyên giáo Tỉnh ủy "
            "tổ chức đã diễn ra.", published="2024-06-06")
    assert meetings(x) == {("2024-06-05", "Nghệ An", "Ban Tuyên giáo Tỉnh ủy Nghệ An")}
    assert x.meetings[0].name == "Hội thảo khoa học \"Đảng bộ tỉnh 95 năm\""


def test_organiser_written_after_do_without_a_verb_of_taking_place():
    x = run("Hội nghị do Đảng ủy Khối các cơ quan Trung ương tổ chức sáng 19.5.2024 tại Hà Nội.")
    assert meetings(x) == {("2024-05-19", "Hà Nội", "Đảng ủy Khối các cơ quan Trung ương")}


def test_partner_missing_from_the_gazetteer():
    x = run("Sáng 5/6, Ban Tuyên giáo Tỉnh ủy Nghệ An phối hợp Sở Nội vụ tổ chức Hội nghị tập huấn.",
            published="2024-06-06")
    assert meetings(x) == {("2024-06-05", None, "Ban Tuyên giáo Tỉnh ủy Nghệ An")}


def test_body_works_with_another():
    x = run("Chiều 15/11, tại Pleiku, Ban Bí thư làm việc với Ban Thường vụ Tỉnh ủy Gia Lai về công tác cán bộ. "
            "Đồng chí Võ Văn Thương, Thường trực Ban Bí thư chủ trì buổi làm việc.", published="2023-11-16")
    assert meetings(x) == {("2023-11-15", None, "Ban Bí thư")}
    assert [p.role for p in x.participations] == ["chair"]
