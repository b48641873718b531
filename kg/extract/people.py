"""Named people and the posts they hold.

A personal name is 2-4 capitalised syllables starting with a family name from
gazetteers/surnames.txt. It is only taken as a person where the text says so:

* after a chain of posts: "Phó Bí thư Đảng ủy Khối Lại Xuân Lâm",
  "Ủy viên Trung ương Đảng - Bí thư Tỉnh ủy Lê Văn C";
* before one: "đồng chí Nguyễn Văn A, Ủy viên Bộ Chính trị, Trưởng Ban …",
  "Nguyễn Văn A - Bí thư Đảng ủy - Hiệu trưởng";
* after "đồng chí", "ông", "bà", a rank or an academic title ("Thượng tướng", "PGS.TS.");
* in a list after a plural post: "các Phó Thủ tướng: A, B";
* anywhere again once known (the same string is the same person).

Never: historical figures (gazetteers/historical.txt: "Chủ tịch Hồ Chí Minh"), place names, nor the
tail of a longer capitalised name whose family name is not listed ("Văn Thành" in "Pờ Văn Thành").

A post is role words (gazetteers/posts.tsv) followed by the body it is in; each post
in a chain gives one Holding. A chain goes on past "nguyên" (a former post, marked so), "giữ chức",
a rank, a term ("khóa XI") and an unknown body; posts joined by a dash share the body after the last
("Bộ trưởng - Chủ nhiệm Ủy ban A"). Titles after a name are that name's, not the next one's.
A post naming no body holds no fact, unless its head/deputy pair just before in the sentence names one.

Lists: one post for the people listed after it ("… Phó Chủ tịch UBND tỉnh A đối với: ông B, bà C",
"làm Ủy viên Ban Thường vụ, gồm: B và C"), names listed before the post they are given ("A, B và C
được bầu làm Phó Bí thư Tỉnh ủy"), and "được bầu vào Bộ Chính trị" (a member of it).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract import bodies, canonical
from kg.extract.context import BodyRef, Context
from kg.extract.names import name_at

# Between posts of one chain; not "và": it joins two people. A post after "nguyên" is a former one.
_CHAIN_SEP = re.compile(r"(?:\s*[,;]\s*|\s+[-–—]\s+|\s+kiêm\s+)(nguyên\s+)?")
# "Nguyễn Văn A, Phó Bí thư Tỉnh ủy, giữ chức Chủ tịch …": the chain goes on with the post given.
_NEW_POST = re.compile(r"(?:\s*,)?\s+(?:được\s+(?:bầu|bầu bổ sung|bổ nhiệm|phân công|điều động|chỉ định|chuẩn y)\s+)?"
                       r"(?:giữ chức(?:\s+vụ)?|làm)\s+")
# "Nguyễn Văn A, Bí thư …", "A - Bí thư …", "A-Bí thư", "A (Bí thư …)", "bầu đồng chí A giữ chức Bí thư Tỉnh ủy"
# "A, 48 tuổi, Ủy viên …", "A (35 tuổi, dân tộc Tày), bí thư …", "A đã tái đắc cử Chủ tịch …"
_NAME_SEP = re.compile(r"(?:\s*\([^()\n]{0,80}\))?"
                       r"(?:\s*,\s*(?:\d{2}\s+tuổi\s*,\s*)?|\s*[-–—]\s*|\s*\(\s*|"
                       r"\s+(?:đã\s+)?(?:(?:được\s+(?:bầu|bầu bổ sung|bổ nhiệm)\s+|tái đắc cử\s+|đắc cử\s+)"
                       r"(?:giữ chức(?:\s+vụ)?\s+|làm\s+)?|giữ chức(?:\s+vụ)?\s+|làm\s+))"
                       r"(nguyên\s+)?")


@dataclass
class Post:
    start: int
    end: int
    role: str
    body: BodyRef | None
    default_org: str | None
    former: bool = False  # "nguyên Giám đốc Sở A": a post the person no longer holds


def parse_post_at(ctx: Context, pos: int) -> Post | None:
    """Role words at pos and the body written after them ("Trưởng Ban Tuyên giáo Đảng ủy Khối")."""
    by_key, regex = canonical.posts()
    m = regex.match(ctx.mtext, pos)
    if m is None:
        return None
    entry = by_key[canonical.norm_key(m.group())]
    end = m.end()
    if entry.shares and m.group().casefold().startswith(entry.shares.casefold() + " "):
        # "Tỉnh ủy viên": the body is the post's own first words ("Tỉnh ủy" of the article's province)
        body = bodies.parse_at(ctx, pos, allow_lower=True, bare_ok=True)
        return Post(pos, end, entry.role, body, None if body else entry.default_org)
    if entry.default_org is None or entry.shares:
        body = None
        if entry.shares:  # "Chánh Văn phòng Bộ Công an": the post is in "Văn phòng Bộ Công an"
            shared = end - len(entry.shares)
            body = bodies.parse_at(ctx, shared, allow_lower=True, bare_ok=True)
            body = body if body is not None and body.end > end else None
        if body is None and ctx.mtext[end:end + 1] == " ":
            body = bodies.parse_at(ctx, end + 1, allow_lower=True, bare_ok=True)
        if body is not None:
            return Post(pos, body.end, entry.role, body, None)
        school = _the_school(ctx, end)
        if school is not None:
            return Post(pos, school.end, entry.role, school, None)
        end = _vague_body_end(ctx, end)
    return Post(pos, end, entry.role, None, entry.default_org)


_OUR_SCHOOL = re.compile(r" nhà trường(?!\w)")


def _the_school(ctx: Context, end: int) -> BodyRef | None:
    """"Hiệu trưởng nhà trường": the one school ("Trường …") the article names, if there is one."""
    m = _OUR_SCHOOL.match(ctx.mtext, end)
    full = bodies.resolve_short(ctx, "Trường") if m else None
    return BodyRef(end + 1, m.end(), full, "other") if full else None


def _vague_body_end(ctx: Context, end: int) -> int:
    """"Bí thư Đảng ủy - Hiệu trưởng": a generic unit naming no one body is read past, not kept."""
    if ctx.mtext[end:end + 1] != " ":
        return end
    gaz = canonical.bodies()
    m = gaz.regex.match(ctx.mtext, end + 1)
    if m is not None and gaz.by_key[canonical.norm_key(m.group())][0].kind in ("unit", "short"):
        return m.end()
    return end


@lru_cache(maxsize=1)
def _cue_before() -> re.Pattern[str]:
    """"đồng chí", "ông", a rank or title right before a name marks it as a person's."""
    alts = "|".join(re.escape(w) for w in sorted(canonical.honorifics(), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?i:{alts}|đ/c)\.?\s+$")


@lru_cache(maxsize=1)
def _link_to_name() -> re.Pattern[str]:
    """Between posts and a name: a comma, and honorifics or ranks ("…, Thượng tướng Lê Văn A")."""
    words = sorted(canonical.honorifics(), key=len, reverse=True)
    alts = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?:\s*,)?\s+(?:(?:{alts})\.?\s+){{0,2}}")


