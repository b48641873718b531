"""Numbered documents: "Chỉ thị số 05-CT/TW của Bộ Chính trị", "Quy định số 08-QĐi/TW".

The type is decided by the word before the number (Quy định ≠ Quyết định, both "QĐ");
with no word, by the code in the number (gazetteers/doc_types.tsv). After the number:
an optional date ("ngày 29-1-2021"), the issuer ("của Bộ Chính trị"), a term of the
issuer ("(khóa VIII)") and a quoted title ("về “…”"). In a list
"Quy định số 101-QĐ/TW, Quy định số 55-QĐ/TW … của Ban Chấp hành Trung ương" the issuer
applies to the whole list.

Keys: "doc:" + slug(number) for central (/TW) documents; others add the issuer
("doc:04-da-tu-tinh-uy-ben-tre") so that /TU documents of two provinces do not collide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from kg.extract import bodies, canonical, dates
from kg.extract.context import BodyRef, Context
from kg.iri import slug
from kg.model import Document, EntityKey

# Party numbers "05-CT/TW", "08-QĐi/TW", "09-CTr/TU"; state numbers "123/QĐ-TTg", "15/2023/NĐ-CP".
# Scraped text puts a stray blank beside the dash or slash ("57- QĐ/TW", "57 -QĐ/TW"): one is allowed
# on each side and dropped from the number. Front offices sign with two codes ("2816/QĐ-MTTW-BTT").
_PARTY_NO = r"\d{1,4}[a-z]?[ ]?-[ ]?(?P<pcode>[A-ZĐ][A-Za-zĐđ]{0,5})[ ]?/[ ]?(?P<suffix>[A-ZĐƯ][A-ZĐƯa-z]{0,6})(?:-[A-ZĐ][A-ZĐa-z]{0,6})?"
_STATE_NO = (r"\d{1,5}(?:/\d{4})?/(?P<scode>[A-ZĐ][A-ZĐa-z]{0,6}(?:-[A-ZĐ][A-ZĐa-z]{0,8}){1,2})"
             r"|\d{1,5}/\d{4}/(?P<qcode>(?:UBTV)?QH\d{1,2})")  # "98/2023/QH15": a National Assembly act
# The date of a document; "ngày 4/5" without a year still stands between the number and its issuer.
_DATE_AFTER = re.compile(r"[ ]?,?[ ]?(?:ban hành[ ]+)?(?:ngày[ ]+\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{4})?(?![\d/.-])"
                         r"|ngày[ ]+\d{1,2}[ ]+tháng[ ]+\d{1,2}(?:[ ]+năm[ ]+\d{4})?)", re.IGNORECASE)
_OF = re.compile(r"\s*,?\s*của\s+", re.IGNORECASE)
_TERM = re.compile(r"\s*\(?\s*khóa\s+(?P<ord>[IVXLC]+|\d{1,2})\s*\)?", re.IGNORECASE)
_TITLE = re.compile(r"\s*,?\s*về\s+[“\"«]([^”\"»\n]{3,300})[”\"»]")
_TITLE_FIRST = re.compile(r"\s*,?\s*(?:về\s+)?[“\"«](?P<t>[^”\"»\n]{3,300})[”\"»]")
_LIST_SEP = re.compile(r"\s*,\s*|\s+và\s+|\s*;\s*")


# "số2303/QĐ-TTg": a number glued to "số" is still a number.
_NUM_RE = re.compile(rf"(?:(?<=số)|(?<![\w/-]))(?P<num>{_PARTY_NO}|{_STATE_NO})(?![\w/])")
# "Chỉ thị 05 của Bộ Chính trị": a document named by the bare number (GUIDELINES convention 4).
_SHORT_NO = r"(?P<short>\d{1,4})(?![\w/-]|[.,]\d)"
_LISTED_WITH = re.compile(r"[ ]?,[ ]?|[ ]+và[ ]+")  # "18, 19-NQ/TW", "18 và 19-NQ/TW"
_NEXT_WORDS = re.compile(r"[ ]*(%|\w+(?:[ ]\w+)?)")


@lru_cache(maxsize=1)
def _word_before_re() -> re.Pattern[str]:
    """The type word written just before a number ("Quy định số "), anchored at the number."""
    words = "|".join(r"[ ]+".join(re.escape(w) for w in form.split())
                     for form in sorted(canonical.doc_words(), key=len, reverse=True))
    # "Thông tri Triệu tập số 38/…": one or two capitalised words may qualify the type before "số"
    return re.compile(rf"(?<!\w)(?P<word>{words})(?:[ ]+(?:số[ ]*)?|(?:[ ]+[A-ZĐ]\w*){{1,2}}[ ]+số[ ]*)$",
                      re.IGNORECASE)


@lru_cache(maxsize=1)
def _short_re() -> re.Pattern[str]:
    """A short reference: a capitalised type word, "số" or not, and a bare number."""
    words = "|".join(r"[ ]+".join(re.escape(w) for w in form.split())
                     for form in sorted(_table("short"), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?P<word>{words})[ ]+(?:số[ ]*)?{_SHORT_NO}")


@cache
def _table(kind: str) -> tuple[tuple[str, ...], ...] | tuple[str, ...]:
    rows = [r for r in canonical._rows("doc_types.tsv") if r[0] == kind]
    if kind in ("short", "counter"):
        return tuple(r[1] for r in rows)
    return tuple(tuple(r[1:]) for r in rows)


def _state_types() -> dict[str, str]:
    return {code: type_ for code, type_, _vi in _table("statecode")}


def _code_issuers() -> dict[str, tuple[str, str]]:
    """State code → (issuing body, word the sentence must also hold)."""
    return {code: (body, cue) for code, body, cue in _table("issuer")}


@dataclass
class _Found:
    start: int
    num_start: int
    end: int  # after the number and its date
    number: str
    doc_type: str
    suffix: str | None
    date: object = None
    issuer: str | None = None
    issuer_term: str | None = None
    title: str | None = None
    code_type: str | None = None  # what the code alone would say ("QĐ" → Decision)
    worded: bool = False  # the type was written as a word before the number
    short: bool = False  # a bare number: "Chỉ thị 05"
    code: str | None = None  # the state code ("QĐ-TTg"), for an issuer the code names
    num_end: int = 0  # where the number ends as written (stray blanks and all)

    def __post_init__(self) -> None:
        self.num_end = self.num_end or self.end


def _type_of(m: re.Match, word: str | None) -> str | None:
    """The type from the word before the number, else from its code; None when neither says
    (a Decree "15/2024/NĐ-CP" or a Law "55/2014/QH13" has no type in the vocabulary: left out)."""
    words, codes = canonical.doc_types()
    if word:
        return words[canonical.norm_key(word)]
    if m["qcode"]:
        return "Law" if "UBTV" not in m["qcode"] else None
    if m["scode"]:
        head = m["scode"].split("-")[0]
        if head in _state_types():
            return _state_types()[head]
        if head in canonical.untyped_state_codes():
            return None
    code = m["pcode"] or m["scode"]
    if code in codes:
        return codes[code]
    head = re.split(r"[-/]", code)[0]
    return codes.get(head, codes.get(head.rstrip("i")))


def _scan(ctx: Context) -> list[_Found]:
    found = []
    for m in _NUM_RE.finditer(ctx.mtext):
        before = _word_before_re().search(ctx.mtext, max(0, m.start() - 40), m.start())
        start = before.start() if before else m.start()
        doc_type = _type_of(m, before["word"] if before else None)
        if doc_type is None:
            continue
        number = ctx.text[m.start():m.end()].replace(" ", "")
        f = _Found(start, m.start(), m.end(), number, doc_type, m["suffix"],
                   code_type=_type_of(m, None), worded=before is not None, code=m["scode"])
        _date_after(ctx, f)
        found.append(f)
    found.extend(_short_refs(ctx, found))
    return sorted(found, key=lambda f: f.start)


def _date_after(ctx: Context, f: _Found) -> None:
    d = _DATE_AFTER.match(ctx.mtext, f.end)
    if d:
        f.date = dates.parse_written_date(d.group())
        f.end = d.end()


def _short_refs(ctx: Context, full: list[_Found]) -> list[_Found]:
    """"Chỉ thị 05 của Bộ Chính trị", "Nghị quyết số 47 ngày 13/12/2019 của HĐND tỉnh": the number as
    written. Not a count ("Kế hoạch 5 năm"), not a year ("Kế hoạch 2025"), not a lower-case word."""
    words, _ = canonical.doc_types()
    counters = set(_table("counter"))
    taken = {f.start for f in full}
    by_start = {f.num_start: f for f in full}
    out = []
    for m in _short_re().finditer(ctx.mtext):
        if m.start() in taken or not m["word"][0].isupper():
            continue
        number = m["short"]
        if len(number) == 4 and number[:2] in ("19", "20"):
            continue
        after = _NEXT_WORDS.match(ctx.mtext, m.end())
        if after and (after.group(1).split()[0].casefold() in counters or after.group(1).casefold() in counters):
            continue
        listed = _LISTED_WITH.match(ctx.mtext, m.end())
        nxt = by_start.get(listed.end()) if listed else None
        if nxt is not None and not nxt.worded and not nxt.short:
            # "Nghị quyết số 18, 19-NQ/TW": the first number shares the second's code
            tail = re.match(r"\d{1,5}[a-z]?", nxt.number)
            full_number = number + nxt.number[tail.end():]
            f = _Found(m.start(), m.start("short"), m.end(), full_number, words[canonical.norm_key(m["word"])],
                       nxt.suffix, code_type=nxt.code_type, worded=True, code=nxt.code)
            nxt.doc_type, nxt.worded = f.doc_type, True
            out.append(f)
            continue
        f = _Found(m.start(), m.start("short"), m.end(), number, words[canonical.norm_key(m["word"])], None,
                   worded=True, short=True)
        _date_after(ctx, f)
        out.append(f)
    return out


def _groups(ctx: Context, found: list[_Found]) -> list[list[_Found]]:
    """Documents written as one list ("A, B và C của …") share what follows the last."""
    groups: list[list[_Found]] = []
    for f in found:
        if groups:
            prev = groups[-1][-1]
            sep = _LIST_SEP.fullmatch(ctx.mtext, prev.end, f.start)
            if sep:
                groups[-1].append(f)
                continue
        groups.append([f])
    return groups


def _tail(ctx: Context, group: list[_Found]) -> None:
    """Issuer, issuer's term and title written after the last document of a group."""
    pos = group[-1].end
    of = _OF.match(ctx.mtext, pos)
    title_first = _TITLE_FIRST.match(ctx.mtext, pos) if of is None else None
    if title_first:  # "Chỉ thị số 05-CT/TW về “…” của Bộ Chính trị": the title before the issuer
        of = _OF.match(ctx.mtext, title_first.end())
    issuer = None
    hit = _issuer_at(ctx, of.end()) if of else None
    if hit is not None:
        ref, pos = hit
        issuer = ctx.add_org(ref).key
        term = _TERM.match(ctx.mtext, pos)
        if term:
            label = term["ord"].upper()
            t = ctx.add_term(issuer, label, _ordinal(label), None, ctx.span(term.start("ord"), term.end("ord")))
            for f in group:
                f.issuer_term = t.key
            pos = term.end()
    if issuer is None and of is None:  # "Thành ủy đã ban hành Chương trình hành động số 15-CTr/TU"
        ref = _body_before(ctx, group[0].start, max_gap=24, gap=_ISSUED_BY)
        party_doc = any(f.suffix in ("TW", "TƯ") for f in group)  # a state office does not issue "/TW"
        if ref is not None and not (party_doc and ref.category in ("state-body", "government")):
            issuer = ctx.add_org(ref).key
    if issuer is None and of is None:
        issuer = _on_behalf(ctx, group[0].start)
    if issuer is None:
        issuer = _code_issuer(ctx, group)
    title = title_first if title_first and title_first["t"] else _TITLE.match(ctx.mtext, pos)
    for f in group:
        f.issuer = f.issuer or issuer
    if title and len(group) == 1:
        group[0].title = ctx.text[title.start(1):title.end(1)].strip()


