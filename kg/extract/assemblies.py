"""Congresses, plenums, sessions and elections, with the terms they belong to.

* Congress: "Đại hội XIII của Đảng", "Đại hội đại biểu toàn quốc lần thứ XIII của Đảng",
  "Đại hội lần thứ XIII Đảng bộ Khối …", "Đại hội Đảng bộ Khối … lần thứ XIII",
  "Đại hội XII Đảng bộ Khối nhiệm kỳ 2020-2025".
* Plenum: "Hội nghị Ban Chấp hành Trung ương 12, 13 (khóa XII)", "Nghị quyết Trung ương 4
  khóa XII", "Hội nghị lần thứ 8 Ban Chấp hành Đảng bộ tỉnh khóa XI", "Hội nghị Tỉnh ủy lần thứ 8".
* Session: "kỳ họp thứ 9, 10 Quốc hội khóa XIV", "Kỳ họp thứ 3 của Ủy ban", "X đã họp kỳ thứ 3".
* Election: "bầu cử đại biểu Quốc hội khóa XV và đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2021 - 2026".

Ordinals are Roman, arabic or words ("lần thứ tám"). A bare reference with no body
("Hội nghị lần thứ tám, khóa XI") is the one assembly of that kind and ordinal already
found, if exactly one. Terms keep years as written, even when the end is before the start.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.extract import bodies, canonical
from kg.extract.context import BodyRef, Context
from kg.iri import slug
from kg.model import Assembly, AssemblyKind, EntityKey, Span

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
# Plenums and sessions are numbered within a term ("Hội nghị lần thứ tám, khóa XI"); congresses are not.
_NUMBERED_IN_TERM = (AssemblyKind.PLENUM, AssemblyKind.SESSION)


def parse_ordinal(text: str) -> int | None:
    """"XIII" → 13, "12" → 12, "tám" → 8, "mười hai" → 12; None if it is none of these."""
    t = " ".join(text.split())
    if t.isdigit():
        return int(t)
    if t and all(c in _ROMAN for c in t.upper()) and t.isupper():
        total, prev = 0, 0
        for c in reversed(t):
            v = _ROMAN[c]
            total = total - v if v < prev else total + v
            prev = max(prev, v)
        return total if _to_roman(total) == t else None
    return canonical.ordinal_words().get(t.casefold())


def _to_roman(n: int) -> str:
    out = ""
    for v, s in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


_ORD_NUM = r"(?:[IVXLC]+|\d{1,2})(?!\w)"  # ordinals written without "thứ": numbers only


@lru_cache(maxsize=1)
def _ord() -> str:
    """An ordinal after "lần thứ"/"kỳ họp thứ": Roman, arabic or words."""
    words = "|".join(sorted(canonical.ordinal_words(), key=len, reverse=True))
    return rf"(?:[IVXLC]+|\d{{1,2}}|(?i:{words}))(?!\w)"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    o = _ord()
    return {
        "ordinal_list": re.compile(rf"(?P<o>{o})(?:(?:\s*,\s*|\s+và\s+)(?P<more>\d{{1,2}}|[IVXLC]+)(?!\w))*"),
        "number_list": re.compile(rf"(?P<o>{_ORD_NUM})(?:(?:\s*,\s*|\s+và\s+)(?P<more>\d{{1,2}}|[IVXLC]+)(?!\w))*"),
        "lan_thu": re.compile(rf"\s*,?\s*lần\s+(?:thứ\s+)?(?P<o>{o})"),  # "lần 13" too
        "term": re.compile(r"\s*,?\s*\(?\s*(?:khóa\s+(?P<k>[IVXLC]+|\d{1,2})(?!\w)|nhiệm\s+kỳ\s+(?P<y1>\d{4})\s*[-–]\s*(?P<y2>\d{4}))\s*\)?",
                           re.IGNORECASE),
        "congress": re.compile(r"(?<!\w)Đại hội(?P<nat>\s+(?:đại biểu\s+)?(?:Đảng\s+)?toàn quốc)?"),
        "plenum": re.compile(r"(?<!\w)(?:Hội nghị|Nghị quyết|Hội nghị lần thứ)(?!\w)"),
        "session": re.compile(rf"(?<!\w)(?:kỳ họp thứ|họp kỳ(?: thứ)?)\s+(?P<o>{o})", re.IGNORECASE),
        # "Kỳ họp thứ 5 (từ 2 đến 4/8), Ủy ban …": the holder after a bracket and a comma
        "aside": re.compile(r"\s*\([^()\n]{0,80}\)\s*,\s*"),
        # "HĐND huyện khóa IX, nhiệm kỳ 2016 - 2021 tiến hành Kỳ họp thứ 14": the holder before
        "holds": re.compile(r"\s*,?\s*(?:đã\s+|sẽ\s+|long trọng\s+)?(?:tiến hành|tổ chức|khai mạc|bế mạc|bước vào)\s+$",
                            re.IGNORECASE),
        "congress_khoa": re.compile(r"\s+khóa\s+(?P<o>[IVXLC]+|\d{1,2})(?!\w)"),
        "election": re.compile(r"(?<!\w)bầu cử(?!\w)", re.IGNORECASE),
        "delegate": re.compile(r"\s*(?:,|và)?\s*đại biểu\s+", re.IGNORECASE),
        "of": re.compile(r"\s*,?\s*(?:của\s+)?"),
    }


def _ordinals(m: re.Match) -> list[int]:
    values = [parse_ordinal(m["o"])]
    values += [parse_ordinal(x) for x in re.findall(r"\d{1,2}|[IVXLC]+", m.group()[len(m["o"]):])]
    return [v for v in values if v]


def _term(ctx: Context, pos: int, body_key: str | None) -> tuple[str | None, int]:
    """A "khóa XII" / "(khóa XII)" / "nhiệm kỳ 2020-2025" at pos: (term key, end)."""
    m = _patterns()["term"].match(ctx.mtext, pos)
    if m is None:
        return None, pos
    end = m.end()
    while end > pos and ctx.mtext[end - 1].isspace():  # evidence stops at the term, not the blanks after
        end -= 1
    if m["k"]:
        label = m["k"].upper()
        term = ctx.add_term(body_key, label, parse_ordinal(label), None, ctx.span(m.start("k"), m.end("k")))
    else:
        y1, y2 = int(m["y1"]), int(m["y2"])
        term = ctx.add_term(body_key, f"{y1}-{y2}", None, (y1, y2), ctx.span(m.start("y1"), m.end("y2")))
    return term.key, end


def _assembly(ctx: Context, kind: AssemblyKind, body: BodyRef | str, ordinal: int | None, term: str | None,
              span: Span, tag: str | None = None) -> None:
    body_key = ctx.add_org(body).key if isinstance(body, BodyRef) else body
    if term is None:
        term = ctx.body_terms.get(body_key)
    # "assembly:quoc-hoi/session/xiv-9": plenums and sessions are numbered within a term.
    owner = EntityKey.parse(body_key).local
    term_part = f"{term.rsplit('/', 1)[1]}-" if term and kind in _NUMBERED_IN_TERM else ""
    key = str(EntityKey("assembly", f"{owner}/{kind.lower()}/{term_part}{tag or ordinal}"))
    ctx.add_assembly(Assembly(key=key, kind=kind, ordinal=ordinal, body=body_key, term=term), span)


def _body(ctx: Context, pos: int) -> BodyRef | None:
    of = _patterns()["of"].match(ctx.mtext, pos)
    return bodies.parse_at(ctx, of.end(), bare_ok=True) if of else None


def _congresses(ctx: Context) -> None:
    p = _patterns()
    for m in p["congress"].finditer(ctx.mtext):
        pos, ordinal, body = m.end(), None, None
        lan = p["lan_thu"].match(ctx.mtext, pos)
        bare = re.compile(rf"\s+(?P<o>{_ORD_NUM})").match(ctx.mtext, pos)
        if lan or bare:
            hit = lan or bare
            ordinal, pos = parse_ordinal(hit["o"]), hit.end()
            body = _body(ctx, pos)
        elif ctx.mtext[pos:pos + 1] == " ":
            delegates = re.match(r" đại biểu(?= )", ctx.mtext[pos:pos + 10])  # "Đại hội đại biểu Đảng bộ tỉnh …"
            pos += delegates.end() if delegates else 0
            lan = p["lan_thu"].match(ctx.mtext, pos) if delegates else None
            if lan:  # "X tổ chức Đại hội đại biểu lần thứ XV"
                ordinal, pos = parse_ordinal(lan["o"]), lan.end()
            else:
                body, ordinal, pos = _holder_then_ordinal(ctx, pos + 1)
                if body is None:
                    continue
        if ordinal is None:
            continue
        if body is not None:
            pos = body.end if body.end > pos else pos
        if body is None and m["nat"]:
            party = ctx.add_default("Đảng Cộng sản Việt Nam")
            _finish_congress(ctx, m.start(), pos, party, ordinal)
            continue
        if body is None:
            body = _holder_before(ctx, m.start())
        if body is None:
            ctx.bare.append((AssemblyKind.CONGRESS, ordinal, ctx.span(m.start(), pos)))
            continue
        _finish_congress(ctx, m.start(), pos, body, ordinal)


def _holder_then_ordinal(ctx: Context, pos: int) -> tuple[BodyRef | None, int | None, int]:
    """"Đảng bộ tỉnh A lần thứ XIX", "Đoàn TNCS Hồ Chí Minh tỉnh B lần 13", "Đảng bộ TP khóa IX" after
    "Đại hội": (holder, ordinal, end of the ordinal); a holder missing from the gazetteer is read up to
    the ordinal when it opens with a holder's head word (gazetteers/assembly_holders.tsv)."""
    p = _patterns()
    body = bodies.parse_at(ctx, pos, bare_ok=True)
    if body is not None:
        body = _with_place(ctx, body)
        after = p["lan_thu"].match(ctx.mtext, body.end) or p["congress_khoa"].match(ctx.mtext, body.end)
        if after:
            return body, parse_ordinal(after["o"]), after.end()
    m = _holder_re().match(ctx.mtext, pos)
    if m is None:
        return None, None, pos
    ref = _generic_holder(ctx, m.start(), m.end("holder"))
    return ref, parse_ordinal(m["o"]), m.end("o")


