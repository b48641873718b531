"""kg.extract.meetings: the event phrase wherever the sentence puts it (issue 10, item 5).

Sentences are invented in the genre's style; each shape has a negative that guards precision."""

from __future__ import annotations

from extract_helpers import names, run

P = {"published": "2024-06-10"}


def meetings(x) -> set[tuple]:
    n = names(x)
    return {(m.date and m.date.isoformat(), n.get(m.place), n.get(m.organizer)) for m in x.meetings}


def roles(x) -> set[tuple[str, str]]:
    n = names(x)
    return {(n[p.person], p.role) for p in x.participations}


def test_plenum_as_subject_with_a_session_verb():
    x = run("Chiều 20/5, Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XV đã bế mạc sau năm ngày "
            "làm việc.", **P)
    assert meetings(x) == {("2024-05-20", None, "Ban Chấp hành Trung ương")}
    assert x.meetings[0].name == "Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XV"


def test_outlet_tag_and_several_lead_in_groups_before_the_congress():
    x = run("TN - Sau hai ngày làm việc, ngày 9-6, Đại hội đại biểu Đoàn TNCS Hồ Chí Minh tỉnh Lạng Sơn lần thứ 14 "
            "đã bế mạc.", **P)
    assert meetings(x) == {("2024-06-09", None, "Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh Lạng Sơn")}


def test_a_planned_event_is_not_a_meeting():
    x = run("Sáng 20/5, Hội nghị lần thứ tư Ban Chấp hành Trung ương Đảng khóa XV sẽ khai mạc tại Hà Nội.", **P)
    assert x.meetings == []


def test_the_event_already_reported_is_not_another_one():
    x = run("Ngày 3/6, Kỳ họp lần này đã thông qua 5 nghị quyết.", **P)
    assert x.meetings == []


def test_verb_before_the_event():
    x = run("Sáng 8-6 đã diễn ra lễ khai mạc Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XX, nhiệm kỳ 2025-2030.",
            **P)
    assert meetings(x) == {("2024-06-08", None, "Đảng bộ tỉnh Nghệ An")}


def test_body_acting_at_a_numbered_session():
    x = run("Tại kỳ họp thứ 30 (từ 2 đến 4/6), Ủy ban Kiểm tra Trung ương đã xem xét báo cáo của Ban Thường vụ "
            "Tỉnh ủy Nam Định.", **P)
    assert meetings(x) == {("2024-06-02", None, "Ủy ban Kiểm tra Trung ương")}


def test_at_the_meeting_again_is_no_new_event():
    x = run("Tại Hội nghị, Ủy ban Kiểm tra Trung ương đã báo cáo kết quả công tác.", **P)
    assert x.meetings == []


def test_that_days_sitting_in_a_session_programme():
    x = run("Sáng 5-6, trong chương trình kỳ họp thứ bảy, Quốc hội khóa XV, các đại biểu thảo luận tại tổ.", **P)
    assert meetings(x) == {("2024-06-05", None, "Quốc hội")}


def test_a_sitting_that_elects():
    x = run("Ngày 27/4/2018, ông Trần Văn An được hội nghị Ban Chấp hành Đảng bộ tỉnh Nam Định bầu làm Bí thư "
            "Tỉnh ủy Nam Định.")
    assert meetings(x) == {("2018-04-27", None, "Ban Chấp hành Đảng bộ tỉnh Nam Định")}


def test_a_held_event_mentioned_without_an_act_is_not_a_meeting():
    x = run("Ngày 27/4/2018, ông Trần Văn An nhắc lại tinh thần hội nghị Ban Chấp hành Đảng bộ tỉnh Nam Định.")
    assert x.meetings == []


def test_explicit_organiser_anywhere_in_the_opening():
    x = run("Đổi mới công tác tuyên giáo\n\nĐồng chí Lê Văn Hùng, Trưởng Ban Tuyên giáo Thành ủy Cần Thơ phát biểu "
            "tại buổi gặp mặt nhân kỷ niệm ngày truyền thống do Ban Tuyên giáo Thành ủy tổ chức.")
    assert meetings(x) == {(None, None, "Ban Tuyên giáo Thành ủy Cần Thơ")}
    assert roles(x) == {("Lê Văn Hùng", "speech")}


def test_background_sitting_with_its_chair():
    x = run("Trước đó, hôm 11-3, Ủy ban Kiểm tra Trung ương đã họp kỳ 31, ông Trần Văn Bình, Chủ nhiệm Ủy ban "
            "Kiểm tra Trung ương là người chủ trì.", **P)
    assert meetings(x) == {("2024-03-11", None, "Ủy ban Kiểm tra Trung ương")}
    assert roles(x) == {("Trần Văn Bình", "chair")}