def parse_chain(ctx: Context, pos: int, *, former: bool = False) -> tuple[list[Post], int]:
    """Posts written one after another from pos ("X, Y - Z", "X, nguyên Y, giữ chức Z"), and where
    the chain ends. Posts joined by a dash share the body written after the last ("Phó Chủ tịch -
    Tổng Thư ký Hội A"); a chain goes on past an unknown body to the next post."""
    chain: list[Post] = []
    dashed: list[bool] = []  # dashed[i]: a dash joins chain[i] to chain[i + 1]
    while len(chain) < 12:
        post = parse_post_at(ctx, pos)
        if post is None:
            break
        post.former = former
        chain.append(post)
        pos = post.end
        term = _TERM_GAP.match(ctx.mtext, pos)  # "Ủy viên Ủy ban Trung ương MTTQ Việt Nam khóa VIII, …"
        if term is not None and (_next_post_sep(ctx, term.end()) is not None or _link_name_follows(ctx, term.end())):
            pos = term.end()
        sep = _next_post_sep(ctx, pos)
        if sep is None:
            if post.body is None and post.default_org is None:
                skip = _unknown_body_then_post(ctx, pos)
                if skip is not None:
                    post.body, pos, former = skip[0], skip[1], bool(skip[2])
                    dashed.append(False)
                    continue
            break
        former = bool(sep.re.groups and sep.group(sep.re.groups))
        dashed.append(bool(_DASH_ONLY.fullmatch(ctx.mtext, pos, sep.end())))
        pos = sep.end()
    for i in range(len(chain) - 2, -1, -1):
        first, nxt = chain[i], chain[i + 1]
        if dashed[i] and first.body is None and first.default_org is None and nxt.body is not None:
            first.body = nxt.body  # "Bộ trưởng - Chủ nhiệm Ủy ban Dân tộc"
    _province_of_the_chain(ctx, chain)
    return chain, pos