_PLACE_AFTER = re.compile(r" (?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)"
                          r"(?: [A-ZĐÀ-Ỹ][^\W\d_]*){1,4}(?!\w)")


def _with_place(ctx: Context, body: BodyRef) -> BodyRef:
    """"Đoàn TNCS Hồ Chí Minh tỉnh Yên Bái": a nationwide organisation's name followed by a place is
    that place's branch, when the bodies gazetteer has not read the place itself."""
    place = _PLACE_AFTER.match(ctx.mtext, body.end)
    if place is None or body.category != "mass-organization" or body.parent is not None:
        return body
    return BodyRef(body.start, place.end(), body.name + ctx.text[body.end:place.end()], body.category)


@lru_cache(maxsize=1)
def _holder_heads() -> dict[str, str]:
    return {canonical.norm_key(r[0]): r[1] for r in canonical._rows("assembly_holders.tsv")}


def _heads_alternation() -> str:
    return "|".join(r"[ ]+".join(re.escape(w) for w in h.split())
                    for h in sorted((r[0] for r in canonical._rows("assembly_holders.tsv")), key=len, reverse=True))


# "các cấp" makes the holder generic ("Đại hội Đảng bộ các cấp"); "Đảng bộ các cơ quan Đảng tỉnh" is one body
_HOLDER_WORD = r"[ ]+(?!lần\b|khóa\b|các cấp\b|của\b|và\b|nhiệm\b)[^\W_][^\s,.;:()“”\"]*"