_PLENUM = re.compile(r"Hội nghị\s+(?:lần thứ\s+\w+\s+)?")
_PLENUM_NO = re.compile(r"\s+(?:lần thứ\s+)?(?:\d{1,2}|[IVXLC]+)(?!\w)")


_ISSUED_BY = r"\s*(?:(?:đã|vừa|cũng|mới)\s+)*(?:ban hành|có|ký|ký ban hành)\s+"
_BODY_NAME_REACH = 200  # no body name is longer: how far back a name ending before pos may start


def _body_before(ctx: Context, pos: int, max_gap: int, gap: str) -> BodyRef | None:
    """The recognised body ending at most max_gap characters before pos, joined to it by gap."""
    near = ctx.body_refs_in(max(0, pos - max_gap - _BODY_NAME_REACH), pos)
    for ref in sorted(near, key=lambda r: -r.end):
        if ref.end <= pos and pos - ref.end <= max_gap and re.fullmatch(gap, ctx.mtext[ref.end:pos]):
            return ref
    return None


_ON_BEHALF = re.compile(r"(?<!\w)[Tt]hay mặt[ ]+")
_SIGNED = re.compile(r"(?<!\w)(?:đã[ ]+|vừa[ ]+)?ký(?:[ ]+ban hành)?[ ]+(?:các[ ]+)?$")


