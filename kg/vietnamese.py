"""Vietnamese text in one place: NFC, tone placement, folding for comparison and search, slugs.

Vietnamese writes each syllable's tone as a combining mark, and real text mixes two placements
of it in the open syllables oa, oe and uy: old style "hoà", "Uỷ" and new style "hòa", "Ủy"
(one word, two spellings). Every comparison in kg goes through these functions so that the
two spellings, upper and lower case, and composed or decomposed input always agree.

    nfc("Ủy")                       composed form (what kg stores and quotes)
    new_tone_placement("Uỷ ban")    → "Ủy ban"   (same length: offsets still hold)
    match_key("UỶ  VIÊN")           → "ủy viên"  (labels and role words compared)
    search_key("Lại Xuân Lâm")      → "lai xuan lam"  (diacritics-insensitive search)
    slug("Đảng ủy Khối")            → "ddarng-ury-khoosi"  (ASCII IRI segment, every diacritic kept)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The five tone marks (grave, acute, hook above, tilde, dot below) as combining characters.
TONE_MARKS = frozenset({"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"})

# The open syllables whose tone moves between the two placements ("qu" is a consonant).
_MOVABLE = (("o", "a"), ("o", "e"), ("u", "y"))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=1)
def _old_to_new() -> dict[str, str]:
    """Old-style "oà oá … uỳ uý …" → new-style "òa óa … ùy úy …", in every case pattern."""
    table: dict[str, str] = {}
    for first, second in _MOVABLE:
        for tone in TONE_MARKS:
            for f, s in ((first, second), (first.upper(), second), (first.upper(), second.upper()),
                         (first, second.upper())):
                table[f + nfc(s + tone)] = nfc(f + tone) + s
    return table


@lru_cache(maxsize=1)
def _old_tone_re() -> re.Pattern[str]:
    # Only at the end of a syllable ("hoàn" is spelt one way in both styles), never after q ("quý").
    # Two character classes, not an alternation of every pair: one pass over the text at C speed;
    # pairs the classes allow but the table lacks ("uà") are left as they are.
    firsts = "".join(sorted({old[0] for old in _old_to_new()}))
    seconds = "".join(sorted({old[1] for old in _old_to_new()}))
    return re.compile(rf"(?<![qQ])[{firsts}][{seconds}](?!\w)")


def new_tone_placement(text: str) -> str:
    """Move old-style tone marks onto the new-style vowel. NFC in, NFC out, same length."""
    table = _old_to_new()
    return _old_tone_re().sub(lambda m: table.get(m.group(), m.group()), text)


def match_key(text: str) -> str:
    """Comparison key for names and labels: NFC, new-style tones, casefolded, single spaces."""
    return " ".join(new_tone_placement(nfc(text)).casefold().split())


def strip_diacritics(text: str) -> str:
    """Base letters only: "Đảng ủy" → "Dang uy" (đ/Đ become d/D, every combining mark goes)."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def search_key(text: str) -> str:
    """Diacritics-insensitive search key: "Lại Xuân Lâm" → "lai xuan lam"."""
    return strip_diacritics(text).lower()


# --- slugs: Telex, so that every distinction of the spelling survives in ASCII ----------------
#
# IRIs must keep "Hùng" and "Hưng" apart, yet stay readable ASCII. Telex, the way Vietnamese is
# typed on every keyboard, spells each modified letter with two ASCII letters and each tone with
# one, and is read back by anyone who types Vietnamese:
#     â aa   ă aw   ê ee   ô oo   ơ ow   ư uw   đ dd        tone after its vowel: f s r x j
#     "Nguyễn Văn Hùng" → "nguyeexn-vawn-hufng",  "Nguyễn Văn Hưng" → "nguyeexn-vawn-huwng".
# The tone letter follows the vowel that carries it (not the end of the word as in keyboard
# Telex), so reading a slug back needs no tone-placement rule. A plain letter that would be
# read as a modifier or a tone ("oo" in "xoong", "x" after a vowel in "Marx") is preceded by
# "_", which is never produced otherwise: so the spelling is recovered exactly (``unslug``), and
# two names share a slug only when they are one spelling up to case, tone placement (old/new)
# and punctuation. Names without diacritics keep the slug they always had ("ban-to-chuc").