@lru_cache(maxsize=1)
def _holder_re() -> re.Pattern[str]:
    """A holder from its head word to "lần thứ N" (at most eight words between)."""
    return re.compile(rf"(?P<holder>(?=[A-ZĐÀ-Ỹ])(?i:{_heads_alternation()})(?!\w)(?:{_HOLDER_WORD}){{0,8}}?)"
                      rf"(?=\s*,?\s*lần\s+(?:thứ\s+)?)\s*,?\s*lần\s+(?:thứ\s+)?(?P<o>{_ord()})")


@lru_cache(maxsize=1)
def _holder_before_re() -> re.Pattern[str]:
    """A holder written before "tổ chức" (its clause opens with it or a time: "Ngày 2/11, Đoàn …")."""
    return re.compile(rf"(?<!\w)(?=[A-ZĐÀ-Ỹ])(?i:{_heads_alternation()})(?!\w)(?:{_HOLDER_WORD}){{0,10}}?"
                      r"(?=\s*,?\s*(?:đã\s+|sẽ\s+|long trọng\s+)?(?:tổ chức|tiến hành|khai mạc)\s+$)")


def _generic_holder(ctx: Context, start: int, end: int) -> BodyRef:
    name = " ".join(ctx.text[start:end].split())
    head = next((h for h in sorted(_holder_heads(), key=len, reverse=True)
                 if canonical.norm_key(name).startswith(h)), None)
    return BodyRef(start, start + len(ctx.text[start:end].rstrip()), _placed(ctx, name, head),
                   _holder_heads().get(head, "other"))


