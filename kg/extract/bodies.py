"""Party and state bodies: gazetteer names, compounds, short forms and provincial bodies.

* A gazetteer name or alias (abbreviations expanded): "Bộ Chính trị", "UBKT TW".
* A compound: a generic unit followed by a body, "Ban Tuyên giáo Đảng ủy Khối" →
  "Ban Tuyên giáo" + "Đảng ủy Khối các cơ quan Trung ương", the second the parent.
* A short form the article defines: "Đảng ủy Khối" is the one full name in the article
  that starts with it ("Đảng ủy Khối các cơ quan Trung ương"); kept as written if none.
* A provincial body takes the place written after it or the article's locality:
  "Tỉnh ủy" in an article about "tỉnh Bến Tre" → "Tỉnh ủy Bến Tre".
* A body named by grammar, not by list: a head noun (gazetteer kind "head": "Sở", "Trường Đại học",
  "Tổng công ty" …) and the capitalised name after it ("Sở Giao thông vận tải tỉnh A"), bounded by
  punctuation, a verb, a personal name, a post or another body (which becomes its parent). Heads that
  could be ordinary words ("Ban", "Hội", "Sở") are taken only where the text frames a body: after a
  post or a party unit, after "tại/của/thuộc …", before an organising verb, or with a place level.
* Lists: "HĐND, UBND tỉnh A" (the place ends the list), "UBND 3 tỉnh là A, B và C" and "Thường trực
  Huyện ủy các huyện: A, B" (one body per place), "Ban Tổ chức, Ban Dân vận Tỉnh ủy A" (one parent).
Every pattern here runs in linear time (tests/test_extract_bodies_linear.py).
"""

from __future__ import annotations

import re
from collections import Counter

from kg.extract import canonical
from kg.extract.context import BodyRef, Context
from kg.extract.names import name_at

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
             depth: int = 0, framed: bool = False) -> BodyRef | None:
    """The body whose name starts at pos, or None.

    allow_lower: accept a lower-case first letter (after a post: "Phó trưởng ban …").
    bare_ok: accept forms that otherwise need "của" before them ("Hội nghị Trung ương 4").
    framed: the caller's context already says a body is written here (after a post or a party
    unit), so a name built from a head noun needs no other frame.
    """
    gaz = canonical.bodies()
    m = gaz.regex.match(ctx.mtext, pos)
    if m is None or (not allow_lower and not m.group()[0].isupper()):
        return None
    entry, of_only = gaz.by_key[canonical.norm_key(m.group())]
    if of_only and depth < _MAX_DEPTH and ctx.mtext[m.end():m.end() + 1] == " ":
        inner = parse_at(ctx, m.end() + 1, depth=depth + 1, framed=True)
        if inner is not None and inner.category == "mass-organization":
            # "Trung ương Hội Nông dân Việt Nam": the organisation's own centre, not the Party's
            name = f"{m.group()[0].upper()}{m.group()[1:]} {inner.name}"
            return BodyRef(pos, inner.end, name, inner.category, parent=inner)
    if of_only and not bare_ok and ctx.mtext[max(0, pos - 4):pos].casefold() != "của ":
        return None
    if entry.kind == "provincial":
        return _provincial(ctx, entry, pos, m.end())
    if entry.kind == "district":
        return _district(ctx, entry, pos, m.end())
    if entry.kind == "listed":
        return _listed(ctx, entry, pos, m.end())
    if entry.kind in ("unit", "short"):
        return _generic(ctx, entry, pos, m.end(), depth, framed or allow_lower)
    if entry.kind == "head":
        return _headed(ctx, entry, pos, m.end(), depth, framed or allow_lower)
    return BodyRef(pos, m.end(), entry.name, entry.category, default_parent=entry.parent)