_MODIFIER = {"\u0302": {"a": "aa", "e": "ee", "o": "oo"},      # circumflex: â ê ô
             "\u0306": {"a": "aw"},                            # breve: ă
             "\u031b": {"o": "ow", "u": "uw"}}                 # horn: ơ ư
_TONE_LETTER = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}
_DIGRAPHS = {"aa": "â", "aw": "ă", "ee": "ê", "oo": "ô", "ow": "ơ", "uw": "ư", "dd": "đ"}
_VOWELS = frozenset("aeiouyâăêôơư")
_TONE_OF_LETTER = {letter: mark for mark, letter in _TONE_LETTER.items()}


def _units(word: str) -> list[tuple[str, str]]:
    """A lower-case NFC word as (kind, ascii) units: "plain" letters, "modified" digraphs, "tone"s.
    Marks outside Vietnamese spelling (ü, ç) are dropped, as before."""
    units: list[tuple[str, str]] = []
    for ch in word:
        if ch == "đ":
            units.append(("modified", "dd"))
            continue
        base, *marks = unicodedata.normalize("NFD", ch)
        if not ("a" <= base <= "z" or "0" <= base <= "9"):
            continue
        spelled, tone = base, None
        for mark in marks:
            if mark in _TONE_LETTER:
                tone = _TONE_LETTER[mark]
            elif base in _MODIFIER.get(mark, {}):
                spelled = _MODIFIER[mark][base]
        units.append(("modified" if spelled != base else "plain", spelled))
        if tone:
            units.append(("tone", tone))
    return units


def _telex(word: str) -> str:
    units = _units(word)
    out = []
    for i, (kind, text) in enumerate(units):
        if kind == "plain":
            after = units[i + 1][1][0] if i + 1 < len(units) else ""
            before = units[i - 1] if i else None
            after_vowel = before is not None and before[0] != "tone" and _is_vowel(before[1])
            if text + after in _DIGRAPHS or (text in _TONE_OF_LETTER and after_vowel):
                out.append("_")
        out.append(text)
    return "".join(out)


def _is_vowel(ascii_unit: str) -> bool:
    return (_DIGRAPHS.get(ascii_unit) or ascii_unit) in _VOWELS


@lru_cache(maxsize=65536)  # called for every entity key; names repeat across a corpus
def slug(text: str) -> str:
    """ASCII kebab-case that keeps every diacritic (Telex, see above): "Đảng ủy Khối" → "ddarng-ury-khoosi",
    "Ban Tổ chức" → "ban-toor-chuwsc", "08-QĐi/TW" → "08-qddi-tw"; "x" when nothing is left."""
    words = re.split(r"[^\w]+|_", new_tone_placement(nfc(text)).lower())
    return "-".join(w for w in map(_telex, words) if w) or "x"


def unslug(slug_: str) -> str:
    """The spelling a slug was made from, lower case, words joined by one space: the inverse of
    ``slug`` (up to case, tone placement and punctuation). For tests and for reading IRIs."""
    words = []
    for word in slug_.split("-"):
        out: list[str] = []
        toneable = False  # the last letter is a vowel that has no tone yet
        i = 0
        while i < len(word):
            if word[i] == "_":
                out.append(word[i + 1])
                toneable, i = word[i + 1] in _VOWELS, i + 2
            elif word[i:i + 2] in _DIGRAPHS:
                out.append(_DIGRAPHS[word[i:i + 2]])
                toneable, i = out[-1] in _VOWELS, i + 2
            elif word[i] in _TONE_OF_LETTER and toneable:
                out[-1] = nfc(out[-1] + _TONE_OF_LETTER[word[i]])
                toneable, i = False, i + 1
            else:
                out.append(word[i])
                toneable, i = word[i] in _VOWELS, i + 1
        words.append("".join(out))
    return " ".join(words)