def _province_of_the_chain(ctx: Context, chain: list[Post]) -> None:
    """"Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh Cà Mau": a provincial body written bare in a chain is of
    the one province the chain names, not of the article's (an article may cover several provinces)."""
    gaz = canonical.bodies()
    bare, named = [], set()
    for post in chain:
        body = post.body
        if body is None or body.parent is not None:
            continue
        written = ctx.mtext[body.start:body.end]
        hit = gaz.by_key.get(canonical.norm_key(written))
        if hit is not None and hit[0].kind == "provincial":
            bare.append((post, hit[0]))
            continue
        for w in _WORDS.finditer(ctx.mtext, body.start, body.end):  # the place that ends the body's name
            place = bodies.place_at(ctx, w.start())
            if place is not None and place[1] == body.end:
                named.add(place[0].name)
                break
    if len(named) != 1 or not bare:
        return
    province = next(iter(named))
    for post, entry in bare:
        old = post.body
        post.body = BodyRef(old.start, old.end, bodies.with_place(entry.name, province), old.category)
        if post.body.key != old.key:
            _forget_mention(ctx, old)


def _forget_mention(ctx: Context, ref: BodyRef) -> None:
    """The body first read at ref is another one: drop that reading, and the body if nothing else names it."""
    orgs = ctx.group("organizations")
    org = orgs.get(ref.key)
    if org is None:
        return
    org.mentions = [m for m in org.mentions if (m.start, m.end) != (ref.start, ref.end)]
    ctx.body_refs = [r for r in ctx.body_refs if not (r.start == ref.start and r.end == ref.end and r.key == ref.key)]
    used = any(h.organization == org.key for h in ctx.holdings.values()) or any(
        o.parent == org.key for o in orgs.values())
    if not org.mentions and not used:
        del orgs[ref.key]


def _next_post_sep(ctx: Context, pos: int) -> re.Match | None:
    """The separator at pos after which the chain's next post is written, or None."""
    sep = _CHAIN_SEP.match(ctx.mtext, pos)
    if sep is not None:
        if parse_post_at(ctx, sep.end()) is not None:
            return sep
        rank = _rank_item().match(ctx.mtext, sep.end())
        if rank is not None and parse_post_at(ctx, rank.end()) is not None:
            return rank  # "Ủy viên Trung ương Đảng, Trung tướng, Tư lệnh Quân khu 5": a rank between posts
    new = _NEW_POST.match(ctx.mtext, pos)
    if new is not None and parse_post_at(ctx, new.end()) is not None:
        return new
    return None


@lru_cache(maxsize=1)
def _rank_item() -> re.Pattern[str]:
    """A rank or title standing as an item of a chain of posts, with the separator after it."""
    alts = "|".join(re.escape(w) for w in sorted(canonical.honorifics(), key=len, reverse=True) if w[0].isupper())
    return re.compile(rf"(?:{alts})\.?{_CHAIN_SEP.pattern}")


# A term written after a post: "Chủ tịch Quốc hội khóa XI", "Bí thư Tỉnh ủy (khóa XV)", "… nhiệm kỳ 2020 - 2025".
_TERM_GAP = re.compile(r"\s*(?:\(\s*)?(?:khóa\s+(?:[IVXLC]+|\d{1,2})|nhiệm kỳ\s+\d{4}\s*[-–]\s*\d{4})(?:\s*\))?")


def _link_name_follows(ctx: Context, pos: int) -> bool:
    link = _link_to_name().match(ctx.mtext, pos)
    return link is not None and name_at(ctx, link.end()) is not None


_WORDS = re.compile(r"(?<!\w)\w")
_DASH_ONLY = re.compile(r"\s+[-–—]\s+")
_UNKNOWN_BODY_WORD = re.compile(r" [^\W\d_][\w]*")


def _unknown_body_then_post(ctx: Context, pos: int):
    """"Chủ tịch Hội Sinh vật cảnh tỉnh, Phó Bí thư …": capitalised words no recogniser knows,
    written between a post and the next post of the chain, are kept as the first post's body."""
    mtext = ctx.mtext
    p = pos
    for _ in range(8):
        m = _UNKNOWN_BODY_WORD.match(mtext, p)
        if m is None:
            return None
        if p == pos and not m.group()[1].isupper():
            return None
        p = m.end()
        sep = _CHAIN_SEP.match(mtext, p)
        if sep is not None and parse_post_at(ctx, sep.end()) is not None:
            if name_at(ctx, pos + 1) is not None:
                return None
            ref = BodyRef(pos + 1, p, " ".join(ctx.text[pos + 1:p].split()), "other")
            return ref, sep.end(), sep.group(1)
    return None