def _provincial(ctx: Context, entry: canonical.BodyEntry, start: int, end: int) -> BodyRef:
    place = place_at(ctx, end + 1) if ctx.mtext[end:end + 1] == " " else None
    if place is not None:
        return BodyRef(start, place[1], with_place(entry.name, place[0].name), entry.category)
    city = _CITY_AFTER.match(ctx.mtext, end)
    city_end = _qualified_place_end(ctx, end + 1) if city else None
    if city_end is not None:  # "Thành ủy TP Thủ Đức": a city no list has, under the province
        return BodyRef(start, city_end, f"{entry.name} {' '.join(ctx.mtext[end + 1:city_end].split())}",
                       entry.category)
    if _PLURAL_AFTER.match(ctx.mtext, end):
        return BodyRef(start, end, entry.name, entry.category)
    loc = ctx.locality
    if loc is not None and loc.level == entry.level:
        return BodyRef(start, end, with_place(entry.name, loc.name), entry.category)
    full = resolve_short(ctx, entry.name)  # "Tỉnh đoàn" after "Tỉnh đoàn Đồng Nai" in the headline
    return BodyRef(start, end, full or entry.name, entry.category)


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
_LIST_PLACE = re.compile(r"(?:tỉnh|thành phố|TP\.?|xã|phường|thị trấn|huyện|quận)\s+(?=\w)", re.IGNORECASE)
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


_CITY_AFTER = re.compile(r" (?:TP|Tp)\.? ?(?=[^\W_])")


def _listed(ctx: Context, entry: canonical.BodyEntry, start: int, end: int) -> BodyRef:
    """A bare "HĐND"/"UBND" in a list of bodies that ends with "tỉnh X" is that province's; so is
    one written right before "TP X" ("UBND TP Hải Phòng", "UBND TP.HCM")."""
    city = _CITY_AFTER.match(ctx.mtext, end)
    place = None
    if city is not None:  # "UBND TP Hải Phòng"; "UBND TP.HCM", whose alias holds the "TP"
        place = place_at(ctx, city.end()) or place_at(ctx, end + 1)
    if place is not None and place[0].level == "thành phố":
        name = with_place(f"{entry.name} thành phố", place[0].name)
        return BodyRef(start, place[1], name, entry.category)
    window = ctx.mtext[end:end + 120]
    stop = re.search(r"[.;:\n]", window)
    window = window[:stop.start()] if stop else window
    m = _LIST_PLACE.search(window)
    if m is not None and _is_body_list(window[:m.start()]):
        level = " ".join(m.group().split()).casefold().rstrip(".")
        level = "thành phố" if level == "tp" else level
        place = place_at(ctx, end + m.end())
        if place is not None and level in ("tỉnh", "thành phố"):
            return BodyRef(start, end, with_place(f"{entry.name} {level}", place[0].name), entry.category)
        local = _capitalised_words_end(ctx, end + m.end()) if level not in ("tỉnh", "thành phố") else None
        if local is not None:  # "UBND, Ủy ban MTTQ xã Thiên Lộc"
            written = " ".join(ctx.mtext[end + m.end():local].split())
            return BodyRef(start, end, f"{entry.name} {level} {written}", entry.category)
    full = resolve_short(ctx, entry.name)  # "Chủ tịch UBND" after "UBND tỉnh Lạng Sơn": the one named
    return BodyRef(start, end, full or entry.name, entry.category)


_PLACE_WORD = re.compile(r" ([^\W\d_][^\W\d_]*|\d{1,2})(?!\w)")


def _district(ctx: Context, entry: canonical.BodyEntry, start: int, end: int) -> BodyRef | None:
    """"Huyện ủy Châu Thành": the capitalised words after it name the district — all of them,
    or as few as leave a personal name after ("Bí thư Huyện ủy Châu Thành Nguyễn Văn A")."""
    ends, pos = [], end
    level = _district_level(entry.name)
    if ctx.mtext.startswith(f" {level} ", end) and level != entry.name:
        pos = end + len(level) + 1  # "Quận ủy quận 5", "Huyện ủy huyện Tân Phú": the level written again
    lead = pos
    while len(ends) < 3:
        m = _PLACE_WORD.match(ctx.mtext, pos)
        if m is None or not (m.group(1)[0].isupper() or m.group(1).isdigit()):
            break
        pos = m.end()
        ends.append(pos)
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
    ctx.districts.setdefault(level, set()).add(ctx.text[lead + 1:cut])
    return BodyRef(start, cut, f"{entry.name} {ctx.text[end + 1:cut]}", entry.category)