def test_tien_hanh_with_the_term_between_body_and_verb_and_a_venue():
    x = run("Sáng 21/3, tại Trung tâm Hội nghị tỉnh, HĐND tỉnh Bình Định khóa XIII, nhiệm kỳ 2021 - 2026 tiến hành "
            "Kỳ họp thứ 22.", **P)
    assert meetings(x) == {("2024-03-21", "Trung tâm Hội nghị tỉnh", "Hội đồng nhân dân tỉnh Bình Định")}


def test_activity_after_to_chuc():
    x = run("Ngày 9/1, Ban Thường vụ Tỉnh ủy Đồng Tháp tổ chức tổng kết công tác kiểm tra năm 2023.", **P)
    assert meetings(x) == {("2024-01-09", None, "Ban Thường vụ Tỉnh ủy Đồng Tháp")}


def test_generic_or_planned_activity_is_no_event():
    assert run("Ngày 9/1, các cấp ủy cần tổ chức tổng kết công tác kiểm tra năm 2023.", **P).meetings == []
    assert run("Các cấp ủy tổ chức hội nghị quán triệt nghị quyết.", **P).meetings == []


def test_organiser_missing_from_the_gazetteer():
    x = run("Sáng 3/6, Hội LHPN tỉnh Hà Tĩnh tổ chức Hội nghị lần thứ 10 Ban Chấp hành khóa XIX.", **P)
    # the abbreviation LHPN is expanded to the canonical name
    assert meetings(x) == {("2024-06-03", None, "Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh")}
    x = run("Sáng 3/6, Ban công tác Mặt trận thôn Đông phối hợp cùng UBND, UBMTTQ xã Hòa Lạc tổ chức Ngày hội "
            "Đại đoàn kết.", **P)
    # co-organisers: either one is the organiser (GUIDELINES convention 20)
    ((day, place, organizer),) = meetings(x)
    assert (day, place) == ("2024-06-03", None)
    assert organizer in {"Ban công tác Mặt trận thôn Đông", "Ủy ban nhân dân xã Hòa Lạc"}


def test_a_known_body_with_the_place_written_after_it():
    x = run("Ngày 2/6, Đoàn thanh niên xã Bản Lạc tổ chức Đại hội đại biểu lần thứ I.", **P)
    assert meetings(x) == {("2024-06-02", None, "Đoàn Thanh niên xã Bản Lạc")}  # the commune's youth union


def test_a_person_before_to_chuc_is_no_organiser():
    x = run("Sáng 3/6, Hội trưởng Nguyễn Văn An tổ chức Hội nghị tập huấn.", **P)
    assert all(m.organizer is None for m in x.meetings)


def test_venue_stops_before_the_rest_of_the_clause():
    x = run("Sáng 3/6, tại Hội trường Tỉnh ủy với sự tham dự của 200 đại biểu, Tỉnh ủy Nam Định tổ chức Hội nghị "
            "tổng kết.", **P)
    assert meetings(x) == {("2024-06-03", "Hội trường Tỉnh ủy", "Tỉnh ủy Nam Định")}


def test_a_venue_named_after_conferences_is_no_event():
    x = run("Sáng 3/6, tại Trung tâm Hội nghị Quốc gia, các đại biểu đã bỏ phiếu.", **P)
    assert x.meetings == []


def test_the_lead_repeated_word_for_word_is_one_event():
    lead = ("Chiều 14-9, Ủy ban Kiểm tra Tỉnh ủy Phú Yên tổ chức hội nghị giao ban quý III. ")
    x = run(lead + "\n\n" + lead.replace("Ủy ban Kiểm tra Tỉnh ủy", "Ủy ban Kiểm tra (UBKT) Tỉnh ủy"),
            published="2022-09-23")
    assert len(x.meetings) == 1


def test_two_sittings_of_one_congress_are_two_meetings():
    x = run("Sáng 10/6, Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XX đã họp phiên trù bị. "
            "Sáng 11/6, Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XX đã khai mạc phiên chính thức.", **P)
    assert meetings(x) == {("2024-06-10", None, "Đảng bộ tỉnh Nghệ An"), ("2024-06-11", None, "Đảng bộ tỉnh Nghệ An")}


def test_received_delegation_working_session():
    x = run("Nhiều đổi mới trong công tác tuyên giáo\n\nTiếp và làm việc với đoàn có đồng chí Trần Văn Nam, "
            "Phó Bí thư Thường trực Tỉnh ủy.")
    assert [m.name for m in x.meetings] == ["Làm việc với đoàn"]
    assert roles(x) == {("Trần Văn Nam", "attendee")}