_WORD_AHEAD = re.compile(r" [^\W_][\w.-]*")


_COMMITTEE_ROLES = ("Bí thư", "Phó Bí thư")
_CITY_PREFIX = re.compile(r"(?:TP|Tp|thành phố|Thành phố)\.? ?")


def _place_named(ctx: Context, start: int, end: int) -> str | None:
    """The party committee of the place written at text[start:end] ("Thái Bình" → "Tỉnh ủy Thái Bình",
    "TP Thủ Đức" → "Thành ủy TP Thủ Đức"), or None if it is no place."""
    place = bodies.place_at(ctx, start)
    if place is not None and place[1] == end:
        committee = "Tỉnh ủy" if place[0].level == "tỉnh" else "Thành ủy"
        return bodies.with_place(committee, place[0].name)
    city = _CITY_PREFIX.match(ctx.mtext, start, end)
    if city is not None and city.end() < end and ctx.mtext[city.end()].isupper():
        return "Thành ủy " + " ".join(ctx.mtext[start:end].split())
    return None


def _unknown_body_then_name(ctx: Context, pos: int, role: str | None = None):
    """"Giám đốc Sở Nội vụ Nguyễn Văn A": a body missing from the gazetteer, written between a
    post and a name, is kept as written (category other) so the name and the post are not lost.
    A place there is no body: "Bí thư Thái Bình Nguyễn Văn A" is the secretary of its party committee."""
    words_end, p = [], pos
    while len(words_end) < 8:
        m = _WORD_AHEAD.match(ctx.mtext, p)
        if m is None:
            return None
        if words_end and m.group()[1].isupper():
            found = name_at(ctx, m.start() + 1)
            if found is not None:
                if not ctx.mtext[pos + 1].isupper():
                    return None
                text = ctx.text[pos + 1:p]
                ref = BodyRef(pos + 1, p, text, "other")
                place = _place_named(ctx, pos + 1, p)
                if place is not None:
                    if role not in _COMMITTEE_ROLES:
                        return None
                    ref = BodyRef(pos + 1, p, place, "party-committee")
                return ref, _link_to_name().match(ctx.mtext, p), found
        words_end.append(m.end())
        p = m.end()
    return None


_SEP_BEFORE = re.compile(r"(?:,|[-–—]|\()\s*(?:nguyên\s+)?$")
_WORD_BEFORE = re.compile(r"(?<!\w)[^\W\d_]+ ?$")


def _follows_name(ctx: Context, pos: int) -> bool:
    """A personal name and a separator are written right before pos ("Nguyễn Văn A, |Bí thư …")."""
    sep = _SEP_BEFORE.search(ctx.mtext, max(0, pos - 12), pos)
    if sep is None:
        return False
    end = sep.start()
    while end > 0 and ctx.mtext[end - 1] == " ":
        end -= 1
    start = end
    for _ in range(4):  # a name has two to four syllables
        word = _WORD_BEFORE.search(ctx.mtext, max(0, start - 12), start)
        if word is None:
            return False
        start = word.start()
        found = name_at(ctx, start)
        if found is not None and found[1] == end:
            return True
    return False


def _holdings(ctx: Context, person_key: str, chain: list[Post], evidence_start: int, evidence_end: int) -> None:
    evidence = ctx.span(evidence_start, evidence_end)
    for post in chain:
        if post.body is not None:
            org = ctx.add_org(post.body).key
        elif post.default_org:
            org = ctx.add_default(post.default_org)
        else:
            org = _body_of_the_pair(ctx, post)
            if org is None:
                continue  # "Bí thư" naming no body and standing for none: too vague to be a fact
        ctx.add_holding(person_key, post.role, org, evidence, former=post.former)


_RECENT = 8  # holdings looked back at: the pair of a post is written close before it


def _body_of_the_pair(ctx: Context, post: Post) -> str | None:
    """"Giám đốc Sở A Lê Văn B và Phó Giám đốc Trần Văn C": a deputy's post written alone takes the body
    of its head post (or the head's, of a deputy) held just before in the same sentence."""
    role = post.role
    pair = role[4:] if role.startswith("Phó ") else "Phó " + role
    start = max(ctx.mtext.rfind("\n", 0, post.start), ctx.mtext.rfind(". ", 0, post.start)) + 1
    for holding in itertools.islice(reversed(ctx.holdings.values()), _RECENT):
        if holding.evidence.start < start:
            break
        if holding.role == pair and holding.organization is not None and holding.evidence.start < post.start:
            return holding.organization
    return None


