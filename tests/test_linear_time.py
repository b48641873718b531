"""Reading, the shared context, documents, assemblies and dates run in linear time.

Each case builds a crafted input of one pattern family at two sizes (N and 2N) and checks that
doubling the input at most roughly doubles the time (bound 3x plus a floor for timer noise): a
quadratic part costs 4x, a cubic one 8x, and a catastrophic pattern fails by orders of magnitude.
Only the stages these modules own are timed; the text is prepared (bodies, people) untimed.
"""

from __future__ import annotations

import pytest
from timing_support import best_cpu_seconds

from kg.extract import assemblies, bodies, dates, documents, people
from kg.extract.context import Context
from kg.text import parse_article

_FLOOR = 0.015  # seconds: below this, timings are noise
_BOUND = 3.0

_SENTENCE = ("Ngày 5/3, đồng chí Nguyễn Văn An, Bí thư Tỉnh ủy Hà Giang chủ trì Hội nghị lần thứ 8 Ban Chấp "
             "hành Đảng bộ tỉnh khóa XVII triển khai Nghị quyết số 18-NQ/TW của Bộ Chính trị, Chỉ thị 05 của "
             "Ban Bí thư và Đại hội đại biểu Đoàn TNCS Hồ Chí Minh tỉnh Hà Giang lần thứ 9. ")


def _best(fn, *args) -> float:
    return best_cpu_seconds(lambda: fn(*args))


def _prepared(text: str) -> Context:
    ctx = Context.of(parse_article("Bài báo thử về thời gian chạy\n" + text + "\n"))
    bodies.find(ctx)
    people.find(ctx)
    return ctx


def _owned_stages(text: str):
    """The timed part: the context's own lookups, documents, assemblies, dates and the result."""
    ctx = _prepared(text)

    def stages() -> None:
        fresh = Context.of(ctx.article)
        fresh.body_refs, fresh.person_spans = list(ctx.body_refs), list(ctx.person_spans)
        for s, _ in fresh.sentences():
            fresh.sentence_at(s)
        documents.find(fresh)
        assemblies.find(fresh)
        for dm in dates.find_dates(fresh.mtext):
            dates.infer_year(dm.day, dm.month, published=None, context="", text=fresh.mtext)
        fresh.result()
    return stages


def _parse(text: str):
    return lambda: parse_article(text)


# family → (size → a callable doing the timed work); sizes keep one run well under a second
FAMILIES = {
    # the dateline pattern used to backtrack cubically over blanks after a time (3 KB: 138 s)
    "dateline blanks": lambda n: _parse("08:59" + " " * n + "x\nTiêu đề bài báo thử\nNội dung.\n"),
    "date, time, blanks, junk": lambda n: _parse("8/6/2023 14:46" + " " * n + "x\nTiêu đề bài báo thử\nNội dung.\n"),
    "dateline blanks then a date": lambda n: _parse("Thứ Hai, 08:59" + " " * n + "04/04/2022 ,\nNội dung.\n"),
    # one line of repeated sentences: mention lists and sentence lookups used to be scanned per mention
    "long one-line article": lambda n: _owned_stages(_SENTENCE * (n // len(_SENTENCE))),
    # many document numbers in one list, then each alone with its issuer
    "many document numbers": lambda n: _owned_stages(
        "".join(f"Quyết định số {i}-QĐ/TW, " for i in range(n // 24)) + "của Ban Bí thư."),
    # one document and its issuer named again and again: each new mention used to be compared with all
    "one document named many times": lambda n: _owned_stages("Chỉ thị số 05-CT/TW của Ban Bí thư. " * (n // 36)),
    "many documents with issuers": lambda n: _owned_stages(
        "".join(f"Tỉnh ủy đã ban hành Kế hoạch số {i}-KH/TU. Thực hiện Chỉ thị {i % 90} của Ban Bí thư. "
                for i in range(n // 80))),
    "many dates without a year": lambda n: _owned_stages(
        "".join(f"Sáng {i % 28 + 1}/{i % 12 + 1}, tỉnh tổ chức hội nghị tổng kết năm 2020. " for i in range(n // 60))),
    # scraping glue everywhere: the noise view inserts a blank at each
    "glued words": lambda n: _owned_stages("Phó Bí thưTỉnh ủy Hà Giang,nhiệm kỳ2020-2025.Hôm nay " * (n // 52)),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_doubling_the_input_at_most_roughly_doubles_the_time(family):
    build = FAMILIES[family]
    size = 200_000 if family.startswith("dateline") else 40_000
    small, large = build(size), build(2 * size)
    t1, t2 = _best(small), _best(large)
    assert t2 <= _BOUND * t1 + _FLOOR, f"{family}: {t1:.3f}s at N, {t2:.3f}s at 2N"
