"""Party and state bodies: gazetteer names, compounds, short forms and provincial bodies.

* A gazetteer name or alias (abbreviations expanded): "Bộ Chính trị", "UBKT TW".
* A compound: a generic unit followed by a body, "Ban Tuyên giáo Đảng ủy Khối" →
  "Ban Tuyên giáo" + "Đảng ủy Khối các cơ quan Trung ương", the second the parent.
* A short form the article defines: "Đảng ủy Khối" is the one full name in the article
  that starts with it ("Đảng ủy Khối các cơ quan Trung ương"); kept as written if none.
* A provincial body takes the place written after it or the article's locality:
  "Tỉnh ủy" in an article about "tỉnh Bến Tre" → "Tỉnh ủy Bến Tre".
"""

from __future__ import annotations

import re
from collections import Counter

from kg.extract import canonical
from kg.extract.context import BodyRef, Context

_PLURAL_AFTER = re.compile(r" (?:các|cấp|những|mỗi)\b", re.IGNORECASE)
_MAX_DEPTH = 2
# "tỉnh Bến Tre", "thành phố Hà Nội", "Tỉnh ủy Bến Tre": places that say where the article is.
_LOCALITY_CUE = re.compile(r"(?<!\w)(tỉnh|thành phố|Tỉnh ủy|Thành ủy|TP\.?) $", re.IGNORECASE)
_TITLE_PREFIX = re.compile(r"^\s*([^\n:]{2,30}):")


def find_locality(ctx: Context) -> canonical.PlaceEntry | None:
    """The province or city the article is about: the place most often written after
    "tỉnh"/"thành phố"/"Tỉnh ủy", else a headline prefix "Đồng Tháp: …"."""
    by_key, regex = canonical.places()
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in regex.finditer(ctx.mtext):
        if _LOCALITY_CUE.search(ctx.mtext[max(0, m.start() - 12):m.start()]):
            name = by_key[canonical.norm_key(m.group())].name
            counts[name] += 1
            first.setdefault(name, m.start())
    if counts:
        best = min(counts, key=lambda n: (-counts[n], first[n]))
        return by_key[canonical.norm_key(best)]
    head = _TITLE_PREFIX.match(ctx.mtext[:200])
    if head:
        return by_key.get(canonical.norm_key(head.group(1)))
    return None


def place_at(ctx: Context, pos: int) -> tuple[canonical.PlaceEntry, int] | None:
    """The gazetteer place written at pos, with its end."""
    by_key, regex = canonical.places()
    m = regex.match(ctx.mtext, pos)
    if m is None:
        return None
    return by_key[canonical.norm_key(m.group())], m.end()


def parse_at(ctx: Context, pos: int, *, allow_lower: bool = False, bare_ok: bool = False,
             depth: int = 0) -> BodyRef | None:
    """The body whose name starts at pos, or None.

    allow_lower: accept a lower-case first letter (after a post: "Phó trưởng ban …").
    bare_ok: accept forms that otherwise need "của" before them ("Hội nghị Trung ương 4").
    """
    gaz = canonical.bodies()
    m = gaz.regex.match(ctx.mtext, pos)
    if m is None or (not allow_lower and not m.group()[0].isupper()):
        return None
    entry, of_only = gaz.by_key[canonical.norm_key(m.group())]
    if of_only and not bare_ok and ctx.mtext[max(0, pos - 4):pos].casefold() != "của ":
        return None
    if entry.kind == "provincial":
        return _provincial(ctx, entry, pos, m.end())
    if entry.kind == "district":
        return _district(ctx, entry, pos, m.end())
    if entry.kind == "listed":
        return _listed(ctx, entry, pos, m.end())
    if entry.kind in ("unit", "short"):
        return _generic(ctx, entry, pos, m.end(), depth)
    return BodyRef(pos, m.end(), entry.name, entry.category, default_parent=entry.parent)


def _provincial(ctx: Context, entry: canonical.BodyEntry, start: int, end: int) -> BodyRef:
    place = place_at(ctx, end + 1) if ctx.mtext[end:end + 1] == " " else None
    if place is not None:
        return BodyRef(start, place[1], with_place(entry.name, place[0].name), entry.category)
    if _PLURAL_AFTER.match(ctx.mtext, end):
        return BodyRef(start, end, entry.name, entry.category)
    loc = ctx.locality
    if loc is not None and loc.level == entry.level:
        return BodyRef(start, end, with_place(entry.name, loc.name), entry.category)
    return BodyRef(start, end, entry.name, entry.category)


def with_place(name: str, place: str) -> str:
    """"Ủy ban nhân dân thành phố" + "Thành phố Hồ Chí Minh" → "Ủy ban nhân dân Thành phố Hồ Chí Minh":
    a place whose name starts with the body's last words does not repeat them."""
    words = name.split()
    for n in (2, 1):
        tail = " ".join(words[-n:])
        if len(words) > n and place.casefold().startswith(tail.casefold() + " "):
            return " ".join(words[:-n]) + " " + place
    return f"{name} {place}"


