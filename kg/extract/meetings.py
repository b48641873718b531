"""Events the article reports as happening, who did what there, and the documents discussed.

* "Ngày 6/1, tại Hà Nội, <body> tổ chức Hội nghị …" → a Meeting: name from the event word
  to the end of the sentence (cut before a clause that starts with a post, body or name),
  the date in the sentence (year inferred, see kg.extract.dates.infer_year), the place
  after "tại", the organiser the body just before "tổ chức".
  "A phối hợp với B tổ chức …" is organised by A.
* "<body> đã họp kỳ thứ 5 từ ngày 9 đến ngày 12/10/2019 tại Huế" → a Meeting too.
* "Sáng 12/3, Hội nghị … đã diễn ra tại Đà Nẵng" (a dated sentence opening with the event).
* "Chiều 19/1, Bộ Chính trị họp …" (a body meets), "Sáng 4/5, Thủ tướng … chủ trì Phiên họp Chính phủ …"
  (held by the body after the event word), "… đã có buổi làm việc với …" (no organiser): weaker shapes,
  kept only when no stronger one reported an event that sentence or that day.
* A session or congress that "khai mạc"/"diễn ra" is held by its own body; an assembly named in a
  dated event's name gets its date. Anniversary spans "(3/2/1930 - 3/2/2025)" are never event dates.
* The event phrase wherever the sentence puts it (gazetteers/meeting_words.tsv), in a dated sentence:
  the subject after a lead-in ("TT - Sau hai ngày làm việc, ngày 7-8, Đại hội … đã bế mạc"; it ends
  where its predicate starts, planned "sẽ …" and anaphoric "… lần này" left out), after "diễn ra"
  ("Chiều 2-11 đã diễn ra lễ bế mạc … Đại hội …"), "Tại <numbered event> (…), <body> …",
  "trong chương trình kỳ họp thứ N, <body>", a sitting that acts ("được hội nghị <body> bầu"),
  "<event> … do <body> tổ chức" (also undated in the opening paragraphs), "<event> … diễn ra",
  "<person> dự <event>", a decision handed over ("X đã trao quyết định …", "quyết định … được A trao cho B").
  A held event (Hội nghị, Đại hội, Kỳ họp …) is organised by the body named
  right after it ("Hội nghị lần thứ 9 Ban Chấp hành Trung ương", "Kỳ họp thứ 8, Quốc hội"); an explicit
  "X tổ chức" wins; a bare "Đại hội" is the article's one congress; a congress named as a document's
  source ("kiểm tra việc thực hiện Nghị quyết Đại hội …") organises nothing. Activities ("tổ chức tổng kết …")
  name an event only after "tổ chức" with a body. Venues are places ("tại Hội trường …", venues.tsv).
* An organiser the gazetteer misses: a known body with the place written after it ("Đoàn thanh niên
  xã A" → its branch there), a unit with its abbreviation before the body ("Ban Thường vụ (BTV) Tỉnh ủy"),
  or a subject opening with an organisation word (organiser_heads.tsv).
* A dateless event (usually the headline) with the organiser of a dated one is that one; the same
  event told twice on one day (a sapo and its first paragraph) is one; two sittings on two days are two.
* Participations: in the meeting's sentence and the ones after it, a clause that names a
  person and holds a cue (gazetteers/participation.tsv, plus "dự/điều hành <event word>") gives that
  person the cue's role, and a second one joined by "và" ("chủ trì … và phát biểu"); weak cues
  (statement verbs such as "cho biết") belong to the nearest name before them. No role from a cue the
  person is the object of ("công bố quyết định điều động đồng chí B", "báo cáo trước A"), inside a quoted
  title, after a speaker's colon, or for someone another acts for ("thừa ủy quyền của …"). In a list
  sentence ("Tham dự có A, …; B, …", "A, …; B, … cùng dự") people without a cue of their own attended.
  A post written alone ("Thủ tướng yêu cầu …") stands for its one holder in the article.
* Linear time: sentences, bodies, persons and event words are looked up by bisection (_Index), each
  pattern's repetition is bounded, and cues are read in a window around each name.
* References: documents written in a paragraph where a participant acts (cut at the neighbouring
  meetings: a one-line article is one paragraph), or in the meeting's sentence, are documents the
  meeting discussed.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from functools import lru_cache

from kg.extract import bodies, canonical, dates, people
from kg.extract.context import BodyRef, Context
from kg.iri import short_hash
from kg.model import AssemblyKind, EntityKey, Meeting

_ORGANISE = re.compile(r"(?<!\w)(?:đã\s+|long trọng\s+|vừa\s+)?(?:tổ chức|tiến hành)\s+", re.IGNORECASE)
# "đã họp kỳ thứ 3", "họp kỳ 24": a body's numbered sitting.
_HELD = re.compile(r"(?<!\w)(?:đã\s+)?họp\s+kỳ\s+(?:thứ\s+(\w+)|(\d{1,3})(?!\w))", re.IGNORECASE)
_AT = re.compile(r"(?<!\w)tại\s+", re.IGNORECASE)
_CLAUSE_CUT = re.compile(r"(?:,|(?<!\s))\s+(?:với sự|dưới sự)\s+|,\s+")
_WEAK = 4


class _Index:
    """Sorted positions of what the rules look up again and again, so that each look-up is a bisection
    and the module stays linear in the article's length."""

    def __init__(self, ctx: Context) -> None:
        self.sentences = ctx.sentences()
        self.sentence_starts = [s for s, _ in self.sentences]
        self.refs = sorted(ctx.body_refs, key=lambda r: (r.end, r.start))
        self.ref_ends = [r.end for r in self.refs]
        self.by_start = sorted(ctx.body_refs, key=lambda r: r.start)
        self.ref_starts = [r.start for r in self.by_start]
        self.position = {id(r): i for i, r in enumerate(ctx.body_refs)}
        self.persons = sorted(ctx.person_spans)
        self.person_starts = [ps for ps, _, _ in self.persons]
        self.dated: dict[tuple[int, int], bool] = {}
        self.done: dict[tuple[int, int], list] = {}
        self.lead_end: int | None = None
        self.words: list[re.Match[str]] | None = None  # event words anywhere, in order
        self.word_starts: list[int] = []
        self.doc_mentions: list | None = None  # (document key, span) by start, for _references
        self.doc_starts: list[int] = []
        self.doc_count = 0
        self.assembly_spans = None  # IntervalIndex of assembly mentions, for _assembly_body
        self.assembly_count = 0


def _index(ctx: Context) -> _Index:
    idx = ctx.__dict__.get("_meetings_index")
    if idx is None or len(idx.refs) != len(ctx.body_refs) or len(idx.persons) != len(ctx.person_spans):
        idx = ctx.__dict__["_meetings_index"] = _Index(ctx)
    return idx


def _sentence_at(ctx: Context, pos: int) -> tuple[int, int]:
    idx = _index(ctx)
    i = bisect_right(idx.sentence_starts, pos) - 1
    if i >= 0 and pos <= idx.sentences[i][1]:
        return idx.sentences[i]
    return pos, pos


def _body_before(ctx: Context, pos: int, max_gap: int, gap: str):
    """bodies.body_before by bisection: the body mention ending at most max_gap before pos, only the gap
    pattern between."""
    idx = _index(ctx)
    i = bisect_right(idx.ref_ends, pos) - 1
    while i >= 0 and idx.ref_ends[i] >= pos - max_gap:
        ref = idx.refs[i]
        if re.fullmatch(gap, ctx.mtext[ref.end:pos]):
            return ref
        i -= 1
    return None


def _refs_in(ctx: Context, start: int, end: int) -> bool:
    """Whether a body mention starts in [start, end)."""
    starts = _index(ctx).ref_starts
    i = bisect_left(starts, start)
    return i < len(starts) and starts[i] < end


def _ref_at(ctx: Context, start: int):
    """The body mention that starts at start, if any."""
    idx = _index(ctx)
    i = bisect_left(idx.ref_starts, start)
    return idx.by_start[i] if i < len(idx.ref_starts) and idx.ref_starts[i] == start else None


def _persons_in(ctx: Context, start: int, end: int) -> list[tuple[int, int, str]]:
    idx = _index(ctx)
    return idx.persons[bisect_left(idx.person_starts, start):bisect_left(idx.person_starts, end)]


@lru_cache(maxsize=1)
def _meeting_words() -> tuple[str, ...]:
    """Event words (gazetteers/meeting_words.tsv), longest first, without the activities."""
    return tuple(w for w in canonical.meeting_words() if _event_kinds().get(w.casefold()) != "activity")


