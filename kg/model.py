"""Plain data passed between the pipeline stages.

text (kg.text) → extract (kg.extract) → **model** → map (kg.map) → validate → serialize.

Everything here is a dataclass of strings, ints and dates, so an extraction can be
written as JSON (``kg extract``), compared in tests and built by hand.

Offsets are code-point offsets into ``Article.text`` (the NFC-normalised text,
front matter removed), end exclusive, as in W3C Web Annotation
``TextPositionSelector`` and NIF ``beginIndex``/``endIndex``.

Entities refer to each other by ``key``: a stable, readable string such as
``"org:ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"`` derived from the canonical name
(kg.iri.slug), so the same body named twice in one article is one entity, and
kg.map turns the same key into the same IRI in every article.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    """A piece of the article text: ``Article.text[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass
class Article:
    """One news article, read and normalised (kg.text.read_article)."""

    path: str  # where it was read from, for error messages and provenance
    text: str  # NFC body; all offsets refer to this string
    title: str | None = None
    published: date | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    language: str = "vi"
    # Spans of ``text`` that are scraping debris ("leftcenterrightdel", photo
    # captions, dateline stamps): kept in ``text`` so offsets do not shift, but
    # the extractors do not look inside them.
    ignored: list[Span] = field(default_factory=list)
    content_hash: str = ""  # sha256 of ``text`` (hex); keys the article's IRI when there is no url
    # What keys the IRI when there is no url (kg.iri.article_id): "id:<front-matter id>", else
    # "path:<POSIX path relative to the corpus root>"; None (stdin, text in memory): the text does.
    identity: str | None = None


# --- entities -------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class EntityKey:
    """An entity's key taken apart: ``kind`` ("org") and ``local`` ("dang-uy-khoi"); as text
    (``str(key)``) "org:dang-uy-khoi", the form the entities' ``key`` fields and references hold.

    kg.iri.key_to_iri maps the kind to the IRI's folder; the local part is a slug, maybe with
    "/"-separated parts ("term:ban-chap-hanh-trung-uong/xii"), never a ":" before it.
    """

    kind: str
    local: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.local}"

    @classmethod
    def parse(cls, key: str) -> EntityKey:
        """EntityKey("org", "dang-uy-khoi") from "org:dang-uy-khoi"; ValueError for text that is no key."""
        kind, sep, local = key.partition(":")
        if not (kind and sep and local):
            raise ValueError(f"not an entity key: {key!r}")
        return cls(kind, local)


@dataclass
class Person:
    key: str  # "person:nguyen-minh-chung"
    name: str  # as written, family name first: "Nguyễn Minh Chung"
    mentions: list[Span] = field(default_factory=list)


@dataclass
class Organization:
    key: str  # "org:ban-tuyeen-giaso-ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"
    name: str  # canonical full name, abbreviations and short forms expanded
    # One of: party, party-committee, party-organization, leadership-body,
    # commission, inspection-commission, state-body, government, mass-organization,
    # other (see gazetteers/bodies.tsv); kg.map picks the ontology class from it.
    category: str = "other"
    parent: str | None = None  # key of the body it is part of, where the text makes it plain
    alt_names: list[str] = field(default_factory=list)  # other surface forms seen ("Đảng ủy Khối")
    mentions: list[Span] = field(default_factory=list)


@dataclass
class Term:
    """A term of office: "khóa XII" (numbered) or "nhiệm kỳ 2020-2025" (years)."""

    key: str  # "term:ban-chap-hanh-trung-uong/xii" or "term:dang-bo-khoi-.../2020-2025"
    label: str  # "XII" or "2020-2025": how the CQs show it
    number: int | None = None  # 12 for "khóa XII"
    start_year: int | None = None
    end_year: int | None = None  # kept as written even when it is before start_year
    body: str | None = None  # key of the body whose term it is
    mentions: list[Span] = field(default_factory=list)


@dataclass
class Document:
    """A numbered party or state document: "Chỉ thị số 05-CT/TW"."""

    key: str  # "doc:05-ct-tw" (+ issuer slug when the number alone is ambiguous)
    number: str  # as written in full: "05-CT/TW", "08-QĐi/TW"
    doc_type: str  # Resolution, Directive, Regulation, Decision, Conclusion,
    #                Instruction, Programme, Scheme, Plan, Notice, Report
    issuer: str | None = None  # key of the issuing body
    title: str | None = None  # the quoted title, where the text gives one
    date: date | None = None  # date of the document, where given ("ngày 29-1-2021")
    issuer_term: str | None = None  # key of a Term given after the issuer, "(khóa VIII)"
    mentions: list[Span] = field(default_factory=list)