# "HĐND, UBND, Ủy ban MTTQ Việt Nam tỉnh Quảng Ninh": the list ends with the place all its bodies share.
_LIST_PLACE = re.compile(r"(?:tỉnh|thành phố|TP\.?)\s+(?=\w)", re.IGNORECASE)
# Items of such a list: split on the separators, each item one to eight words. Done by splitting,
# not by one nested pattern: "(?:[\w.]+\s*){1,8}" can cut one long word in ~L^8 ways.
_LIST_SEP = re.compile(r"\s*,\s*|\s+và\s+")
_LIST_ITEM = re.compile(r"[\w.]+(?: [\w.]+){0,7}")


def _is_body_list(gap: str) -> bool:
    """", UBND, Ủy ban MTTQ Việt Nam ": separators and items of one to eight words, nothing else."""
    lead = " " if gap[:1].isspace() else ""
    gap = lead + " ".join(gap.split())  # one space between words, so each item has one shape only
    first = _LIST_SEP.match(gap)
    if first is None:
        return False
    items = _LIST_SEP.split(gap[first.end():])
    return all(_LIST_ITEM.fullmatch(item) for item in items)


def _listed(ctx: Context, entry: canonical.BodyEntry, start: int, end: int) -> BodyRef:
    """A bare "HĐND"/"UBND" in a list of bodies that ends with "tỉnh X" is that province's."""
    window = ctx.mtext[end:end + 120]
    stop = re.search(r"[.;:\n]", window)
    window = window[:stop.start()] if stop else window
    m = _LIST_PLACE.search(window)
    if m is not None and _is_body_list(window[:m.start()]):
        place = place_at(ctx, end + m.end())
        if place is not None:
            level = m.group().split()[0].casefold().rstrip(".")
            level = "thành phố" if level in ("thành", "tp") else level
            return BodyRef(start, end, with_place(f"{entry.name} {level}", place[0].name), entry.category)
    return BodyRef(start, end, entry.name, entry.category)


_PLACE_WORD = re.compile(r" ([^\W\d_][^\W\d_]*|\d{1,2})(?!\w)")


def _district(ctx: Context, entry: canonical.BodyEntry, start: int, end: int) -> BodyRef | None:
    """"Huyện ủy Châu Thành": the capitalised words after it name the district — all of them,
    or as few as leave a personal name after ("Bí thư Huyện ủy Châu Thành Nguyễn Văn A")."""
    from kg.extract.people import name_at  # people builds on bodies; only this check goes back

    ends, pos = [], end
    while len(ends) < 3:
        m = _PLACE_WORD.match(ctx.mtext, pos)
        if m is None or not (m.group(1)[0].isupper() or m.group(1).isdigit()):
            break
        pos = m.end()
        ends.append(pos)
    level = _district_level(entry.name)
    if not ends:
        full = resolve_short(ctx, entry.name)  # "Ban Dân vận Huyện ủy" after "Huyện ủy Châu Thành"
        named = ctx.districts.get(level, set())  # "UBND quận" after "Quận ủy Ba Đình"
        if full is None and len(named) == 1:
            full = f"{entry.name} {next(iter(named))}"
        return BodyRef(start, end, full, entry.category) if full else None
    # Several splits can leave a valid name ("Long | Hồ Trần Văn Tâm", "Long Hồ | Trần Văn Tâm"):
    # prefer a three-syllable name, then a two-word district, the most common shapes of each.
    splits = []
    for words, e in enumerate(ends, 1):
        found = name_at(ctx, e + 1)
        if found is not None:
            splits.append((len(found[0].split()) != 3, abs(words - 2), e))
    cut = min(splits)[2] if splits else ends[-1]
    ctx.districts.setdefault(level, set()).add(ctx.text[end + 1:cut])
    return BodyRef(start, cut, f"{entry.name} {ctx.text[end + 1:cut]}", entry.category)


_LEVEL_OF = {"Huyện ủy": "huyện", "Quận ủy": "quận", "Thị ủy": "thị xã"}
_LEVELS = ("thị trấn", "thị xã", "huyện", "quận", "xã", "phường")


def _district_level(name: str) -> str:
    """The kind of place a district or commune body takes: "Quận ủy" → quận, "Đảng ủy xã" → xã."""
    if name in _LEVEL_OF:
        return _LEVEL_OF[name]
    return next((lv for lv in _LEVELS if name.endswith(" " + lv)), name)