def _inside_body(ctx: Context, pos: int) -> bool:
    return ctx.inside_body(pos)  # an interval lookup (a scan of all bodies per name was quadratic)


def find(ctx: Context) -> None:
    """People with their posts; then every later mention of a known name."""
    _, role_re = canonical.posts()
    taken: set[int] = set()
    for m in role_re.finditer(ctx.mtext):
        if m.start() in taken or _inside_body(ctx, m.start()):
            continue
        if not m.group()[0].isupper():  # "bầu bổ sung ủy viên UBND tỉnh đối với các ông: …" only
            chain, end = parse_chain(ctx, m.start())
            if chain and (chain[-1].body is not None or chain[-1].default_org is not None):
                _listed_after_post(ctx, chain, end)
            continue
        former = ctx.mtext[max(0, m.start() - 7):m.start()].casefold() == "nguyên "
        chain, end = parse_chain(ctx, m.start(), former=former)
        for post in chain:
            taken.add(post.start)
        if not chain:
            continue
        term = _TERM_GAP.match(ctx.mtext, end)
        if term is not None and _link_name_follows(ctx, term.end()):
            end = term.end()  # "Chủ tịch Quốc hội khóa XI Nguyễn Văn A"
        link = _link_to_name().match(ctx.mtext, end)
        if link is not None and "," in link.group() and _follows_name(ctx, chain[0].start):
            link = None  # "A, Phó Chủ tịch Hội X, ông B, …": the posts are A's, not B's
        found = name_at(ctx, link.end()) if link else None
        if found is None and chain[-1].body is None and chain[-1].default_org is None:
            unknown = _unknown_body_then_name(ctx, end, chain[-1].role)
            if unknown is not None:
                chain[-1].body, link, found = unknown
        if found is None:
            if chain[-1].body is None and chain[-1].default_org is None and _COUNTED.search(
                    ctx.mtext, max(0, chain[0].start - 8), chain[0].start) and _FOR_LIST.match(ctx.mtext, end):
                chain[-1].body = _body_of_the_sentence(ctx, chain[0].start)  # "và 6 Phó Chủ tịch gồm: …"
            if chain[-1].body is not None or chain[-1].default_org is not None:
                _listed_after_post(ctx, chain, end)
            continue
        name, name_end = found
        if chain[-1].body is None and chain[-1].default_org is None:
            chain[-1].body = _standing_body_before(ctx, chain[0].start)
        person = ctx.add_person(name, ctx.span(link.end(), name_end))
        _holdings(ctx, person.key, chain, chain[0].start, name_end)
    _names_then_posts(ctx)
    _name_lists_then_post(ctx)
    _plural_posts(ctx)
    _elected_into_then_list(ctx)
    _remention(ctx)
    _pronoun_posts(ctx)  # after every mention of a known name is found
    _posts_as_people(ctx)
    _drop_vague_holdings(ctx)


def _drop_vague_holdings(ctx: Context) -> None:
    """"Thứ trưởng Vũ Văn A" after "Thứ trưởng Bộ Nội vụ Vũ Văn A": the post with no body is the same one."""
    named = {(p, role) for (p, role, org) in ctx.holdings if org is not None}
    for key in [k for k in ctx.holdings if k[2] is None and (k[0], k[1]) in named]:
        del ctx.holdings[key]


def _names_then_posts(ctx: Context) -> None:
    """"Nguyễn Văn A, Ủy viên Bộ Chính trị, …" and names after "đồng chí/ông/bà"."""
    surname_re = _surname_re()
    covered = 0  # "Võ Văn Phuông": "Văn Phuông" inside it is not another name
    for m in surname_re.finditer(ctx.mtext):
        if m.start() < covered or _inside_body(ctx, m.start()):
            continue
        found = name_at(ctx, m.start())
        if found is None:
            continue
        name, end = found
        covered = end
        if _after_capitalised(ctx, m.start()):
            continue  # "Ma Văn Thành": "Văn Thành" is the tail of a name with an unlisted family name
        sep = _NAME_SEP.match(ctx.mtext, end)
        chain, chain_end = parse_chain(ctx, sep.end(), former=bool(sep.group(1))) if sep else ([], end)
        cued = _cue_before().search(ctx.mtext, max(0, m.start() - 16), m.start()) is not None
        if not chain and not cued:
            continue
        person = ctx.add_person(name, ctx.span(m.start(), end))
        if chain:
            _holdings(ctx, person.key, chain, m.start(), chain_end)