def _on_behalf(ctx: Context, pos: int) -> str | None:
    """"Thay mặt Bộ Chính trị, Tổng Bí thư … đã ký ban hành Nghị quyết số 66-NQ/TW": the body signed
    for issues the document (the signer's name never does, GUIDELINES convention 5)."""
    s, _ = ctx.sentence_at(pos)
    if not _SIGNED.search(ctx.mtext, max(s, pos - 24), pos):
        return None
    behalf = None
    for behalf in _ON_BEHALF.finditer(ctx.mtext, s, pos):  # noqa: B007 - the last match is used below
        pass  # the last "Thay mặt" before the document
    ref = bodies.parse_at(ctx, behalf.end(), bare_ok=True) if behalf else None
    return ctx.add_org(ref).key if ref is not None and ref.end <= pos else None


def _code_issuer(ctx: Context, group: list[_Found]) -> str | None:
    """"Quyết định số 96/QĐ-TTg, Thủ tướng phê chuẩn …": a state code that names its issuer, when the
    sentence also names it (GUIDELINES convention 5: the Prime Minister's decisions)."""
    codes = {f.code.split("-")[1] for f in group if f.code}
    if len(codes) != 1:
        return None
    hit = _code_issuers().get(codes.pop())
    if hit is None:
        return None
    body, cue = hit
    s, e = ctx.sentence_at(group[0].num_start)
    if not re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", ctx.mtext[s:e]):
        return None
    return ctx.add_default(body)


