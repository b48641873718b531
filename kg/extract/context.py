"""The state one extraction shares between recognisers: texts, sentences, entities by key.

Recognisers add entities through ``Context``; the same key twice is one entity whose
mentions are merged. ``Context.result`` sorts everything (first mention, then key),
so the output does not depend on the order recognisers ran in.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from kg.extract import canonical, noise
from kg.model import (
    ENTITY_GROUPS,
    Article,
    Assembly,
    Document,
    EntityKey,
    Extraction,
    Holding,
    Meeting,
    Organization,
    Participation,
    Person,
    Place,
    Reference,
    Span,
    Term,
)
from kg.text import masked_text

# No sentence ends after the abbreviations written before names and places ("TS. Lê Văn A", "Tp. Huế").
_NO_END = "".join(rf"(?<!{a})" for a in (r"\bTp\.", r"\bTP\.", r"\bTS\.", r"\bGS\.", r"ThS\.", r"\bPGS\.",
                                         r"\bNXB\.", r"\bTh\.", r"\bTX\.", r"\bđ/c\.", r"TSKH\."))
_SENTENCE_END = re.compile(rf"(?<=[.!?…]){_NO_END}[\"”’)]*\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9])|\n+")


class IntervalIndex:
    """Point and range questions on (start, end, …) tuples in O(log n) rather than a scan of all:
    "is pos inside one of them", "which start in [s, e)". Recognisers ask these once per match, so
    a scan would make extraction quadratic in the number of entities."""

    def __init__(self, items) -> None:
        self.items = sorted(items, key=lambda it: (it[0], it[1]))
        self.starts = [it[0] for it in self.items]
        self.reach: list[int] = []  # reach[i]: the furthest end among items[: i + 1]
        furthest = -1
        for it in self.items:
            furthest = max(furthest, it[1])
            self.reach.append(furthest)

    def covers(self, pos: int, *, strict: bool = False) -> bool:
        """Some item has start <= pos < end (strict: start < pos < end)."""
        # items[: i + 1] are exactly those starting before pos (at or before, unless strict)
        i = (bisect.bisect_left if strict else bisect.bisect_right)(self.starts, pos) - 1
        return i >= 0 and self.reach[i] > pos

    def starting_in(self, start: int, end: int) -> list:
        """The items whose start lies in [start, end), in order of start."""
        return self.items[bisect.bisect_left(self.starts, start):bisect.bisect_left(self.starts, end)]


@dataclass
class BodyRef:
    """A body recognised at text[start:end]; ``parent`` a compound's inner body."""

    start: int
    end: int
    name: str
    category: str
    parent: BodyRef | None = None
    default_parent: str | None = None  # canonical name from the gazetteer

    @property
    def key(self) -> str:
        return canonical.org_key(self.name)