class AssemblyKind(str, Enum):
    """The kinds of Assembly, each the pg: class of the same name (kg.map). A str: it compares,
    hashes, formats and serialises as its value, the bare string it replaces."""

    CONGRESS = "Congress"
    PLENUM = "Plenum"
    SESSION = "Session"
    ELECTION = "Election"

    def __str__(self) -> str:  # "Plenum", not "AssemblyKind.PLENUM"
        return self.value


@dataclass
class Assembly:
    """A congress, plenum, session or election the article refers to."""

    key: str
    kind: AssemblyKind  # Congress | Plenum | Session | Election (a plain str of these is accepted too)
    ordinal: int | None = None  # "lần thứ XIII" → 13, "kỳ họp thứ 9" → 9
    body: str | None = None  # key of the body holding it
    term: str | None = None  # key of a Term
    date: date | None = None
    mentions: list[Span] = field(default_factory=list)


@dataclass
class Place:
    key: str  # "place:ha-noi"
    name: str
    mentions: list[Span] = field(default_factory=list)


@dataclass
class Meeting:
    """An event the article reports as happening (a conference, a working session)."""

    key: str
    name: str  # "Hội nghị tổng kết công tác tuyên giáo năm 2020, triển khai nhiệm vụ năm 2021"
    date: date | None = None
    end_date: date | None = None
    place: str | None = None  # key of a Place
    organizer: str | None = None  # key of an Organization
    mentions: list[Span] = field(default_factory=list)


# --- relations (each with the text it came from) ---------------------------------


@dataclass
class Holding:
    """A person holds a post in a body: (Lại Xuân Lâm, "Phó Bí thư", Đảng ủy Khối …)."""

    person: str  # key
    role: str  # the role words as canonical text: "Phó Bí thư", "Trưởng Ban", "Ủy viên"
    organization: str | None  # key; None for posts that stand alone in the text
    evidence: Span
    former: bool = False  # written as held formerly ("nguyên Giám đốc Sở A") and nowhere as current


@dataclass
class Participation:
    """What a named person did at a meeting: chair, report, speech, attendee."""

    meeting: str  # key
    person: str  # key
    role: str  # chair | report | speech | attendee
    evidence: Span


@dataclass
class Reference:
    """A meeting (or assembly) discussed a document, or an entity is otherwise linked."""

    subject: str  # key of a Meeting
    document: str  # key of a Document
    evidence: Span


@dataclass
class Appointment:
    """A personnel decision the article states: a person elected, appointed, assigned (điều động,
    chỉ định), approved (phê chuẩn kết quả bầu), relieved, retired or disciplined, for a post."""

    person: str  # key
    kind: str  # elected | appointed | assigned | approved | relieved | retired | disciplined
    role: str | None  # the post's role words ("Bí thư"); None when the text names no post (a sanction)
    organization: str | None  # key of the body the post is in
    evidence: Span
    date: date | None = None  # the date its sentence gives
    decided_by: str | None = None  # key of the deciding body ("Bộ Chính trị điều động …")
    decision: str | None = None  # key of the Decision the sentence names ("Quyết định số 123-QĐ/TW")


@dataclass
class Extraction:
    article: Article
    people: list[Person] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    assemblies: list[Assembly] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)

    def entity(self, key: str) -> Any:
        """The entity with this key, or KeyError."""
        for group in ENTITY_GROUPS:
            for item in getattr(self, group):
                if item.key == key:
                    return item
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings), the form ``kg extract`` prints."""
        return _jsonable(dataclasses.asdict(self))


def _groups_of(kind: str) -> tuple[str, ...]:
    """The Extraction fields that list items with a field ``kind`` ("key": entities; "evidence":
    relations), in the dataclass's order: derived, so a new group is declared once, above."""
    hints = typing.get_type_hints(Extraction)
    return tuple(f.name for f in dataclasses.fields(Extraction)
                 if typing.get_origin(hints[f.name]) is list
                 and kind in {g.name for g in dataclasses.fields(typing.get_args(hints[f.name])[0])})


ENTITY_GROUPS = _groups_of("key")  # ("people", "organizations", "terms", …, "meetings")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
