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