_CITY_WORD = re.compile(r"(?:TP|Tp)\.?$")


def _placed(ctx: Context, name: str, head: str | None) -> str:
    """"Đảng bộ TPHCM" → "Đảng bộ Thành phố Hồ Chí Minh"; "Đảng bộ TP" in an article about a city →
    that city's: a holder whose rest is only a place is named with the place's canonical name."""
    words = name.split()
    n_head = len(head.split()) if head else 0
    if not n_head or len(words) <= n_head:
        return name
    head_text, rest = " ".join(words[:n_head]), " ".join(words[n_head:])
    by_key, _ = canonical.places()
    entry = by_key.get(canonical.norm_key(rest))
    if entry is None and _CITY_WORD.fullmatch(rest) and ctx.locality and ctx.locality.level == "thành phố":
        entry = ctx.locality
    if entry is None:
        return name
    place = entry.name if entry.name.startswith("Thành phố") else f"{entry.level} {entry.name}"
    return f"{head_text} {place}"


_HOLDER_REACH = 160  # how far before "tổ chức Đại hội" its holder may start


def _holder_before(ctx: Context, pos: int) -> BodyRef | None:
    """The body holding an assembly whose name has none: "Đảng bộ Trường A tổ chức Đại hội đại biểu
    lần thứ XV", "HĐND huyện khóa IX tiến hành Kỳ họp thứ 14". A recognised body first (with a term
    between: "khóa XIII, nhiệm kỳ 2021 - 2026"), else a holder read from its head word."""
    p = _patterns()
    window_start = max(0, pos - _HOLDER_REACH)
    for ref in sorted(ctx.body_refs_in(window_start, pos), key=lambda r: -r.end):
        ref = _with_place(ctx, ref)
        if ref.end > pos:
            continue
        gap = ctx.mtext[ref.end:pos]
        term = p["term"].match(gap)
        term2 = p["term"].match(gap, term.end()) if term else None
        rest = gap[(term2 or term).end():] if term else gap
        if p["holds"].fullmatch(rest):
            return ref
    clause_start = max(ctx.mtext.rfind(c, window_start, pos) for c in ",.;:\n")
    m = _holder_before_re().search(ctx.mtext[:pos], max(window_start, clause_start + 1))
    return _generic_holder(ctx, m.start(), m.end()) if m else None


def _finish_congress(ctx: Context, start: int, pos: int, body: BodyRef | str, ordinal: int) -> None:
    """A congress opens a term of years ("nhiệm kỳ 2020-2025"); a "khóa" after it is not its own."""
    body_key = ctx.add_org(body).key if isinstance(body, BodyRef) else body
    years = _patterns()["term"].match(ctx.mtext, pos)
    term, end = _term(ctx, pos, body_key) if years and years["y1"] else (None, pos)
    _assembly(ctx, AssemblyKind.CONGRESS, body_key, ordinal, term, ctx.span(start, end))


def _plenary(ctx: Context, body: BodyRef) -> BodyRef | str | None:
    """The body whose plenum this is, or None when the body holds no plenums."""
    for written, plenary in canonical.plenary_bodies().items():
        if body.name == written or body.name.startswith(written + " "):
            name = plenary + body.name[len(written):]
            entry = canonical.bodies().entries.get(plenary)
            return ctx.add_org(BodyRef(0, 0, name, entry.category if entry else "party-committee"),
                               mention=False).key
    if body.name.startswith("Ban Chấp hành") or body.category == "party-committee":
        return body
    return None


# "Hội nghị lần thứ 9 Ban Chấp hành khóa X": the executive committee named without its body
_BARE_BCH = re.compile(r"[ ]+(Ban Chấp hành)(?=[ ]*(?:[,.;:()]|khóa|nhiệm kỳ|mở rộng|$|[ ][a-zđ]))", re.IGNORECASE)


# a body's standing committee or office convenes its executive committee's plenum
_STANDING = re.compile(r"(?:Ban Thường vụ|Thường trực|Văn phòng)\s", re.IGNORECASE)


