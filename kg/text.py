"""Read an article: UTF-8 text with optional YAML front matter → kg.model.Article.

The body is NFC-normalised (BOM stripped, CRLF → LF); every offset the extractors
record refers to ``Article.text``. Without front matter the headline, a dateline
date and a byline are recovered from the text when they are plain to see.
Scraping debris (``leftcenterrightdel`` lines, photo credits such as "Ảnh: TTXVN" — the
caption itself is text —, datelines, source tags such as "(VOV5) -") is listed in
``Article.ignored``: it stays in the text so offsets do not shift, and ``masked_text``
blanks it out for the recognisers.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
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
MAX_ID_CHARS = 200  # a front-matter id names an article ("vov-2021-0153"), it is not a text

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


# Bounds on what one article may be: a news article is a few tens of kilobytes; anything
# far bigger is a mistake or an attack, and would cost seconds and hundreds of MB.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_FRONT_MATTER_KEYS = 200
MAX_FRONT_MATTER_DEPTH = 20
# C0 controls other than tab, LF, VT, FF, CR, plus DEL and the C1 block: never in a text article.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# An absolute http(s) IRI with a host: no blanks, no characters RFC 3987 forbids.
_HTTP_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`\x00-\x1f\x7f/?#]+(?:[/?#][^\s<>\"{}|\\^`\x00-\x1f\x7f]*)?",
                       re.IGNORECASE)


def file_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot be read as an article file (None when it is a regular file).

    Says what the thing is (folder, FIFO, device, symlink loop …) instead of "does not exist".
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "is a symbolic link loop"
        if err.errno == errno.ENOENT:
            return "is a broken symbolic link" if os.path.islink(path) else "no such file"
        return f"cannot read ({err.strerror})"
    return _mode_problem(mode)


def _mode_problem(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not an article file"
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
            else "not a regular file")
    return f"is {kind}, not a regular file"


def read_regular_file(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file, at most ``max_bytes``; InputError for anything else.

    Opened without blocking and checked on the open descriptor, so a FIFO or a device
    (even one swapped in after a check) is refused instead of hanging the reader.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise InputError(f"{path}: {file_problem(path) or f'cannot read ({err.strerror})'}") from None
    try:
        problem = _mode_problem(os.fstat(fd).st_mode)
        if problem:
            raise InputError(f"{path}: {problem}")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None
    finally:
        os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"{path}: larger than the {_size(max_bytes)} article limit "
                         "(raise it with --max-article-size)")
    return data


def _size(n: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n} bytes"


def read_article(path: str | Path, max_bytes: int | None = MAX_ARTICLE_BYTES,
                 root: str | Path | None = None) -> Article:
    """Read and normalise one article file; InputError names the file and the problem.

    ``path`` "-" reads standard input. Refused: anything but a regular file, more than
    ``max_bytes`` (None: no limit), text that is not UTF-8 or holds NUL/control bytes.
    Without a url or an ``id`` in its front matter the article is identified by its path
    relative to ``root`` (default: the current directory), so an edit keeps its IRI;
    standard input has no path, and there the text identifies it.
    """
    if str(path) == "-":
        import sys

        raw = sys.stdin.buffer.read() if max_bytes is None else sys.stdin.buffer.read(max_bytes + 1)
        if max_bytes is not None and len(raw) > max_bytes:
            raise InputError(f"<stdin>: larger than the {_size(max_bytes)} article limit "
                             "(raise it with --max-article-size)")
        p = Path("<stdin>")
    else:
        p = Path(path)
        raw = read_regular_file(p, max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{p}: not UTF-8 (invalid byte 0x{raw[err.start]:02x} at offset {err.start})") from err
    _refuse_control(text, str(p))
    article = parse_article(text, str(p))
    if article.identity is None and str(path) != "-":
        article.identity = path_identity(relative_name(path, root))
    return article


def relative_name(path: str | Path, root: str | Path | None = None) -> str:
    """``path`` relative to ``root`` (default: the current directory), POSIX, NFC: the name that
    identifies an article without url or id. Links are not followed (the name as given counts);
    a file outside ``root`` is named with "../" steps."""
    absolute = os.path.abspath(path)
    base = os.path.abspath(root if root is not None else os.curdir)
    return unicodedata.normalize("NFC", Path(os.path.relpath(absolute, base)).as_posix())


def path_identity(name: str) -> str:
    """``Article.identity`` for a POSIX path relative to the corpus root ("2021/a.txt")."""
    return "path:" + unicodedata.normalize("NFC", name)


def id_identity(value: str) -> str:
    """``Article.identity`` for a front-matter ``id``."""
    return "id:" + value


def _refuse_control(text: str, path: str) -> None:
    bad = _CONTROL.search(text)
    if bad is not None:
        char = bad.group()
        what = "a NUL byte" if char == "\0" else f"control character U+{ord(char):04X}"
        raise InputError(f"{path}: not a text article: {what} at character {bad.start()}")


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
    if meta.get("id") is not None:
        article.identity = id_identity(meta["id"])
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
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise InputError(f"{path}: front matter is {len(block):,} characters, more than the "
                         f"{MAX_FRONT_MATTER_CHARS:,} allowed")
    body = text[first_nl + 1 + close.end():]
    body = body[1:] if body.startswith("\n") else body
    return _parse_meta(block, path), body


def _flow_depth(block: str) -> int:
    """How deep ``[`` / ``{`` nest in a YAML block (quotes ignored: an upper bound is enough)."""
    depth = deepest = 0
    for char in block:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def _parse_meta(block: str, path: str) -> dict[str, Any]:
    # PyYAML recurses per nesting level: refuse deep nesting before it overflows the stack.
    if _flow_depth(block) > MAX_FRONT_MATTER_DEPTH:
        raise InputError(f"{path}: front matter nests deeper than {MAX_FRONT_MATTER_DEPTH} levels")
    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 2}" if mark is not None else ""  # +1 for 0-based, +1 for the '---' line
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise InputError(f"{path}:{where} broken front matter: {problem}") from err
    except RecursionError:
        raise InputError(f"{path}: front matter nests too deeply") from None
    except (ValueError, OverflowError) as err:  # a timestamp like 2021-13-45 fails in the constructor
        raise InputError(f"{path}: broken front matter: not a valid date or number ({err})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: front matter must be a mapping of keys to values, not {type(data).__name__}")
    if len(data) > MAX_FRONT_MATTER_KEYS:
        raise InputError(f"{path}: front matter has {len(data):,} keys, more than the "
                         f"{MAX_FRONT_MATTER_KEYS} allowed")
    meta: dict[str, Any] = {}
    for key in _FRONT_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if key == "published":
            meta[key] = _meta_date(value, path)
        elif key == "url":
            meta[key] = _meta_url(value, path)
        else:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise InputError(f"{path}: front matter '{key}' must be text")
            meta[key] = unicodedata.normalize("NFC", str(value)).strip() or None
    if data.get("id") is not None:
        meta["id"] = _meta_id(data["id"], path)
    return meta


def _meta_id(value: Any, path: str) -> str | None:
    """The article's own identifier ("vov-2021-0153", 153): it keys the IRI when there is no url."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{path}: front matter 'id' must be text or a whole number, not {value!r}")
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not text:
        return None
    if len(text) > MAX_ID_CHARS or "\n" in text:
        raise InputError(f"{path}: front matter 'id' must be one line of at most {MAX_ID_CHARS} characters")
    return text


def _meta_url(value: Any, path: str) -> str | None:
    """The article's url becomes an IRI in the graph: only an absolute http(s) IRI will do."""
    if not isinstance(value, str):
        raise InputError(f"{path}: front matter 'url' must be text (an absolute http(s) IRI), not {value!r}")
    url = unicodedata.normalize("NFC", value).strip()
    if not url:
        return None
    if _HTTP_IRI.fullmatch(url) is None:
        shown = url if len(url) <= 80 else url[:77] + "..."
        raise InputError(f"{path}: front matter 'url' is not an absolute http(s) IRI: {shown!r}")
    return url


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
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    raise InputError(f"{path}: front matter 'published' is not an ISO date (YYYY-MM-DD): {shown}")


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


def _is_credit_line(line: str) -> bool:
    """A short standalone line that is only a photo credit or placeholder ("Ảnh: TTXVN", "Hình ảnh
    tại hội nghị"): it states nothing, so all of it is debris."""
    words = _WORD.findall(line)
    if not words or len(words) > 14 or len(line) > 120 or re.search(r"[.!?]\s+\S", line.rstrip(". ")):
        return False
    return line.startswith(_debris_words().get("caption_open", ()))


def _credit(line: _Line) -> Span | None:
    """The photo credit closing a caption ("… tại hội nghị. Ảnh: N.H", "… - Ảnh: TTXVN",
    "… (Ảnh: Minh Anh)"). A caption is text (a role or meeting stated only there counts), but
    the credit names a photographer or agency, not a participant, so only it is debris."""
    s = line.text
    if len(_WORD.findall(s)) > 40 or len(s) > 300:
        return None  # a paragraph quoting "ảnh:" is content, not a caption
    found = [(s.find(mark), mark) for mark in _debris_words().get("caption_mark", ()) if mark in s]
    if not found:
        return None
    start, mark = min(found)
    end = len(s)
    if mark.startswith("("):
        close = s.find(")", start)
        end = close + 1 if close >= 0 else end
    while start > 0 and s[start - 1] in " -–—":  # the dash joining the credit goes with it
        start -= 1
    text = s[start:end].strip()
    offset = line.start + start + (len(s[start:end]) - len(s[start:end].lstrip()))
    return Span(offset, offset + len(text), text) if text else None


def _debris(lines: list[_Line]) -> tuple[list[Span], date | None]:
    ignored: list[Span] = []
    first_date: date | None = None
    for line in lines:
        s = line.stripped
        if not s:
            continue
        m = _dateline_match(s)
        if m:
            ignored.append(line.span())
            first_date = first_date or _dateline_date(m)
        elif _is_token(s) or _is_credit_line(s):
            ignored.append(line.span())
        else:
            credit = _credit(line)
            if credit is not None:
                ignored.append(credit)
            tag = _SOURCE_TAG.match(s)
            if tag:
                sp = line.span()
                ignored.append(Span(sp.start, sp.start + len(tag.group().rstrip()), tag.group().rstrip()))
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