def _issuer_at(ctx: Context, pos: int) -> tuple[BodyRef, int] | None:
    """The issuing body at pos and where it ends; "Hội nghị Trung ương 8" is issued by its committee.
    A name written in lower case ("của ban chấp hành trung ương") counts when it has three words or more."""
    ref = bodies.parse_at(ctx, pos, bare_ok=True)
    if ref is None:
        low = bodies.parse_at(ctx, pos, bare_ok=True, allow_lower=True)
        ref = low if low is not None and len(ctx.mtext[pos:low.end].split()) >= 3 else None
    if ref is None:  # "của Chủ tịch UBND tỉnh", "của Thủ tướng Chính phủ": the office's body issues it
        post = canonical.posts()[1].match(ctx.mtext, pos)
        if post and post.group()[0].isupper() and ctx.mtext[post.end():post.end() + 1] == " ":
            ref = bodies.parse_at(ctx, post.end() + 1, bare_ok=True)
    if ref is not None:
        return ref, ref.end
    m = _PLENUM.match(ctx.mtext, pos)
    ref = bodies.parse_at(ctx, m.end(), bare_ok=True) if m else None
    if ref is None:
        return None
    number = _PLENUM_NO.match(ctx.mtext, ref.end)
    return ref, number.end() if number else ref.end


