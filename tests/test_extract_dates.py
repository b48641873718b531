"""kg.extract.dates: date forms and the year of a date written without one."""

from __future__ import annotations

from datetime import date

import pytest

from kg.extract.dates import find_dates, infer_year, parse_written_date, to_date


@pytest.mark.parametrize("text, expected", [
    ("Ngày 6/1, tại Hà Nội", (6, 1, None)),
    ("Sáng 14-5, Ban Thường vụ họp", (14, 5, None)),
    ("Chiều 19.5, đoàn công tác đến", (19, 5, None)),
    ("Hội nghị diễn ra 06/6/2024 tại tỉnh", (6, 6, 2024)),
    ("thành lập ngày 18/2/1998", (18, 2, 1998)),
    ("Sáng 4-4-2022, Tỉnh ủy", (4, 4, 2022)),
    ("ban hành ngày 29 tháng 1 năm 2021", (29, 1, 2021)),
])
def test_forms(text, expected):
    (dm,) = find_dates(text)
    assert (dm.day, dm.month, dm.year) == expected
    assert text[dm.start:dm.end].rstrip()


def test_range():
    (dm,) = find_dates("đã họp từ ngày 14 đến ngày 23/3/2011 tại Hà Nội")
    assert (dm.day, dm.month, dm.year, dm.end_day, dm.end_month) == (14, 3, 2011, 23, 3)
    assert to_date(dm, published=None, context="") == (date(2011, 3, 14), date(2011, 3, 23))


def test_no_false_dates():
    assert find_dates("Hội nghị Trung ương 12, 13 và tỷ lệ 9,5%; 26.472 lượt") == []
    assert find_dates("số 12/5 chưa có năm") == []  # no cue word, no year: not taken


def test_year_from_publication():
    pub = date(2024, 1, 3)
    assert infer_year(6, 1, published=pub, context="") == 2024
    assert infer_year(30, 12, published=pub, context="") == 2023  # reported a few days later


def test_year_of_a_review_meeting():
    ctx = "tổ chức Hội nghị tổng kết công tác năm 2022, triển khai nhiệm vụ năm 2023"
    assert infer_year(10, 1, published=None, context=ctx) == 2023  # January reviews last year
    assert infer_year(20, 12, published=None, context=ctx) == 2022  # December reviews this year


def test_year_of_a_planning_meeting_and_fallback():
    assert infer_year(5, 11, published=None, context="triển khai kế hoạch năm 2025") == 2024
    assert infer_year(5, 4, published=None, context="triển khai kế hoạch năm 2025") == 2025
    text = "Năm 2019 và năm 2021 … mục tiêu đến năm 2030"
    assert infer_year(5, 4, published=None, context="", text=text) == 2021  # target years left out
    assert infer_year(5, 4, published=None, context="", text="không có năm") is None


def test_parse_written_date():
    assert parse_written_date("ngày 29-1-2021") == date(2021, 1, 29)
    assert parse_written_date("ngày 31-2-2021") is None



@pytest.mark.parametrize("text, expected", [
    ("Trong hai ngày 14 và 15/5, hội nghị", (14, 15, 5, None)),
    ("trong 2 ngày 29-30/7/2024", (29, 30, 7, 2024)),
    ("các ngày 14, 15/5", (14, 15, 5, None)),
    ("Trong hai ngày 5 và 6/6", (5, 6, 6, None)),
])
def test_two_days_of_one_month(text, expected):
    (d,) = find_dates(text)
    assert (d.day, d.end_day, d.month, d.year) == expected


def test_days_in_the_wrong_order_are_not_a_range():
    assert all(d.end_day is None for d in find_dates("ngày 15 và 14/5"))

def test_anniversary_span_is_not_an_event_date_but_gives_the_year():
    from datetime import date

    from kg.extract.dates import event_dates, infer_year
    text = "Tối 1/2, lễ kỷ niệm 95 năm Ngày thành lập Đảng (3/2/1930 - 3/2/2025)."
    assert [(d.day, d.month) for d in event_dates(text)] == [(1, 2)]
    assert infer_year(1, 2, published=None, context=text) == 2025
    assert infer_year(1, 2, published=date(2025, 2, 2), context=text) == 2025


def test_year_of_a_dated_event_beats_a_planned_year():
    text = ("Ngày 12/3/2024, Huyện ủy Tân Phú tổ chức hội nghị. Kế hoạch năm 2025 và mục tiêu đến năm 2030 "
            "được thảo luận.")
    assert infer_year(14, 3, published=None, context="Sáng 14/3, hội nghị bế mạc.", text=text) == 2024


def test_document_dates_and_deadlines_are_not_event_years():
    text = ("Thực hiện Nghị quyết số 15-NQ/TU ngày 5/3/2019 của Tỉnh ủy, năm 2023 Đảng bộ đã kết nạp 120 đảng viên; "
            "hoàn thành trước ngày 30/6/2026.")
    assert infer_year(8, 2, published=None, context="", text=text) == 2023


def test_a_year_reported_as_done_beats_a_named_one():
    text = "Năm 2022, toàn tỉnh đã kết nạp 900 đảng viên. So với năm 2024 còn thấp, theo chương trình năm 2025."
    assert infer_year(9, 9, published=None, context="", text=text) == 2022


@pytest.mark.parametrize("target", [
    "đến năm 2030", "tới cuối năm 2030", "tầm nhìn đến năm 2030", "mục tiêu năm 2030", "phấn đấu trong năm 2030",
    "trong năm 2030 tới", "dự kiến năm 2030",
])
def test_target_years_are_never_the_year(target):
    text = f"Năm 2023 tỉnh tiếp tục đổi mới; {target} sẽ hoàn thành."
    assert infer_year(5, 5, published=None, context="", text=text) == 2023
    assert infer_year(5, 5, published=None, context="", text=f"Các cấp ủy {target}.") is None


def test_a_range_of_years_gives_its_start_year_only():
    assert infer_year(5, 5, published=None, context="", text="trong năm 2021 - 2025 nhiệm kỳ qua") == 2021


def test_a_planned_year_gives_way_to_the_year_reported():
    text = ("Hội nghị đã đánh giá tình hình kinh tế - xã hội năm 2018 và phương hướng, nhiệm vụ năm 2019. "
            "Những tháng còn lại của năm 2019 đòi hỏi phải nỗ lực hơn.")
    assert infer_year(20, 10, published=None, context="Chiều 20/10, hội nghị bế mạc.", text=text) == 2018
    # only planned years: the latest of them, as before
    assert infer_year(20, 4, published=None, context="", text="Triển khai kế hoạch năm 2019, các cấp cần chủ động.") == 2019


def test_a_review_the_article_reports_dates_its_other_sentences():
    text = "Hội nghị tổng kết công tác năm 2022\n\nNăm 2022, Đảng bộ đã kết nạp 300 đảng viên. Nhiệm vụ năm 2023 được bàn."
    assert infer_year(12, 1, published=None, context="Sáng 12/1, hội nghị khai mạc.", text=text) == 2023
    assert infer_year(20, 12, published=None, context="Sáng 20/12, hội nghị khai mạc.", text=text) == 2022
