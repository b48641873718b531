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