def _generic(ctx: Context, entry: canonical.BodyEntry, start: int, end: int, depth: int) -> BodyRef | None:
    if _PLURAL_AFTER.match(ctx.mtext, end):
        return None  # "Ban Tuyên giáo các huyện ủy": generic, not one body
    if depth < _MAX_DEPTH and ctx.mtext[end:end + 1] == " ":
        inner = parse_at(ctx, end + 1, depth=depth + 1)
        if inner is not None:
            return BodyRef(start, inner.end, f"{entry.name} {inner.name}", entry.category, parent=inner)
    if _unknown_name_follows(ctx, end):
        return None  # "Học viện Báo chí …": a body missing from the gazetteer, not the one already named
    full = resolve_short(ctx, entry.name)
    if full is not None:
        target = canonical.bodies().entries.get(full)
        category = target.category if target else entry.category
        return BodyRef(start, end, full, category, default_parent=target.parent if target else None)
    if entry.kind == "short":
        return BodyRef(start, end, entry.name, entry.category)
    return None


_NEXT_WORD = re.compile(r" ([^\W\d_]+)")


def _unknown_name_follows(ctx: Context, end: int) -> bool:
    """A capitalised word after a generic unit that starts neither a personal name nor a place."""
    from kg.extract.people import name_at  # people builds on bodies; only this check goes back

    m = _NEXT_WORD.match(ctx.mtext, end)
    if m is None or not m.group(1)[0].isupper() or m.group(1) in canonical.name_stopwords():
        return False
    return name_at(ctx, m.start(1)) is None and place_at(ctx, m.start(1)) is None


def resolve_short(ctx: Context, short: str) -> str | None:
    """The one full body name in the article that starts with the short form, or None."""
    prefix = short.casefold() + " "
    matches = sorted(n for n in ctx.known_names if n.casefold().startswith(prefix))
    return matches[0] if len(matches) == 1 else None


def _prescan(ctx: Context) -> None:
    """Collect the full names written in the article, for resolving short forms."""
    gaz = canonical.bodies()
    for m in gaz.regex.finditer(ctx.mtext):
        entry, of_only = gaz.by_key[canonical.norm_key(m.group())]
        if entry.kind == "full" and not of_only:
            ctx.known_names.add(entry.name)
        elif entry.kind in ("provincial", "district"):
            ref = (_provincial if entry.kind == "provincial" else _district)(ctx, entry, m.start(), m.end())
            if ref is not None and ref.name != entry.name:
                ctx.known_names.add(ref.name)


_TERM_AFTER = re.compile(r"\s*\(\s*khóa\s+([IVXLC]+|\d{1,2})\s*\)", re.IGNORECASE)


def find(ctx: Context) -> None:
    """Every body written in the article (capitalised), registered with its mentions."""
    ctx.locality = find_locality(ctx)
    _prescan(ctx)
    gaz = canonical.bodies()
    pos = 0
    while True:
        m = gaz.regex.search(ctx.mtext, pos)
        if m is None:
            break
        ref = parse_at(ctx, m.start()) if ctx.mtext[m.start() - 1:m.start()] not in ("-", "/") else None
        if ref is None:  # (a code inside a document number, "2157/QĐ-UBND", is no body)
            pos = m.end()
            continue
        ctx.add_org(ref)
        ctx.body_refs.append(ref)
        pos = ref.end
    ctx.body_refs.sort(key=lambda r: r.start)
    _stated_parents(ctx)


_UNDER = re.compile(r"\s*(?:,\s*)?(?:trực thuộc|thuộc|là cơ quan (?:tham mưu|giúp việc) của)\s+", re.IGNORECASE)


def _stated_parents(ctx: Context) -> None:
    """"Ban Tuyên giáo Trung ương trực thuộc Ban Chấp hành Trung ương": the text states the parent,
    which wins over a gazetteer default (never making a cycle of two)."""
    orgs = ctx.group("organizations")
    for a, b in zip(ctx.body_refs, ctx.body_refs[1:]):
        gap = _UNDER.fullmatch(ctx.mtext, a.end, b.start)
        if gap is None:
            continue
        child, parent = orgs.get(a.key), orgs.get(b.key)
        if child is None or parent is None or child.key == parent.key or parent.parent == child.key:
            continue
        child.parent = parent.key


def body_before(ctx: Context, pos: int, max_gap: int = 12, gap: str = r"\s*(?:đã|đang|sẽ|vừa|,)?\s*") -> BodyRef | None:
    """The body mention that ends just before pos (only a few linking words between)."""
    for ref in reversed(ctx.body_refs):
        if ref.end <= pos and pos - ref.end <= max_gap and re.fullmatch(gap, ctx.mtext[ref.end:pos]):
            return ref
        if ref.end < pos - max_gap:
            break
    return None


def term_after(ctx: Context, pos: int) -> tuple[re.Match, int] | None:
    """A "(khóa XI)" written right after pos."""
    m = _TERM_AFTER.match(ctx.mtext, pos)
    return (m, m.end()) if m else None
