#!/usr/bin/env python3
"""Write N synthetic articles of the Party-governance news genre, deterministic by seed.

    python bench/generate_corpus.py OUT_DIR -n 1000 [--seed 1] [--bad 3]

Each article reports one meeting (date, place, organiser, chair, reporter,
speakers) and refers to numbered documents (NQ, CT, QĐ, QĐi, KL, HD, TB, CTr, ĐA,
KH with /TW, /TU, /ĐUK), congresses, plenums, sessions and terms. People are
random combinations of Vietnamese name syllables; bodies are central or
provincial. About a third start with YAML front matter, the rest carry the
headline (and sometimes a dateline) in the text. Article *i* depends only on
(seed, i), so the first 1,000 articles of a 10,000-article corpus are the
1,000-article corpus. ``--bad N`` adds N broken files (not UTF-8, empty,
broken front matter) for testing error isolation.

Word lists and sentences are data files in bench/templates/.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
_FIELD = re.compile(r"\{(\w+)\}")


def roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def load_templates(folder: Path = TEMPLATES) -> tuple[dict[str, Any], dict[str, list[str]]]:
    vocab = yaml.safe_load((folder / "vocab.yaml").read_text(encoding="utf-8"))
    sentences = yaml.safe_load((folder / "sentences.yaml").read_text(encoding="utf-8"))
    return vocab, sentences


@dataclass
class Person:
    name: str
    post: str  # "Phó Bí thư Tỉnh ủy Nghệ An"

    def phrase(self, rng: random.Random) -> str:
        # The genre puts the post before the name, or "đồng chí Name, post".
        if rng.random() < 0.7:
            return f"{self.post} {self.name}"
        return f"đồng chí {self.name}, {self.post}"


@dataclass
class Context:
    """What one article is about; sentences draw from it so facts agree."""

    rng: random.Random
    vocab: dict[str, Any]
    year: int
    month: int
    day: int
    place: str
    committee: str
    unit: str
    organizer: str
    organizer_short: str
    field_: str
    people: dict[str, Person]
    documents: list[dict[str, Any]]
    used_docs: set[int] = field(default_factory=set)
    last_doc: int = -1
    byline: str = ""


class ArticleMaker:
    def __init__(self, vocab: dict[str, Any], sentences: dict[str, list[str]]):
        self.vocab = vocab
        self.sentences = sentences

    # --- people and bodies -----------------------------------------------------------

    def person_name(self, rng: random.Random) -> str:
        v = self.vocab
        parts = [rng.choice(v["family_names"]), rng.choice(v["middle_names"])]
        if rng.random() < 0.2:
            parts.append(rng.choice(v["middle_names"]))
        parts.append(rng.choice(v["given_names"]))
        return " ".join(dict.fromkeys(parts))  # no "Văn Văn"

    def post_in(self, rng: random.Random, body: str) -> str:
        posts = self.vocab["posts"]
        if body.startswith("Ban Thường vụ "):
            return f"Ủy viên {body}"
        if body.startswith(("Tỉnh ủy", "Thành ủy", "Đảng ủy Khối")):
            return f"{rng.choice(posts['committee'])} {body}"
        if body.startswith("Ủy ban Kiểm tra"):
            return f"{rng.choice(posts['inspection'])} {body}"
        if body.startswith("Ban "):
            role = rng.choice(posts["commission"])
            # "Trưởng Ban" + "Ban Tuyên giáo …" is written "Trưởng Ban Tuyên giáo …".
            return f"{role} {body[4:]}" if role.endswith("Ban") else f"{role} {body}"
        if body.startswith("Văn phòng"):
            return f"Chánh {body}"
        return f"{rng.choice(posts['council'])} {body}"

    def context(self, rng: random.Random) -> Context:
        v = self.vocab
        province = rng.choice(v["provinces"])
        city = province.get("city", False)
        committee = f"{'Thành ủy' if city else 'Tỉnh ủy'} {province['name']}"
        unit = f"{'thành phố' if city else 'tỉnh'} {province['name']}"
        if rng.random() < 0.4:
            body = rng.choice(v["central_bodies"])
            organizer, short, place = body["name"], body["short"], "Hà Nội"
        else:
            body = rng.choice(v["provincial_bodies"])
            organizer = body["name"].format(committee=committee, unit=unit)
            short, place = organizer, province["name"]
        year = rng.randint(2016, 2024)
        people = {
            "chair": Person(self.person_name(rng), self.post_in(rng, organizer)),
            "reporter": Person(self.person_name(rng), self.post_in(rng, organizer)),
            "speaker": Person(self.person_name(rng), self.post_in(rng, rng.choice(
                [committee, f"Ban Dân vận {committee}", f"Ủy ban nhân dân {unit}",
                 "Đảng ủy Khối các cơ quan Trung ương"]))),
            "guest": Person(self.person_name(rng), self.guest_post(rng, committee)),
        }
        ctx = Context(rng, v, year, rng.randint(1, 12), rng.randint(1, 28), place, committee, unit,
                      organizer, short, body["field"], people, [])
        ctx.documents = [self.document(rng, ctx) for _ in range(rng.randint(2, 5))]
        ctx.byline = self.byline(rng)
        return ctx

    def guest_post(self, rng: random.Random, committee: str) -> str:
        central = rng.choice(self.vocab["posts"]["central"])
        body = rng.choice([committee, "Ban Tuyên giáo Trung ương", "Ban Tổ chức Trung ương",
                           "Ủy ban Kiểm tra Trung ương"])
        return f"{central}, {self.post_in(rng, body)}"

    def byline(self, rng: random.Random) -> str:
        family, *_rest, given = self.person_name(rng).split()
        return rng.choice([f"{given} {family}", self.person_name(rng),
                           f"{self.person_name(rng)} - {self.person_name(rng)}"])

    # --- documents, assemblies, dates ------------------------------------------------

    def document(self, rng: random.Random, ctx: Context) -> dict[str, Any]:
        family = rng.choice(self.vocab["documents"])
        suffix = rng.choice(family["suffixes"])
        issuer = rng.choice(self.vocab["issuers"][suffix]).format(committee=ctx.committee)
        return {
            "type": family["type"], "number": f"{rng.randint(1, 150):02d}-{family['code']}/{suffix}",
            "issuer": issuer, "topic": rng.choice(self.vocab["document_topics"]),
            "date": f"{rng.randint(1, 28)}-{rng.randint(1, 12)}-{rng.randint(2011, ctx.year)}",
            "term": roman(rng.choice([11, 12, 13])) if suffix == "TW" else None,
        }

    def doc_phrase(self, ctx: Context, plain: bool = False) -> str:
        rng = ctx.rng
        index = rng.randrange(len(ctx.documents))
        if index == ctx.last_doc and len(ctx.documents) > 1:  # not the same one twice running
            index = (index + 1) % len(ctx.documents)
        ctx.last_doc = index
        doc = ctx.documents[index]
        head = f"{doc['type']} số {doc['number']}" if rng.random() < 0.8 else f"{doc['type']} {doc['number']}"
        if plain:
            return head
        first = index not in ctx.used_docs
        ctx.used_docs.add(index)
        if not first or rng.random() < 0.3:
            return head
        style = rng.randrange(3)
        if style == 0:
            return f"{head} của {doc['issuer']}"
        if style == 1:
            return f"{head}, ngày {doc['date']} của {doc['issuer']} về “{doc['topic']}”"
        term = f" (khóa {doc['term']})" if doc["term"] else ""
        return f"{head} của {doc['issuer']}{term} về {doc['topic']}"

    def assembly(self, ctx: Context) -> str:
        rng = ctx.rng
        start = rng.choice([2015, 2020, 2025])
        values = {
            "ordinal": rng.randint(2, 15), "ordinal_roman": roman(rng.randint(10, 20)),
            "term_roman": roman(rng.choice([11, 12, 13])), "na_roman": roman(rng.choice([13, 14, 15])),
            "council_roman": roman(rng.choice([16, 17, 18])), "unit": ctx.unit,
            "term": self.term(rng, start),
        }
        return rng.choice(self.sentences["assemblies"]).format(**values)

    @staticmethod
    def term(rng: random.Random, start: int) -> str:
        sep = rng.choice(["-", " - ", "–"])
        return f"nhiệm kỳ {start}{sep}{start + 5}"

    def fill(self, template: str, ctx: Context) -> str:
        return _FIELD.sub(lambda m: self.value(m.group(1), ctx), template)

    def value(self, name: str, ctx: Context) -> str:
        rng, p = ctx.rng, ctx.people
        simple = {
            "date_short": f"{ctx.day}/{ctx.month}", "date_short_prev": f"{max(ctx.day - 1, 1)}/{ctx.month}",
            "date_full": f"{ctx.day}/{ctx.month}/{ctx.year}", "date_dash": f"{ctx.day}-{ctx.month}-{ctx.year}",
            "date_words": f"{ctx.day} tháng {ctx.month} năm {ctx.year}",
            "place": ctx.place, "organizer": ctx.organizer, "organizer_short": ctx.organizer_short,
            "field": ctx.field_, "year": str(ctx.year), "next_year": str(ctx.year + 1),
            "k": str(rng.randint(2, 10)), "count": f"{rng.randint(2, 40)}.{rng.randint(100, 999)}",
            "byline": ctx.byline, "source_tag": rng.choice(self.vocab["source_tags"]),
            "weekday": rng.choice(self.vocab["weekdays"]), "hour": f"{rng.randint(6, 21):02d}",
            "minute": f"{rng.randint(0, 59):02d}", "unit": ctx.unit,
        }
        if name in simple:
            return simple[name]
        if name in ("doc", "doc_plain"):
            return self.doc_phrase(ctx, plain=name == "doc_plain")
        if name == "assembly":
            return self.assembly(ctx)
        if name == "term":
            return self.term(rng, rng.choice([2015, 2020, 2025]))
        if name == "meeting":
            return self.fill(rng.choice(self.vocab["meeting_kinds"]), ctx)
        role, _, part = name.partition("_")
        if role in p:
            person = p[role]
            return {"name": person.name, "post": person.post}.get(part) or person.phrase(rng)
        raise KeyError(f"unknown template field {{{name}}}")

    # --- the article -----------------------------------------------------------------

    def pick(self, ctx: Context, group: str, count: int = 1) -> list[str]:
        return [self.fill(t, ctx) for t in ctx.rng.sample(self.sentences[group], count)]

    def paragraphs(self, ctx: Context) -> list[str]:
        rng = ctx.rng
        paras = [" ".join(self.pick(ctx, "openings") + self.pick(ctx, "attendance"))]
        paras.append(" ".join(self.pick(ctx, "reports") + self.pick(ctx, "body", rng.randint(1, 3))))
        for _ in range(rng.randint(1, 4)):
            paras.append(" ".join(self.pick(ctx, "body", rng.randint(2, 4))))
        if rng.random() < 0.3:
            paras.insert(2, self.pick(ctx, "debris")[0])
        paras.append(" ".join(self.pick(ctx, "speeches", rng.randint(1, 2))))
        paras.append(" ".join(self.pick(ctx, "conclusions", rng.randint(1, 2))))
        paras.append(self.pick(ctx, "closings")[0])
        return paras

    def article(self, seed: int, index: int) -> tuple[str, str]:
        """(file suffix, text) of article ``index``; depends only on (seed, index)."""
        rng = random.Random(f"{seed}:{index}")
        ctx = self.context(rng)
        headline = self.pick(ctx, "headlines")[0]
        body = "\n\n".join(self.paragraphs(ctx)) + f"\n\n{ctx.byline}\n"
        if rng.random() < 0.35:
            return ".md" if rng.random() < 0.5 else ".txt", self.front_matter(ctx, headline, index) + body
        head = [headline]
        if rng.random() < 0.4:
            head.insert(0, self.pick(ctx, "datelines")[0])
        return ".txt", "\n\n".join(head) + "\n\n" + body

    def front_matter(self, ctx: Context, headline: str, index: int) -> str:
        published = f"{ctx.year}-{ctx.month:02d}-{ctx.day:02d}"
        meta = {"title": headline, "published": published,
                "url": f"https://tin.example.vn/{ctx.year}/{ctx.month:02d}/bai-{index:06d}.html",
                "source": ctx.rng.choice(self.vocab["sources"]), "author": ctx.byline}
        dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        return f"---\n{dumped}---\n\n"


_BAD_KINDS = ("not-utf8", "empty", "bad-front-matter")


def bad_file(kind: str, text: str) -> bytes:
    """The bytes of a deliberately broken article of this kind."""
    if kind == "not-utf8":
        return text.encode("utf-16")  # BOM + UTF-16: not valid UTF-8
    if kind == "empty":
        return b""
    return ("---\ntitle: \"Tiêu đề không đóng\npublished: [2021-13-45\n---\n\n" + text).encode("utf-8")


def article_path(out_dir: Path, index: int, suffix: str) -> Path:
    # Sub-folders of 1,000 so the corpus exercises recursive discovery.
    return out_dir / f"{index // 1000:03d}" / f"article-{index:06d}{suffix}"


def generate_corpus(out_dir: Path | str, n: int, *, seed: int = 1, bad: int = 0) -> list[Path]:
    """Write ``n`` articles (and ``bad`` broken files) under ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    maker = ArticleMaker(*load_templates())
    paths = []
    for index in range(n):
        suffix, text = maker.article(seed, index)
        path = article_path(out_dir, index, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    for j in range(bad):
        kind = _BAD_KINDS[j % len(_BAD_KINDS)]
        path = out_dir / "bad" / f"bad-{j:04d}-{kind}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bad_file(kind, maker.article(seed, n + j)[1]))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write N synthetic Party-governance news articles (deterministic by seed).",
        epilog="example: python bench/generate_corpus.py /tmp/corpus -n 1000 --seed 1 --bad 3")
    parser.add_argument("out_dir", type=Path, help="folder to write into (created)")
    parser.add_argument("-n", type=int, default=100, help="number of articles (default 100)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--bad", type=int, default=0, help="also write N broken files (default 0)")
    args = parser.parse_args(argv)
    paths = generate_corpus(args.out_dir, args.n, seed=args.seed, bad=args.bad)
    print(f"wrote {len(paths)} files under {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
