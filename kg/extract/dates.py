"""Dates as Vietnamese news writes them, and the year of a date written without one.

Forms: "6/1", "14-5", "19.5", "06/6/2024", "4-4-2022", "ngày 18/2/1998",
"Sáng 23/12", "ngày 29 tháng 1 năm 2021", and ranges "từ ngày 14 đến ngày 23/3/2011",
"trong hai ngày 14 và 15/5".
Day-month order throughout. A date with no year is only taken after a cue word
(ngày, sáng, chiều, tối …) so that "12, 13" or "9,5%" are never dates.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_CUE = r"(?:ngày|sáng|chiều|tối|trưa|đêm|hôm)(?:\s+nay)?(?:\s+(?:thứ\s+\w+,?\s+)?ngày)?"
_DMY = r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<m>\d{1,2})(?:(?P=sep)(?P<y>\d{4}))?(?![\d/.-]\d)"
_DATE_RE = re.compile(
    rf"(?<!\w)(?:(?P<cue>{_CUE})\s+\(?)?{_DMY}"  # "Sáng nay (15/10)" too
    rf"|(?<!\w)ngày\s+(?P<wd>\d{{1,2}})\s+tháng\s+(?P<wm>\d{{1,2}})(?:\s+năm\s+(?P<wy>\d{{4}}))?",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_RANGE_RE = re.compile(
    r"(?<!\w)từ\s+(?:ngày\s+)?(?P<d1>\d{1,2})(?:[/.-](?P<m1>\d{1,2}))?\s+(?:đến|tới|-)\s+(?:ngày\s+)?"
    r"(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})(?:[/.-](?P<y2>\d{4}))?(?![\d/.-]\d)",
    re.IGNORECASE,
)
# "Trong hai ngày 5 và 6/6", "trong 2 ngày 29-30/7/2024", "các ngày 14, 15/5": two days of one month.
_PAIR_RE = re.compile(
    r"(?<!\w)(?:(?:trong\s+(?:hai|2|ba|3)|các|hai)\s+ngày|ngày)\s+(?P<d1>\d{1,2})\s*(?:và|,|-|–)\s*"
    r"(?P<d2>\d{1,2})(?P<sep>[/.-])(?P<m2>\d{1,2})(?:(?P=sep)(?P<y2>\d{4}))?(?![\d/.-]\d)",
    re.IGNORECASE,
)
# "tổng kết công tác … năm 2020", "sơ kết … 6 tháng đầu năm 2022": the year whose work is reviewed.
# The reach is bounded so that a long sentence with many cue words costs linear time.
_REVIEW_RE = re.compile(r"(?:tổng kết|sơ kết|tổng kết công tác|nhìn lại)[^.;\n]{0,240}?năm\s+(\d{4})", re.IGNORECASE)
# "triển khai nhiệm vụ năm 2021", "kế hoạch năm 2021": the year being planned.
_PLAN_RE = re.compile(r"(?:triển khai|nhiệm vụ|kế hoạch|phương hướng)[^.;\n]{0,240}?năm\s+(\d{4})", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<![\w/-])năm\s+((?:19|20)\d{2})(?![\w/-])", re.IGNORECASE)
# A year the text aims at, not one it reports: "đến năm 2030", "tới cuối năm 2025", "tầm nhìn đến năm 2045",
# "mục tiêu năm 2025", "phấn đấu trong năm 2026".
_FUTURE_RE = re.compile(r"(?:(?:đến|tới|hết|tầm nhìn(?: đến)?)(?:\s{1,4}(?:cuối|giữa|đầu|hết))?"
                        r"|(?:mục tiêu|chỉ tiêu|phấn đấu|dự kiến|sẽ)(?:\s{1,4}(?:đến|trong|của))?)\s{1,4}năm\s{1,4}$",
                        re.IGNORECASE)
_FUTURE_REACH = 40  # characters before a year that _FUTURE_RE may need to see
_FUTURE_AFTER = re.compile(r"\s{0,4}(?:tới|sắp tới|và những năm tiếp theo)(?!\w)", re.IGNORECASE)  # "năm 2026 tới"
# A reported year: a past-tense verb in the year's clause ("Năm 2023, Đảng bộ đã …", "… trong năm 2023 vừa qua";
# "đă" is how some sites' broken encoding writes "đã").
_PAST_RE = re.compile(r"(?<!\w)(?:đã|đă|vừa qua|đạt được|trước đó)(?!\w)", re.IGNORECASE)
# A planned year: a plan word just before it ("phương hướng, nhiệm vụ năm 2013", "kế hoạch năm 2025"), or an
# obligation after it in its clause ("… năm 2013, đòi hỏi phải …", "năm 2025 cần …").
_PLANNED_BEFORE = re.compile(r"(?:triển khai|nhiệm vụ|kế hoạch|phương hướng)[^.;:\n]{0,24}?năm\s{1,4}$", re.IGNORECASE)
_PLANNED_AFTER = re.compile(r"(?<!\w)(?:sẽ|phải|cần|phấn đấu|dự kiến)(?!\w)", re.IGNORECASE)
_PLANNED_REACH = 60
_CLAUSE_END = re.compile(r"[.;:!?\n]")
_PAST_REACH = 100  # characters of the year's clause searched for a past-tense verb, each side
# A full date that dates a document ("Nghị quyết số 12-NQ/TU ngày 5/3/2021", "Quyết định … ký ngày"),
# not the event the article reports; a deadline ("trước ngày 30/6/2025") is not one either.
_DOCUMENT_DATE = re.compile(r"(?:số\s+[\w/.-]{1,30}|ban hành|ký|kí)\s{1,4}(?:vào\s+)?(?:ngày\s+)?$"
                            r"|(?:trước|đến|tới|chậm nhất|hạn)\s{1,4}(?:ngày\s+)?$", re.IGNORECASE)
_DOCUMENT_REACH = 48


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    day: int
    month: int
    year: int | None
    end_day: int | None = None  # a range "từ ngày 14 đến ngày 23/3": the last day
    end_month: int | None = None
    cued: bool = False


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Dates and date ranges in text[start:end], in order; uncued dates need a year."""
    end = len(text) if end is None else end
    found: list[DateMention] = []
    if _DIGIT.search(text, start, end) is None:  # every date has a digit; most sentences have none
        return found
    taken = _Taken()
    for m in [*_RANGE_RE.finditer(text, start, end), *_PAIR_RE.finditer(text, start, end)]:
        single_month = not m.groupdict().get("m1")
        if taken.covers(m.start()) or (single_month and int(m["d1"]) >= int(m["d2"])):
            continue
        d2, m2 = int(m["d2"]), int(m["m2"])
        m1 = int(m["m1"]) if "m1" in m.groupdict() and m["m1"] else m2
        found.append(DateMention(m.start(), m.end(), int(m["d1"]), m1, _int(m["y2"]), d2, m2, True))
        taken.add(m.start(), m.end())
    for m in _DATE_RE.finditer(text, start, end):
        if taken.covers(m.start()):
            continue
        if m["wd"]:
            dm = DateMention(m.start(), m.end(), int(m["wd"]), int(m["wm"]), _int(m["wy"]), cued=True)
        else:
            if not m["cue"] and not m["y"]:
                continue
            dm = DateMention(m.start(), m.end(), int(m["d"]), int(m["m"]), _int(m["y"]), cued=bool(m["cue"]))
        if 1 <= dm.day <= 31 and 1 <= dm.month <= 12:
            found.append(dm)
    return sorted(found, key=lambda d: d.start)