_LEVEL_OF = {"Huyện ủy": "huyện", "Quận ủy": "quận", "Thị ủy": "thị xã"}
_LEVELS = ("thị trấn", "thị xã", "huyện", "quận", "xã", "phường")


def _district_level(name: str) -> str:
    """The kind of place a district or commune body takes: "Quận ủy" → quận, "Đảng ủy xã" → xã."""
    if name in _LEVEL_OF:
        return _LEVEL_OF[name]
    return next((lv for lv in _LEVELS if name.endswith(" " + lv)), name)


def _generic(ctx: Context, entry: canonical.BodyEntry, start: int, end: int, depth: int,
             framed: bool = False) -> BodyRef | None:
    if _PLURAL_AFTER.match(ctx.mtext, end):
        return None  # "Ban Tuyên giáo các huyện ủy": generic, not one body
    if not framed and _inside_post(ctx, start, end - 1):
        return None  # "Phó Bí thư Thường trực Tỉnh ủy": "Thường trực" belongs to the post
    if depth < _MAX_DEPTH and ctx.mtext[end:end + 1] == " ":
        inner = parse_at(ctx, end + 1, depth=depth + 1, framed=True)
        if inner is not None:
            return BodyRef(start, inner.end, f"{entry.name} {inner.name}", entry.category, parent=inner)
    dash = ctx.mtext[end:end + 3] in (" - ", " – ") and ctx.mtext[end + 3:end + 4].isupper()
    if _unknown_name_follows(ctx, end) or dash:
        # "Ủy ban Kế hoạch …", "Học viện Báo chí …", "Ban Kinh tế - Ngân sách …": named by grammar
        return _headed(ctx, entry, start, end, depth, framed)
    full = resolve_short(ctx, entry.name)
    if full is not None:
        target = canonical.bodies().entries.get(full)
        category = target.category if target else entry.category
        return BodyRef(start, end, full, category, default_parent=target.parent if target else None)
    if entry.kind == "short":
        return BodyRef(start, end, entry.name, entry.category)
    return None


_TAIL_WORD = re.compile(r"[^\W_]\w*")
_MAX_TAIL_WORDS = 10
_MAX_LOWER_RUN = 3  # "Sở Giao thông vận tải": lower-case words after one capitalised word
# A place level after a body's name: "Sở Y tế tỉnh Nghệ An", "Chi bộ thôn Làng Tát", "Sở Xây dựng TP HCM".
_QUALIFIER = re.compile(r"(?:thành phố|thị xã|thị trấn|tỉnh|huyện|quận|xã|phường|thôn|bản|ấp|TP\.?) (?=[^\W_])|TP\.(?=[^\W_])")
# Words around a body named by its head noun that say it is one: "tại Sở A", "Sở A tổ chức …".
_FRAME_BEFORE = re.compile(r"(?<!\w)(?:tại|của|thuộc|với|cho|đến|vào|từ|giữa|theo|cùng|và|là) $", re.IGNORECASE)
_FRAME_AFTER = re.compile(r" (?:đã |vừa |đang |sẽ |long trọng )?(?:tổ chức|phối hợp|chủ trì|ban hành|triển khai|"
                          r"công bố|trao|tặng|ký|họp|khai mạc)(?!\w)")


