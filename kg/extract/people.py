"""Named people and the posts they hold.

A personal name is 2-4 capitalised syllables starting with a family name from
gazetteers/surnames.txt. It is only taken as a person where the text says so:

* after a chain of posts: "Phó Bí thư Đảng ủy Khối Lại Xuân Lâm",
  "Ủy viên Trung ương Đảng - Bí thư Tỉnh ủy Lê Văn C";
* before one: "đồng chí Nguyễn Văn A, Ủy viên Bộ Chính trị, Trưởng Ban …",
  "Nguyễn Văn A - Bí thư Đảng ủy - Hiệu trưởng";
* after "đồng chí", "ông", "bà";
* anywhere again once known (the same string is the same person).

A post is role words (gazetteers/posts.tsv) followed by the body it is in; each post
in a chain gives one Holding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract import bodies, canonical
from kg.extract.context import BodyRef, Context

_SYLLABLE = re.compile(r"[^\W\d_]+")
_CHAIN_SEP = re.compile(r"\s*[,;]\s*|\s+[-–—]\s+|\s+kiêm\s+|\s+và\s+")
_NAME_SEP = re.compile(r"\s*,\s*|\s+[-–—]\s+|\s*\(\s*")
_CUE_BEFORE = re.compile(r"(?:đồng chí|ông|bà|Đồng chí|Ông|Bà|đ/c|Đ/c)\s+$")
_LINK_TO_NAME = re.compile(r"(?:\s*,)?\s+(?:đồng chí\s+|ông\s+|bà\s+)?")


@dataclass
class Post:
    start: int
    end: int
    role: str
    body: BodyRef | None
    default_org: str | None


def parse_post_at(ctx: Context, pos: int) -> Post | None:
    """Role words at pos and the body written after them ("Trưởng Ban Tuyên giáo Đảng ủy Khối")."""
    by_key, regex = canonical.posts()
    m = regex.match(ctx.mtext, pos)
    if m is None:
        return None
    entry = by_key[canonical.norm_key(m.group())]
    end = m.end()
    if entry.default_org is None or entry.shares:
        body = None
        if ctx.mtext[end:end + 1] == " ":
            body = bodies.parse_at(ctx, end + 1, allow_lower=True, bare_ok=True)
        if body is None and entry.shares:
            shared = end - len(entry.shares)
            body = bodies.parse_at(ctx, shared, allow_lower=True, bare_ok=True)
            body = body if body is not None and body.end > end else None
        if body is not None:
            return Post(pos, body.end, entry.role, body, None)
        end = _vague_body_end(ctx, end)
    return Post(pos, end, entry.role, None, entry.default_org)


def _vague_body_end(ctx: Context, end: int) -> int:
    """"Bí thư Đảng ủy - Hiệu trưởng": a generic unit naming no one body is read past, not kept."""
    if ctx.mtext[end:end + 1] != " ":
        return end
    gaz = canonical.bodies()
    m = gaz.regex.match(ctx.mtext, end + 1)
    if m is not None and gaz.by_key[canonical.norm_key(m.group())][0].kind in ("unit", "short"):
        return m.end()
    return end


def parse_chain(ctx: Context, pos: int) -> tuple[list[Post], int]:
    """Posts written one after another from pos ("X, Y - Z"), and where the chain ends."""
    chain: list[Post] = []
    while True:
        post = parse_post_at(ctx, pos)
        if post is None:
            break
        chain.append(post)
        pos = post.end
        sep = _CHAIN_SEP.match(ctx.mtext, pos)
        if sep is None or parse_post_at(ctx, sep.end()) is None:
            break
        pos = sep.end()
    return chain, pos


def name_at(ctx: Context, pos: int) -> tuple[str, int] | None:
    """A personal name starting at pos: (name as written, end), or None."""
    words: list[tuple[int, int]] = []
    p = pos
    while len(words) < 4:
        m = _SYLLABLE.match(ctx.mtext, p)
        if m is None:
            break
        w = m.group()
        if not (w[0].isupper() and (len(w) == 1 or w[1:].islower())):
            break
        if words and w in canonical.name_stopwords():
            break
        words.append((m.start(), m.end()))
        if ctx.mtext[m.end():m.end() + 1] != " ":
            break
        p = m.end() + 1
    if len(words) < 2 or ctx.text[words[0][0]:words[0][1]] not in canonical.surnames():
        return None
    end = words[-1][1]
    name = ctx.text[pos:end]
    if canonical.norm_key(name) in canonical.places()[0]:
        return None
    if re.match(r"\w", ctx.mtext[end:end + 1]):
        return None
    return name, end


def _holdings(ctx: Context, person_key: str, chain: list[Post], evidence_start: int, evidence_end: int) -> None:
    evidence = ctx.span(evidence_start, evidence_end)
    for post in chain:
        if post.body is not None:
            org = ctx.add_org(post.body).key
        elif post.default_org:
            org = ctx.add_default(post.default_org)
        else:
            org = None
        ctx.add_holding(person_key, post.role, org, evidence)


def _inside_body(ctx: Context, pos: int) -> bool:
    return any(r.start < pos < r.end for r in ctx.body_refs)


def find(ctx: Context) -> None:
    """People with their posts; then every later mention of a known name."""
    _, role_re = canonical.posts()
    taken: set[int] = set()
    for m in role_re.finditer(ctx.mtext):
        if m.start() in taken or _inside_body(ctx, m.start()) or not m.group()[0].isupper():
            continue
        chain, end = parse_chain(ctx, m.start())
        for post in chain:
            taken.add(post.start)
        link = _LINK_TO_NAME.match(ctx.mtext, end)
        found = name_at(ctx, link.end()) if link else None
        if not chain or found is None:
            continue
        name, name_end = found
        person = ctx.add_person(name, ctx.span(link.end(), name_end))
        _holdings(ctx, person.key, chain, chain[0].start, name_end)
    _names_then_posts(ctx)
    _remention(ctx)


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
        sep = _NAME_SEP.match(ctx.mtext, end)
        chain, chain_end = parse_chain(ctx, sep.end()) if sep else ([], end)
        cued = _CUE_BEFORE.search(ctx.mtext[max(0, m.start() - 10):m.start()]) is not None
        if not chain and not cued:
            continue
        person = ctx.add_person(name, ctx.span(m.start(), end))
        if chain:
            _holdings(ctx, person.key, chain, m.start(), chain_end)


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
    alts = "|".join(sorted(canonical.surnames(), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?= [^\W\d_])")
