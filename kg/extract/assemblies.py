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
from kg.model import Assembly, Span

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


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
        "lan_thu": re.compile(rf"\s*,?\s*lần\s+thứ\s+(?P<o>{o})"),
        "term": re.compile(r"\s*,?\s*\(?\s*(?:khóa\s+(?P<k>[IVXLC]+|\d{1,2})(?!\w)|nhiệm\s+kỳ\s+(?P<y1>\d{4})\s*[-–]\s*(?P<y2>\d{4}))\s*\)?",
                           re.IGNORECASE),
        "congress": re.compile(r"(?<!\w)Đại hội(?P<nat>\s+(?:đại biểu\s+)?(?:Đảng\s+)?toàn quốc)?"),
        "plenum": re.compile(r"(?<!\w)(?:Hội nghị|Nghị quyết|Hội nghị lần thứ)(?!\w)"),
        "session": re.compile(rf"(?<!\w)(?:kỳ họp thứ|họp kỳ thứ)\s+(?P<o>{o})", re.IGNORECASE),
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
    if m["k"]:
        label = m["k"].upper()
        term = ctx.add_term(body_key, label, parse_ordinal(label), None, ctx.span(m.start("k"), m.end("k")))
    else:
        y1, y2 = int(m["y1"]), int(m["y2"])
        term = ctx.add_term(body_key, f"{y1}-{y2}", None, (y1, y2), ctx.span(m.start("y1"), m.end("y2")))
    return term.key, m.end()


def _assembly(ctx: Context, kind: str, body: BodyRef | str, ordinal: int | None, term: str | None,
              span: Span, tag: str | None = None) -> None:
    body_key = ctx.add_org(body).key if isinstance(body, BodyRef) else body
    if term is None:
        term = ctx.body_terms.get(body_key)
    # "assembly:quoc-hoi/session/xiv-9": plenums and sessions are numbered within a term.
    owner = body_key.split(":", 1)[1]
    term_part = f"{term.rsplit('/', 1)[1]}-" if term and kind in ("Plenum", "Session") else ""
    key = f"assembly:{owner}/{kind.lower()}/{term_part}{tag or ordinal}"
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
            body = bodies.parse_at(ctx, pos + 1, bare_ok=True)
            lan = p["lan_thu"].match(ctx.mtext, body.end) if body else None
            if lan is None:
                continue
            ordinal = parse_ordinal(lan["o"])
            pos = lan.end()
        if ordinal is None:
            continue
        if body is not None:
            pos = body.end if body.end > pos else pos
        if body is None and m["nat"]:
            party = ctx.add_default("Đảng Cộng sản Việt Nam")
            _finish_congress(ctx, m.start(), pos, party, ordinal)
            continue
        if body is None:
            ctx.bare.append(("Congress", ordinal, ctx.span(m.start(), pos)))
            continue
        _finish_congress(ctx, m.start(), pos, body, ordinal)


def _finish_congress(ctx: Context, start: int, pos: int, body: BodyRef | str, ordinal: int) -> None:
    """A congress opens a term of years ("nhiệm kỳ 2020-2025"); a "khóa" after it is not its own."""
    body_key = ctx.add_org(body).key if isinstance(body, BodyRef) else body
    years = _patterns()["term"].match(ctx.mtext, pos)
    term, end = _term(ctx, pos, body_key) if years and years["y1"] else (None, pos)
    _assembly(ctx, "Congress", body_key, ordinal, term, ctx.span(start, end))


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


def _plenums(ctx: Context) -> None:
    p = _patterns()
    for m in p["plenum"].finditer(ctx.mtext):
        pos, ordinals = m.end(), []
        lan = p["lan_thu"].match(ctx.mtext, pos)
        if lan:
            ordinals, pos = [parse_ordinal(lan["o"])], lan.end()
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
        plenary = _plenary(ctx, body) if body is not None else None
        if body is not None and plenary is None:
            continue
        if body is not None:
            ctx.add_org(body)
        plenary_key = ctx.add_org(plenary).key if isinstance(plenary, BodyRef) else plenary
        _numbered(ctx, "Plenum", plenary_key, ordinals, m.start(), pos)


def _sessions(ctx: Context) -> None:
    p = _patterns()
    for m in p["session"].finditer(ctx.mtext):
        lst = p["ordinal_list"].match(ctx.mtext, m.start("o"))
        ordinals = _ordinals(lst) if lst else []
        pos = lst.end() if lst else m.end()
        body = _body(ctx, pos)
        if body is not None:
            pos = body.end
        elif m.group().casefold().startswith("họp"):
            body = bodies.body_before(ctx, m.start())
        body_key = ctx.add_org(body).key if body is not None else None
        _numbered(ctx, "Session", body_key, ordinals, m.start(), pos)


def _numbered(ctx: Context, kind: str, body_key: str | None, ordinals: list, start: int, pos: int) -> None:
    """Plenums or sessions "12, 13 (khóa XII)" of a body; without a body they wait in ctx.bare."""
    term, end = _term(ctx, pos, body_key) if body_key else (None, _skip_term(ctx, pos))
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
            _assembly(ctx, "Election", body_key, None, term, ctx.span(d.end(), end if term else after), tag=tag)
            pos = end


def _skip_term(ctx: Context, pos: int) -> int:
    m = _patterns()["term"].match(ctx.mtext, pos)
    return m.end() if m else pos


def _merge_termless(ctx: Context) -> None:
    """"Hội nghị Tỉnh ủy lần thứ 8" (no term) is the one plenum 8 of that body named with its term."""
    group = ctx.group("assemblies")
    for key, a in list(group.items()):
        if a.term is not None or a.kind not in ("Plenum", "Session"):
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
        if ambiguous or kind not in ("Plenum", "Session") or len(series) != 1:
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
