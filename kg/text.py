"""Read an article: UTF-8 text with optional YAML front matter → kg.model.Article.

The body is NFC-normalised (BOM stripped, CRLF → LF); every offset the extractors
record refers to ``Article.text``. Without front matter the headline, a dateline
date and a byline are recovered from the text when they are plain to see.
Scraping debris (``leftcenterrightdel`` lines, photo captions, datelines, source
tags such as "(VOV5) -") is listed in ``Article.ignored``: it stays in the text so
offsets do not shift, and ``masked_text`` blanks it out for the recognisers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError
from kg.model import Article, Span
from kg.resources import gazetteer_dir

_FRONT_KEYS = ("title", "published", "url", "source", "author")

# "Thứ Năm, 8/6/2023 14:46'(GMT+7)", "04/04/2022 - 08:59", "08:59 04/04/2022", "Cập nhật: 8/6/2023"
_DATELINE = re.compile(
    r"^(?:(?:Thứ\s+\w+|Chủ\s+nhật|Cập\s+nhật:?|Ngày\s+đăng:?)\s*,?\s*)?"
    r"(?:(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>\d{4})"
    r"(?:\s*[-|,]?\s*\d{1,2}[:h]\d{2}(?::\d{2})?\s*'?\s*(?:\(?GMT\s*[+-]\s*\d+\)?)?)?"
    r"|\d{1,2}[:h]\d{2}(?::\d{2})?\s*[-|,]?\s*(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})[/.-](?P<y2>\d{4}))\s*$",
    re.IGNORECASE,
)
_BLANKS = re.compile(r"\s+")


def _dateline_match(line: str) -> re.Match | None:
    """_DATELINE on the line with blank runs squeezed to one space: its optional parts are
    separated by optional blanks, which would backtrack cubically over a long run of blanks."""
    return _DATELINE.match(_BLANKS.sub(" ", line.strip()))


# Source tags opening a paragraph: "(VOV5) -", "BDK.VN -", "(Chinhphu.vn) –", "TTXVN -"
_SOURCE_TAG = re.compile(r"^(?:\([^()\n]{2,30}\)|[A-ZĐ][A-ZĐ0-9.]{1,20}(?:\.[A-Za-z]{2,4})?)\s*[-–—]\s+")
_WORD = re.compile(r"\w+")


class _Line:
    __slots__ = ("start", "end", "text")

    def __init__(self, start: int, end: int, text: str):
        self.start, self.end, self.text = start, end, text

    @property
    def stripped(self) -> str:
        return self.text.strip()

    def span(self) -> Span:
        """The line without surrounding blanks, as a Span of the article text."""
        lead = len(self.text) - len(self.text.lstrip())
        body = self.text.strip()
        return Span(self.start + lead, self.start + lead + len(body), body)


def read_article(path: str | Path) -> Article:
    """Read and normalise one article file; InputError names the file and the problem."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not an article file")
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise InputError(f"{p}: cannot read ({err.strerror})") from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{p}: not UTF-8 (invalid byte 0x{raw[err.start]:02x} at offset {err.start})") from err
    return parse_article(text, str(p))


