"""kg.extract.meetings: who attended, from the list shapes party news uses."""

from __future__ import annotations

from extract_helpers import names, run


def roles(x) -> set[tuple[str, str]]:
    n = names(x)
    return {(n[p.person], p.role) for p in x.participations}


LEAD = "Sáng 12/3, tại Hà Nội, Ban Tổ chức Trung ương tổ chức Hội nghị tập huấn công tác cán bộ. "


def test_list_after_colon_each_item_attends():
    x = run(LEAD + "Tham dự Hội nghị có các đồng chí: Trần Văn An, Ủy viên Bộ Chính trị; "
                   "Lê Thị Bình, Thứ trưởng Bộ Nội vụ.")
    assert roles(x) == {("Trần Văn An", "attendee"), ("Lê Thị Bình", "attendee")}


def test_list_without_colon_split_by_semicolons():
    x = run(LEAD + "Cùng dự có đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy; đồng chí Lê Thị Bình, "
                   "Chủ tịch HĐND tỉnh.")
    assert roles(x) == {("Trần Văn An", "attendee"), ("Lê Thị Bình", "attendee")}


def test_attendance_verb_at_the_end_of_the_list():
    x = run(LEAD + "Đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy; đồng chí Lê Thị Bình, Phó Chủ tịch UBND tỉnh "
                   "cùng dự.")
    assert roles(x) == {("Trần Văn An", "attendee"), ("Lê Thị Bình", "attendee")}


def test_host_side_and_receiving_lists():
    x = run(LEAD + "Về phía tỉnh có đồng chí Trần Văn An, Bí thư Tỉnh ủy. "
                   "Tiếp và làm việc với Đoàn có đồng chí Lê Thị Bình, Chủ tịch UBND tỉnh.")
    assert roles(x) == {("Trần Văn An", "attendee"), ("Lê Thị Bình", "attendee")}


def test_own_cue_wins_over_the_list():
    x = run(LEAD + "Tham dự có đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy; đồng chí Lê Thị Bình, "
                   "Trưởng Ban Tổ chức Tỉnh ủy trình bày báo cáo.")
    assert roles(x) == {("Trần Văn An", "attendee"), ("Lê Thị Bình", "report")}


def test_dự_kiến_is_not_an_attendance_list():
    x = run(LEAD + "Dự kiến năm nay có đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy nghỉ hưu.")
    assert roles(x) == set()


def test_chaired_and_spoke_are_separate_facts():
    x = run(LEAD + "Đồng chí Trần Văn An, Trưởng Ban Tổ chức Trung ương chủ trì Hội nghị. "
                   "Phát biểu kết luận, đồng chí Trần Văn An yêu cầu các cấp ủy làm tốt công tác cán bộ.")
    assert roles(x) == {("Trần Văn An", "chair"), ("Trần Văn An", "speech")}


def test_a_post_written_alone_stands_for_its_one_holder():
    x = run("Sáng 4/5, Thủ tướng Phạm Văn Chính chủ trì Phiên họp Chính phủ thường kỳ tháng 4. "
            "Phát biểu kết luận, Thủ tướng yêu cầu các bộ khẩn trương hoàn thiện dự thảo.")
    assert roles(x) == {("Phạm Văn Chính", "chair"), ("Phạm Văn Chính", "speech")}


def test_speech_of_a_reading():
    x = run("Tối 1/2, Tỉnh ủy Quảng Ninh tổ chức Lễ kỷ niệm 95 năm Ngày thành lập Đảng. "
            "Đọc diễn văn kỷ niệm, đồng chí Vũ Văn Thắng, Bí thư Tỉnh ủy ôn lại truyền thống của Đảng.")
    assert roles(x) == {("Vũ Văn Thắng", "speech")}


def test_title_abbreviation_does_not_end_the_sentence():
    x = run(LEAD + "Cùng dự có đồng chí Trần Văn An, Bí thư Thành ủy Tp. Hồ Chí Minh; "
                   "TS. Lê Thị Bình, Giám đốc Học viện Chính trị quốc gia Hồ Chí Minh.")
    assert roles(x) == {("Trần Văn An", "attendee"), ("Lê Thị Bình", "attendee")}


def test_what_was_said_at_an_earlier_meeting_is_not_attributed():
    x = run(LEAD + "Tại Hội nghị lần trước đó, đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy cho biết nhiều chỉ tiêu "
                   "đã đạt.")
    assert roles(x) == set()