_PLURAL = re.compile(r"(?<!\w)các\s+(?:đồng chí\s+)?", re.IGNORECASE)
_LIST_COLON = re.compile(r"\s*:\s*")
_LIST_NEXT = re.compile(r"\s*,\s*(?:đồng chí\s+)?|\s+và\s+(?:đồng chí\s+)?")


# After a post, the people it is stated for: "… Phó Chủ tịch UBND tỉnh A nhiệm kỳ 2021 - 2026 đối với:
# ông B, bà C", "… làm Ủy viên Ban Thường vụ, gồm: B và C".
_FOR_LIST = re.compile(r"(?:\s*,?\s+(?:nhiệm kỳ\s+\d{4}\s*[-–]\s*\d{4}|khóa\s+[IVXLC]+))?\s*,?\s+"
                       r"(?:đối với|bao gồm|gồm(?: có)?)(?:\s+các\s+(?:ông|bà|đồng chí|anh|chị)(?:,?\s+(?:ông|bà|anh|chị))?)?"
                       r"\s*:?\s+")
_ITEM_CUE = re.compile(r"(?i:ông|bà|anh|chị|đồng chí|đ/c)\.?\s+")
_ITEM_OWN_POSTS = re.compile(r"\s+[-–—]\s+|\s*,\s*(?=[^\W\d_])")
_ITEM_NEXT = re.compile(r"\s*[,;]\s*|\s+và\s+")
_ASIDE = re.compile(r"\s*\([^()\n]{0,160}\)")  # "ông A (Chủ tịch UBND thành phố); bà B …"
_MAX_LIST = 30


def _list_items(ctx: Context, pos: int) -> tuple[list[tuple[str, int, int]], int]:
    """Names listed from pos ("ông A, bà B và ông C"), each (name, start, end), and where the list
    ends; an aside in brackets or the posts of a name ("A - Bí thư …, B - …") are read past.
    The list ends at anything that is not one more name."""
    items: list[tuple[str, int, int]] = []
    list_end = pos
    while len(items) < _MAX_LIST:
        cue = _ITEM_CUE.match(ctx.mtext, pos)
        start = cue.end() if cue else pos
        found = name_at(ctx, start)
        if found is None:
            break
        items.append((found[0], start, found[1]))
        end = found[1]
        aside = _ASIDE.match(ctx.mtext, end)
        end = aside.end() if aside else end
        own = _ITEM_OWN_POSTS.match(ctx.mtext, end)  # "A - Giám đốc Sở B; C - …": A's own posts, read past
        if own is not None:
            chain, chain_end = parse_chain(ctx, own.end())
            end = chain_end if chain else end
        list_end = end
        nxt = _ITEM_NEXT.match(ctx.mtext, end)
        if nxt is None:
            break
        pos = nxt.end()
    return items, list_end


def _listed_after_post(ctx: Context, chain: list[Post], end: int) -> None:
    """A post stated once for the people listed after it (see _FOR_LIST)."""
    lead = _FOR_LIST.match(ctx.mtext, end)
    if lead is None:
        return
    items, _ = _list_items(ctx, lead.end())
    for name, start, name_end in items:
        person = ctx.add_person(name, ctx.span(start, name_end))
        _holdings(ctx, person.key, chain, chain[0].start, name_end)


# "Thường trực Tỉnh ủy A gồm Bí thư B, …", "Ban Thường vụ hiện có Phó Bí thư C": its members' posts.
_HAS_MEMBERS = re.compile(r"\s+(?:hiện\s+)?(?:có|gồm(?: có)?)(?:\s+các\s+đồng chí)?\s*:?\s*")


# "Từ năm 2020, ông là Ủy viên …", "Đại hội bầu bà làm Chủ tịch …": the posts of the person just named.
_PRONOUN_POST = re.compile(r"(?<!\w)(?:ông|bà|Ông|Bà)(?:\s+(?:đã|đang|hiện|vẫn))?\s+(?:là|được\s+(?:bầu|bầu bổ sung|"
                           r"bổ nhiệm|phân công|điều động|chỉ định)\s+(?:làm|giữ chức(?:\s+vụ)?)|làm|giữ chức(?:\s+vụ)?)\s+")
_PRONOUN_REACH = 400  # characters back to the person the pronoun stands for