def _plenums(ctx: Context) -> None:
    p = _patterns()
    for m in p["plenum"].finditer(ctx.mtext):
        pos, ordinals = m.end(), []
        lan = p["lan_thu"].match(ctx.mtext, pos)
        if lan:
            ordinals, pos = [parse_ordinal(lan["o"])], lan.end()
        head_end = pos  # after "Hội nghị" and its "lần thứ N"
        body = bodies.parse_at(ctx, pos + 1, bare_ok=True) if ctx.mtext[pos:pos + 1] == " " else None
        if body is not None:
            pos = body.end
            if not ordinals:
                lan = p["lan_thu"].match(ctx.mtext, pos)
                lst = p["number_list"].match(ctx.mtext, pos + 1) if ctx.mtext[pos:pos + 1] == " " else None
                if lan:
                    ordinals, pos = [parse_ordinal(lan["o"])], lan.end()
                elif lst:
                    ordinals, pos = _ordinals(lst), lst.end()
        ordinals = [o for o in ordinals if o]
        if not ordinals:
            continue
        bare_bch = _BARE_BCH.match(ctx.mtext, head_end)
        if bare_bch and (body is None or body.end <= bare_bch.end()):
            holder = _holder_before(ctx, m.start())  # "Hội A tổ chức Hội nghị lần thứ 13 Ban Chấp hành"
            if holder is not None and holder.parent is not None and _STANDING.match(holder.name):
                holder = holder.parent  # "Ban Thường vụ Tỉnh ủy tổ chức Hội nghị … Ban Chấp hành": the Tỉnh ủy's
            if holder is not None:
                start, end = bare_bch.start(1), bare_bch.end(1)
                plenary = _plenary(ctx, holder)
                if plenary is None:  # the holder's executive committee, written bare
                    category = "party-committee" if holder.category.startswith("party") else holder.category
                    plenary = BodyRef(start, end, f"Ban Chấp hành {holder.name}", category, parent=holder)
                plenary_key = ctx.add_org(plenary).key if isinstance(plenary, BodyRef) else plenary
                _numbered(ctx, AssemblyKind.PLENUM, plenary_key, ordinals, m.start(), max(pos, end))
                continue
        plenary = _plenary(ctx, body) if body is not None else None
        if body is not None and plenary is None:
            continue
        if body is not None:
            ctx.add_org(body)
        plenary_key = ctx.add_org(plenary).key if isinstance(plenary, BodyRef) else plenary
        _numbered(ctx, AssemblyKind.PLENUM, plenary_key, ordinals, m.start(), pos)


def _sessions(ctx: Context) -> None:
    p = _patterns()
    for m in p["session"].finditer(ctx.mtext):
        lst = p["ordinal_list"].match(ctx.mtext, m.start("o"))
        ordinals = _ordinals(lst) if lst else []
        pos = lst.end() if lst else m.end()
        body = _body(ctx, pos)
        aside = p["aside"].match(ctx.mtext, pos) if body is None else None
        if aside:
            body = bodies.parse_at(ctx, aside.end(), bare_ok=True)
        if body is not None:
            pos = body.end
        elif m.group().casefold().startswith("họp"):
            body = _body_just_before(ctx, m.start())
        else:
            body = _holder_before(ctx, m.start())
            if body is not None:
                body_key = ctx.add_org(body).key
                term, _ = _term(ctx, body.end, body_key)  # "HĐND huyện khóa IX … tiến hành Kỳ họp thứ 14"
                _numbered(ctx, AssemblyKind.SESSION, body_key, ordinals, m.start(), pos, term=term)
                continue
        body_key = ctx.add_org(body).key if body is not None else None
        _numbered(ctx, AssemblyKind.SESSION, body_key, ordinals, m.start(), pos)


def _body_just_before(ctx: Context, pos: int) -> BodyRef | None:
    """"Ủy ban Kiểm tra Trung ương đã họp kỳ thứ 3": the body ending right before (a few linking words)."""
    for ref in sorted(ctx.body_refs_in(max(0, pos - 212), pos), key=lambda r: -r.end):
        if ref.end <= pos and re.fullmatch(r"\s*(?:đã|đang|sẽ|vừa|,)?\s*", ctx.mtext[ref.end:pos]):
            return ref
    return None