def _headed(ctx: Context, entry: canonical.BodyEntry, start: int, end: int, depth: int,
            framed: bool) -> BodyRef | None:
    """"Sở Tư pháp", "Trường Đại học Khoa học Tự nhiên, Đại học Quốc gia Hà Nội", "Quân khu 4": a head
    noun and the capitalised name written after it, with the body after that as its parent
    ("Ban Thanh niên Quân khu 4"). Taken where it is framed as a body, or for heads that always name one."""
    mtext = ctx.mtext
    head_lower = not mtext[start:start + 1].isupper()
    if canonical.venue_re().match(mtext, start):
        return None  # "Trung tâm Hội nghị tỉnh", "Hội trường A": a venue is the meeting's place, not a body
    if not framed and (_inside_post(ctx, start, end) or _after_surname(ctx, start)):
        return None  # "Phó Trưởng Ban Thường trực Ban A" is a post; "Đỗ Trường Thọ" a name
    if entry.kind == "unit" and mtext[end:end + 3] in (" - ", " – ") and mtext[end + 3:end + 4].isupper():
        if canonical.posts()[1].match(mtext, end + 3):
            return None  # "Bí thư Đảng ủy - Hiệu trưởng": a chain of posts, not a longer name
        end += 2  # "Ban Kinh tế - Ngân sách …": the unit's name goes on after a dash
    tail_end = _tail_end(ctx, end + 1) if mtext[end:end + 1] == " " else None
    if tail_end is None and not _NEXT_WORD.match(mtext, end):
        full = None
        if framed and entry.kind == "head":
            # "Phó Bí thư Chi bộ, Trưởng thôn A": the one "Chi bộ …" the article names, or the cell of its one village
            full = resolve_short(ctx, entry.name) or _cell_of_the_village(ctx, entry)
        return BodyRef(start, end, full, entry.category) if full else None
    if tail_end is None or mtext.startswith(entry.name.split()[-1].casefold() + " ", end + 1) or \
            mtext.startswith(entry.name.split()[-1] + " ", end + 1):
        return None  # "Trưởng ban Ban Dân tộc": the post's last word, then the body
    name = " ".join(mtext[start:tail_end].split())
    if head_lower:
        name = entry.name + name[len(entry.name):]
    inner = None
    if depth < _MAX_DEPTH and mtext[tail_end:tail_end + 1] == " ":
        inner = parse_at(ctx, tail_end + 1, depth=depth + 1, framed=True)
    if inner is not None and inner.name != name:  # "Ban Thanh niên Quân khu 4": the parent frames it too
        return BodyRef(start, inner.end, f"{name} {inner.name}", entry.category, parent=inner)
    if not _QUALIFIER.search(name):  # "Sở Nội vụ" after "Sở Nội vụ thành phố A": the same one
        name = resolve_short(ctx, name) or name
    level = _QUALIFIER.search(mtext, end + 1, tail_end)
    placed = level is not None and _qualified_place_end(ctx, level.start()) is not None  # "Chi bộ thôn A"
    if not (framed or (entry.level == "free" and not head_lower) or placed or _free_head_at(ctx, end + 1)
            or _framed_here(ctx, start, tail_end)):
        return None
    return BodyRef(start, tail_end, name, entry.category)


_VILLAGE = re.compile(r"(?<!\w)(?:[tT]hôn|bản|ấp|tổ dân phố) (?=[^\W\d_])")
_VILLAGE_UNITS = ("Chi bộ", "Chi hội")
_VILLAGES_KEY = "villages"  # ctx.districts key (no place level): the villages the article names


def _cell_of_the_village(ctx: Context, entry: canonical.BodyEntry) -> str | None:
    """"Chi bộ" written alone in an article about one village ("thôn A") is that village's cell."""
    if entry.name not in _VILLAGE_UNITS:
        return None
    villages = ctx.districts.get(_VILLAGES_KEY)
    if villages is None:  # scanned once per article, kept with the other local places it names
        villages = ctx.districts[_VILLAGES_KEY] = set()
        for m in _VILLAGE.finditer(ctx.mtext):
            end = _capitalised_words_end(ctx, m.end())
            if end is not None:
                written = " ".join(ctx.mtext[m.start():end].split())
                villages.add(written[0].lower() + written[1:])  # "Thôn A" opening a sentence is "thôn A"
            if len(villages) > 1:
                break
    return f"{entry.name} {next(iter(villages))}" if len(villages) == 1 else None


def _free_head_at(ctx: Context, pos: int) -> bool:
    """"Chi bộ Công ty A": the name after a party unit starts with a head that always names a body."""
    gaz = canonical.bodies()
    m = gaz.regex.match(ctx.mtext, pos)
    return m is not None and m.group()[0].isupper() and gaz.by_key[canonical.norm_key(m.group())][0].level == "free"