def _pronoun_posts(ctx: Context) -> None:
    """A pronoun's posts go to the nearest person named before it, in the same or the previous paragraph,
    when no other person is named in between."""
    spans = sorted(ctx.person_spans)
    starts = [s for s, _, _ in spans]
    for m in _PRONOUN_POST.finditer(ctx.mtext):
        chain, chain_end = parse_chain(ctx, m.end())
        if not chain:
            continue
        i = bisect.bisect_left(starts, m.start())
        if i == 0:
            continue
        start, end, person = spans[i - 1]
        if m.start() - end > _PRONOUN_REACH or ctx.mtext.count("\n\n", end, m.start()) > 1:
            continue
        if any(p != person for _, _, p in spans[max(0, i - 3):i]):
            continue  # two people named just before: the pronoun could be either's
        _holdings(ctx, person, chain, m.start(), chain_end)


def _standing_body_before(ctx: Context, pos: int) -> BodyRef | None:
    """The committee of a standing unit whose members are being named at pos, or None."""
    ref = bodies.body_before(ctx, pos, max_gap=30, gap=_HAS_MEMBERS.pattern)
    if ref is not None and ref.category == "leadership-body" and ref.parent is not None:
        return ref.parent
    return None


def _body_of_the_sentence(ctx: Context, pos: int) -> BodyRef | None:
    """"Bộ máy UBND tỉnh A gồm ông B, Chủ tịch, và 6 Phó Chủ tịch gồm: …": the body named last before
    pos in its sentence; a standing unit ("Thường trực Thành ủy A") stands for its committee."""
    start = max(ctx.mtext.rfind("\n", 0, pos), ctx.mtext.rfind(". ", 0, pos)) + 1
    i = bisect.bisect_left(ctx.body_refs, pos, key=lambda r: r.start)  # refs are sorted by start
    for ref in reversed(ctx.body_refs[max(0, i - 8):i]):  # the last few before pos are enough
        if ref.end <= pos and ref.start >= start:
            if ref.category == "leadership-body" and ref.parent is not None:
                return ref.parent
            return ref
    return None


_COUNTED = re.compile(r"(?<!\w)(?:\d{1,2}|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười) $")
# "A - Bí thư Trung ương Đảng - được bầu vào Bộ Chính trị": a member of that body.
_ELECTED_INTO = re.compile(r"\s*[-–—,]?\s*(?:đã\s+)?(?:được\s+|trúng cử\s+)?(?:bầu|bầu bổ sung|bầu lại)\s+vào\s+")


_INTO = re.compile(r"(?<!\w)(?:được\s+bầu|được\s+bầu bổ sung|trúng cử)\s+vào\s+")


def _elected_into_then_list(ctx: Context) -> None:
    """"Ba người được bầu vào Ban Thường vụ Hội, gồm các chị: A, B và C": members of that body."""
    for m in _INTO.finditer(ctx.mtext):
        body = bodies.parse_at(ctx, m.end(), bare_ok=True)
        lead = _FOR_LIST.match(ctx.mtext, body.end) if body is not None else None
        if lead is None:
            continue
        items, _ = _list_items(ctx, lead.end())
        for name, start, name_end in items:
            person = ctx.add_person(name, ctx.span(start, name_end))
            ctx.add_holding(person.key, "Ủy viên", ctx.add_org(body).key, ctx.span(m.start(), name_end))


# After listed names, the post they are given: "Các ông A, B và bà C được bầu làm Phó Bí thư Thành ủy".
_LIST_TO_POST = re.compile(r"\s+(?:(?:đều|cùng)\s+)?(?:được\s+(?:bầu|bầu bổ sung|bổ nhiệm|chỉ định|phân công)\s+)?"
                           r"(?:giữ chức(?:\s+vụ)?|làm)\s+(nguyên\s+)?")


def _name_lists_then_post(ctx: Context) -> None:
    """Two or more names, then the post all of them are given (see _LIST_TO_POST)."""
    covered = 0
    for m in _surname_re().finditer(ctx.mtext):
        if m.start() < covered or _inside_body(ctx, m.start()):
            continue
        items, list_end = _list_items(ctx, m.start())
        if not items:
            continue
        covered = items[-1][2]
        into = _ELECTED_INTO.match(ctx.mtext, list_end)
        body = bodies.parse_at(ctx, into.end(), bare_ok=True) if into else None
        if body is not None:
            for name, start, name_end in items:
                person = ctx.add_person(name, ctx.span(start, name_end))
                ctx.add_holding(person.key, "Ủy viên", ctx.add_org(body).key, ctx.span(start, body.end))
            continue
        if len(items) < 2:
            continue
        verb = _LIST_TO_POST.match(ctx.mtext, items[-1][2])
        if verb is None:
            continue
        chain, chain_end = parse_chain(ctx, verb.end(), former=bool(verb.group(1)))
        for name, start, name_end in items if chain else []:
            person = ctx.add_person(name, ctx.span(start, name_end))
            _holdings(ctx, person.key, chain, start, chain_end)