def _numbered(ctx: Context, kind: AssemblyKind, body_key: str | None, ordinals: list, start: int, pos: int,
             term: str | None = None) -> None:
    """Plenums or sessions "12, 13 (khóa XII)" of a body; without a body they wait in ctx.bare."""
    stated, end = _term(ctx, pos, body_key) if body_key else (None, _skip_term(ctx, pos))
    term = stated or term
    span = ctx.span(start, end if term or not body_key else pos)
    for o in ordinals:
        if body_key is None:
            ctx.bare.append((kind, o, span))
        else:
            _assembly(ctx, kind, body_key, o, term, span)


def _elections(ctx: Context) -> None:
    p = _patterns()
    for m in p["election"].finditer(ctx.mtext):
        pos = m.end()
        while True:
            d = p["delegate"].match(ctx.mtext, pos)
            body = bodies.parse_at(ctx, d.end(), bare_ok=True) if d else None
            if body is None:
                break
            body_key = ctx.add_org(body).key
            after = body.end
            plural = re.match(r"\s+các cấp", ctx.mtext[after:])
            if plural:
                after += plural.end()
            term, end = _term(ctx, after, body_key)
            tag = slug(ctx.group("terms")[term].label) if term else "x"
            _assembly(ctx, AssemblyKind.ELECTION, body_key, None, term, ctx.span(d.end(), end if term else after), tag=tag)
            pos = end


def _skip_term(ctx: Context, pos: int) -> int:
    m = _patterns()["term"].match(ctx.mtext, pos)
    return len(ctx.mtext[:m.end()].rstrip()) if m and m.end() > pos else pos


def _merge_termless(ctx: Context) -> None:
    """"Hội nghị Tỉnh ủy lần thứ 8" (no term) is the one plenum 8 of that body named with its term."""
    group = ctx.group("assemblies")
    for key, a in list(group.items()):
        if a.term is not None or a.kind not in _NUMBERED_IN_TERM:
            continue
        same = [b for b in group.values() if b is not a and b.term and (b.kind, b.body, b.ordinal) == (a.kind, a.body, a.ordinal)]
        if len(same) == 1:
            same[0].mentions.extend(s for s in a.mentions if s not in same[0].mentions)
            del group[key]


_BARE_TERM = re.compile(r"khóa\s+(?P<k>[IVXLC]+|\d{1,2})(?!\w)", re.IGNORECASE)


def _resolve_bare(ctx: Context) -> None:
    """An assembly written without its body is the one of that kind and ordinal found, if only one
    (taking the term the bare mention states, "Hội nghị lần thứ 25, khóa XIX"). A plenum or session
    with no such match, in an article whose plenums (sessions) are all of one body and term, is that
    body's: "Tại Hội nghị lần thứ 24 trước đó" in a report on plenum 25."""
    group = ctx.group("assemblies")
    unmatched = []
    for kind, ordinal, span in ctx.bare:
        same = [a for a in group.values() if a.kind == kind and a.ordinal == ordinal]
        if len(same) != 1:
            unmatched.append((kind, ordinal, span, bool(same)))
            continue
        a = same[0]
        if span not in a.mentions:
            a.mentions.append(span)
        term = _BARE_TERM.search(ctx.mtext, span.start, span.end)
        if a.term is None and term and a.body:
            label = term["k"].upper()
            a.term = ctx.add_term(a.body, label, parse_ordinal(label), None, ctx.span(term.start("k"), term.end("k"))).key
    for kind, ordinal, span, ambiguous in unmatched:
        series = {(a.body, a.term) for a in group.values() if a.kind == kind}
        if ambiguous or kind not in _NUMBERED_IN_TERM or len(series) != 1:
            continue
        body, term = next(iter(series))
        stated = _BARE_TERM.search(ctx.mtext, span.start, span.end)
        if body and (stated is None or (term or "").endswith("/" + slug(stated["k"].upper()))):
            _assembly(ctx, kind, body, ordinal, term, span)


def _body_terms(ctx: Context) -> None:
    """"Ủy ban Kiểm tra Trung ương (khóa XI)": the article names the body's current term."""
    for ref in ctx.body_refs:
        hit = bodies.term_after(ctx, ref.end)
        if hit:
            label = hit[0].group(1).upper()
            term = ctx.add_term(ref.key, label, parse_ordinal(label), None,
                                ctx.span(hit[0].start(1), hit[0].end(1)))
            ctx.body_terms.setdefault(ref.key, term.key)


def find(ctx: Context) -> None:
    _body_terms(ctx)
    _congresses(ctx)
    _plenums(ctx)
    _sessions(ctx)
    _elections(ctx)
    _merge_termless(ctx)
    _resolve_bare(ctx)
