"""Vietnamese text in one place: NFC, tone placement, folding for comparison and search, slugs.

Vietnamese writes each syllable's tone as a combining mark, and real text mixes two placements
of it in the open syllables oa, oe and uy: old style "hoà", "Uỷ" and new style "hòa", "Ủy"
(one word, two spellings). Every comparison in kg goes through these functions so that the
two spellings, upper and lower case, and composed or decomposed input always agree.

    nfc("Ủy")                       composed form (what kg stores and quotes)
    new_tone_placement("Uỷ ban")    → "Ủy ban"   (same length: offsets still hold)
    match_key("UỶ  VIÊN")           → "ủy viên"  (labels and role words compared)
    search_key("Lại Xuân Lâm")      → "lai xuan lam"  (diacritics-insensitive search)
    slug("Đảng ủy Khối")            → "dang-uy-khoi"  (ASCII IRI segment)
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


@lru_cache(maxsize=65536)  # called for every entity key; names repeat across a corpus
def slug(text: str) -> str:
    """ASCII kebab-case: "Đảng ủy Khối các cơ quan Trung ương" → "dang-uy-khoi-cac-co-quan-trung-uong",
    "08-QĐi/TW" → "08-qdi-tw"; "x" when nothing is left."""
    return re.sub(r"[^A-Za-z0-9]+", "-", strip_diacritics(text)).strip("-").lower() or "x"