def parse_article(text: str, path: str = "<string>") -> Article:
    """Parse article text (front matter optional) into an Article."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    meta, body = _split_front_matter(text, path)
    body = unicodedata.normalize("NFC", body)
    if not body.strip():
        raise InputError(f"{path}: the article is empty")
    lines = _lines(body)
    ignored, dateline_date = _debris(lines)
    article = Article(path=path, text=body, content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest())
    for key in _FRONT_KEYS:
        if meta.get(key) is not None:
            setattr(article, key, meta[key])
    # Each key the front matter leaves out is recovered from the text on its own: a block
    # holding only `published` still leaves the headline and the byline to be read.
    if meta.get("title") is None:
        article.title = _headline(lines)
    if meta.get("published") is None:
        article.published = dateline_date
    if meta.get("author") is None:
        byline = _byline(lines)
        if byline is not None:
            article.author = byline.text
            ignored.append(byline)
    article.ignored = sorted(set(ignored))
    return article


def masked_text(article: Article) -> str:
    """The article text with ignored spans blanked by spaces (same length, same offsets)."""
    if not article.ignored:
        return article.text
    chars = list(article.text)
    for span in article.ignored:
        for i in range(span.start, span.end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


# --- front matter ---------------------------------------------------------------


def _split_front_matter(text: str, path: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---"):
        return {}, text
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return {}, text
    close = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[first_nl + 1:], re.MULTILINE)
    if close is None:
        raise InputError(f"{path}: front matter opened with '---' on line 1 is never closed")
    block = text[first_nl + 1: first_nl + 1 + close.start()]
    body = text[first_nl + 1 + close.end():]
    body = body[1:] if body.startswith("\n") else body
    return _parse_meta(block, path), body


def _parse_meta(block: str, path: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 2}" if mark is not None else ""  # +1 for 0-based, +1 for the '---' line
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"{path}:{where} broken front matter: {problem}") from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: front matter must be a mapping of keys to values, not {type(data).__name__}")
    meta: dict[str, Any] = {}
    for key in _FRONT_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if key == "published":
            meta[key] = _meta_date(value, path)
        else:
            if not isinstance(value, (str, int, float)):
                raise InputError(f"{path}: front matter '{key}' must be text")
            meta[key] = unicodedata.normalize("NFC", str(value)).strip() or None
    return meta


def _meta_date(value: Any, path: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise InputError(f"{path}: front matter 'published' is not an ISO date (YYYY-MM-DD): {value!r}")


# --- lines, debris, headline, byline ---------------------------------------------


def _lines(body: str) -> list[_Line]:
    lines, pos = [], 0
    for raw in body.split("\n"):
        lines.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return lines


@lru_cache(maxsize=1)
def _debris_words() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    path = gazetteer_dir() / "debris.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, text = line.split("\t", 1)
        table.setdefault(kind, []).append(text.strip())
    return {k: tuple(v) for k, v in table.items()}


def _is_token(line: str) -> bool:
    squeezed = re.sub(r"\s+", "", line).lower()
    return bool(squeezed) and any(squeezed == re.sub(r"\s+", "", t) for t in _debris_words()["token"])


def _is_caption(line: str, after_debris: bool) -> bool:
    """A short standalone line that reads as a photo caption, not as content."""
    words = _WORD.findall(line)
    if not words or len(words) > 25 or len(line) > 200:
        return False
    table = _debris_words()
    if after_debris and len(words) <= 25:
        return True
    if any(mark in line for mark in table.get("caption_mark", ())) and len(words) <= 20:
        return True
    if len(words) > 14 or re.search(r"[.!?]\s+\S", line.rstrip(". ")):
        return False  # several sentences: content
    if line.startswith(table.get("caption_open", ())):
        return True
    return line.startswith(table.get("caption_person", ())) and any(
        f" {verb} " in f" {line} " for verb in table.get("caption_verb", ()))


def _debris(lines: list[_Line]) -> tuple[list[Span], date | None]:
    ignored: list[Span] = []
    first_date: date | None = None
    after_debris = False
    for line in lines:
        s = line.stripped
        if not s:
            continue
        m = _dateline_match(s)
        if m:
            ignored.append(line.span())
            first_date = first_date or _dateline_date(m)
        elif _is_token(s):
            ignored.append(line.span())
            after_debris = True
            continue
        elif _is_caption(s, after_debris):
            ignored.append(line.span())
        else:
            tag = _SOURCE_TAG.match(s)
            if tag:
                sp = line.span()
                ignored.append(Span(sp.start, sp.start + len(tag.group().rstrip()), tag.group().rstrip()))
        after_debris = False
    return ignored, first_date


def _dateline_date(m: re.Match) -> date | None:
    d, mo, y = (m.group("d1"), m.group("m1"), m.group("y1")) if m.group("d1") else (
        m.group("d2"), m.group("m2"), m.group("y2"))
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        return None


def _content_lines(lines: list[_Line]) -> list[_Line]:
    return [ln for ln in lines if ln.stripped]


def _headline(lines: list[_Line]) -> str | None:
    """First line when it reads as a headline: short, no final period, not a dateline."""
    content = _content_lines(lines)
    for line in content[:3]:
        s = line.stripped
        if _dateline_match(s) or _is_token(s):
            continue
        words = _WORD.findall(s)
        if 3 <= len(words) <= 40 and not s.endswith((".", "…", ":", ";", ",")) and len(content) > 1 \
                and not _SOURCE_TAG.match(s):
            return s
        return None
    return None


def _byline(lines: list[_Line]) -> Span | None:
    """The last line when it is a short name-like byline ("Hiền Nguyễn", "Thu Hà - Minh Anh")."""
    content = _content_lines(lines)
    if len(content) < 2:
        return None
    s = content[-1].stripped
    words = s.replace("-", " ").replace("–", " ").split()
    if not 2 <= len(words) <= 6 or s.endswith((".", ":", ";", ",")):
        return None
    if all(w[:1].isupper() and (len(w) == 1 or w[1:].islower()) and w.isalpha() for w in words):
        return content[-1].span()
    return None