def _framed_here(ctx: Context, start: int, end: int) -> bool:
    before = ctx.mtext[max(0, start - 12):start]
    after_body = before.endswith(", ") and any(r.end == start - 2 for r in ctx.body_refs[-3:])
    before_school = ctx.mtext.startswith(", ", end) and _free_head_at(ctx, end + 2)  # "Khoa A, Trường Đại học B"
    return bool(_FRAME_BEFORE.search(before)) or after_body or before_school or _post_ends_at(ctx, start) or bool(
        _FRAME_AFTER.match(ctx.mtext, end))


def _inside_post(ctx: Context, pos: int, beyond: int | None = None) -> bool:
    """Role words that started before pos run past `beyond` (default pos): "Phó Trưởng Ban Thường trực"
    over the head "Ban", "Phó Bí thư Thường trực" over the unit "Thường trực"."""
    by_key, regex = canonical.posts()
    beyond = pos if beyond is None else beyond
    for w in _WORD_START_BEFORE.finditer(ctx.mtext, max(0, pos - 32), pos):
        m = regex.match(ctx.mtext, w.start())
        # a post that shares its last words with the body ("Chánh Văn phòng Tỉnh ủy") does not own them
        if m is not None and m.end() > beyond and not by_key[canonical.norm_key(m.group())].shares:
            return True
    return False


_PREV_CAPITALISED = re.compile(r"(?<!\w)([^\W\d_]+) $")


def _after_surname(ctx: Context, pos: int) -> bool:
    m = _PREV_CAPITALISED.search(ctx.mtext, max(0, pos - 10), pos)
    return m is not None and m.group(1) in canonical.surnames()


_WORD_START_BEFORE = re.compile(r"(?<!\w)\w")


def _post_ends_at(ctx: Context, pos: int) -> bool:
    """Role words end right before pos ("Giám đốc Sở …"): the body after them is framed by the post."""
    if ctx.mtext[pos - 1:pos] != " ":
        return False
    _, regex = canonical.posts()
    lo = max(0, pos - 32)
    for w in _WORD_START_BEFORE.finditer(ctx.mtext, lo, pos - 1):
        m = regex.match(ctx.mtext, w.start())
        if m is not None and m.end() == pos - 1:
            return True
    return False


def _tail_end(ctx: Context, pos: int) -> int | None:
    """End of the name written at pos after a head noun: capitalised words, each with at most a few
    lower-case ones ("Giao thông vận tải"), "và"/" - " between capitalised parts, and a place level
    ("tỉnh A"). It stops before a personal name, a post, another body and prose ("Sở Y tế triển khai …")."""
    mtext = ctx.mtext
    place = _qualified_place_end(ctx, pos)
    if place is not None:
        return place  # "Chi bộ thôn Làng Tát"
    if name_at(ctx, pos) is not None or _QUALIFIER.match(ctx.mtext, pos):
        # "Bí thư Chi bộ Đặng Văn Bình": the holder's name; "Đảng bộ TP lần thứ X": a level naming no place
        return None
    end, p, words, dashed = None, pos, 0, False
    while words < _MAX_TAIL_WORDS:
        m = _TAIL_WORD.match(mtext, p)
        if m is None:
            break
        word = m.group()
        if word[0].isdigit():
            if words == 0 and len(word) <= 3:
                end = m.end()  # "Quân khu 4", "Ban Chỉ đạo 35"
            break
        if not word[0].isupper() or (words > 0 and _starts_other(ctx, p)):
            break
        end, words, p = m.end(), words + 1, m.end()
        run = _lower_run(ctx, p)
        if run:
            # several lower-case words complete the first capitalised one ("Thông tin liên lạc") or lead
            # to another ("Tổng hợp kỹ thuật Bratislava"); after a later one they are prose ("Miền Tây khai giảng")
            inside = mtext[run[-1]:run[-1] + 1] == " " and mtext[run[-1] + 1:run[-1] + 2].isupper()
            if len(run) > 1 and words > 1 and not inside:
                return end  # "… Miền Tây khai giảng": prose after a later capitalised word
            if len(run) > 1 and (dashed or not _hard_stop(ctx, run[-1])):
                return run[0]  # prose follows: keep only the word that completes the capitalised one
            end, words, p = run[-1], words + len(run), run[-1]
        if mtext[p:p + 1] != " ":
            break
        place = _qualified_place_end(ctx, p + 1)
        if place is not None:
            return place
        if mtext.startswith(" và ", p) and mtext[p + 4:p + 5].isupper():
            p += 4
        elif mtext[p:p + 3] in (" - ", " – ") and not dashed and mtext[p + 3:p + 4].isupper() \
                and not mtext[p + 3:p + 5].isupper():
            p, dashed = p + 3, True  # "Ban Kinh tế - Ngân sách", not "Công ty A - SAGRI"
        elif mtext[p + 1:p + 2].isupper():
            p += 1
        else:
            break
    return end


