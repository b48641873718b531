"""kg.extract.meetings: role cues of the people at a reported meeting (issue 10, item 6; GUIDELINES 8, 9)."""

from __future__ import annotations

from extract_helpers import names, run

LEAD = "Sáng 12/3, tại Hà Nội, Ban Tổ chức Trung ương tổ chức Hội nghị tập huấn công tác cán bộ. "


def roles(text: str) -> set[tuple[str, str]]:
    x = run(LEAD + text)
    n = names(x)
    return {(n[p.person], p.role) for p in x.participations}


def test_reading_a_report():
    assert roles("Đồng chí Trần Văn An, Phó Trưởng Ban Tổ chức Trung ương đọc báo cáo tổng hợp ý kiến.") == {
        ("Trần Văn An", "report")}


def test_announcing_a_decision_is_a_report_and_its_subject_has_no_role():
    assert roles("Đồng chí Trần Văn An, Phó Trưởng Ban Tổ chức Trung ương công bố quyết định về việc điều động "
                 "đồng chí Lê Thị Bình, Thứ trưởng Bộ Nội vụ.") == {("Trần Văn An", "report")}


def test_passive_presentation():
    assert roles("Báo cáo kết quả công tác năm 2023 do đồng chí Trần Văn An, Phó Trưởng Ban Tổ chức Trung ương "
                 "trình bày.") == {("Trần Văn An", "report")}


def test_chairs_and_speaks():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị chủ trì hội nghị và phát biểu kết luận.") == {
        ("Trần Văn An", "chair"), ("Trần Văn An", "speech")}


def test_two_cues_not_joined_by_va_give_one_role():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị chủ trì hội nghị, nhiều ý kiến phát biểu sôi nổi.") == {
        ("Trần Văn An", "chair")}


def test_dieu_hanh_an_event_is_chairing():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị điều hành hội nghị.") == {("Trần Văn An", "chair")}


def test_what_a_speaker_said_gives_no_role():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị nhấn mạnh: công tác chỉ đạo, điều hành phải được đổi "
                 "mới, các đồng chí chủ trì phải gương mẫu.") == {("Trần Văn An", "speech")}


def test_on_behalf_of_someone_is_not_that_persons_role():
    assert roles("Thừa ủy quyền của Bộ trưởng Bộ Nội vụ Lê Thị Bình, lãnh đạo Vụ Tổ chức đã trình bày tờ trình.") \
        == set()


def test_on_behalf_of_a_body_keeps_the_speakers_role():
    assert roles("Thay mặt lãnh đạo Bộ, Bộ trưởng Bộ Nội vụ Lê Thị Bình đã trình bày tờ trình.") == {
        ("Lê Thị Bình", "report")}


def test_a_cue_inside_a_quoted_title_does_not_count():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị trình bày “Báo cáo kết quả tham dự hội nghị quốc "
                 "tế”.") == {("Trần Văn An", "report")}
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị giới thiệu cuốn sách “Những người tham dự hội nghị "
                 "Diên Hồng”.") == set()


def test_statement_verbs_after_the_name():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị cho rằng cần đổi mới công tác cán bộ.") == {
        ("Trần Văn An", "speech")}
    assert roles("Báo chí cho biết đồng chí Trần Văn An, Ủy viên Bộ Chính trị đã nghỉ công tác.") == set()


def test_attending_an_event_named_by_any_event_word():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị dự ngày hội.") == {("Trần Văn An", "attendee")}


def test_reporting_to_someone():
    assert roles("Báo cáo trước Bí thư Tỉnh ủy Trần Văn An và đoàn kiểm tra, ông Lê Văn Quang, Bí thư Đảng ủy "
                 "Khối cho biết kết quả.") == {("Lê Văn Quang", "report")}


def test_the_subject_of_a_decision_with_all_titles_has_no_role():
    assert roles("Hội nghị công bố Quyết định về việc điều động đồng chí Lê Thị Bình, Tỉnh ủy viên, Thứ trưởng "
                 "Bộ Nội vụ đến công tác tại Ban Tổ chức Trung ương.") == set()


def test_noi_rang_is_a_statement():
    assert roles("Đồng chí Trần Văn An, Ủy viên Bộ Chính trị nói rằng cần đổi mới công tác cán bộ.") == {
        ("Trần Văn An", "speech")}