@dataclass
class Context:
    article: Article
    text: str = ""
    mtext: str = ""  # matching text (see kg.extract.canonical)
    locality: canonical.PlaceEntry | None = None
    known_names: set[str] = field(default_factory=set)  # canonical body names seen in the article
    districts: dict[str, set[str]] = field(default_factory=dict)  # "quận" → {"Ba Đình"}: local places named
    body_refs: list[BodyRef] = field(default_factory=list)
    body_terms: dict[str, str] = field(default_factory=dict)  # org key → term key stated beside it
    person_spans: list[tuple[int, int, str]] = field(default_factory=list)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    holdings: dict[tuple, Holding] = field(default_factory=dict)
    participations: dict[tuple, Participation] = field(default_factory=dict)
    references: dict[tuple, Reference] = field(default_factory=dict)
    bare: list[tuple[str, int, Span]] = field(default_factory=list)  # assemblies written without a body
    _sentences: list[tuple[int, int]] | None = None
    _sentence_starts: list[int] | None = None
    _newlines: list[int] | None = None  # offsets of "\n" in mtext, for paragraph_at
    # (group, key) → the spans already recorded: a membership test on a list would make
    # an article that names one entity N times cost N² (a 1.6 MB one-line article: minutes).
    _mention_sets: dict[tuple[str, str], set[Span]] = field(default_factory=dict)
    _indexes: dict[str, tuple[int, IntervalIndex]] = field(default_factory=dict)
    view: noise.View | None = None  # how text relates to article.text (None: they are the same)

    @classmethod
    def of(cls, article: Article) -> Context:
        """Recognisers read a view of the text with scraping glue undone (kg.extract.noise): same
        API, and ``result`` takes every span back to the article text as kept."""
        v = noise.view(article.text)
        ctx = cls(article=article, text=v.text, mtext=canonical.matching_text(v.apply(masked_text(article))))
        ctx.view = v
        return ctx

    # --- text helpers ------------------------------------------------------------

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])

    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) of each sentence of the matching text, blanks trimmed."""
        if self._sentences is None:
            out, pos = [], 0
            for m in _SENTENCE_END.finditer(self.mtext):
                out.append((pos, m.start()))
                pos = m.end()
            out.append((pos, len(self.mtext)))
            self._sentences = [self._trim(s, e) for s, e in out if self.mtext[s:e].strip()]
        return self._sentences

    def _trim(self, s: int, e: int) -> tuple[int, int]:
        seg = self.mtext[s:e]
        return s + (len(seg) - len(seg.lstrip())), s + len(seg.rstrip())

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The sentence holding pos (or ending at it); (pos, pos) between sentences. Binary search:
        recognisers ask once per mention."""
        sentences = self.sentences()
        if self._sentence_starts is None:
            self._sentence_starts = [s for s, _ in sentences]
        i = bisect.bisect_right(self._sentence_starts, pos) - 1
        # pos may be the end of sentence i - 1 when sentence i starts right there (no blank between)
        for j in (i - 1, i) if i > 0 and sentences[i - 1][1] == pos else (i,):
            if j >= 0 and sentences[j][0] <= pos <= sentences[j][1]:
                return sentences[j]
        return pos, pos

    def _index(self, name: str, items: list) -> IntervalIndex:
        """An IntervalIndex of a growing list, rebuilt only when the list has grown."""
        cached = self._indexes.get(name)
        if cached is None or cached[0] != len(items):
            rows = [(r.start, r.end, r) for r in items] if name == "bodies" else items
            cached = self._indexes[name] = (len(items), IntervalIndex(rows))
        return cached[1]

    @staticmethod
    def interval_index(items: list) -> IntervalIndex:
        """An IntervalIndex of (start, end, …) tuples, for a recogniser's own spans."""
        return IntervalIndex(items)

    def inside_body(self, pos: int) -> bool:
        """pos lies strictly inside a recognised body name."""
        return self._index("bodies", self.body_refs).covers(pos, strict=True)

    def body_refs_in(self, start: int, end: int) -> list[BodyRef]:
        """The recognised bodies starting in [start, end), in text order."""
        return [row[2] for row in self._index("bodies", self.body_refs).starting_in(start, end)]

    def in_person(self, pos: int) -> bool:
        """pos lies within a person's name (start <= pos < end)."""
        return self._index("people", self.person_spans).covers(pos)

    def person_spans_in(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The person names starting in [start, end), in text order."""
        return self._index("people", self.person_spans).starting_in(start, end)

    def paragraph_at(self, pos: int) -> tuple[int, int]:
        """The line holding pos. Binary search over the newlines: a search for the nearest ones would
        scan a one-line article whole on every call."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.mtext)]
        i = bisect.bisect_left(self._newlines, pos)
        start = self._newlines[i - 1] + 1 if i > 0 else 0
        return start, self._newlines[i] if i < len(self._newlines) else len(self.mtext)

    # --- entities -------------------------------------------------------------------

    def _add(self, group: str, key: str, factory, span: Span | None) -> Any:
        bucket = self.entities.setdefault(group, {})
        entity = bucket.get(key)
        if entity is None:
            entity = bucket[key] = factory()
        if span is not None:
            seen = self._mention_sets.get((group, key))
            if seen is None or len(seen) != len(entity.mentions):  # a recogniser edited the list itself
                seen = self._mention_sets[(group, key)] = set(entity.mentions)
            if span not in seen:
                seen.add(span)
                entity.mentions.append(span)
        return entity

    def add_org(self, ref: BodyRef, *, mention: bool = True) -> Organization:
        """Register a body (and its parents); returns the Organization."""
        parent_key = None
        if ref.parent is not None:
            parent_key = self.add_org(ref.parent).key
        elif ref.default_parent:
            parent_key = self.add_default(ref.default_parent)
        span = self.span(ref.start, ref.end) if mention else None
        org = self._add("organizations", ref.key,
                        lambda: Organization(key=ref.key, name=ref.name, category=ref.category), span)
        if org.parent is None and parent_key != org.key:
            org.parent = parent_key
        typo = span is not None and span.text in dict(canonical.misspellings())
        if span is not None and not typo and span.text != org.name and span.text not in org.alt_names:
            org.alt_names.append(span.text)
        self.known_names.add(ref.name)
        return org

    def add_default(self, name: str) -> str:
        """A gazetteer body added without a mention (a default parent or a post's default body)."""
        entry = canonical.bodies().entries.get(name)
        category = entry.category if entry else "other"
        ref = BodyRef(0, 0, name, category, default_parent=entry.parent if entry else None)
        return self.add_org(ref, mention=False).key

    def add_person(self, name: str, span: Span) -> Person:
        key = str(EntityKey("person", canonical.slug(name)))
        person = self._add("people", key, lambda: Person(key=key, name=name), span)
        self.person_spans.append((span.start, span.end, key))
        return person

    def add_place(self, name: str, span: Span | None) -> Place:
        key = str(EntityKey("place", canonical.slug(name)))
        return self._add("places", key, lambda: Place(key=key, name=name), span)

    def add_term(self, body_key: str | None, label: str, number: int | None, years: tuple[int, int] | None,
                 span: Span | None) -> Term:
        owner = EntityKey.parse(body_key).local if body_key else "unknown"
        key = str(EntityKey("term", f"{owner}/{canonical.slug(label)}"))
        start, end = years if years else (None, None)
        return self._add("terms", key, lambda: Term(key=key, label=label, number=number, start_year=start,
                                                    end_year=end, body=body_key), span)

    def add_document(self, doc: Document, span: Span) -> Document:
        existing = self._add("documents", doc.key, lambda: doc, span)
        for attr in ("issuer", "title", "date", "issuer_term"):
            if getattr(existing, attr) is None and getattr(doc, attr) is not None:
                setattr(existing, attr, getattr(doc, attr))
        return existing

    def add_assembly(self, assembly: Assembly, span: Span) -> Assembly:
        existing = self._add("assemblies", assembly.key, lambda: assembly, span)
        if existing.term is None:
            existing.term = assembly.term
        return existing

    def add_meeting(self, meeting: Meeting, span: Span) -> Meeting:
        return self._add("meetings", meeting.key, lambda: meeting, span)

    def group(self, name: str) -> dict[str, Any]:
        return self.entities.get(name, {})

    def add_holding(self, person: str, role: str, org: str | None, evidence: Span, former: bool = False) -> None:
        holding = self.holdings.setdefault((person, role, org), Holding(person, role, org, evidence, former))
        if not former:
            holding.former = False  # also written as current

    def add_participation(self, meeting: str, person: str, role: str, evidence: Span) -> None:
        self.participations.setdefault((meeting, person, role), Participation(meeting, person, role, evidence))

    def add_reference(self, subject: str, document: str, evidence: Span) -> None:
        self.references.setdefault((subject, document), Reference(subject, document, evidence))

    # --- result -----------------------------------------------------------------------

    def result(self) -> Extraction:
        original = self._to_original()

        def ordered(name: str) -> list[Any]:
            items = [original(item) for item in self.group(name).values()]
            for item in items:
                item.mentions.sort()
            big = len(self.article.text) + 1
            return sorted(items, key=lambda e: (e.mentions[0].start if e.mentions else big, e.key))

        def by_evidence(rel: dict) -> list[Any]:
            return sorted((original(r) for r in rel.values()),
                          key=lambda r: (r.evidence.start, r.evidence.end, tuple(str(v) for v in vars(r).values())))

        return Extraction(
            article=self.article,
            **{group: ordered(group) for group in ENTITY_GROUPS}, holdings=by_evidence(self.holdings),
            participations=by_evidence(self.participations), references=by_evidence(self.references),
        )

    def _to_original(self):
        """A function giving an entity or relation with its spans in article offsets (a copy when the
        view differs from the text; the object itself when they are the same)."""
        v = self.view
        if v is None or not v.inserted:
            return lambda item: item
        text = self.article.text

        def span(sp: Span) -> Span:
            start, end = v.to_original(sp.start), v.to_original(sp.end)
            return Span(start, end, text[start:end])

        def original(item: Any) -> Any:
            if hasattr(item, "evidence"):
                return dataclasses.replace(item, evidence=span(item.evidence))
            return dataclasses.replace(item, mentions=sorted({span(sp) for sp in item.mentions}))
        return original
