"""Personnel decisions as events: who was elected, appointed, assigned, approved, relieved, retired
or disciplined, to or from which post, when, by which body and under which decision.

Runs after people, bodies and documents: it reads the people, bodies and documents they found.
A cue (gazetteers/appointment_cues.tsv: the verb phrase, its kind, where the person is written)
starts an event; everything else is looked up in the cue's sentence, in bounded windows:

* the person: the first name after the cue ("Bộ Chính trị điều động đồng chí A …", "miễn nhiệm …
  đối với ông A"), or the last before it for a passive or intransitive cue ("A được bầu …",
  "bà A nghỉ hưu");
* the post: the chain after "giữ chức", "làm", "chức vụ" (people.parse_chain), else the posts
  written right after the cue ("thôi giữ chức Phó Bí thư Tỉnh ủy", "phê chuẩn kết quả bầu Chủ tịch
  UBND tỉnh …"), else, for a retirement or a sanction, the posts written after the person's name;
  each post of the chain is one event;
* the deciding body: the body written as the verb's subject ("Ban Bí thư quyết định cho …",
  "HĐND tỉnh đã bầu …"), or the body of a head post written so ("Thủ tướng phê chuẩn" → Chính phủ);
* the decision: a numbered Decision the sentence names ("Quyết định số 123-QĐ/TW");
* the date: the first date the sentence gives.

Not events: what is proposed, planned or negated ("đề nghị bổ nhiệm", "dự kiến bầu", "chưa bổ
nhiệm"), background ("trước khi được bổ nhiệm …"), and the sanction named after "hình thức" (it is
the kỷ luật's, not a second event).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract import canonical, dates, people
from kg.extract.context import Context
from kg.model import Appointment

KINDS = ("elected", "appointed", "assigned", "approved", "relieved", "retired", "disciplined")
_TAKES_UP = frozenset(KINDS[:4])
_GIVES_UP = frozenset(("relieved", "retired"))


@dataclass(frozen=True)
class Cue:
    kind: str  # a KINDS value, or "-" for a phrase read past
    person_after: bool
    reach: int


@lru_cache(maxsize=1)
def cues() -> dict[str, Cue]:
    """norm_key of the cue phrase → Cue, from gazetteers/appointment_cues.tsv."""
    table: dict[str, Cue] = {}
    for row in canonical._rows("appointment_cues.tsv"):
        phrase, kind, side, reach = row[0], row[1], row[2], int(row[3])
        table[canonical.norm_key(phrase)] = Cue(kind, side == "after", reach)
    return table


@lru_cache(maxsize=1)
def _cue_re() -> re.Pattern[str]:
    phrases = [row[0] for row in canonical._rows("appointment_cues.tsv")]
    return canonical.surface_regex(phrases, ignore_case=True)


def warm_up() -> None:
    cues(), _cue_re()


# Proposed, planned, negated or background: within the clause just before the cue.
# "Xét đề nghị của Ban Tổ chức, Bộ Chính trị quyết định …" is a decision: the proposal it answers is not a block.
_NOT_YET = re.compile(r"(?<!\w)(?:đề nghị(?! của)|đề xuất(?! của)|dự kiến|trước khi|sẽ|chưa|không|xem xét(?! đề nghị)|"
                      r"giới thiệu|tờ trình|quy trình|thủ tục|vi phạm|chờ)(?!\w)", re.IGNORECASE)
_NOT_YET_REACH = 80
_SANCTION_OF = re.compile(r"hình thức\s+$", re.IGNORECASE)  # "kỷ luật bằng hình thức |cảnh cáo"
_PASSIVE = re.compile(r"(?<!\w)(?:được|bị)\s+$", re.IGNORECASE)
# Where the post is written after the person: "… giữ chức Bí thư", "… làm Chủ tịch", "… chức vụ Giám đốc".
_POST_WORD = re.compile(r"(?<!\w)(?:giữ chức(?:\s+vụ)?|làm|chức vụ|chức danh|vào chức(?:\s+vụ)?)\s+", re.IGNORECASE)
_POST_REACH = 160
_RIGHT_AFTER = re.compile(r"\s+(?:(?:các\s+)?chức\s+(?:vụ\s+|danh\s+)?)?")  # "thôi giữ chức |Phó Bí thư", "miễn nhiệm chức vụ |…"
_TO_PERSON = re.compile(r"[^.;\n]{0,60}?(?:đối với|cho)\s*(?:các\s+)?(?:đồng chí|ông|bà)?\s*:?\s*(?:(?:đồng chí|ông|bà)\s+)?",
                        re.IGNORECASE)
_OWN_POSTS = re.compile(r"(?:\s*\([^()\n]{0,40}\))?(?:\s*,\s*|\s+[-–—]\s+|\s*\(\s*)(nguyên\s+)?")
# Between the deciding body and the cue: "Ban Bí thư quyết định cho …", "HĐND tỉnh đã tiến hành bầu".
_SUBJECT_GAP = re.compile(r"\s*,?\s*(?:(?:đã|vừa|chính thức|thống nhất|đồng ý|quyết định|ban hành quyết định|"
                          r"có quyết định|ra quyết định|tiến hành|biểu quyết|họp và|cho|"
                          r"(?:ký|ban hành)\s+quyết định(?:\s+số)?(?:\s+[\w/.-]{1,24})?)\s+){0,4}"
                          r"(?:(?:đồng chí|ông|bà)\s+)?", re.IGNORECASE)
_SUBJECT_REACH = 60
_BEFORE_REACH = 160  # characters back to the person of a passive cue
_SENTENCE_REACH = 300


def find(ctx: Context) -> list[Appointment]:
    """The personnel events the article states, in text order (view offsets; see extract())."""
    table = cues()
    found: dict[tuple, Appointment] = {}
    # Names as written, not the posts that stand for a person ("Thủ tướng yêu cầu …").
    people_index = ctx.interval_index(sorted((sp.start, sp.end, person.key)
                                             for person in ctx.group("people").values() for sp in person.mentions))
    documents = _decisions(ctx)
    for m in _cue_re().finditer(ctx.mtext):
        cue = table.get(canonical.norm_key(m.group()))
        if cue is None or cue.kind == "-" or _blocked(ctx, m):
            continue
        sent_start, sent_end = ctx.sentence_at(m.start())
        # a sentence may run on for pages in scraped text: only a bounded stretch around the cue is read
        sent_start, sent_end = max(sent_start, m.start() - _SENTENCE_REACH), min(sent_end, m.end() + _SENTENCE_REACH)
        passive = _PASSIVE.search(ctx.mtext, max(sent_start, m.start() - 6), m.start()) is not None
        after = cue.person_after and not passive
        person = (_person_after(ctx, people_index, m.end(), min(sent_end, m.end() + cue.reach)) if after
                  else _person_before(ctx, people_index, max(sent_start, m.start() - _BEFORE_REACH), m.start()))
        if person is None:
            continue
        p_start, p_end, person_key = person
        chain, chain_end = _posts(ctx, cue, m, p_start, p_end, sent_end, after)
        if not chain and cue.kind not in ("retired", "disciplined"):
            continue
        # "Ban Bí thư quyết định cho đồng chí A, …, thôi giữ chức …": the subject is written before the person
        decided_by, subject_start = _decider(ctx, m.start() if after else p_start, sent_start)
        when = _date(ctx, sent_start, sent_end)
        decision = next((key for start, _, key in documents.starting_in(sent_start, sent_end)), None)
        start = min(p_start, m.start(), subject_start if subject_start is not None else m.start())
        end = max(p_end, m.end(), chain_end)
        evidence = ctx.span(start, end)
        listed = [person_key]
        if after:  # "… đối với các ông: A, B và C": every person of the list
            for name, name_start, name_end in people.names_listed_at(ctx, p_start)[1:]:
                listed.append(ctx.add_person(name, ctx.span(name_start, name_end)).key)
        for person_key, (role, org) in ((p, post) for p in listed for post in chain or [(None, None)]):
            item = Appointment(person=person_key, kind=cue.kind, role=role, organization=org, evidence=evidence,
                               date=when, decided_by=decided_by, decision=decision)
            found.setdefault((person_key, role, org, cue.kind), item)
            if role is not None:
                # the post the decision gives is held (one it takes away, held formerly): a tenure to attest
                # (a sanction short of removal leaves the post as it was written)
                if cue.kind != "disciplined" or ctx.holdings.get((person_key, role, org)) is None:
                    ctx.add_holding(person_key, role, org, evidence, former=cue.kind in _GIVES_UP)
    return sorted(found.values(), key=lambda a: (a.evidence.start, a.evidence.end, a.person, a.kind,
                                                 a.role or "", a.organization or ""))


def _blocked(ctx: Context, m: re.Match) -> bool:
    sent_start = ctx.sentence_at(m.start())[0]  # (only a bounded stretch before the cue is read)
    clause = max(sent_start, m.start() - _NOT_YET_REACH, ctx.mtext.rfind(";", max(0, m.start() - _NOT_YET_REACH),
                                                                          m.start()) + 1)
    if _NOT_YET.search(ctx.mtext, clause, m.start()):
        return True
    return _SANCTION_OF.search(ctx.mtext, max(0, m.start() - 12), m.start()) is not None


def _person_after(ctx: Context, index, start: int, end: int):
    for span in index.starting_in(start, end):
        return span
    return None


def _person_before(ctx: Context, index, start: int, end: int):
    spans = [s for s in index.starting_in(start, end) if s[1] <= end]
    return spans[-1] if spans else None


def _posts(ctx: Context, cue: Cue, m: re.Match, person_start: int, person_end: int, sent_end: int,
           after: bool) -> tuple[list[tuple[str, str | None]], int]:
    """(role, org key) of each post the event is about, and where the last one ends."""
    tries: list[int] = []
    right = _RIGHT_AFTER.match(ctx.mtext, m.end())
    if right is not None and (not after or m.end() < person_end):
        tries.append(right.end())  # checked below: the posts written before the person must lead to them
    word_from = person_end if after else m.end()
    word_end = min(sent_end, word_from + _POST_REACH)
    stop = _NOT_YET.search(ctx.mtext, word_from, word_end)  # "…, giới thiệu để bầu giữ chức …": a proposal
    for w in _POST_WORD.finditer(ctx.mtext, word_from, stop.start() if stop else word_end):
        tries.append(w.end())
        if len(tries) == 4:  # "làm việc …, làm Bí thư": a few are tried, never all
            break
    if cue.kind in ("retired", "disciplined"):
        own = _OWN_POSTS.match(ctx.mtext, person_end)
        if own is not None:
            tries.append(own.end())
    for i, pos in enumerate(tries):
        chain, chain_end = people.parse_chain(ctx, pos)
        if i == 0 and right is not None and pos == right.end() and after and chain:
            # "phê chuẩn kết quả bầu Chủ tịch UBND tỉnh A … đối với ông B": the post, then its holder;
            # "phân công Phó Bí thư Nguyễn Văn B giữ chức …": B's title, not the post given
            if not _TO_PERSON.fullmatch(ctx.mtext, chain_end, person_start):
                continue
        posts = [p for p in ((post.role, _org_of(ctx, post)) for post in chain) if p[1] is not None]
        if posts:
            return posts, chain_end
    return [], m.end()


def _org_of(ctx: Context, post: people.Post) -> str | None:
    if post.body is not None:
        return ctx.add_org(post.body).key
    if post.default_org:
        return ctx.add_default(post.default_org)
    return None  # "giữ chức Bí thư" naming no body: too vague to be a fact


def _decider(ctx: Context, cue_start: int, sent_start: int) -> tuple[str | None, int | None]:
    """The body that decides: written as the cue's subject, or a head post's body ("Thủ tướng")."""
    window = max(sent_start, cue_start - _SUBJECT_REACH)
    for ref in reversed(ctx.body_refs_in(window, cue_start)):
        if ref.end <= cue_start and _SUBJECT_GAP.fullmatch(ctx.mtext, ref.end, cue_start):
            if ctx.in_person(ref.start):
                continue
            return ctx.add_org(ref).key, ref.start
    by_key, role_re = canonical.posts()
    for m in role_re.finditer(ctx.mtext, window, cue_start):
        entry = by_key[canonical.norm_key(m.group())]
        if entry.default_org is None or not m.group()[0].isupper():
            continue
        end = m.end()
        body = ctx.mtext[end:cue_start]
        own = re.match(r" Chính phủ", body)  # "Thủ tướng Chính phủ phê chuẩn"
        if own is not None:
            end += own.end()
        if _SUBJECT_GAP.fullmatch(ctx.mtext, end, cue_start):
            return ctx.add_default(entry.default_org), m.start()
    return None, None


def _date(ctx: Context, start: int, end: int):
    found = dates.event_dates(ctx.mtext, start, end)
    if not found:
        return None
    sentence = ctx.mtext[start:end]
    day, _ = dates.to_date(found[0], published=ctx.article.published, context=sentence, text=ctx.mtext)
    return day


def _decisions(ctx: Context):
    """Interval index of the numbered Decisions found, (start, end, key), view offsets."""
    rows = []
    for doc in ctx.group("documents").values():
        if doc.doc_type != "Decision":
            continue
        rows.extend((sp.start, sp.end, doc.key) for sp in doc.mentions)
    return ctx.interval_index(rows)