def _lower_run(ctx: Context, p: int) -> list[int]:
    """Ends of the lower-case words written from p (" vận tải"), up to one more than allowed."""
    stops = canonical.body_tail_stops()
    ends: list[int] = []
    while len(ends) <= _MAX_LOWER_RUN and ctx.mtext[p:p + 1] == " ":
        m = _TAIL_WORD.match(ctx.mtext, p + 1)
        if m is None or not m.group()[0].islower() or m.group() in stops or m.group() == "và" \
                or _QUALIFIER.match(ctx.mtext, p + 1):
            break
        ends.append(m.end())
        p = m.end()
    if len(ends) > _MAX_LOWER_RUN:
        return ends[:1] + [-1]  # too long to be a name: the caller keeps the first word only
    return ends


def _hard_stop(ctx: Context, pos: int) -> bool:
    """What follows pos cannot continue prose: punctuation, the end, a capital, a place level, "và A"."""
    if pos < 0:
        return False
    mtext = ctx.mtext
    if mtext[pos:pos + 1] != " " or _FRAME_AFTER.match(mtext, pos):
        return True
    nxt = mtext[pos + 1:pos + 2]
    return nxt.isupper() or nxt.isdigit() or mtext[pos + 1:pos + 3] in ("- ", "– ") or bool(
        _QUALIFIER.match(mtext, pos + 1)) or (mtext.startswith("và ", pos + 1) and mtext[pos + 4:pos + 5].isupper())


def _starts_other(ctx: Context, pos: int) -> bool:
    """A personal name, a post or another body starts at pos: the name before it has ended."""
    if name_at(ctx, pos) is not None:
        return True
    _, post_re = canonical.posts()
    if post_re.match(ctx.mtext, pos):
        return True
    gaz = canonical.bodies()
    m = gaz.regex.match(ctx.mtext, pos)
    if m is None:
        return False
    entry, of_only = gaz.by_key[canonical.norm_key(m.group())]
    return not of_only


def _qualified_place_end(ctx: Context, pos: int) -> int | None:
    """"tỉnh Nghệ An", "thôn Làng Tát", "quận 5", "TP HCM" at pos: the end of the place, or None."""
    q = _QUALIFIER.match(ctx.mtext, pos)
    if q is None:
        return None
    whole = place_at(ctx, pos)  # "TP HCM", "TP. Hồ Chí Minh": the level is part of the place's alias
    if whole is not None:
        return whole[1]
    p = q.end()
    known = place_at(ctx, p)
    if known is not None:
        return known[1]
    m = _TAIL_WORD.match(ctx.mtext, p)
    if m is not None and m.group().isdigit() and len(m.group()) <= 2:
        return m.end()
    end = None
    for _ in range(3):
        m = _TAIL_WORD.match(ctx.mtext, p)
        if m is None or not m.group()[0].isupper() or name_at(ctx, p) is not None:
            break
        end = m.end()
        if ctx.mtext[end:end + 1] != " ":
            break
        p = end + 1
    return end


_NEXT_WORD = re.compile(r" ([^\W\d_]+)")