# "(3/2/1930 - 3/2/2025)": the years an anniversary spans, not the day of an event.
_ANNIVERSARY = re.compile(r"\(\s*(?:ngày\s+)?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\s*[-–—]\s*(?:ngày\s+)?"
                          r"\d{1,2}[/.-]\d{1,2}[/.-](?P<year>\d{4})\s*\)")


def event_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """find_dates without the dates of an anniversary's span in brackets."""
    skip = [(m.start(), m.end()) for m in _ANNIVERSARY.finditer(text, start, len(text) if end is None else end)]
    return [d for d in find_dates(text, start, end) if not any(a <= d.start < b for a, b in skip)]


class _Taken:
    """Spans already read as ranges; ``covers`` is a binary search, not a scan (many dates, one pass)."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        bisect.insort(self.spans, (start, end))

    def covers(self, pos: int) -> bool:
        i = bisect.bisect_right(self.spans, (pos, float("inf")))
        # spans may nest (a pair inside a range): any earlier span reaching past pos covers it
        return any(s <= pos < e for s, e in self.spans[max(0, i - 2):i])


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def infer_year(day: int, month: int, *, published: date | None, context: str, text: str = "") -> int | None:
    """The year of a date written without one ("Ngày 6/1, …").

    1. The article's publication date: the latest year in which day/month is not
       more than a week after publication (a report on 30/12 published 2/1 is last year's).
    2. The work the event reviews, in its own sentence (``context``): a review of year Y
       ("tổng kết … năm Y") held in January-March is in Y+1, later in the year in Y.
       Otherwise a year being planned ("triển khai nhiệm vụ năm P") held in
       October-December is in P-1, earlier in P.
    3. Else the year an anniversary in ``context`` reaches ("(3/2/1930 - 3/2/2025)" → 2025), else,
       in ``context`` and then in the whole ``text``: the latest year of a dated event ("ngày 5/3/2024",
       not a document's date or a deadline), else the latest "năm YYYY" whose clause says it was done
       ("Năm 2023, Đảng bộ đã …"), else the latest "năm YYYY"; never a target year ("đến năm 2030",
       "tầm nhìn đến năm 2045", "mục tiêu năm 2026", "năm 2026 tới").
    None when there is nothing to go on.
    """
    if published is not None:
        for year in (published.year, published.year - 1):
            try:
                when = date(year, month, day)
            except ValueError:
                continue
            if (when - published).days <= 7:
                return year
        return published.year
    review = _REVIEW_RE.search(context)
    if review:
        y = int(review.group(1))
        return y + 1 if month <= 3 else y
    plan = _PLAN_RE.search(context)
    if plan:
        y = int(plan.group(1))
        return y - 1 if month >= 10 else y
    anniversary = _ANNIVERSARY.search(context)  # "(3/2/1930 - 3/2/2025)": celebrated in 2025
    if anniversary:
        return int(anniversary["year"])
    for source in (context, text):
        # A dated event in the same sentence, then anywhere: the article reports that year's events.
        dated = _event_years(source)
        if dated:
            return max(dated)
        if source is text:  # a review the article reports ("Hội nghị tổng kết công tác năm 2022" as headline)
            review = _review_year(text)
            if review is not None:
                return review + 1 if month <= 3 else review
        years = _stated_years(source)
        if years:
            # A year the text reports as done beats one merely named, which beats a planned one; the
            # latest of the best kind: the events reported are not older than what was done.
            best = max(kind for _, kind in years)
            return max(y for y, kind in years if kind == best)
    return None


@lru_cache(maxsize=16)
def _review_year(text: str) -> int | None:
    review = _REVIEW_RE.search(text)
    return int(review.group(1)) if review else None


@lru_cache(maxsize=16)
def _event_years(source: str) -> tuple[int, ...]:
    """Years of the full dates in source that date an event, not a document or a deadline."""
    return tuple(d.year for d in event_dates(source) if d.year
                 and not _DOCUMENT_DATE.search(source, max(0, d.start - _DOCUMENT_REACH), d.start))


_PLANNED, _NAMED, _DONE = 0, 1, 2  # what the text says of a stated year


@lru_cache(maxsize=16)
def _stated_years(source: str) -> tuple[tuple[int, int], ...]:
    """The "năm YYYY" years of source, each with what its clause says of it: planned, done (a
    past-tense verb) or merely named; target years ("đến năm 2030", "năm 2026 tới") left out.
    Cached: every date without a year asks about the whole article text (a str caches its hash)."""
    found = []
    for m in _YEAR_RE.finditer(source):
        if _FUTURE_RE.search(source, max(0, m.start() - _FUTURE_REACH), m.start() + 4) \
                or _FUTURE_AFTER.match(source, m.end()):
            continue
        found.append((int(m.group(1)), _said_of(source, m.start(), m.end())))
    return tuple(found)


def _said_of(source: str, start: int, end: int) -> int:
    lo = max(0, start - _PAST_REACH)
    hi = min(len(source), end + _PAST_REACH)
    before = [b.end() for b in _CLAUSE_END.finditer(source, lo, start)]
    clause_start = before[-1] if before else lo
    after = _CLAUSE_END.search(source, end, hi)
    clause_end = after.start() if after else hi
    if _PLANNED_BEFORE.search(source, max(clause_start, start - _FUTURE_REACH), start + 4) \
            or _PLANNED_AFTER.search(source, end, min(clause_end, end + _PLANNED_REACH)):
        return _PLANNED
    return _DONE if _PAST_RE.search(source, clause_start, clause_end) else _NAMED


def to_date(dm: DateMention, *, published: date | None, context: str, text: str = "") -> tuple[date | None, date | None]:
    """(start, end) dates of a mention, the year inferred when not written; end None for one day."""
    year = dm.year or infer_year(dm.day, dm.month, published=published, context=context, text=text)
    if year is None:
        return None, None
    try:
        first = date(year, dm.month, dm.day)
        last = date(year, dm.end_month or dm.month, dm.end_day) if dm.end_day else None
    except ValueError:
        return None, None
    return first, last


def parse_written_date(text: str) -> date | None:
    """A full date written d-m-yyyy, d/m/yyyy, d.m.yyyy or "ngày d tháng m năm yyyy"; else None."""
    for dm in find_dates(text):
        if dm.year:
            try:
                return date(dm.year, dm.month, dm.day)
            except ValueError:
                return None
    return None