def test_a_caption_and_the_next_paragraph_name_one_working_session():
    # Captions are text (GUIDELINES 10): the caption's speaker counts, and it names the session the
    # received delegation's list then names again; the credit is no participant.
    x = run("Nhiều đổi mới trong công tác tuyên giáo\n\nĐồng chí Lê Minh Hải phát biểu tại buổi làm việc. Ảnh: Thu Hà\n\n"
            "Tiếp và làm việc với đoàn có đồng chí Trần Văn Nam, Phó Bí thư Thường trực Tỉnh ủy.")
    assert [m.name for m in x.meetings] == ["Buổi làm việc"]
    assert roles(x) == {("Lê Minh Hải", "speech"), ("Trần Văn Nam", "attendee")}
    assert "Thu Hà" not in names(x)


def test_two_lead_events_of_two_organisers_stay_two():
    x = run("Tin hoạt động\n\nĐồng chí Lê Minh Hải phát biểu tại Hội nghị Ban Chấp hành Đảng bộ tỉnh.\n\n"
            "Đồng chí Trần Văn Nam phát biểu tại Hội nghị Ban Thường vụ Tỉnh đoàn.")
    assert len(x.meetings) == 2


def test_event_phrase_anywhere_with_its_verb_of_taking_place_today():
    x = run("Đó là chỉ đạo của Bí thư Thành ủy Trần Văn An trong buổi kiểm tra việc học tập nghị quyết tại "
            "Đảng ủy Khối các cơ quan tỉnh diễn ra vào chiều nay.", published="2024-03-01")
    assert meetings(x) == {("2024-03-01", None, None)}
    assert x.meetings[0].name.startswith("Buổi kiểm tra việc học tập nghị quyết")


def test_no_date_no_event_anywhere():
    x = run("Đó là chỉ đạo của Bí thư Thành ủy Trần Văn An trong buổi kiểm tra việc học tập nghị quyết đã diễn ra.",
            published="2024-03-01")
    assert x.meetings == []


def test_an_event_named_inside_the_first_ones_name_is_not_the_one_that_took_place():
    x = run("Chiều nay, buổi kiểm tra việc học tập Nghị quyết Đại hội Đảng bộ tỉnh lần thứ X tại Đảng ủy Khối "
            "các cơ quan tỉnh đã diễn ra.", published="2024-03-01")
    assert [m.name[:13] for m in x.meetings] == ["Buổi kiểm tra"]


def test_attendance_list_names_the_reported_congress():
    x = run("Tham dự Đại hội có đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy.\n\nVăn kiện trình Đại hội Đảng "
            "bộ tỉnh Tây Ninh lần thứ XI đã được thông qua.")
    assert [(m.name, names(x).get(m.organizer)) for m in x.meetings] == [("Đại hội", "Đảng bộ tỉnh Tây Ninh")]
    assert roles(x) == {("Trần Văn An", "attendee")}


def test_someone_attends_a_dated_ceremony():
    x = run("Sáng 20/5, đồng chí Trần Văn An, Bí thư Tỉnh ủy dự Lễ kỷ niệm 50 năm thành lập huyện Hòa Bình.", **P)
    assert meetings(x) == {("2024-05-20", None, None)}
    assert roles(x) == {("Trần Văn An", "attendee")}


def test_going_to_attend_or_a_title_is_no_event():
    assert run("Chiều 3/6, đoàn của tỉnh lên đường đi dự Đại hội toàn quốc Hội Nông dân Việt Nam lần "
               "thứ VIII.", **P).meetings == []
    assert run("Căn cứ Quyết định số 41/QĐ-HNDTW ngày 2/6/2024 “Về việc cử đại biểu dự Đại hội toàn quốc Hội "
               "Nông dân Việt Nam lần thứ VIII”, đoàn gồm 9 người.", **P).meetings == []


def test_planned_by_the_sentence():
    assert run("Theo kế hoạch, ngày 20/6, Tỉnh ủy Nam Định tổ chức Hội nghị sơ kết.", **P).meetings == []


def test_comma_between_the_ordinal_and_the_body():
    x = run("Sáng 20/5, Hội nghị lần thứ 13, Ban Chấp hành Đảng bộ tỉnh Nghệ An khóa XIX đã khai mạc.", **P)
    assert meetings(x) == {("2024-05-20", None, "Ban Chấp hành Đảng bộ tỉnh Nghệ An")}