def _unknown_name_follows(ctx: Context, end: int) -> bool:
    """A capitalised word after a generic unit that starts neither a personal name nor a place."""
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
        elif entry.kind == "head" and m.group()[0].isupper():
            ref = _headed(ctx, entry, m.start(), m.end(), 0, False)
            if ref is not None and _QUALIFIER.search(ref.name):  # "Sở Nội vụ tỉnh A", for a later "Sở Nội vụ"
                ctx.known_names.add(ref.name)
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
    bare_units: list[tuple[int, int, canonical.BodyEntry]] = []
    while True:
        m = gaz.regex.search(ctx.mtext, pos)
        if m is None:
            break
        ref = parse_at(ctx, m.start()) if ctx.mtext[m.start() - 1:m.start()] not in ("-", "/") else None
        if ref is None:  # (a code inside a document number, "2157/QĐ-UBND", is no body)
            entry = gaz.by_key[canonical.norm_key(m.group())][0]
            if entry.kind == "unit" and m.group()[0].isupper():
                bare_units.append((m.start(), m.end(), entry))
            pos = m.end()
            continue
        ctx.add_org(ref)
        ctx.body_refs.append(ref)
        pos = ref.end
    _distributed(ctx)
    ctx.body_refs.sort(key=lambda r: r.start)
    _shared_parents(ctx, bare_units)
    ctx.body_refs.sort(key=lambda r: r.start)
    _stated_parents(ctx)


_UNIT_LIST_SEP = re.compile(r"\s*,\s*|\s+và\s+")


def _shared_parents(ctx: Context, bare_units: list[tuple[int, int, canonical.BodyEntry]]) -> None:
    """"Ban Tổ chức, Ban Tuyên giáo Tỉnh ủy A": units listed before one compound share its parent."""
    by_start = {r.start: r for r in ctx.body_refs}
    for start, end, entry in reversed(bare_units):
        sep = _UNIT_LIST_SEP.match(ctx.mtext, end)
        nxt = by_start.get(sep.end()) if sep else None
        if nxt is None or nxt.parent is None:
            continue
        ref = BodyRef(start, end, f"{entry.name} {nxt.parent.name}", entry.category, parent=nxt.parent)
        ctx.add_org(ref)
        ctx.body_refs.append(ref)
        by_start[start] = ref


# "UBND 7 tỉnh, thành phố là A, B và C", "Thường trực Huyện ủy các huyện: A, B": one body per place.
_DISTRIBUTIVE = re.compile(r" (?:các|\d{1,2}) (tỉnh|thành phố|huyện|quận|thị xã|xã|phường)(?:, (?:tỉnh|thành phố))?"
                           r"(?: (?:là|gồm))?:? ")
_PLACE_NEXT = re.compile(r", | và ")
_MAX_PLACES = 20


def _distributed(ctx: Context) -> None:
    for d in _DISTRIBUTIVE.finditer(ctx.mtext):
        body = _body_ending_at(ctx, d.start())
        if body is None:
            continue
        entry, unit = body
        places = _place_list(ctx, d.end(), d.group(1))
        if places:
            _drop_bare(ctx, d.start())
        for place, start, end in places:
            if entry.kind == "listed":
                level = "thành phố" if place[1] == "thành phố" else "tỉnh"
                name = with_place(f"{entry.name} {level}", place[0])
            elif entry.kind == "provincial":
                name = with_place(entry.name, place[0])
            else:
                name = f"{entry.name} {place[0]}"
            ref = BodyRef(start, end, name, entry.category)
            if unit is not None:
                ref = BodyRef(start, end, f"{unit.name} {name}", unit.category, parent=ref)
            ctx.add_org(ref)
            ctx.body_refs.append(ref)


def _drop_bare(ctx: Context, end: int) -> None:
    """The bare mention a distributed list replaces ("UBND" in "UBND 3 tỉnh là …") is no body of its own."""
    orgs = ctx.group("organizations")
    for ref in [r for r in ctx.body_refs if r.end == end]:
        ctx.body_refs.remove(ref)
        org = orgs.get(ref.key)
        if org is None:
            continue
        org.mentions = [m for m in org.mentions if (m.start, m.end) != (ref.start, ref.end)]
        used = any(o.parent == org.key for o in orgs.values())
        if not org.mentions and not used:
            del orgs[ref.key]


