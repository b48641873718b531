"""kg.extract.meetings runs in time linear in the article's length (issue 9, item 6).

Each family of patterns gets a crafted input of size N and 2N; the time of meetings.find alone (the other
recognisers run beforehand, untimed) must grow roughly linearly: a quadratic rule would take about four
times as long on the doubled input. Bounds are generous for a loaded machine; the whole module takes a few
seconds."""

from __future__ import annotations

import copy

import pytest
from timing_support import best_cpu_seconds

from kg.extract import assemblies, bodies, documents, meetings, people
from kg.extract.context import Context
from kg.text import parse_article

FRONT = "---\npublished: 2024-06-10\n---\n"

# family name → (opening, piece repeated N times, joiner, N). "{d}/{m}/{y}" in a piece is a distinct date and
# "{i}" a number for each copy, so that the copies are distinct events. (kg.extract.context keeps an
# entity's mentions in a list it scans on each add, so a body named hundreds of times costs a little more
# than linear there; these inputs stay well below that.)
LEAD = "Sáng 3/6, Tỉnh ủy Nam Định tổ chức Hội nghị tổng kết. "
FAMILIES = {
    "organised meetings with roles, one per paragraph": (
        "", "Ngày {d}/{m}/{y}, Ban Tuyên giáo Tỉnh ủy Nam Định tổ chức Hội nghị tập huấn. Đồng chí Trần Văn An, "
        "Phó Bí thư Tỉnh ủy chủ trì hội nghị và phát biểu kết luận.", "\n\n", 80),
    "event words in one dated sentence": ("Sáng 3/6, ", "Hội nghị lần thứ nhất Hội thảo Kỳ họp thứ hai", " ", 300),
    "whitespace runs between predicates": ("Sáng 3/6, ", "Hội nghị" + " " * 40 + "do" + " " * 40 + "diễn", " ", 150),
    "one long list of attendees with cues": (
        LEAD + "Tham dự có ", "đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy dự hội nghị và phát biểu", "; ", 150),
    "numbered sessions a body acts at, with chairs": (
        "", "Tại kỳ họp thứ {i} (ngày {d}/{m}/{y}), Quốc hội đã xem xét báo cáo do đồng chí Trần Văn An chủ trì.",
        " ", 150),
    "session programmes in one sentence": ("Sáng 3/6, ", "trong chương trình kỳ họp thứ năm của các đại biểu", " ", 300),
    "planned 'tổ chức Hội nghị' in one sentence": ("Sáng 3/6, ", "các cấp ủy cần tổ chức Hội nghị quán triệt", ", ", 300),
    "venues and 'do' in one sentence": (LEAD, "tại Hội trường Tỉnh ủy do các cơ quan", " và ", 300),
    "decisions handed over, one per sentence": (
        "", "Ngày {d}/{m}/{y}, quyết định số {i} được đồng chí Trần Văn An trao cho cán bộ.", " ", 150),
    "people attending dated events": (
        "", "Ngày {d}/{m}/{y}, đồng chí Trần Văn An dự Lễ kỷ niệm {i} năm thành lập huyện.", " ", 150),
    # Each meeting's references, organiser and assembly are looked up among what its own sentences hold,
    # not among every document, assembly or person of the article.
    "dated meetings each discussing a document, one line": (
        "", "Ngày {d}/{m}/{y}, Tỉnh ủy Nam Định tổ chức Hội nghị quán triệt Nghị quyết số {i}-NQ/TU. "
        "Đồng chí Trần Văn An phát biểu về Chỉ thị số {i}-CT/TU.", " ", 200),
    "dated congresses that open, one line": (
        "", "Sáng {d}/{m}/{y}, Đại hội đại biểu Đảng bộ xã Tân An lần thứ {i} khai mạc. Đồng chí Trần Văn An "
        "dự Đại hội.", " ", 200),
    "one long list sentence of people with roles and clauses": (
        LEAD + "Dự hội nghị có ", "đồng chí Trần Văn An, Phó Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh", ", ", 300),
}


def _context(text: str) -> Context:
    ctx = Context.of(parse_article(FRONT + text + "\n", "linear.txt"))
    bodies.find(ctx)
    people.find(ctx)
    documents.find(ctx)
    assemblies.find(ctx)
    return ctx


def _text(opening: str, piece: str, joiner: str, n: int) -> str:
    def copy(i: int) -> str:
        return piece.format(i=i + 1, d=i % 28 + 1, m=i // 28 % 12 + 1, y=2000 + i // 336)
    return opening + joiner.join(copy(i) for i in range(n)) + "."


def _seconds(opening: str, piece: str, joiner: str, n: int) -> float:
    base = _context(_text(opening, piece, joiner, n))

    def fresh() -> tuple[Context]:  # meetings.find adds to the context: each run gets a fresh copy of what it changes
        ctx = copy.copy(base)
        ctx.entities = copy.deepcopy(base.entities)
        ctx.participations, ctx.references = {}, {}
        ctx.__dict__.pop("_meetings_index", None)
        return (ctx,)

    return best_cpu_seconds(meetings.find, repeat=5, fresh=fresh)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_time_grows_linearly(family):
    opening, piece, joiner, n = FAMILIES[family]
    small = _seconds(opening, piece, joiner, n)
    large = _seconds(opening, piece, joiner, 2 * n)
    # linear ≈ 2x; quadratic ≈ 4x. A floor keeps timer noise on tiny inputs from deciding.
    assert large <= 3.2 * max(small, 0.002), (family, small, large)