def test_at_an_event_that_took_place_on_a_day():
    x = run("Tại Hội nghị lần thứ 13 diễn ra chiều 10/5, Ban Chấp hành Đảng bộ tỉnh Nghệ An đã thảo luận.", **P)
    assert [(m.name, m.date.isoformat()) for m in x.meetings] == [("Hội nghị lần thứ 13", "2024-05-10")]


def test_second_sitting_named_by_a_bare_congress():
    x = run("Chiều 10/5, Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XX đã họp phiên trù bị. "
            "Sáng 11/5, Đại hội làm việc phiên thứ hai.", **P)
    assert meetings(x) == {("2024-05-10", None, "Đảng bộ tỉnh Nghệ An"), ("2024-05-11", None, "Đảng bộ tỉnh Nghệ An")}


def test_long_fronted_chair_before_a_passive_verb():
    x = run("Dưới sự chủ trì của đồng chí Trần Văn An, Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh "
            "Nghệ An và các đồng chí trong Thường trực Tỉnh ủy, sáng 20/5, Hội nghị lần thứ 13 Ban Chấp hành Đảng bộ "
            "tỉnh khóa XIX đã được tổ chức.", **P)
    assert meetings(x) == {("2024-05-20", None, "Ban Chấp hành Đảng bộ tỉnh Nghệ An")}
    assert roles(x) == {("Trần Văn An", "chair")}


def test_handing_over_a_decision_is_a_ceremony():
    x = run("Chiều 22/6, quyết định chuẩn y tân Phó Bí thư Tỉnh ủy Nam Định được Trưởng Ban Tổ chức Trung ương "
            "Lê Văn Bình trao cho ông Trần Văn An, sau ba tuần bỏ phiếu.", published="2024-06-22")
    assert meetings(x) == {("2024-06-22", None, None)}
    assert roles(x) == {("Lê Văn Bình", "attendee")}  # the one who hands it over; the receiver is optional
    x = run("Trước đó, hôm 4/6, Tỉnh ủy Nam Định đã trao quyết định của Bộ Chính trị chỉ định ông Vũ Văn Quân, "
            "Giám đốc Sở Nội vụ tham gia Ban Chấp hành Đảng bộ tỉnh.", published="2024-06-22")
    assert meetings(x) == {("2024-06-04", None, "Tỉnh ủy Nam Định")}


def test_exchanging_views_or_an_undated_decision_is_no_ceremony():
    assert run("Ngày 4/6, các đồng chí đã trao đổi về công tác cán bộ.", **P).meetings == []
    assert run("Tỉnh ủy Nam Định đã trao quyết định cho ông Vũ Văn Quân.", **P).meetings == []


def test_abbreviation_between_a_unit_and_its_body():
    x = run("Ngày 9/1, Ban Thường vụ (BTV) Tỉnh ủy Đồng Tháp tổ chức tổng kết công tác kiểm tra năm 2023.", **P)
    assert meetings(x) == {("2024-01-09", None, "Ban Thường vụ Tỉnh ủy Đồng Tháp")}


def test_an_abbreviation_of_a_known_body_or_with_other_initials_forms_nothing():
    x = run("Sáng 22/5, Hội Cựu chiến binh (CCB) Tỉnh ủy Khánh Hòa tổ chức hội nghị giao ban.", **P)
    assert "Cựu chiến binh Tỉnh ủy Khánh Hòa" not in {o.name for o in x.organizations}
    x = run("Sáng 22/5, Ban Thường vụ (BCH) Tỉnh ủy Khánh Hòa tổ chức hội nghị giao ban.", **P)
    assert meetings(x) == {("2024-05-22", None, "Tỉnh ủy Khánh Hòa")}


def test_a_congress_named_as_a_resolutions_source_does_not_organise_the_event():
    # GUIDELINES 20: without "X tổ chức" only a congress or plenum has an organiser (the body holding it);
    # the congress in "Nghị quyết Đại hội …" is the source of a document, not the event.
    x = run("Chiều 5/3, buổi kiểm tra việc triển khai Nghị quyết Đại hội Đảng bộ tỉnh Bình Phước lần thứ XI "
            "tại Đảng ủy Khối Cơ quan tỉnh đã diễn ra.", **P)
    assert [m.organizer for m in x.meetings] == [None]


def test_a_congress_taking_place_is_organised_by_its_body():
    x = run("Sáng 5/3, Đại hội đại biểu Đảng bộ tỉnh Bình Phước lần thứ XI đã diễn ra tại Hội trường tỉnh.", **P)
    assert len(x.meetings) == 1 and x.meetings[0].organizer is not None
    assert names(x)[x.meetings[0].organizer].startswith("Đảng bộ tỉnh Bình Phước")