def _ordinal(label: str) -> int | None:
    from kg.extract.assemblies import parse_ordinal
    return parse_ordinal(label)


def _key(f: _Found, ctx: Context) -> str:
    local = slug(f.number)
    if f.short:  # "Chỉ thị 05" and "Kế hoạch 05" are two documents; so are two issuers' "Kế hoạch 05"
        local += f"-{slug(f.doc_type)}" + (f"-{EntityKey.parse(f.issuer).local}" if f.issuer else "")
        return str(EntityKey("doc", local))
    if f.suffix not in (None, "TW", "TƯ") and f.issuer is not None:
        local += "-" + EntityKey.parse(f.issuer).local
    if f.code_type and f.doc_type != f.code_type:
        # "QĐ" serves both Quy định and Quyết định: Regulation 101-QĐ/TW and Decision
        # 101-QĐ/TW are two documents, so the word the text gives is part of the key.
        local += "-" + slug(f.doc_type)
    return str(EntityKey("doc", local))


def _document(f: _Found, ctx: Context) -> Document:
    return Document(key=_key(f, ctx), number=f.number, doc_type=f.doc_type, issuer=f.issuer,
                    title=f.title, date=f.date, issuer_term=f.issuer_term)


def _full_forms(found: list[_Found]) -> dict[tuple[str, int], _Found]:
    """(type, leading number) → the one fully numbered document of the article it may abbreviate."""
    table: dict[tuple[str, int], list[_Found]] = {}
    for f in found:
        if not f.short:
            head = re.match(r"\d+", f.number)
            group = table.setdefault((f.doc_type, int(head.group())), [])
            if all(g.number != f.number for g in group):
                group.append(f)
    return {k: v[0] for k, v in table.items() if len(v) == 1}


def find(ctx: Context) -> None:
    found = _scan(ctx)
    for group in _groups(ctx, found):
        _tail(ctx, group)
    # A number written again without its issuer is the document named with one.
    issuer_of = {f.number: f.issuer for f in found if f.issuer}
    # ... and so is one written again without its type word ("Quy định số 101-QĐ/TW … 101-QĐ/TW").
    type_of: dict[str, str] = {}
    for f in found:
        if f.worded:
            type_of.setdefault(f.number, f.doc_type)
    full_of = _full_forms(found)
    short_issuer: dict[tuple[str, int], str] = {}
    for f in found:
        if f.short and f.issuer:
            short_issuer.setdefault((f.doc_type, int(f.number)), f.issuer)
    for f in found:
        if not f.worded and f.number in type_of:
            f.doc_type = type_of[f.number]
        if f.short:
            f.issuer = f.issuer or short_issuer.get((f.doc_type, int(f.number)))
            target = full_of.get((f.doc_type, int(f.number)))
            if target is not None and f.issuer in (None, target.issuer):
                ctx.add_document(_document(target, ctx), ctx.span(f.start, f.num_end))
                continue
        f.issuer = f.issuer or (issuer_of.get(f.number) if f.suffix not in ("TW", "TƯ") else None)
        doc = _document(f, ctx)
        ctx.add_document(doc, ctx.span(f.start, f.num_end))