@lru_cache(maxsize=1)
def _activity() -> re.Pattern[str]:
    """"tổ chức tổng kết …": an activity that names an event right after "tổ chức"."""
    alts = "|".join(re.escape(w) for w in canonical.meeting_words() if _event_kinds().get(w.casefold()) == "activity")
    return re.compile(rf"(?:{alts})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _event_word() -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in _meeting_words())
    return re.compile(rf"(?:{alts})(?!\w)", re.IGNORECASE)


def _name_end(ctx: Context, start: int, end: int) -> int:
    """Where the event's name stops: the sentence end, or a clause about someone else."""
    for m in _CLAUSE_CUT.finditer(ctx.mtext, start, end):
        nxt = m.end()
        if m.group().strip() not in (",", "") or people.parse_post_at(ctx, nxt) or bodies.parse_at(ctx, nxt) \
                or people.name_at(ctx, nxt) or ctx.mtext.startswith(("đồng chí", "Đồng chí"), nxt):
            return m.start()
    return end


_PLACE_LEAD = re.compile(r"(?:(?:tỉnh|thành phố|TP\.?)\s+)?")
_TOWN = re.compile(r"(?:thành phố|thị xã|thị trấn|huyện|TP\.?)\s+")
_CAP_WORD = re.compile(r"[^\W\d_]+")


def _place(ctx: Context, start: int, end: int) -> str | None:
    """"tại Hà Nội", "tại thành phố Đà Nẵng", "tại thành phố Điện Biên Phủ" (a town named as such)."""
    for m in _AT.finditer(ctx.mtext, start, end):
        lead = _PLACE_LEAD.match(ctx.mtext, m.end())
        town = _town(ctx, m.end())
        hit = bodies.place_at(ctx, lead.end())
        if hit is not None and (town is None or town[1] == hit[1]):  # "Điện Biên Phủ" is not "Điện Biên"
            return ctx.add_place(hit[0].name, ctx.span(lead.end(), hit[1])).key
        if town is not None:
            return ctx.add_place(ctx.text[town[0]:town[1]], ctx.span(*town)).key
        venue = _venue(ctx, m.end())
        if venue is not None:
            return ctx.add_place(ctx.text[venue[0]:venue[1]], ctx.span(*venue)).key
    return None


# A venue's name runs from its head to a punctuation mark or a word that starts the rest of the clause
# ("tại Trung tâm Hội nghị Quốc gia Mỹ Đình, Hà Nội", "tại Hội trường Tỉnh ủy với sự tham dự …").
_VENUE_WORD = re.compile(r" ([^\W_][\w-]*)")
_VENUE_STOP = frozenset(("đã", "đang", "sẽ", "vừa", "với", "để", "và", "do", "nhằm", "từ", "đến", "trong", "vào", "có",
                         "của", "cho", "về", "diễn", "khai", "bế", "tổ", "tiến", "dưới", "theo", "được", "sáng", "chiều",
                         "tối", "ngày", "là", "nơi", "này"))


def _venue(ctx: Context, pos: int) -> tuple[int, int] | None:
    """A venue written at pos ("Hội trường …", gazetteers/venues.tsv) as (start, end): the head and at most
    seven more words."""
    head = next((v for v in _venue_heads() if ctx.mtext.startswith(v, pos)), None)
    if head is None:
        return None
    end = pos + len(head)
    for _ in range(7):
        w = _VENUE_WORD.match(ctx.mtext, end)
        if w is None or w.group(1).casefold() in _VENUE_STOP:
            break
        end = w.end()
    return pos, end


def _town(ctx: Context, pos: int) -> tuple[int, int] | None:
    """The capitalised name (1-3 words) after "thành phố/thị xã/huyện" at pos, as (start, end)."""
    lead = _TOWN.match(ctx.mtext, pos)
    if lead is None:
        return None
    p, end = lead.end(), None
    for _ in range(3):
        w = _CAP_WORD.match(ctx.mtext, p)
        if w is None or not w.group()[0].isupper() or w.group() in canonical.name_stopwords():
            break
        end, p = w.end(), w.end() + 1
        if ctx.mtext[w.end():w.end() + 1] != " ":
            break
    return (lead.end(), end) if end else None


def _when(ctx: Context, start: int, end: int, context: str):
    for dm in dates.event_dates(ctx.mtext, start, end):
        if dm.cued or dm.year:
            return dates.to_date(dm, published=ctx.article.published, context=context, text=ctx.mtext)
    if ctx.article.published is not None and _TODAY.search(ctx.mtext, start, end):
        return ctx.article.published, None  # "diễn ra vào chiều nay": the day the article came out
    return None, None


# "sáng nay", "chiều nay", "hôm nay" with no date of their own: the publication day.
_TODAY = re.compile(r"(?<!\w)(?:sáng|chiều|trưa|tối|hôm) nay(?!\w)", re.IGNORECASE)


def _meeting(ctx: Context, name: str, sent: tuple[int, int], name_span: tuple[int, int],
             organizer: str | None) -> Meeting:
    s, e = sent
    context = ctx.mtext[s:e]
    first, last = _when(ctx, s, e, context)
    place = _place(ctx, s, e)
    if organizer and first:  # "meeting:ddarng-ury-khoosi-casc-cow-quan-trung-uwowng/2021-01-06"
        key = str(EntityKey("meeting", f"{EntityKey.parse(organizer).local}/{first.isoformat()}"))
    else:
        key = str(EntityKey("meeting", short_hash(name, str(first), organizer or "", length=16)))
    meeting = Meeting(key=key, name=name, date=first, end_date=last, place=place, organizer=organizer)
    return ctx.add_meeting(meeting, ctx.span(*name_span))


_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")


def _lead_end(ctx: Context) -> int:
    """End of the headline and lead paragraph: where an undated event can still be the reported one."""
    idx = _index(ctx)
    if idx.lead_end is None:
        paragraphs = []
        for m in _PARAGRAPH.finditer(ctx.mtext):
            paragraphs.append(m)
            if len(paragraphs) == 2:
                break
        if not paragraphs:
            idx.lead_end = 0
        else:
            first = paragraphs[0]
            headline = ctx.article.title is not None and \
                ctx.text[first.start():first.end()].strip() == ctx.article.title
            idx.lead_end = paragraphs[min(1 if headline else 0, len(paragraphs) - 1)].end()
    return idx.lead_end


def _opening_end(ctx: Context, paragraphs: int = 3) -> int:
    """End of the article's first few paragraphs after the headline: where the reported event is told."""
    end = _lead_end(ctx)
    for _ in range(paragraphs - 1):
        nxt = ctx.mtext.find("\n", end + 1)
        while nxt >= 0 and not ctx.mtext[end:nxt].strip():
            end, nxt = nxt, ctx.mtext.find("\n", nxt + 1)
        end = len(ctx.mtext) if nxt < 0 else nxt
    return end


def _organised(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    found = []
    lead_end = _lead_end(ctx)
    for s, e in ctx.sentences():
        for m in _ORGANISE.finditer(ctx.mtext, s, e):
            word = _event_word().match(ctx.mtext, m.end())
            if word is None and m.group().strip().casefold().endswith("tổ chức"):
                word = _activity().match(ctx.mtext, m.end())
            if word is None:
                continue
            dated = _dated(ctx, s, e)
            if s >= lead_end and not dated:
                continue  # "… tổ chức Hội nghị …" later on, undated: background, not the report
            if _PLANNED_BEFORE.search(ctx.mtext[max(s, m.start() - 24):m.start()]) \
                    or _PLANNED_SENTENCE.search(ctx.mtext, s, m.start()):
                continue  # "cần tổ chức hội nghị …", "Theo kế hoạch, … tổ chức …": not an event that took place
            organizer = _organizer(ctx, m.start())
            if organizer is None and (not dated or word.re is _activity()):
                continue  # a generic "tổ chức hội nghị" with neither a body nor a date of its own
            name_end = _name_end(ctx, word.start(), e)
            raw = ctx.text[word.start():name_end].rstrip(" .;:")
            name = raw[:1].upper() + raw[1:]
            org_key = ctx.add_org(organizer).key if organizer else None
            meeting = _meeting(ctx, name, (s, e), (word.start(), word.start() + len(raw)), org_key)
            found.append((meeting.key, (s, e)))
            break
    return found


_PLANNED_BEFORE = re.compile(r"(?<!\w)(?:sẽ|cần|phải|dự kiến|chuẩn bị|đề nghị|yêu cầu|kế hoạch)\s+$", re.IGNORECASE)
_PLANNED_SENTENCE = re.compile(r"(?<!\w)(?:theo kế hoạch|dự kiến|sẽ)(?!\w)", re.IGNORECASE)
_PARTNER = re.compile(r"\s*(?:đã\s+)?(?:phối hợp với|phối hợp cùng|phối hợp|cùng với)\s+", re.IGNORECASE)
# "Ban Tuyên giáo Tỉnh ủy phối hợp Sở Nội vụ tổ chức": a partner missing from the gazetteers.
_UNKNOWN_PARTNER = re.compile(r"\s*(?:đã\s+)?(?:phối hợp(?:\s+với)?|cùng với)\s+[^,.;:\n]{2,60}?\s*", re.IGNORECASE)
_TOOK_PLACE = re.compile(r"(?<!\s)\s+(?:(?:đã|được)\s+)?(?:diễn ra|được tổ chức|khai mạc|bế mạc)(?!\w)", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:[^,]{0,40},\s*)?(?:tại\s+[^,]{2,60},\s*)?$", re.IGNORECASE)
_LEAD_MAX = 130  # the longest text _LEAD_IN accepts before the event


# "Đảng bộ xã Minh Quang, tỉnh Tuyên Quang tổ chức": where the body is, between it and the verb.
# "HĐND tỉnh khóa XIII, nhiệm kỳ 2021 - 2026 tiến hành …", "Ban Chấp hành (BCH) Tỉnh ủy tổ chức …": the term
# or an abbreviation in brackets between the body and the verb.
_ORG_GAP = (r"\s*(?:\([^()\s]{2,10}\)\s*)?(?:,\s*(?:tỉnh|thành phố|huyện|quận|thị xã)\s+[^\W\d_][^,.;\n]{0,30}?)?"
            r"\s*(?:\(?\s*kh[óo]a\s+[IVXLC\d]{1,6}\s*\)?)?\s*(?:,?\s*\(?\s*nhiệm kỳ\s+\d{4}\s*[-–]\s*\d{4}\s*\)?)?\s*")
_BODY_LIST = re.compile(r"\s*,\s*|\s+và\s+")


def _organizer(ctx: Context, pos: int):
    """The body just before "tổ chức"; "A phối hợp với B tổ chức …" is organised by A; in a list
    "Tỉnh ủy, HĐND, UBND tỉnh X tổ chức …" the first body leads."""
    ref = _body_before(ctx, pos, 60, _ORG_GAP)
    if ref is None:
        ref = _body_before(ctx, pos, 80, _UNKNOWN_PARTNER.pattern)
        return _qualified(ctx, ref) if ref is not None else _unknown_subject(ctx, pos)
    idx = _index(ctx).position[id(ref)]
    if idx > 0 and _PARTNER.fullmatch(ctx.mtext, ctx.body_refs[idx - 1].end, ref.start):
        idx -= 1
    while idx > 0 and _BODY_LIST.fullmatch(ctx.mtext, ctx.body_refs[idx - 1].end, ctx.body_refs[idx].start):
        idx -= 1
    return _qualified(ctx, ctx.body_refs[idx])


_PLACE_KIND = re.compile(r" (?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn) (?=[^\W\d_])")


_ABBR_BEFORE = re.compile(r"(?:(?<=\s)|^)((?:[^\W\d_]+\s+){2,5})\(\s*([A-ZĐ]{2,6})\s*\)\s*$")


def _initials(words: str) -> str:
    return "".join(unicodedata.normalize("NFD", w)[0] for w in words.split()).upper().replace("Đ", "D")


def _abbreviated_unit(ctx: Context, ref):
    """"Ban Thường vụ (BTV) Tỉnh ủy": a unit whose abbreviation stands between it and its body (the
    abbreviation's letters are the unit's initials) forms one body with it."""
    m = _ABBR_BEFORE.search(ctx.mtext, max(0, ref.start - 60), ref.start)
    if m is None:
        return ref
    abbr = m.group(2).replace("Đ", "D")
    words = m.group(1).split()[-len(abbr):]
    if len(words) != len(abbr) or _initials(" ".join(words)) != abbr or not words[0][0].isupper():
        return ref
    start = m.start(1) + m.group(1).rfind(words[0]) if len(words) < len(m.group(1).split()) else m.start(1)
    idx = _index(ctx)
    near = idx.by_start[bisect_left(idx.ref_starts, m.start(1) - 60):bisect_left(idx.ref_starts, m.start(2))]
    if any(r.end > start for r in near):
        return ref  # "Hội Cựu chiến binh (CCB) …": the words are (part of) a body of their own
    return BodyRef(start, ref.end, " ".join(words) + " " + ref.name, "other", parent=ref)


def _qualified(ctx: Context, ref):
    """"Đoàn TNCS Hồ Chí Minh tỉnh Yên Bái": a body read without the place written right after it is
    that place's branch; "Ban Thường vụ (BTV) Tỉnh ủy" is the unit of the body."""
    ref = _abbreviated_unit(ctx, ref)
    kind = _PLACE_KIND.match(ctx.mtext, ref.end)
    if kind is None:
        return ref
    p, end = kind.end(), None
    for _ in range(3):
        w = _CAP_WORD.match(ctx.mtext, p)
        if w is None or not w.group()[0].isupper() or w.group() in canonical.name_stopwords():
            break
        end, p = w.end(), w.end() + 1
        if ctx.mtext[w.end():w.end() + 1] != " ":
            break
    if end is None:
        return ref
    name = bodies.with_place(ref.name, ctx.text[ref.end + 1:end])
    return BodyRef(ref.start, end, name, ref.category)


@lru_cache(maxsize=1)
def _organiser_heads() -> re.Pattern[str]:
    alts = "|".join(re.escape(r[0]) for r in sorted(canonical._rows("organiser_heads.tsv"), key=lambda r: -len(r[0])))
    return re.compile(rf"(?:{alts})(?!\w)")


# Where an unknown subject body's name stops before the verb: "A phối hợp cùng B tổ chức", "A đã tổ chức".
_SUBJECT_END = re.compile(r"(?<!\s)\s+(?:phối hợp|cùng|và|đã|vừa|long trọng|chủ trì)(?!\w)|(?<!\s)\s*$", re.IGNORECASE)
_WORD = re.compile(r"\S+")


def _unknown_subject(ctx: Context, pos: int):
    """The subject right before "tổ chức" when the gazetteers do not know it: a capitalised phrase after the
    sentence's last comma that opens with an organisation word (gazetteers/organiser_heads.tsv), at most
    ten words ("Đoàn thanh niên xã Bản Nguyên tổ chức …")."""
    s, _ = _sentence_at(ctx, pos)
    last = ctx.mtext.rfind(",", s, pos)
    starts = [max(s, last + 1)]
    if last > s:  # "A phối hợp cùng B, C tổ chức": the subject before a list of partners
        starts.append(max(s, ctx.mtext.rfind(",", s, last) + 1))
    for n, start in enumerate(starts):
        start += len(ctx.mtext[start:pos]) - len(ctx.mtext[start:pos].lstrip())
        end = _SUBJECT_END.search(ctx.mtext, start, pos).start()
        if n > 0 and not _PARTNER.search(ctx.mtext, start, pos):
            continue
        known = _ref_at(ctx, start)
        if known is not None:  # "Đoàn thanh niên xã A": a known body with the place the gazetteer missed
            ref = _qualified(ctx, known)
            if ref is not known and ref.end == end:
                return ref
            continue
        head = _organiser_heads().match(ctx.mtext, start)
        if head is None or end <= head.end() or len(_WORD.findall(ctx.mtext, start, end)) > 10:
            continue
        if _refs_in(ctx, start, end) or _persons_in(ctx, start, end):
            continue
        if any(people.name_at(ctx, w.start()) for w in _WORD.finditer(ctx.mtext, head.end(), end)):
            continue  # "Hội trưởng Nguyễn Văn A": a person, not a body
        return BodyRef(start, end, ctx.text[start:end], "other")
    return None


def _took_place(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Sáng 12/3, tại Hà Nội, Hội nghị … đã diễn ra": the event opens the sentence, with a date."""
    found = []
    for s, e in ctx.sentences():
        for word in _event_words(ctx, s, e):
            if word.start() - s > _LEAD_MAX:
                break
            if not word.group()[0].isupper() or not _LEAD_IN.match(ctx.mtext[s:word.start()]):
                continue
            verb = _TOOK_PLACE.search(ctx.mtext, word.end(), e)
            done = _done_by(ctx, word.end(), e)
            if (verb is None and done is None) or not dates.event_dates(ctx.mtext, s, e):
                continue
            if verb is not None and _PLANNED_BEFORE.search(ctx.mtext[max(word.end(), verb.start() - 12):verb.start() + 1]):
                continue  # "… sẽ khai mạc": not yet held
            cut = min(x for x in (verb.start() if verb else None, done[1] if done else None) if x is not None)
            raw = ctx.text[word.start():cut].rstrip(" ,")
            if done is not None:
                body = ctx.add_org(done[0]).key
            else:
                body = _assembly_body(ctx, word.start(), word.start() + len(raw))
                if body is None:
                    held = _holder(ctx, word)
                    body = ctx.add_org(held).key if held is not None else None
            meeting = _meeting(ctx, raw, (s, e), (word.start(), word.start() + len(raw)), body)
            found.append((meeting.key, (s, e)))
            break
    return found


_DONE_BY = re.compile(r"(?<!\s)\s+do\s+")
_DONE_VERB = re.compile(r"\s*,?\s+(?:đã\s+|vừa\s+)?(?:chủ trì,?\s+|phối hợp\s+)?tổ chức(?!\w)")


def _done_by(ctx: Context, start: int, end: int):
    """"Hội thảo … do Ban Tuyên giáo Tỉnh ủy tổ chức": (the organising body, where " do" starts), the first
    one in [start, end). The sentence's "do X tổ chức" are found once and then bisected."""
    sent = _sentence_at(ctx, start)
    memo = _index(ctx).done
    if sent not in memo:
        found = []
        for m in _DONE_BY.finditer(ctx.mtext, *sent):
            ref = bodies.parse_at(ctx, m.end())
            if ref is not None and _DONE_VERB.match(ctx.mtext, ref.end):
                found.append((m.start(), ref))
        memo[sent] = found
    found = memo[sent]
    i = bisect_left(found, start, key=lambda d: d[0])
    if i < len(found) and found[i][0] < end:
        return found[i][1], found[i][0]
    if sent[0] > start or sent[1] < end:  # a span that is not inside one sentence: look at it directly
        for m in _DONE_BY.finditer(ctx.mtext, start, end):
            ref = bodies.parse_at(ctx, m.end())
            if ref is not None and _DONE_VERB.match(ctx.mtext, ref.end):
                return ref, m.start()
    return None


def _assembly_body(ctx: Context, start: int, end: int) -> str | None:
    """"Kỳ họp thứ 8, Quốc hội khóa XV khai mạc": a session or congress is held by its own body."""
    idx = _index(ctx)
    group = ctx.group("assemblies")
    if idx.assembly_spans is None or idx.assembly_count != len(group):
        # (start, end, order in the group, body): the first assembly in group order wins, as before
        # An assembly named as a document's source ("Nghị quyết Đại hội Đảng bộ tỉnh lần thứ X") is not
        # the event: "kiểm tra việc thực hiện Nghị quyết Đại hội …" is not held by that congress's body.
        idx.assembly_spans = ctx.interval_index([(sp.start, sp.end, n, a.body)
                                                 for n, a in enumerate(group.values()) if a.body for sp in a.mentions
                                                 if not _document_word_before(ctx, sp.start)])
        idx.assembly_count = len(group)
    spans = idx.assembly_spans
    i = bisect_left(spans.starts, end) - 1  # spans starting before end; walk back while one may reach start
    best = None
    while i >= 0 and spans.reach[i] > start:
        row = spans.items[i]
        if row[1] > start and (best is None or row[2] < best[2]):
            best = row
        i -= 1
    return best[3] if best else None


_MET = re.compile(r"\s+(?:đã\s+|vừa\s+)?(?:(?:nhóm\s+)?họp(?!\w)(?!\s+kỳ)|(?:có buổi\s+)?làm việc với(?!\w))",
                  re.IGNORECASE)


def _convened(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Chiều 19/1, Bộ Chính trị họp cho ý kiến …", "Ban Bí thư làm việc với …": a body that meets,
    dated, opening its sentence, organises the meeting."""
    found = []
    for s, e in ctx.sentences():
        idx = _index(ctx)
        refs = []
        for i in range(bisect_left(idx.ref_starts, s), len(idx.ref_starts)):
            r = idx.by_start[i]
            if r.start >= e or r.start - s > _LEAD_MAX:
                break
            if _LEAD_IN.match(ctx.mtext[s:r.start]):
                refs.append(r)
                break
        for ref in refs:
            verb = _MET.match(ctx.mtext, ref.end)
            if verb is None or not _dated(ctx, s, e):
                continue
            comma = ctx.mtext.find(",", verb.end(), e)
            raw = ctx.text[ref.start:comma if comma > 0 else e].rstrip(" .;:")
            meeting = _meeting(ctx, raw, (s, e), (ref.start, ref.start + len(raw)), ctx.add_org(ref).key)
            found.append((meeting.key, (s, e)))
    return found


# "… chủ trì Phiên họp …", "… dự Lễ kỷ niệm …": someone chairs or attends a dated event.
_CHAIRED = re.compile(r"(?<!\w)(?:chủ trì|dự|tham dự|đến dự|về dự|tới dự|dự và chỉ đạo)\s+", re.IGNORECASE)


_GOING = re.compile(r"(?<!\w)(?:sẽ|đi)\s+$", re.IGNORECASE)  # "sẽ dự", "đi dự": not yet attended


def _in_quoted_title(ctx: Context, s: int, pos: int) -> bool:
    """Whether pos is inside an opened “…” of its sentence, or in a "về việc …" title."""
    before = ctx.mtext[max(s, pos - 300):pos]
    return before.count("“") > before.count("”") or "về việc" in before[-80:].casefold()


def _chaired(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Sáng 4/5, Thủ tướng … chủ trì Phiên họp Chính phủ thường kỳ …": a dated event someone chairs,
    held by the body named right after the event word (none if no body is named there)."""
    found = []
    for s, e in ctx.sentences():
        for m in _CHAIRED.finditer(ctx.mtext, s, e):
            word = _event_word().match(ctx.mtext, m.end())
            if word is None or not _dated(ctx, s, e) or _GOING.search(ctx.mtext[max(s, m.start() - 8):m.start()]):
                continue
            if _in_quoted_title(ctx, s, m.start()):
                continue  # “Về việc chỉ định đại biểu dự Đại hội …”: a document's title, not an event
            raw = ctx.text[word.start():_name_end(ctx, word.start(), e)].rstrip(" .;:")
            raw = raw[:1].upper() + raw[1:]
            if m.group().casefold().startswith("chủ trì"):
                body = bodies.parse_at(ctx, word.end() + 1) if ctx.mtext[word.end():word.end() + 1] == " " else None
                organizer = ctx.add_org(body).key if body is not None else None
            else:  # an attendee says nothing of who holds it unless the event's name does
                organizer = _organiser_of(ctx, word, word.start() + len(raw))
            meeting = _meeting(ctx, raw, (s, e), (word.start(), word.start() + len(raw)), organizer)
            found.append((meeting.key, (s, e)))
            break
    return found


@lru_cache(maxsize=1)
def _had_event() -> re.Pattern[str]:
    alts = "|".join(re.escape(w) for w in _meeting_words())
    return re.compile(rf"(?<!\w)có\s+(?P<word>{alts})(?!\w)", re.IGNORECASE)


def _visits(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Chiều 5/4, Tổng Bí thư … đã có buổi làm việc với …": a dated working session nobody organises."""
    found, done = [], set()
    for m in _had_event().finditer(ctx.mtext):
        s, e = _sentence_at(ctx, m.start())
        if (s, e) in done or not _dated(ctx, s, e):
            continue
        done.add((s, e))
        start = m.start("word")
        raw = ctx.text[start:_name_end(ctx, start, e)].rstrip(" .;:")
        raw = raw[:1].upper() + raw[1:]
        meeting = _meeting(ctx, raw, (s, e), (start, start + len(raw)), None)
        found.append((meeting.key, (s, e)))
    return found


# --- the event phrase, wherever the sentence puts it ------------------------------------------

@lru_cache(maxsize=1)
def _event_kinds() -> dict[str, str]:
    """Event word (casefolded) → kind ("held": a sitting of the body named after it; "" otherwise)."""
    return {r[0].casefold(): (r[1] if len(r) > 1 else "") for r in canonical._rows("meeting_words.tsv")}


@lru_cache(maxsize=1)
def _any_event_word() -> re.Pattern[str]:
    """An event word anywhere, any case ("Tại kỳ họp thứ năm", "được hội nghị … bầu")."""
    alts = "|".join(re.escape(w) for w in _meeting_words())
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _venue_heads() -> tuple[str, ...]:
    return tuple(sorted((r[0] for r in canonical._rows("venues.tsv")), key=len, reverse=True))


@lru_cache(maxsize=1)
def _venues_by_offset() -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Venue heads by the offset of each word after the first ("Trung tâm Hội nghị": 6 and 10)."""
    by: dict[int, list[str]] = {}
    for venue in _venue_heads():
        for k in (i + 1 for i, ch in enumerate(venue) if ch == " "):
            by.setdefault(k, []).append(venue)
    return tuple((k, tuple(v)) for k, v in sorted(by.items()))


def _in_venue(ctx: Context, pos: int) -> bool:
    """"Trung tâm Hội nghị tỉnh": the event word at pos is part of a venue's name."""
    return any(pos - k >= 0 and ctx.mtext.startswith(venues, pos - k) for k, venues in _venues_by_offset())


def _event_words(ctx: Context, s: int, e: int):
    """The event words in [s, e) that are not part of a venue's name (found once for the whole text)."""
    idx = _index(ctx)
    if idx.words is None:
        idx.words = list(_any_event_word().finditer(ctx.mtext))
        idx.word_starts = [m.start() for m in idx.words]
    for i in range(bisect_left(idx.word_starts, s), len(idx.words)):
        m = idx.words[i]
        if m.end() > e:
            break
        if not _in_venue(ctx, m.start()):
            yield m


def _dated(ctx: Context, s: int, e: int) -> bool:
    """Whether text[s:e] holds an event date (cued or with its year); remembered per span."""
    memo = _index(ctx).dated
    if (s, e) not in memo:
        memo[(s, e)] = any(d.cued or d.year for d in dates.event_dates(ctx.mtext, s, e)) or (
            ctx.article.published is not None and _TODAY.search(ctx.mtext, s, e) is not None)
    return memo[(s, e)]


# "Lần thứ chín", "thứ 22", "lần 13", "đại biểu", "(khóa X)", ", ": words between an event word and its body.
_HOLDER_SKIP = re.compile(r"[\s,]*(?:lần\s+thứ\s+[^\s,.;()]+|thứ\s+[^\s,.;()]+|lần\s+[^\s,.;()]+|đại biểu|toàn quốc"
                          r"|bất thường|chuyên đề|thường kỳ|trực tuyến|\([^()\n]{0,40}\))", re.IGNORECASE)
_SPACES = re.compile(r"[\s,]*")


def _holder(ctx: Context, word: re.Match[str]):
    """The body a held event is a sitting of, named right after the event word (a few qualifiers between):
    "Hội nghị lần thứ 9 Ban Chấp hành Trung ương Đảng", "Kỳ họp thứ 8, Quốc hội khóa XV"."""
    if _event_kinds().get(word.group().casefold()) != "held":
        return None
    pos = word.end()
    for _ in range(4):
        lead = _SPACES.match(ctx.mtext, pos).end()
        if lead > pos and ctx.mtext[pos:lead].count(",") <= 1:
            ref = bodies.parse_at(ctx, lead)
            if ref is not None:
                return _qualified(ctx, ref)
        skip = _HOLDER_SKIP.match(ctx.mtext, pos)
        if skip is None:
            return None
        pos = skip.end()
    return None


def _organiser_of(ctx: Context, word: re.Match[str], end: int) -> str | None:
    """An explicit "do X tổ chức" wins; else the body a held event is a sitting of; else an assembly's body."""
    done = _done_by(ctx, word.end(), end)
    if done is not None:
        return ctx.add_org(done[0]).key
    ref = _holder(ctx, word)
    if ref is not None:
        return ctx.add_org(ref).key
    found = _assembly_body(ctx, word.start(), end)
    if found is None and not ctx.mtext[word.end():end].strip(" ,"):  # a bare "Đại hội …": the article's own
        found = _sole_assembly_body(ctx, word.group())
    return found


def _name(ctx: Context, start: int, end: int) -> str:
    raw = ctx.text[start:end].rstrip(" ,.;:")
    raw = _TRAILING.sub("", raw)
    return raw[:1].upper() + raw[1:]


_TRAILING = re.compile(r"(?:\s+(?:đã|đă|được|vừa|đang))+$|\s*\([^()]{0,40}\)$")
# After the lead-in: "Sáng 8/10, tại phiên bế mạc, ", "TT - Sau gần ba ngày làm việc, ngày 7-8, ".
_LEAD = re.compile(r"(?:[A-ZĐ][\w.]{0,8}\s*[-–]\s+)?(?:[^,\n]{0,50},\s*){0,3}")
# What the event (the subject) does: "… đã bế mạc", "… bước vào ngày làm việc thứ ba", "… được diễn ra".
_PREDICATE = re.compile(r"(?<!\s)\s+(?:(?:đã|đă|được|vừa|đang|chính thức|tiếp tục|sẽ|dự kiến)(?!\w)|(?=(?:diễn ra|khai mạc|bế mạc|"
                        r"hoàn thành|kết thúc|bước vào|bước sang|tiến hành|làm việc|bầu|thông qua|họp|ra mắt)(?!\w)))",
                        re.IGNORECASE)
_PLANNED = re.compile(r"\s+(?:sẽ|dự kiến)(?!\w)", re.IGNORECASE)
_PHRASE_MAX = 160  # an event's name, not a whole sentence
# "Kỳ họp chuyên đề lần này …", "Hội nghị này …": the event already reported, not another one.
_ANAPHOR = re.compile(r"(?<!\w)(?:lần này|này|nói trên|trên)(?!\w)", re.IGNORECASE)


def _named_event(ctx: Context, sentence: tuple[int, int], start: int, end: int, organizer: str | None) -> Meeting:
    """The meeting whose name is written from ``start`` to about ``end`` in ``sentence``, with its organiser."""
    name = _name(ctx, start, end)
    return _meeting(ctx, name, sentence, (start, start + len(name)), organizer)


def _subject_events(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Sáng 21-5, Hội nghị lần thứ sáu Ban Chấp hành Đảng bộ tỉnh (khóa XV) đã kết thúc …": a dated
    sentence whose subject, after the lead-in, is an event phrase; it ends where its predicate starts."""
    found = []
    for s, e in ctx.sentences():
        if not _dated(ctx, s, e):
            continue
        lead = _LEAD.match(ctx.mtext, s)
        for word in _event_words(ctx, s, e):
            if word.start() > lead.end():
                break
            if not _LEAD.fullmatch(ctx.mtext, s, word.start()) or word.group()[0].islower():
                continue
            window = min(e, word.end() + _PHRASE_MAX + 1)
            verb = _PREDICATE.search(ctx.mtext, word.end(), window)
            done = _done_by(ctx, word.end(), window)
            cut = min(x for x in (verb.start() if verb else None, done[1] if done else None) if x is not None) \
                if (verb or done) else None
            if cut is None or cut - word.end() > _PHRASE_MAX or _ANAPHOR.search(ctx.mtext, word.end(), cut) \
                    or (verb is not None and verb.start() == cut and _PLANNED.match(ctx.mtext, cut)):
                continue
            meeting = _named_event(ctx, (s, e), word.start(), cut, _organiser_of(ctx, word, cut))
            found.append((meeting.key, (s, e)))
            break
    return found


_HAPPENED = re.compile(r"(?:đã\s+)?(?:diễn ra|khai mạc|bế mạc)\s+", re.IGNORECASE)


def _happened_events(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Chiều 2-11 đã diễn ra lễ bế mạc Đại hội …": the verb first, then the event."""
    found = []
    for s, e in ctx.sentences():
        if not _dated(ctx, s, e):
            continue
        for verb in _HAPPENED.finditer(ctx.mtext, s, min(e, s + 80)):
            word = _any_event_word().match(ctx.mtext, verb.end())
            if word is None:
                continue
            name_end = _name_end(ctx, word.start(), e)
            held = next((w for w in _event_words(ctx, word.start(), name_end) if _holder(ctx, w)), word)
            meeting = _named_event(ctx, (s, e), word.start(), name_end, _organiser_of(ctx, held, name_end))
            found.append((meeting.key, (s, e)))
            break
    return found


_TOOK_PLACE_ANYWHERE = re.compile(r"(?<!\s)\s+(?:(?:đã|được)\s+)?(?:diễn ra|được tổ chức)(?!\w)", re.IGNORECASE)


def _took_place_anywhere(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"… trong buổi kiểm tra việc … tại Đảng ủy Khối … diễn ra vào chiều nay": an event phrase anywhere in a
    dated sentence, followed by its verb of taking place."""
    found = []
    for s, e in ctx.sentences():
        if not _dated(ctx, s, e):
            continue
        # the first event word only: a later one is usually inside its name ("buổi kiểm tra việc … Nghị quyết
        # Đại hội … diễn ra"), and the verb is the first one's
        word = next(_event_words(ctx, s, e), None)
        if word is None:
            continue
        verb = _TOOK_PLACE_ANYWHERE.search(ctx.mtext, word.end(), min(e, word.end() + 2 * _PHRASE_MAX))
        if verb is None or _ANAPHOR.search(ctx.mtext, word.end(), verb.start()) \
                or _PLANNED_BEFORE.search(ctx.mtext[max(word.end(), verb.start() - 12):verb.start() + 1]):
            continue
        meeting = _named_event(ctx, (s, e), word.start(), verb.start(), _organiser_of(ctx, word, verb.start()))
        found.append((meeting.key, (s, e)))
    return found


_HANDED = re.compile(r"(?<!\w)(?:(?:đã|vừa)\s+)?(?:công bố và trao|trao)\s+(?:các\s+)?(?:quyết định|nghị quyết)(?!\w)",
                     re.IGNORECASE)
_HANDED_PASSIVE = re.compile(r"(?<![\w.])(?:các\s+)?[Qq]uyết định\s+(?P<what>[^,.;\n]{2,120}?)\s+được\s+"
                             r"(?P<giver>[^,.;\n]{2,80}?)\s+trao(?:\s+cho)?(?!\w)")


def _handed_over(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Hôm 4/6, Thành ủy A đã trao quyết định … cho …", "Chiều 22/6, quyết định chuẩn y … được B trao cho C":
    a dated ceremony of handing over a decision (GUIDELINES 13: "lễ trao quyết định"), organised by the body
    that hands it over, if one is the subject."""
    found = []
    for s, e in ctx.sentences():
        if not _dated(ctx, s, e):
            continue
        m = _HANDED.search(ctx.mtext, s, e)
        if m is not None and not _PLANNED_SENTENCE.search(ctx.mtext, s, m.start()):
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            verb = re.match(r"(?:(?:đã|vừa)\s+)?", ctx.mtext[start:m.end()], re.IGNORECASE)
            start += verb.end()
            ref = _body_before(ctx, m.start(), 12, r"\s*")
            name = _name(ctx, start, _name_end(ctx, start, e))
            meeting = _meeting(ctx, name, (s, e), (start, start + len(name)), ctx.add_org(ref).key if ref else None)
            found.append((meeting.key, (s, e)))
            continue
        m = _HANDED_PASSIVE.search(ctx.mtext, s, min(e, s + 300))
        if m is not None:
            name = _name(ctx, m.start(), m.start("what") + len(m.group("what")))
            meeting = _meeting(ctx, name, (s, e), (m.start(), m.start() + len(name)), None)
            found.append((meeting.key, (s, e)))
    return found


_AT_EVENT = re.compile(r"(?:[^,\n]{0,40},\s*)?Tại\s+", re.IGNORECASE)
_ORDINAL = re.compile(r"(?<!\w)(?:thứ|lần)\s+\w+", re.IGNORECASE)
_PAREN_OR_COMMA = re.compile(r"\([^()\n]{0,60}\)|,")


def _at_events(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Tại kỳ họp thứ bảy (từ 11 đến 13/3), Ủy ban Kiểm tra Tỉnh ủy đã xem xét …": the body that acts
    at a numbered or dated event holds it. "Tại Hội nghị, …" (the reported one again) is left alone."""
    found = []
    for s, e in ctx.sentences():
        at = _AT_EVENT.match(ctx.mtext, s)
        if at is None:
            continue
        word = _any_event_word().match(ctx.mtext, at.end())
        if word is None:
            continue
        comma = next((m for m in _PAREN_OR_COMMA.finditer(ctx.mtext, word.end(), e) if m.group() == ","), None)
        if comma is None:
            continue
        phrase = ctx.mtext[word.start():comma.start()]
        if not (_ORDINAL.search(phrase) or _dated(ctx, word.start(), comma.start())):
            continue
        ref = bodies.parse_at(ctx, _SPACES.match(ctx.mtext, comma.end()).end())
        if ref is None:
            continue
        verb = _TOOK_PLACE_ANYWHERE.search(ctx.mtext, word.end(), comma.start())  # "… diễn ra chiều 10/7,"
        meeting = _named_event(ctx, (s, e), word.start(), verb.start() if verb else comma.start(), ctx.add_org(ref).key)
        found.append((meeting.key, (s, e)))
    return found


_PROGRAMME = re.compile(r"(?<!\w)(?:trong chương trình|trong khuôn khổ|tiếp tục chương trình)\s+", re.IGNORECASE)


def _programme_events(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Chiều 18-11, trong chương trình kỳ họp thứ tám, HĐND tỉnh khóa X, …": that day's sitting of a held event."""
    found = []
    for s, e in ctx.sentences():
        for m in _PROGRAMME.finditer(ctx.mtext, s, e):
            word = _any_event_word().match(ctx.mtext, m.end())
            if word is None or not _dated(ctx, s, e):
                continue
            ref = _holder(ctx, word)
            if ref is None:
                continue
            meeting = _named_event(ctx, (s, e), word.start(), _name_end(ctx, word.start(), e), ctx.add_org(ref).key)
            found.append((meeting.key, (s, e)))
            break
    return found


# "được hội nghị Ban Chấp hành Đảng bộ tỉnh bầu làm …": the sitting acts.
_SITTING_ACTS = re.compile(r"\s*(?:\(?\s*kh[óo]a\s+[IVXLC\d]{1,6}\s*\)?\s*)?(?:đã\s+)?(?:bầu|họp|thông qua|biểu quyết|"
                           r"quyết định|xem xét|thảo luận|cho ý kiến)(?!\w)", re.IGNORECASE)


def _acting_sittings(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """A dated sentence where a held event named with its body does something ("… hội nghị BCH Đảng bộ tỉnh
    bầu …"), wherever in the sentence it stands."""
    found = []
    for s, e in ctx.sentences():
        if not _dated(ctx, s, e):
            continue
        for word in _event_words(ctx, s, e):
            ref = _holder(ctx, word)
            if ref is None or not _SITTING_ACTS.match(ctx.mtext, ref.end):
                continue
            meeting = _named_event(ctx, (s, e), word.start(), ref.end, ctx.add_org(ref).key)
            found.append((meeting.key, (s, e)))
            break
    return found


def _done_by_events(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"… dự buổi gặp mặt dịp Kỷ niệm … do Ban Dân vận Huyện ủy tổ chức": an event with an
    explicit organiser anywhere in a sentence, dated or in the lead."""
    found = []
    opening = _opening_end(ctx)
    for s, e in ctx.sentences():
        if s >= opening and not _dated(ctx, s, e):
            continue
        for word in _event_words(ctx, s, e):
            done = _done_by(ctx, word.end(), e)
            if done is None or _any_event_word().search(ctx.mtext, word.end(), done[1]):
                continue
            meeting = _named_event(ctx, (s, e), word.start(), done[1], ctx.add_org(done[0]).key)
            found.append((meeting.key, (s, e)))
            break
    return found


_ROLE_AT = re.compile(r"(?<!\w)(?:(?:phát biểu|chủ trì|báo cáo|trình bày|dự|tham dự)\s+tại|(?:tham dự|về dự|dự)(?=\s+\w+[^.;\n]{0,80}?\scó\s))\s+",
                      re.IGNORECASE)
_RECEIVED = re.compile(r"(?:Tiếp và\s+)?(?P<name>[Ll]àm việc với (?:đoàn|Đoàn)[^.;:,\n]{0,60}?)\s+có\s")
_LISTED_AFTER = re.compile(r"(?<!\s)\s+có\s")  # "Tham dự Đại hội có …": the name stops before the list
# A bare word for the article's own assembly ("Tham dự Đại hội có …"); "Hội nghị" alone names too many kinds.
_KIND_OF_WORD = {"đại hội": AssemblyKind.CONGRESS, "kỳ họp": AssemblyKind.SESSION}


def _role_at_events(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    """"Đồng chí A phát biểu tại buổi làm việc." in the lead: an event made known by a named person's role
    there (kept only when nothing else reports an event)."""
    found = []
    lead_end = _opening_end(ctx)
    for s, e in ctx.sentences():
        if s >= lead_end:
            break
        if not _persons_in(ctx, s, e):
            continue
        received = _RECEIVED.match(ctx.mtext, s)
        if received is not None:  # "Tiếp và làm việc với đoàn có …": the working session the list is at
            name = _name(ctx, received.start("name"), received.end("name"))
            meeting = _meeting(ctx, name, (s, e), (received.start("name"), received.start("name") + len(name)), None)
            _found_in_lead(ctx, found, meeting, (s, e))
            continue
        for m in _ROLE_AT.finditer(ctx.mtext, s, e):
            word = _any_event_word().match(ctx.mtext, m.end())
            if word is None:
                continue
            listed = _LISTED_AFTER.search(ctx.mtext, word.end(), min(e, word.end() + 100))
            name = _name(ctx, word.start(), listed.start() if listed else _name_end(ctx, word.start(), e))
            organizer = _organiser_of(ctx, word, e) or _sole_assembly_body(ctx, word.group())
            meeting = _meeting(ctx, name, (s, e), (word.start(), word.start() + len(name)), organizer)
            _found_in_lead(ctx, found, meeting, (s, e))
            break
    return found


def _found_in_lead(ctx: Context, found: list[tuple[str, tuple[int, int]]], meeting: Meeting,
                   sent: tuple[int, int]) -> None:
    """Add a lead event to found, unless it retells the one found before it: the lead of an article
    that reports no event otherwise is about one event, which a caption ("Đồng chí A phát biểu tại buổi
    làm việc.") and the next paragraph ("Tiếp và làm việc với đoàn có …") may both name. The same day
    (or none) and no other organiser make it that one; its sentence then stays the first one's."""
    meetings = ctx.group("meetings")
    first = meetings.get(found[0][0]) if found else None
    if first is None or first is meeting or first.date != meeting.date or not _retold(first.name, meeting.name) \
            or (meeting.organizer and first.organizer and meeting.organizer != first.organizer):
        found.append((meeting.key, sent))
        return
    have = set(first.mentions)
    first.mentions.extend(x for x in meeting.mentions if x not in have)
    del meetings[meeting.key]


_SESSION_WORD = re.compile(r"^(?:buổi|cuộc)\s+", re.IGNORECASE)


def _retold(a: str, b: str) -> bool:
    """One name holds the other ("Buổi làm việc" / "Làm việc với đoàn"): one event, named twice."""
    a, b = (_SESSION_WORD.sub("", n).casefold() for n in (a, b))
    return a in b or b in a


@lru_cache(maxsize=1)
def _document_word_end() -> re.Pattern[str]:
    words = sorted(canonical.doc_words(), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")\s{1,3}$", re.IGNORECASE)


def _document_word_before(ctx: Context, pos: int) -> bool:
    """A document type word ends right before pos ("Nghị quyết Đại hội …")."""
    return _document_word_end().search(ctx.mtext, max(0, pos - 40), pos) is not None


def _sole_assembly_body(ctx: Context, word: str) -> str | None:
    """A bare "Đại hội" is the article's congress when it names exactly one with a body (a short reference
    to the event the article reports); likewise "Kỳ họp"."""
    kind = _KIND_OF_WORD.get(word.casefold())
    found = {a.body for a in ctx.group("assemblies").values() if a.kind == kind and a.body
             and a.body != "org:dang-cong-san-viet-nam"}
    return next(iter(found)) if len(found) == 1 else None


def _merge(ctx: Context, found: list[tuple[str, tuple[int, int]]]) -> list[tuple[str, tuple[int, int]]]:
    """A dateless event (a headline) that a dated one of the same organiser or name reports is that one;
    an event told twice word for word on one day (a sapo and its first paragraph) is one."""
    meetings = ctx.group("meetings")
    dated = [m for m in meetings.values() if m.date]
    by_organizer: dict[str | None, Meeting] = {}
    for m in dated:
        by_organizer.setdefault(m.organizer, m)
    names = sorted((m.name, i) for i, m in enumerate(dated))
    by_name: dict[str, Meeting] = {}
    for m in dated:
        by_name.setdefault(m.name, m)
    kept, told = [], {}
    for key, sent in found:
        m = meetings.get(key)
        twin = None
        if m is not None and m.date is None:
            twin = by_organizer.get(m.organizer) or _name_twin(m.name, names, dated, by_name)
        if m is not None and twin is None:
            twin = told.get((m.date, m.name.casefold()))
        if twin is not None and twin is not m:
            have = set(twin.mentions)
            twin.mentions.extend(x for x in m.mentions if x not in have)
            del meetings[key]
            continue
        kept.append((key, sent))
        if m is not None:
            told.setdefault((m.date, m.name.casefold()), m)
    return kept


def _name_twin(name: str, names: list[tuple[str, int]], dated: list[Meeting], by_name: dict[str, Meeting]):
    """A dated meeting whose name starts with this name, or that this name starts with."""
    i = bisect_left(names, (name, -1))
    if i < len(names) and names[i][0].startswith(name):
        return dated[names[i][1]]
    for end in range(len(name), 0, -1):
        if name[end - 1:end] == " " or end == len(name):
            hit = by_name.get(name[:end].rstrip())
            if hit is not None:
                return hit
    return None


def _held(ctx: Context) -> list[tuple[str, tuple[int, int]]]:
    found = []
    for s, e in ctx.sentences():
        m = _HELD.search(ctx.mtext, s, e)
        if m is None:
            continue
        organizer = _body_before(ctx, m.start(), 12, r"\s*(?:đã|đang|sẽ|vừa|,)?\s*")
        if organizer is None:
            continue
        name = f"Kỳ họp thứ {m.group(1) or m.group(2)} {organizer.name}"
        meeting = _meeting(ctx, name, (s, e), (m.start(), m.end()), ctx.add_org(organizer).key)
        found.append((meeting.key, (s, e)))
    return found


# Between a cue and the person after it: the person is the object of what is read or handed over
# ("công bố Quyết định về việc điều động đồng chí B"), not its actor.
_OBJECT_OF = re.compile(r"(?<!\w)(?:về việc|điều động|bổ nhiệm|chỉ định|chuẩn y|công nhận|phân công|"
                        r"kỷ luật|khen thưởng|tặng|trao|trước)(?!\w)")
# "thừa ủy quyền của Chủ tịch UBND tỉnh A, …", "thay mặt đồng chí B": the person named is not the actor.
_ON_BEHALF = re.compile(r"(?<!\w)(?:(?:thừa [uủ]y quyền|thừa lệnh)(?:\s+(?:của|cho))?\s+[^,;:]{0,60}|thay mặt(?:\s+cho)?\s+"
                        r"(?:đồng chí\s+|ông\s+|bà\s+)?)$", re.IGNORECASE)
_QUOTED = re.compile(r"“[^“”\n]{0,300}”|\"[^\"\n]{0,300}\"")


def _object_of(low: str, cue_start: int, person_start: int) -> bool:
    """"công bố quyết định về việc điều động đồng chí B, …": the person written after the cue is what the
    cue acts on, not who acts (with all the titles after the name); "báo cáo trước Bí thư A": the one
    addressed, up to the next comma ("…, ông C đánh giá" is the one who reports)."""
    for m in _OBJECT_OF.finditer(low, cue_start, person_start):
        if m.group() != "trước" or "," not in low[m.end():person_start]:
            return True
    return False


@lru_cache(maxsize=1)
def _cue_table() -> tuple[tuple[str, str, int], ...]:
    """participation.tsv, plus "dự <event word>" (attendee) for every event word."""
    own = canonical.participation_cues()
    known = {c for c, _, _ in own}
    extra = [(f"{verb} {w.casefold()}", role, strength) for w in _meeting_words()
             for verb, role, strength in (("dự", "attendee", 5), ("điều hành", "chair", 8))
             if f"{verb} {w.casefold()}" not in known]
    return tuple(sorted((*own, *extra), key=lambda r: (-len(r[0]), r[0])))


def _cues(clause: str, person_start: int, person_end: int, others: list[int] | None = None) -> list[tuple[str, int]]:
    """The roles a clause gives the person at clause[person_start:person_end]: the strongest cue (weak cues
    only after the name; none that the person is the object of, none inside a quoted title), and a second
    role joined to it by "và" ("chủ trì hội nghị và phát biểu chỉ đạo"). A weak cue belongs to the nearest
    name before it: none of the other names (``others``, sorted starts) may stand between."""
    others = others or []
    low = clause.casefold()
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(low)]
    said = low.find(":", person_end)  # "X nhấn mạnh: …": what follows is what was said
    if said >= 0:
        quoted.append((said, len(low)))
    hits = []  # (start, end, role, strength)
    for cue, role, strength in _cue_table():
        i = low.find(cue)
        while i >= 0:
            j = i + len(cue)
            boundary = (i == 0 or not low[i - 1].isalnum()) and (j == len(low) or not low[j].isalnum())
            before_ok = strength > _WEAK or (i >= person_end and bisect_left(others, i) == bisect_left(others, person_end))
            object_of = j <= person_start and _object_of(low, i, person_start)
            in_title = any(a <= i < b for a, b in quoted)
            if boundary and before_ok and not object_of and not in_title:
                hits.append((i, j, role, strength))
            i = low.find(cue, j)
    if not hits:
        return []
    best = None
    for hit in hits:  # the table's order breaks ties, as before
        if best is None or hit[3] > best[3]:
            best = hit
    roles = [(best[2], best[3])]
    for i, _j, role, strength in sorted(hits):
        gap = low[best[1]:i]
        if role != best[2] and strength > _WEAK and i >= best[1] and len(gap) <= 80 and "," not in gap \
                and ";" not in gap and (gap.rstrip().endswith(" và") or gap.strip() == "và"):
            roles.append((role, strength))
            break
    return roles


_CUE_REACH = 400  # how far from a name its cue may stand within a clause ("A, …, B, …, chủ trì kỳ họp")


def _window(ctx: Context, cs: int, ce: int, ps: int, pe: int) -> tuple[int, int]:
    """The part of the clause [cs, ce) around the person [ps, pe) that its cues are read from, cut at spaces:
    a long clause costs no more per person than a short one."""
    ws, we = max(cs, ps - _CUE_REACH), min(ce, pe + _CUE_REACH)
    if ws > cs:
        sp = ctx.mtext.find(" ", ws, ps)
        ws = sp + 1 if sp >= 0 else ps
    if we < ce:
        sp = ctx.mtext.rfind(" ", pe, we)
        we = sp if sp >= 0 else pe
    return ws, we


def _cue(clause: str, person_end: int) -> tuple[str, int] | None:
    """The strongest cue in a clause; weak cues only after the person's name."""
    found = _cues(clause, person_end, person_end)
    return found[0] if found else None


def _participations(ctx: Context, meetings: list[tuple[str, tuple[int, int]]]) -> None:
    if not meetings:
        return
    sentences = ctx.sentences()
    for idx, (key, (ms, _)) in enumerate(meetings):
        stop = meetings[idx + 1][1][0] if idx + 1 < len(meetings) else len(ctx.mtext) + 1
        acted: set[int] = set()
        for s, e in sentences[bisect_left(sentences, (ms, -1)):]:
            if s >= stop:
                break
            here = _persons_in(ctx, s, e)
            if not here or (s != ms and _BACKGROUND.search(ctx.mtext, s, e)):
                continue  # no one named, or about an earlier event ("Tại Hội nghị lần thứ 24 trước đó, …")
            listed = _attendance(ctx, s, e)
            for cs, ce in _clauses(ctx, s, e):
                for ps, pe, person in here:
                    if not (cs <= ps < ce) or _ON_BEHALF.search(ctx.mtext[max(cs, ps - 90):ps]):
                        continue  # "thừa ủy quyền của Chủ tịch UBND tỉnh, …": someone acts for that person
                    ws, we = _window(ctx, cs, ce, ps, pe)
                    others = [q - ws for q, _, who in here if ws <= q < we and q != ps and who != person]
                    found = _cues(ctx.mtext[ws:we], ps - ws, pe - ws, others) or ([listed] if listed else [])
                    for role, _ in found:
                        ctx.add_participation(key, person, role, ctx.span(cs, ce))
                        acted.add(ps)
        _references(ctx, key, ms, acted, (meetings[idx - 1][1][1] if idx else 0, stop))


# "Tham dự có …", "Về phía tỉnh có …", "Tiếp và làm việc với Đoàn có …": the people listed attended.
_BACKGROUND = re.compile(r"(?<!\w)(?:trước đó|trước đây|năm trước|năm ngoái|lần trước|kỳ trước|nhiệm kỳ trước)"
                         r"(?!\w)", re.IGNORECASE)
_LIST_OPENER = re.compile(r"(?:Về phía|Về dự|Cùng dự|Tham dự|Tiếp và làm việc|Làm việc với|Tiếp đoàn|"
                          r"Dự(?!\s+(?:kiến|thảo|án|báo|toán|khuyết|định)\b))\b[^.;:]{0,60}?\bcó\b", re.IGNORECASE)


def _attendance(ctx: Context, s: int, e: int) -> tuple[str, int] | None:
    """An attendee cue for the whole sentence: a list "Tham dự có A, …; B, …" or "A, …; B, … cùng dự",
    given to people in clauses that carry no cue of their own."""
    if _LIST_OPENER.match(ctx.mtext, s):
        return "attendee", 5
    hit = _cue(ctx.mtext[s:e], e - s)
    return hit if hit is not None and hit[0] == "attendee" else None


def _clauses(ctx: Context, s: int, e: int) -> list[tuple[int, int]]:
    """Clauses split at ";" — unless a colon opens a list ("có các đồng chí: A, …; B, …")."""
    first_semi = ctx.mtext.find(";", s, e)
    if first_semi < 0 or ":" in ctx.mtext[s:first_semi]:
        return [(s, e)]
    out, pos = [], s
    for m in re.finditer(r";", ctx.mtext[s:e]):
        out.append((pos, s + m.start()))
        pos = s + m.end()
    out.append((pos, e))
    return [(a, b) for a, b in out if b > a]


def _references(ctx: Context, meeting: str, meeting_start: int, acted: set[int], bounds: tuple[int, int]) -> None:
    """Documents in the meeting's sentence or in a paragraph where a participant acts, that paragraph
    kept within bounds (from the previous meeting's sentence to the next meeting): a one-line article
    is one paragraph, whose documents are not all every meeting's."""
    lo, hi = bounds
    regions = sorted({_sentence_at(ctx, meeting_start),
                      *((max(a, lo), min(b, hi)) for a, b in (ctx.paragraph_at(p) for p in sorted(acted)))})
    mentions, starts = _document_mentions(ctx)
    done: set[str] = set()
    for a, b in regions:
        for i in range(bisect_left(starts, a), bisect_left(starts, b)):
            key, span = mentions[i]
            if key not in done:  # a document's first mention in a region is its evidence
                done.add(key)
                ctx.add_reference(meeting, key, span)


def _document_mentions(ctx: Context) -> tuple[list[tuple[str, object]], list[int]]:
    """Every document mention as (key, span), in order of start, and those starts; built once."""
    idx = _index(ctx)
    docs = ctx.group("documents")
    if idx.doc_mentions is None or idx.doc_count != len(docs):
        idx.doc_mentions = sorted(((d.key, sp) for d in docs.values() for sp in d.mentions),
                                  key=lambda row: (row[1].start, row[1].end, row[0]))
        idx.doc_starts = [sp.start for _, sp in idx.doc_mentions]
        idx.doc_count = len(docs)
    return idx.doc_mentions, idx.doc_starts


def find(ctx: Context) -> None:
    meetings = _organised(ctx) + _held(ctx)
    for shape in (_took_place, _subject_events, _happened_events, _at_events, _acting_sittings,
                  _programme_events, _done_by_events, _took_place_anywhere, _convened, _chaired, _visits,
                  _handed_over):
        meetings += _fallback(ctx, meetings, shape(ctx))
    if not meetings:
        meetings = _role_at_events(ctx)
    meetings = _merge(ctx, meetings)
    meetings.sort(key=lambda m: m[1][0])
    _participations(ctx, meetings)
    _date_assemblies(ctx)


def _fallback(ctx: Context, found: list, more: list) -> list:
    """Events of a weaker shape, kept unless their sentence or their day already has an event."""
    group = ctx.group("meetings")
    sentences = {sent for _, sent in found}
    days = {group[k].date for k, _ in found if k in group and group[k].date}
    kept, keys = [], {k for k, _ in found}
    for key, sent in more:
        if key in keys:
            continue
        if sent in sentences or (key in group and group[key].date in days):
            group.pop(key, None)
            continue
        kept.append((key, sent))
    return kept


def _date_assemblies(ctx: Context) -> None:
    """An assembly named in a dated meeting's name ("tổ chức Đại hội … lần thứ I") took place that day."""
    spans = sorted((sp.start, sp.end, n) for n, m in enumerate(ctx.group("meetings").values()) if m.date
                   for sp in m.mentions)
    if not spans:
        return
    dates_of = [m.date for m in ctx.group("meetings").values()]
    starts = [a for a, _, _ in spans]
    reach, best = [], None  # the mention reaching furthest among those starting at or before each one
    for _a, b, n in spans:
        if best is None or b > best[0]:
            best = (b, n)
        reach.append(best)
    for a in ctx.group("assemblies").values():
        if a.date is not None:
            continue
        for sp in a.mentions:
            k = bisect_left(starts, sp.end) - 1
            if k >= 0 and reach[k][0] > sp.start:
                a.date = dates_of[reach[k][1]]
                break
