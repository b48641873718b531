"""Gazetteers (loaded once) and the normalisation that makes surface forms comparable.

Surface forms are matched on a *matching text*: the article text with ignored spans
blanked, no-break spaces made plain and old-style tone marks moved ("khoá" → "khóa",
"Uỷ" → "Ủy"). Every change keeps the length, so offsets into it are offsets into
``Article.text``. Lookups use ``norm_key``: tones normalised, abbreviations expanded
(TW → Trung ương …), known misspellings corrected, case folded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg import vietnamese
from kg.iri import slug
from kg.model import EntityKey
from kg.resources import gazetteer_dir


def _rows(name: str) -> list[list[str]]:
    """Tab-separated rows of a gazetteer file, comments and blank lines skipped."""
    path: Path = gazetteer_dir() / name
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


def _opt(cell: str) -> str | None:
    return None if cell in ("", "-") else cell


# --- tone marks -----------------------------------------------------------------

# Old ("hoà", "Uỷ") and new ("hòa", "Ủy") tone placement, folded the one way kg does everywhere.
normalise_tones = vietnamese.new_tone_placement


def matching_text(masked: str) -> str:
    """The text recognisers search: tones normalised, no-break and odd spaces made plain."""
    return normalise_tones(masked.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " "))


# --- abbreviations, misspellings, keys --------------------------------------------


@lru_cache(maxsize=1)
def abbreviations() -> tuple[tuple[str, str], ...]:
    return tuple((r[0], r[1]) for r in _rows("abbreviations.tsv"))


@lru_cache(maxsize=1)
def _abbr_re() -> re.Pattern[str]:
    alts = "|".join(re.escape(a) for a, _ in sorted(abbreviations(), key=lambda r: -len(r[0])))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)")


@lru_cache(maxsize=1)
def misspellings() -> tuple[tuple[str, str], ...]:
    return tuple((r[0], r[1]) for r in _rows("misspellings.tsv"))


def expand(text: str) -> str:
    """Expand abbreviations and correct known misspellings: "UBKT TW" → "Ủy ban Kiểm tra Trung ương"."""
    table = dict(abbreviations())
    text = _abbr_re().sub(lambda m: table[m.group()], normalise_tones(text))
    for wrong, right in misspellings():
        if wrong in text:
            text = text.replace(wrong, right)
    return text


@lru_cache(maxsize=8192)
def norm_key(text: str) -> str:
    """Comparable form of a surface: expanded, NFC, one space between words, case folded."""
    return " ".join(unicodedata.normalize("NFC", expand(text)).split()).casefold()


@lru_cache(maxsize=8192)
def org_key(name: str) -> str:
    return str(EntityKey("org", slug(name)))


def surface_regex(surfaces: list[str], *, ignore_case: bool,
                  exact_words: frozenset[str] = frozenset()) -> re.Pattern[str]:
    """One pattern for whole-word surfaces; at a position the longest surface wins.

    Built as a word trie (shared first words are tried once) behind a one-character
    look-ahead, so scanning a text costs little more than one pass. Words in exact_words
    (abbreviations: "TƯ" is not "tư") keep their case even when the rest ignores it.
    """
    trie: dict = {}
    for surface in set(surfaces):
        node = trie
        for w in surface.split():
            node = node.setdefault(w, {})
        node[""] = {}  # end of a surface
    firsts = {w[0] for w in trie}  # under IGNORECASE the class ignores case too
    head = "(?=[" + "".join(sorted(re.escape(c) for c in firsts)) + "])"
    body = _trie_pattern(trie, ignore_case, exact_words)
    return re.compile(rf"(?<!\w){head}{body}(?!\w)", re.IGNORECASE if ignore_case else 0)


def _trie_pattern(node: dict, ignore_case: bool, exact_words: frozenset[str]) -> str:
    branches = []
    for word in sorted((w for w in node if w), key=lambda w: (-len(w), w)):
        esc = f"(?-i:{re.escape(word)})" if ignore_case and word in exact_words else re.escape(word)
        child = node[word]
        rest = {k: v for k, v in child.items() if k}
        if not rest:
            branches.append(esc)
            continue
        sub = _trie_pattern(child, ignore_case, exact_words)
        optional = "?" if "" in child else ""
        branches.append(f"{esc}(?:[ ]+{sub}){optional}")
    return "(?:" + "|".join(branches) + ")"


def _abbreviated_variants(surface: str) -> set[str]:
    """A name and the forms with its parts abbreviated ("Ủy ban Kiểm tra TW", "UBKT TW" …)."""
    variants = {surface}
    for _ in range(2):
        for v in list(variants):
            for abbr, full in abbreviations():
                if full in v:
                    variants.add(v.replace(full, abbr))
    return variants


# --- bodies -----------------------------------------------------------------------


@dataclass(frozen=True)
class BodyEntry:
    name: str
    category: str
    kind: str  # full | unit | short | provincial | district | listed | head
    parent: str | None
    level: str | None


@dataclass(frozen=True)
class BodyGazetteer:
    entries: dict[str, BodyEntry]  # canonical name → entry
    by_key: dict[str, tuple[BodyEntry, bool]]  # norm_key(surface) → (entry, only after "của")
    regex: re.Pattern[str]


@lru_cache(maxsize=1)
def bodies() -> BodyGazetteer:
    entries: dict[str, BodyEntry] = {}
    by_key: dict[str, tuple[BodyEntry, bool]] = {}
    surfaces: list[str] = []
    for name, category, kind, parent, aliases, level in _rows("bodies.tsv"):
        entry = BodyEntry(name, category, kind, _opt(parent), _opt(level))
        entries[name] = entry
        forms = [(name, False)]
        for alias in (_opt(aliases) or "").split("|"):
            if alias:
                forms.append((alias[3:], True) if alias.startswith("of:") else (alias, False))
        for form, of_only in forms:
            by_key.setdefault(norm_key(form), (entry, of_only))
            surfaces.extend(_abbreviated_variants(form))
    # A known typo is found wherever its correct form is: whole ("Ban Chấp hành Trương") or inside a
    # longer name ("Ủy ban Thương vụ Quốc hội"); norm_key corrects it, so both reach one entry.
    for wrong, right in misspellings():
        if norm_key(right) in by_key:
            surfaces.append(wrong)
        surfaces.extend(sorted({s.replace(right, wrong) for s in surfaces if right in s and s != right}))
    exact = frozenset(a for a, _ in abbreviations())
    return BodyGazetteer(entries, by_key, surface_regex(surfaces, ignore_case=True, exact_words=exact))


@lru_cache(maxsize=1)
def plenary_bodies() -> dict[str, str]:
    return {r[0]: r[1] for r in _rows("plenary.tsv")}


# --- places -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceEntry:
    name: str
    level: str  # tỉnh | thành phố


@lru_cache(maxsize=1)
def places() -> tuple[dict[str, PlaceEntry], re.Pattern[str]]:
    by_key: dict[str, PlaceEntry] = {}
    surfaces: list[str] = []
    for name, level, aliases in _rows("places.tsv"):
        entry = PlaceEntry(name, level)
        for form in [name, *(_opt(aliases) or "").split("|")]:
            if form:
                by_key[norm_key(form)] = entry
                surfaces.append(normalise_tones(form))
    return by_key, surface_regex(surfaces, ignore_case=False)


# --- posts ------------------------------------------------------------------------


@dataclass(frozen=True)
class PostEntry:
    role: str
    english: str
    role_id: str
    default_org: str | None
    shares: str | None


@lru_cache(maxsize=1)
def posts() -> tuple[dict[str, PostEntry], re.Pattern[str]]:
    by_key: dict[str, PostEntry] = {}
    surfaces: list[str] = []
    for forms, role, english, role_id, default_org, shares in _rows("posts.tsv"):
        entry = PostEntry(role, english, role_id, _opt(default_org), _opt(shares))
        for form in forms.split("|"):
            by_key[norm_key(form)] = entry
            surfaces.append(form)
    return by_key, surface_regex(surfaces, ignore_case=True)


def role_entry(role: str) -> PostEntry | None:
    """The gazetteer entry (English label, role id) of canonical role words ("Phó Bí thư"), for kg.map."""
    return _roles_by_name().get(role)


@lru_cache(maxsize=1)
def _roles_by_name() -> dict[str, PostEntry]:
    out: dict[str, PostEntry] = {}
    for entry in posts()[0].values():
        out.setdefault(entry.role, entry)
    return out


# --- documents, people, cues ----------------------------------------------------------


@lru_cache(maxsize=1)
def doc_types() -> tuple[dict[str, str], dict[str, str]]:
    """(word → type, code → type); words are keyed by norm_key, codes as written."""
    words: dict[str, str] = {}
    codes: dict[str, str] = {}
    for kind, form, type_, _vi in _rows("doc_types.tsv"):
        if kind == "word":
            words[norm_key(form)] = type_
        elif kind == "code":
            codes[form] = type_
    return words, codes


@lru_cache(maxsize=1)
def untyped_state_codes() -> frozenset[str]:
    """State codes with no document type in the vocabulary ("NĐ" Decree, "TT" Circular)."""
    return frozenset(r[1] for r in _rows("doc_types.tsv") if r[0] == "nocode")


@lru_cache(maxsize=1)
def doc_words() -> tuple[str, ...]:
    return tuple(r[1] for r in _rows("doc_types.tsv") if r[0] == "word")


def _words(name: str) -> frozenset[str]:
    return frozenset(r[0] for r in _rows(name))


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return _words("surnames.txt")


@lru_cache(maxsize=1)
def name_stopwords() -> frozenset[str]:
    return _words("name_stopwords.txt")


@lru_cache(maxsize=1)
def body_tail_stops() -> frozenset[str]:
    return _words("body_tail_stops.txt")


@lru_cache(maxsize=1)
def historical_figures() -> frozenset[str]:
    return _words("historical.txt")


@lru_cache(maxsize=1)
def honorifics() -> tuple[str, ...]:
    return tuple(r[0] for r in _rows("honorifics.txt"))


@lru_cache(maxsize=1)
def participation_cues() -> tuple[tuple[str, str, int], ...]:
    rows = [(r[0], r[1], int(r[2])) for r in _rows("participation.tsv")]
    return tuple(sorted(rows, key=lambda r: (-len(r[0]), r[0])))


@lru_cache(maxsize=1)
def venue_words() -> tuple[str, ...]:
    """Words that open a venue's name ("Hội trường", "Trung tâm Hội nghị"), longest first (venues.tsv)."""
    return tuple(sorted((r[0] for r in _rows("venues.tsv")), key=len, reverse=True))


@lru_cache(maxsize=1)
def venue_re() -> re.Pattern[str]:
    """venue_words as one pattern: ``venue_re().match(text, pos)`` says whether a venue starts at pos."""
    return re.compile("|".join(re.escape(w) for w in venue_words()))


@lru_cache(maxsize=1)
def meeting_words() -> tuple[str, ...]:
    return tuple(sorted((r[0] for r in _rows("meeting_words.tsv")), key=len, reverse=True))


@lru_cache(maxsize=1)
def ordinal_words() -> dict[str, int]:
    return {r[0]: int(r[1]) for r in _rows("numbers.tsv")}


def warm_up() -> None:
    """Load every gazetteer and compile every pattern (corpus workers call this once)."""
    bodies(), places(), posts(), doc_types(), untyped_state_codes(), surnames(), name_stopwords(), historical_figures()
    body_tail_stops()
    participation_cues(), honorifics(), meeting_words(), ordinal_words(), plenary_bodies(), normalise_tones("hoà")