def _plural_posts(ctx: Context) -> None:
    """"các Phó Thủ tướng: Trần Hồng Hà, Lê Thành Long": every name listed holds the post."""
    for m in _PLURAL.finditer(ctx.mtext):
        chain, end = parse_chain(ctx, m.end())
        colon = _LIST_COLON.match(ctx.mtext, end) if chain else None
        pos = colon.end() if colon else -1
        while pos >= 0:
            found = name_at(ctx, pos)
            if found is None:
                break
            person = ctx.add_person(found[0], ctx.span(pos, found[1]))
            _holdings(ctx, person.key, chain, chain[0].start, found[1])
            nxt = _LIST_NEXT.match(ctx.mtext, found[1])
            pos = nxt.end() if nxt else -1


def _posts_as_people(ctx: Context) -> None:
    """"Thủ tướng yêu cầu …": a post written alone stands for the one person the article says holds it,
    so what it did at a meeting is recorded (as a person span, not as a mention of the name)."""
    holders: dict[tuple, set[str]] = {}
    for (person, role, org) in ctx.holdings:
        holders.setdefault((role, org), set()).add(person)
    # Interval lookups, not scans: an article naming many posts would cost posts² (linear-time rule).
    evidence = ctx.interval_index([(h.evidence.start, h.evidence.end) for h in ctx.holdings.values()])
    named = ctx.interval_index(ctx.person_spans)
    added_reach = -1  # spans added below start before every later match: only their furthest end matters
    _, role_re = canonical.posts()
    for m in role_re.finditer(ctx.mtext):
        if not m.group()[0].isupper() or evidence.covers(m.start()):
            continue
        chain, end = parse_chain(ctx, m.start())
        if not chain or named.covers(m.start()) or added_reach > m.start():
            continue
        post = chain[0]
        org = post.body.key if post.body else (
            canonical.org_key(post.default_org) if post.default_org else None)
        people = holders.get((post.role, org), set())
        if org is not None and len(people) == 1:  # "Bí thư" of no named body would match anyone
            ctx.person_spans.append((m.start(), end, next(iter(people))))
            added_reach = max(added_reach, end)
    ctx.person_spans.sort()


_PREV_WORD = re.compile(r"([^\W\d_]+) $")


def _after_capitalised(ctx: Context, pos: int) -> bool:
    """A capitalised word right before pos that is not a title, rank or body word."""
    m = _PREV_WORD.search(ctx.mtext, max(0, pos - 12), pos)
    if m is None or not m.group(1)[0].isupper():
        return False
    word = m.group(1)
    return word not in canonical.name_stopwords() and not any(
        h.split()[-1].casefold() == word.casefold() for h in canonical.honorifics()) and not _ends_post(ctx, m.end(1))


def _ends_post(ctx: Context, pos: int) -> bool:
    """A post or body ends at pos ("Bí thư Tỉnh ủy Lê …"): the word before the name belongs to it."""
    return any(r.end == pos for r in ctx.body_refs) or bool(
        re.search(r"(?:Bí thư|Chủ tịch|Giám đốc|Trưởng|Thứ trưởng|Bộ trưởng|Chủ nhiệm|Viện trưởng|Chánh án|"
                  r"Tư lệnh|Chính ủy|Thường trực|Tổng Kiểm toán|Hiệu trưởng|Tổng Biên tập)$",
                  ctx.mtext[max(0, pos - 20):pos]))


def _remention(ctx: Context) -> None:
    people = ctx.group("people")
    if not people:
        return
    by_form = {canonical.normalise_tones(p.name): p for p in people.values()}
    forms = sorted(by_form, key=len, reverse=True)
    regex = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in forms) + r")(?!\w)")
    for m in regex.finditer(ctx.mtext):  # ignored spans are blank there, so never matched
        ctx.add_person(by_form[m.group()].name, ctx.span(m.start(), m.end()))
    ctx.person_spans = sorted(set(ctx.person_spans))


@lru_cache(maxsize=1)
def _surname_re() -> re.Pattern[str]:
    return canonical.surface_regex(sorted(canonical.surnames()), ignore_case=False)


def names_listed_at(ctx: Context, pos: int) -> list[tuple[str, int, int]]:
    """The names listed from pos ("ông A, bà B và ông C"), each (name, start, end): for recognisers
    that state one fact of every person of a list (kg.extract.appointments)."""
    return _list_items(ctx, pos)[0]
