"""Scraping noise the recognisers should not have to know about, undone in a view of the text.

Real articles glue words together where the scraper dropped a blank or a line break
("Phó Bí thưTỉnh ủy", "Quyết định số2303", "nhiệm kỳ 2004-2011.Hôm", "Bình Thuận,nhiệm kỳ"),
glue a dash to the name before it ("Nguyễn Văn A- Phó Bí thư") and run a title into the name
after it ("PGS.TS.Nguyễn Văn B"). ``view`` inserts the missing blank in each such place and
nothing else: the recognisers read the view (``Context.text`` / ``Context.mtext``) with the
same API as before, and ``View.to_original`` takes every offset they record back to the
article text as kept, so evidence spans still quote it exactly. A text without such noise
is its own view (no copy, identity offsets).

Only blanks are inserted, so the view never loses a character of the original, and every
rule is one linear regular-expression pass with no nested repetition.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.resources import gazetteer_dir

# Latin letters (Vietnamese included); lower and upper case told apart explicitly because
# ``re`` has no case classes.
_LATIN = [chr(c) for r in ((0x41, 0x5B), (0x61, 0x7B), (0xC0, 0x250), (0x1E00, 0x1F00)) for c in range(*r)]
_LOWER = "".join(re.escape(c) for c in _LATIN if c.isalpha() and c.islower())
_UPPER = "".join(re.escape(c) for c in _LATIN if c.isalpha() and c.isupper())
_NON_ASCII_LOWER = "".join(re.escape(c) for c in _LATIN if c.isalpha() and c.islower() and ord(c) > 0x7F)

_RULES = re.compile(
    # "thưTỉnh", "tỉnhHà Nam": an all-lower-case word of two letters or more runs into a capitalised
    # word ("iPhone", "eKYC" have one lower-case letter before the capital and are left alone).
    rf"(?<![\w.@/])[{_LOWER}]{{2,12}}(?P<case>)(?=[{_UPPER}][{_LOWER}])"
    # "số2303", "kỳ2004": a Vietnamese word (it has a diacritic; "km2", "H5N1" do not) runs into a number.
    rf"|(?<![\w.@/])[{_LOWER}]{{0,8}}[{_NON_ASCII_LOWER}][{_LOWER}]{{0,8}}(?P<digit>)(?=\d)"
    # "2011.Hôm", "Nam.Tại", "TS.Nguyễn", "TP.Hồ": a sentence or an abbreviation of two letters or more
    # runs into a capitalised word ("T.Ư", "H.Văn" keep their single initial).
    rf"|(?<![\w@/])\w{{2,20}}\.(?P<stop>)(?=[{_UPPER}][{_LOWER}])"
    # "Thuận,nhiệm kỳ", "xã;Hà": a comma or semicolon between two letters ("9,5%" has digits).
    rf"|(?<=[{_LOWER}{_UPPER}])[,;](?P<comma>)(?=[{_LOWER}{_UPPER}])"
    # "Nguyễn Văn A- Phó Bí thư": a dash glued to the word before it and followed by a blank.
    rf"|(?<=[{_LOWER}{_UPPER}])(?P<dash_before>)[-–](?= [{_UPPER}])"
    # "Nguyễn Văn A -Phó Bí thư": a dash after a blank glued to the capitalised word after it.
    rf"|(?<=[{_LOWER}{_UPPER}] )[-–](?P<dash_after>)(?=[{_UPPER}][{_LOWER}])"
)


@lru_cache(maxsize=1)
def _glued_uy() -> re.Pattern[str]:
    """"Tỉnhủy", "Đảnguỷ": a committee syllable glued to "ủy" (gazetteers/glued_before_uy.txt)."""
    path = gazetteer_dir() / "glued_before_uy.txt"
    heads = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")]
    alts = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?P<uy>)(?=(?:ủy|uỷ)(?!\w))")


@dataclass(frozen=True)
class View:
    """The text recognisers read, and the way back to the article's offsets."""

    text: str
    # view offsets of the inserted blanks, ascending
    inserted: tuple[int, ...] = field(default=())

    def to_original(self, pos: int) -> int:
        """The article offset of view offset pos (an inserted blank maps to the character after it)."""
        if not self.inserted:
            return pos
        return pos - bisect.bisect_left(self.inserted, pos)

    def apply(self, same_length: str) -> str:
        """Make the same insertions in a text of the original's length (the masked text)."""
        return _insert(same_length, self._original_points())

    def _original_points(self) -> list[int]:
        return [q - i for i, q in enumerate(self.inserted)]


# Where a rule can fire: the character pairs each rule inserts a blank between. One cheap pass finds
# them; the rules then run only in a window around each (a rule's match starts at most 21 characters
# before its blank), which gives the same blanks as running them over the whole text, at half the cost.
_CANDIDATE = re.compile(rf"[{_LOWER}][{_UPPER}]|[{_NON_ASCII_LOWER}]\d|\w\.[{_UPPER}]"
                        rf"|[{_LOWER}{_UPPER}][,;][{_LOWER}{_UPPER}]|[{_LOWER}{_UPPER}][-–] [{_UPPER}]| [-–][{_UPPER}]"
                        r"|\w(?:ủy|uỷ)")
_BEFORE = 24


def view(text: str) -> View:
    """The text with the missing blanks inserted (see the module docstring)."""
    points: set[int] = set()
    for candidate in _CANDIDATE.finditer(text):
        lo, hi = max(0, candidate.start() - _BEFORE), min(len(text), candidate.end() + 2)
        points.update(m.end(name) for m in _RULES.finditer(text, lo, hi) for name in (m.lastgroup,) if name)
        points.update(m.end("uy") for m in _glued_uy().finditer(text, lo, hi))
    if not points:
        return View(text)
    points = sorted(points)
    return View(_insert(text, points), tuple(p + i for i, p in enumerate(points)))


def _insert(text: str, points: list[int]) -> str:
    """text with one blank before each original offset in points (ascending)."""
    if not points:
        return text
    parts, prev = [], 0
    for p in points:
        parts.append(text[prev:p])
        parts.append(" ")
        prev = p
    parts.append(text[prev:])
    return "".join(parts)
