"""Recognisers of bodies and people run in linear time: crafted inputs of size N and 2N.

Each case builds a text from one pattern family at two sizes and checks that doubling the input
at most roughly doubles the time (bound 4x, plus a small floor for timer noise). A catastrophic
pattern (nested quantifiers over one long word) fails by orders of magnitude, not by a factor of 2.
"""

from __future__ import annotations

import pytest
from extract_helpers import run
from timing_support import best_cpu_seconds

_FLOOR = 0.02  # seconds: below this, timings are noise


def _cost(text: str) -> float:
    return best_cpu_seconds(lambda: run(text))


# Each family: size → text. Sizes are chosen so one run stays well under a second.
FAMILIES = {
    # one long word after a listed body: the list-of-bodies check used to cut it in ~L^8 ways
    # (the check reads 120 characters after the body, so the text repeats a window-sized shape)
    "long word after HĐND": lambda n: ("HĐND, " + "a" * 90 + "! tỉnh Quảng Ninh. ") * (n // 115),
    "long word after UBND": lambda n: ("UBND và " + "Tỉnh" * 22 + "! tỉnh Bến Tre. ") * (n // 115),
    "many list items": lambda n: "HĐND" + ", UBND" * (n // 6) + " tỉnh Bến Tre.",
    "blank run between bodies": lambda n: "Văn phòng Chính phủ ," + " " * n + "Chính phủ.",
    "long capitalised tail": lambda n: "Giám đốc Sở " + "Ab " * (n // 3) + "họp.",
    "long word after a post": lambda n: "Phó Bí thư " + "Đ" * n + " Nguyễn Văn An.",
    "post chain": lambda n: "Nguyễn Văn An, " + "Ủy viên Ban Thường vụ, " * (n // 24) + "dự.",
    "dash chain": lambda n: "Phó Chủ tịch" + " - Tổng Thư ký" * (n // 14) + " Hội Nông dân Việt Nam.",
    "name list": lambda n: "các Phó Thủ tướng: " + "Trần Văn An, " * (n // 13) + "Lê Văn Bình.",
    "list after a post": lambda n: "bầu làm Ủy viên Ban Thường vụ, gồm: " + "ông Trần Văn An, " * (n // 17) + "ông Lê Văn Bình.",
    "district words": lambda n: "Huyện ủy " + "Châu " * (n // 5) + "họp.",
    "party caucus": lambda n: "Phó Bí thư Đảng đoàn " + "Hội " * (n // 4) + "Nguyễn Văn An.",
    "distributive list": lambda n: "Thường trực Huyện ủy các huyện: " + "Châu Thành, " * (n // 12) + "Tân Phú.",
    "distributive provinces": lambda n: "UBND 9 tỉnh là " + "Kon Tum, " * (n // 9) + "Gia Lai.",
    "units sharing a parent": lambda n: "Ban Tổ chức, " * (n // 13) + "Ban Dân vận Tỉnh ủy Hà Giang.",
    "names then elected into": lambda n: "Các đồng chí: " + "Lý Văn Một - Trưởng Ban Dân vận, " * (n // 33)
                                         + "Hà Thị Hai - được bầu vào Ban Bí thư.",
    "counted post list": lambda n: "UBND tỉnh Bạc Liêu có 9 Phó Chủ tịch gồm: " + "ông Hồ Văn Hai (Tỉnh ủy viên), " * (n // 31)
                                   + "ông Tạ Văn Ba.",
    "lower-case tail words": lambda n: "tại Sở Giao " + "thông " * (n // 6) + "tỉnh Nghệ An.",
    "many headed bodies": lambda n: "".join(f"Giám đốc Sở Ab{chr(97 + i % 26)}{chr(97 + i // 26 % 26)} tỉnh Phú Yên, "
                                            for i in range(n // 30)) + "dự.",
    "pronoun posts": lambda n: "Ông Lê Văn Hải dự. " + "Ông là Bí thư Tỉnh ủy Bến Tre. " * (n // 31),
    "elected into, then a list": lambda n: "được bầu vào Bộ Chính trị gồm: " + "Lê Văn Một, " * (n // 12) + "Hồ Văn Hai.",
    "village words": lambda n: "Phó Bí thư Chi bộ, " + "thôn Khe Mít, " * (n // 14) + "dự.",
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_time_grows_linearly(family):
    build = FAMILIES[family]
    run(build(300))  # warm up gazetteers and patterns
    small, large = _cost(build(1500)), _cost(build(3000))
    assert large < 1.0, f"{family}: {large:.3f}s at size 3000"
    assert large <= 4 * small + _FLOOR, f"{family}: {small:.4f}s → {large:.4f}s when the input doubles"


def test_one_long_word_after_hdnd_is_fast():
    """The reported shape: a 144-byte article, one long word between "HĐND, " and a province."""
    text = "HĐND, " + "x" * 110 + "! tỉnh Quảng Ninh."
    assert _cost(text) < 0.2