def _body_ending_at(ctx: Context, pos: int):
    """The local body written right before pos, bare ("UBND", "Huyện ủy"), and the unit before it if any."""
    gaz = canonical.bodies()
    found = None
    for w in _WORD_START_BEFORE.finditer(ctx.mtext, max(0, pos - 40), pos):
        m = gaz.regex.match(ctx.mtext, w.start())
        if m is not None and m.end() == pos:
            entry = gaz.by_key[canonical.norm_key(m.group())][0]
            if entry.kind in ("listed", "provincial", "district"):
                found = (entry, w.start())
                break
    if found is None:
        return None
    entry, start = found
    unit = None
    for w in _WORD_START_BEFORE.finditer(ctx.mtext, max(0, start - 30), max(0, start - 1)):
        m = gaz.regex.match(ctx.mtext, w.start())
        if m is not None and m.end() == start - 1:
            cand = gaz.by_key[canonical.norm_key(m.group())][0]
            if cand.kind == "unit":
                unit = cand
                break
    return entry, unit


def _place_list(ctx: Context, pos: int, level: str) -> list[tuple[tuple[str, str], int, int]]:
    """Places listed from pos: gazetteer provinces and cities, or capitalised district names."""
    out: list[tuple[tuple[str, str], int, int]] = []
    while len(out) < _MAX_PLACES:
        known = place_at(ctx, pos)
        if known is not None:
            out.append(((known[0].name, known[0].level), pos, known[1]))
            end = known[1]
        elif level not in ("tỉnh", "thành phố"):
            end = _capitalised_words_end(ctx, pos)
            if end is None:
                break
            out.append(((" ".join(ctx.mtext[pos:end].split()), level), pos, end))
        else:
            break
        nxt = _PLACE_NEXT.match(ctx.mtext, end)
        if nxt is None:
            break
        pos = nxt.end()
    return out


def _capitalised_words_end(ctx: Context, pos: int) -> int | None:
    """Up to three capitalised words (or a number) from pos: a place where the list expects one
    ("Châu Thành" is a district here, though "Châu" is also a family name)."""
    end = None
    for _ in range(3):
        m = _TAIL_WORD.match(ctx.mtext, pos)
        if m is None or not (m.group()[0].isupper() or m.group().isdigit()):
            break
        end = m.end()
        if ctx.mtext[end:end + 1] != " ":
            break
        pos = end + 1
    return end


_UNDER = re.compile(r"\s*(?:,\s*)?(?:trực thuộc|thuộc|là cơ quan (?:tham mưu|giúp việc) của)\s+", re.IGNORECASE)


# Academic units from the smallest up; a unit written ", " before a larger one is part of it.
_ACADEMIC_RANKS = (("Khoa ", "Bộ môn "), ("Trường ",), ("Đại học ", "Học viện "))


def _academic_rank(name: str) -> int:
    for rank, heads in enumerate(_ACADEMIC_RANKS):
        if name.startswith(heads):
            return rank
    return len(_ACADEMIC_RANKS)  # not academic: never a parent by this rule


def _stated_parents(ctx: Context) -> None:
    """"Ban Tuyên giáo Trung ương trực thuộc Ban Chấp hành Trung ương": the text states the parent,
    which wins over a gazetteer default (never making a cycle of two)."""
    orgs = ctx.group("organizations")
    for a, b in zip(ctx.body_refs, ctx.body_refs[1:]):
        gap = _UNDER.fullmatch(ctx.mtext, a.end, b.start)
        if gap is None and not (ctx.mtext[a.end:b.start] == ", " and
                                _academic_rank(a.name) < _academic_rank(b.name) < len(_ACADEMIC_RANKS)):
            continue  # "Khoa Hóa học, Trường Đại học A, Đại học Quốc gia B": each the next one's part
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
