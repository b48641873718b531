"""Map one article's extraction to RDF: the party-governance graph (docs/ARCHITECTURE.md, RDF contract).

``to_graph(extraction)`` builds the article's named graph: the article (schema:NewsArticle,
nif:Context with the text), every entity typed with its pg: class and labelled @vi, n-ary
nodes for tenures and participations, mentions ``{article}#char=s,e`` as evidence, and copies of
the SKOS concepts used, so one exported file answers the competency questions alone.
No blank nodes: every node has a deterministic IRI (kg.iri).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef

from kg import iri as kiri
from kg import vietnamese
from kg.errors import KgError
from kg.model import Article, AssemblyKind, EntityKey, Extraction, Holding, Span
from kg.namespaces import (
    DCTERMS,
    ELI,
    GAF,
    NIF,
    ORG,
    PG,
    PGAPPT,
    PGDOC,
    PGPART,
    PGROLE,
    PGSTATE,
    PROV,
    SCHEMA,
    SKOS,
    bind,
    new_graph,
)
from kg.resources import ontology_dir

DEFAULT_BASE = kiri.DEFAULT_BASE

# Properties of a concept copied into each article graph (enough for the CQs and the shapes).
_CONCEPT_COPY = (RDF.type, SKOS.prefLabel, SKOS.notation, SKOS.inScheme)


# --- vocabularies (ontology/vocab/*.ttl), loaded once -------------------------------------


@lru_cache(maxsize=1)
def vocab_graph() -> Graph:
    """The SKOS concept schemes and the ontology, parsed once per process."""
    graph = new_graph()
    for path in sorted((ontology_dir() / "vocab").glob("*.ttl")):
        graph.parse(path, format="turtle")
    graph.parse(ontology_dir() / "pg.ttl", format="turtle")
    return graph


def fold(text: str) -> str:
    """Comparison key for labels (kg.vietnamese.match_key): role words match whichever tone
    placement and case the article uses."""
    return vietnamese.match_key(text)


def _index(scheme: URIRef, props: Iterable[URIRef]) -> dict[str, URIRef]:
    graph = vocab_graph()
    table: dict[str, URIRef] = {}
    for concept in sorted(graph.subjects(SKOS.inScheme, scheme)):
        for prop in props:
            for value in sorted(graph.objects(concept, prop)):
                table.setdefault(fold(str(value)), concept)
    return table


@lru_cache(maxsize=1)
def _roles() -> dict[str, URIRef]:
    # prefLabels first so an altLabel never shadows another concept's prefLabel.
    table = _index(URIRef(PGROLE), [SKOS.prefLabel])
    for key, concept in _index(URIRef(PGROLE), [SKOS.altLabel]).items():
        table.setdefault(key, concept)
    return table


@lru_cache(maxsize=1)
def _known_roles() -> frozenset[URIRef]:
    return frozenset(_roles().values())


@lru_cache(maxsize=1)
def _doctypes() -> dict[str, URIRef]:
    return _index(URIRef(PGDOC), [SKOS.prefLabel, SKOS.notation])


@lru_cache(maxsize=1)
def _participation_roles() -> dict[str, URIRef]:
    return _index(URIRef(PGPART), [SKOS.notation, SKOS.prefLabel, SKOS.altLabel])


@lru_cache(maxsize=1)
def _org_classes() -> dict[str, URIRef]:
    """Organization.category → ontology class, from pg:mapsToClass in vocab/orgtypes.ttl."""
    graph = vocab_graph()
    return {str(graph.value(concept, SKOS.notation)): URIRef(cls)
            for concept, cls in graph.subject_objects(PG.mapsToClass)}


@lru_cache(maxsize=1)
def _org_concepts() -> dict[str, URIRef]:
    graph = vocab_graph()
    return {str(graph.value(concept, SKOS.notation)): concept
            for concept in graph.subjects(PG.mapsToClass, None)}


def role_concept(role: str) -> URIRef:
    """The role concept whose prefLabel/altLabel matches ``role``; minted from its slug when unknown."""
    return _roles().get(fold(role)) or URIRef(PGROLE + kiri.slug(role))


def vi_label(node: URIRef) -> str | None:
    """The @vi label of a vocabulary or ontology term (skos:prefLabel, else rdfs:label)."""
    graph = vocab_graph()
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, prop):
            if getattr(value, "language", None) == "vi":
                return str(value)
    return None


# --- the builder -----------------------------------------------------------------------------


class _Builder:
    """Holds the graph being built and the article's IRIs while one extraction is mapped."""

    def __init__(self, extraction: Extraction, base: str):
        self.x = extraction
        self.base = kiri.normalise_base(base)
        article = extraction.article
        self.article_id = kiri.article_id(article.url, article.content_hash or _sha256(article.text), article.identity)
        self.article = URIRef(kiri.article_iri(self.article_id, self.base))
        self.graph = new_graph(URIRef(kiri.graph_iri(self.article_id, self.base)))
        self.concepts: dict[URIRef, str | None] = {}  # used concept → label to emit when minted
        self._names: dict[str, str] = {}
        self._decided: dict[tuple, str] | None = None  # see _stated_by_decision

    # helpers ----------------------------------------------------------------------------
    def add(self, s: URIRef, p: URIRef, o) -> None:
        self.graph.add((s, p, o))

    def node(self, key: str | EntityKey) -> URIRef:
        try:
            return URIRef(kiri.key_to_iri(str(key), self.base))
        except ValueError as err:
            raise KgError(f"{self.x.article.path}: extraction has a bad entity key: {err}") from err

    def item(self, key: str | None):
        """The extracted entity with this key, or None."""
        if key is None:
            return None
        try:
            return self.x.entity(key)
        except KeyError:
            return None

    def name(self, key: str | None) -> str | None:
        """Display name of an entity key (canonical name / term label), None when unknown."""
        if key not in self._names:
            item = self.item(key)
            if item is None:
                return None
            self._names[key] = getattr(item, "name", None) or getattr(item, "label", None) or key
        return self._names[key]

    def mention(self, span: Span) -> URIRef:
        node = URIRef(kiri.mention_iri(str(self.article), span.start, span.end))
        self.add(node, RDF.type, NIF.String)
        self.add(node, NIF.beginIndex, Literal(span.start, datatype=XSD.integer))
        self.add(node, NIF.endIndex, Literal(span.end, datatype=XSD.integer))
        self.add(node, NIF.anchorOf, Literal(span.text))
        self.add(node, NIF.referenceContext, self.article)
        return node

    def entity(self, node: URIRef, types: Iterable[URIRef], label: str,
               spans: Iterable[Span], listed: bool = True) -> None:
        """Type, label, provenance and evidence shared by every entity and relation node."""
        for cls in types:
            self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, Literal(label, lang="vi"))
        self.add(node, PROV.wasDerivedFrom, self.article)
        spans = list(spans)
        for span in spans:
            self.add(node, GAF.denotedBy, self.mention(span))
        # Only what the text names is "mentioned"; a body known only as a gazetteer
        # parent (Đảng Cộng sản Việt Nam above Ban Chấp hành Trung ương) is background.
        if listed and spans:
            self.add(self.article, SCHEMA.mentions, node)

    def use_concept(self, concept: URIRef, minted_label: str | None = None) -> URIRef:
        self.concepts.setdefault(concept, minted_label)
        return concept

    def attested_on(self) -> date | None:
        dated = [m.date for m in self.x.meetings if m.date is not None]
        return dated[0] if len(dated) == 1 else self.x.article.published


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- one function per part of the contract --------------------------------------------


def _article(b: _Builder, article: Article) -> None:
    node = b.article
    b.add(node, RDF.type, SCHEMA.NewsArticle)
    b.add(node, RDF.type, NIF.Context)
    label = article.title or _opening(article.text) or f"Bài báo {b.article_id}"
    b.add(node, RDFS.label, Literal(label, lang=article.language or "vi"))
    if article.title:
        b.add(node, SCHEMA.headline, Literal(article.title, lang=article.language or "vi"))
    if article.published:
        b.add(node, SCHEMA.datePublished, Literal(article.published))
    if article.url:
        b.add(node, SCHEMA.url, URIRef(article.url))
    if article.author:
        b.add(node, SCHEMA.author, Literal(article.author))
    if article.source:
        b.add(node, DCTERMS.source, Literal(article.source))
    b.add(node, SCHEMA.inLanguage, Literal(article.language or "vi"))
    b.add(node, NIF.isString, Literal(article.text))
    b.add(node, NIF.beginIndex, Literal(0, datatype=XSD.integer))
    b.add(node, NIF.endIndex, Literal(len(article.text), datatype=XSD.integer))


def _opening(text: str, limit: int = 90) -> str:
    """A display label for an article without a headline: its opening words."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    sentence = first.split(". ")[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _people(b: _Builder) -> None:
    for person in b.x.people:
        node = b.node(person.key)
        b.entity(node, [PG.Person], person.name, person.mentions)
        b.add(node, SCHEMA.name, Literal(person.name, lang="vi"))


def _organizations(b: _Builder) -> None:
    classes, concepts = _org_classes(), _org_concepts()
    for org in b.x.organizations:
        node = b.node(org.key)
        category = org.category if org.category in classes else "other"
        types = sorted({PG.Organization, classes[category]})
        b.entity(node, types, org.name, org.mentions)
        b.add(node, ORG.classification, b.use_concept(concepts[category]))
        for alt in sorted(set(org.alt_names) - {org.name}):
            b.add(node, SKOS.altLabel, Literal(alt, lang="vi"))
        if org.parent:
            b.add(node, ORG.subOrganizationOf, b.node(org.parent))


def _terms(b: _Builder) -> None:
    for term in b.x.terms:
        node = b.node(term.key)
        word = "khóa" if term.number is not None else "nhiệm kỳ"
        label = " ".join(p for p in (b.name(term.body), word, term.label) if p)
        b.entity(node, [PG.Term], label, term.mentions)
        b.add(node, SKOS.notation, Literal(term.label))
        if term.number is not None:
            b.add(node, PG.termNumber, Literal(term.number, datatype=XSD.integer))
        # Years kept as written, even when the end is before the start: SHACL warns.
        if term.start_year is not None:
            b.add(node, PG.startYear, Literal(term.start_year, datatype=XSD.integer))
        if term.end_year is not None:
            b.add(node, PG.endYear, Literal(term.end_year, datatype=XSD.integer))
        if term.body:
            b.add(node, PG.ofBody, b.node(term.body))


def _doctype(name: str) -> tuple[URIRef, str | None]:
    concept = _doctypes().get(fold(name))
    return (concept, None) if concept else (URIRef(PGDOC + kiri.slug(name)), name)


def _documents(b: _Builder) -> None:
    for doc in b.x.documents:
        node = b.node(doc.key)
        concept, minted = _doctype(doc.doc_type)
        b.use_concept(concept, minted)
        label = f"{vi_label(concept) or doc.doc_type} {doc.number}"
        b.entity(node, [PG.Document], label, doc.mentions)
        b.add(node, ELI.id_local, Literal(doc.number))
        b.add(node, ELI.type_document, concept)
        if doc.issuer:
            b.add(node, ELI.passed_by, b.node(doc.issuer))
        if doc.title:
            b.add(node, ELI.title, Literal(doc.title, lang="vi"))
        if doc.date:
            b.add(node, ELI.date_document, Literal(doc.date))
        if doc.issuer_term:
            b.add(node, PG.issuerTerm, b.node(doc.issuer_term))


_ASSEMBLY_KINDS = frozenset(k.value for k in AssemblyKind)


def _assemblies(b: _Builder) -> None:
    for item in b.x.assemblies:
        node = b.node(item.key)
        cls = PG[item.kind] if item.kind in _ASSEMBLY_KINDS else PG.Assembly
        parts = [vi_label(cls) or item.kind]
        if item.ordinal is not None:
            parts.append(f"lần thứ {item.ordinal}")
        parts.append(b.name(item.body) or "")
        term = b.item(item.term)
        if term is not None:
            parts.append(f"({'khóa' if term.number is not None else 'nhiệm kỳ'} {term.label})")
        b.entity(node, sorted({PG.Assembly, cls}), " ".join(p for p in parts if p), item.mentions)
        if item.ordinal is not None:
            b.add(node, PG.ordinal, Literal(item.ordinal, datatype=XSD.integer))
        if item.body:
            b.add(node, PG.ofBody, b.node(item.body))
        if item.term:
            b.add(node, PG["term"], b.node(item.term))
        if item.date:
            b.add(node, SCHEMA.startDate, Literal(item.date))


def _places(b: _Builder) -> None:
    for place in b.x.places:
        node = b.node(place.key)
        b.entity(node, [PG.Place], place.name, place.mentions)
        b.add(node, SCHEMA.name, Literal(place.name, lang="vi"))


def _meetings(b: _Builder) -> None:
    for meeting in b.x.meetings:
        node = b.node(meeting.key)
        b.entity(node, [PG.Meeting], meeting.name, meeting.mentions)
        b.add(node, SCHEMA.name, Literal(meeting.name, lang="vi"))
        if meeting.date:
            b.add(node, SCHEMA.startDate, Literal(meeting.date))
        if meeting.end_date:
            b.add(node, SCHEMA.endDate, Literal(meeting.end_date))
        if meeting.place:
            b.add(node, SCHEMA.location, b.node(meeting.place))
        if meeting.organizer:
            b.add(node, SCHEMA.organizer, b.node(meeting.organizer))
    for ref in b.x.references:
        b.add(b.node(ref.subject), SCHEMA.about, b.node(ref.document))


def _holdings(b: _Builder) -> None:
    attested = b.attested_on()
    for holding in b.x.holdings:
        concept = role_concept(holding.role)
        b.use_concept(concept, None if concept in _known_roles() else holding.role)
        role = vi_label(concept) or holding.role
        post = _post(b, holding, concept, role)
        _tenure(b, holding, concept, role, post, attested)


def _post(b: _Builder, holding: Holding, concept: URIRef, role: str) -> URIRef:
    """The post (role + body), shared by everyone who holds it; the person org:holds it."""
    post = _post_iri(b, concept, holding.organization)
    label = post_label(role, b.name(holding.organization))
    b.entity(post, [PG.Post], label, [holding.evidence], listed=False)
    b.add(post, ORG.role, concept)
    if holding.organization:
        b.add(post, ORG.postIn, b.node(holding.organization))
    b.add(b.node(holding.person), ORG.holds, post)
    return post


def _tenure(b: _Builder, holding: Holding, concept: URIRef, role: str, post: URIRef,
            attested: date | None) -> None:
    """The n-ary tenure; its IRI hashes person, role and body, so it is the same in every article."""
    org_key = holding.organization
    tenure = b.node(tenure_key(holding.person, role, org_key))
    org_name = b.name(org_key)
    label = f"{b.name(holding.person) or holding.person} – {role}" + (f" – {org_name}" if org_name else "")
    b.entity(tenure, [PG.Tenure], label, [holding.evidence], listed=False)
    b.add(tenure, ORG.member, b.node(holding.person))
    b.add(tenure, ORG.role, concept)
    b.add(tenure, PG.post, post)
    if org_key:
        b.add(tenure, ORG.organization, b.node(org_key))
    _attestation(b, holding, tenure, label, attested)


def _attestation(b: _Builder, holding: Holding, tenure: URIRef, label: str, attested: date | None) -> None:
    """This article's word for the tenure: its date, evidence and how it is stated. The tenure is the
    same node in every article; dates live here, one per article, so a union of articles that show
    one person in one post on different days stays valid (and a timeline can be read off)."""
    org_key = holding.organization or ""
    node = b.node(attestation_key(b.article_id, holding.person, holding.role, org_key))
    stated = "former" if getattr(holding, "former", False) else "current"
    stated = _stated_by_decision(b).get((holding.person, holding.role, holding.organization), stated)
    dated = f" ({attested.isoformat()})" if attested else ""
    b.entity(node, [PG.Attestation], f"{label}{dated}", [holding.evidence], listed=False)
    b.add(node, PG.attests, tenure)
    b.add(node, PG.statedAs, b.use_concept(PGSTATE[stated]))
    if attested:
        b.add(node, PG.attestedOn, Literal(attested))


# A personnel decision states the post as newly taken up or given up (pgstate:elected / relieved).
_TAKES_UP = frozenset({"elected", "appointed", "assigned", "approved"})


def _stated_by_decision(b: _Builder) -> dict[tuple, str]:
    """(person, role, org) → "elected" | "relieved" for the posts this article's decisions are about;
    when it states both for one post, the holding's own wording decides (see _attestation)."""
    if b._decided is None:
        kinds: dict[tuple, set[str]] = {}
        for item in b.x.appointments:
            # a warning or reprimand leaves the post held: only removal, release or retirement gives it up
            if item.role is not None and item.kind != "disciplined":
                word = "elected" if item.kind in _TAKES_UP else "relieved"
                kinds.setdefault((item.person, item.role, item.organization), set()).add(word)
        former = {(h.person, h.role, h.organization): h.former for h in b.x.holdings}
        b._decided = {key: (next(iter(words)) if len(words) == 1 else ("relieved" if former.get(key) else "elected"))
                      for key, words in kinds.items()}
    return b._decided


def _appointments(b: _Builder) -> None:
    """Each personnel decision: an event naming the person, the post, its kind, date, body and decision."""
    for item in b.x.appointments:
        node = b.node(appointment_key(b.article_id, item.person, item.role, item.organization, item.kind))
        kind = b.use_concept(PGAPPT[item.kind])
        parts = [b.name(item.person) or item.person, vi_label(kind) or item.kind]
        post = None
        if item.role is not None:
            concept = role_concept(item.role)
            post = _post_iri(b, concept, item.organization)
            role = vi_label(concept) or item.role
            parts.append(post_label(role, b.name(item.organization)))
            if (post, RDF.type, PG.Post) not in b.graph:  # a decision about a post no holding names
                b.use_concept(concept, None if concept in _known_roles() else item.role)
                b.entity(post, [PG.Post], post_label(role, b.name(item.organization)), [item.evidence], listed=False)
                b.add(post, ORG.role, concept)
                if item.organization:
                    b.add(post, ORG.postIn, b.node(item.organization))
        dated = f" ({item.date.isoformat()})" if item.date else ""
        b.entity(node, [PG.Appointment], " – ".join(parts) + dated, [item.evidence], listed=False)
        b.add(node, PG.appointee, b.node(item.person))
        b.add(node, PG.appointmentKind, kind)
        if post is not None:
            b.add(node, PG.post, post)
        if item.date:
            b.add(node, SCHEMA.startDate, Literal(item.date))
        if item.decided_by:
            b.add(node, PG.decidedBy, b.node(item.decided_by))
        if item.decision:
            b.add(node, PG.decision, b.node(item.decision))


def post_label(role: str, body: str | None) -> str:
    """How Vietnamese names a post: "Trưởng Ban" in "Ban Tuyên giáo Trung ương" is "Trưởng Ban Tuyên
    giáo Trung ương" (the role's last word opens the body's name, so it is written once)."""
    if not body:
        return role
    role_words, body_words = role.split(), body.split()
    for shared in range(min(len(role_words), len(body_words) - 1), 0, -1):  # longest overlap first
        if fold(" ".join(role_words[-shared:])) == fold(" ".join(body_words[:shared])):
            return " ".join(role_words + body_words[shared:])
    return f"{role} {body}"


def _post_iri(b: _Builder, concept: URIRef, org_key: str | None) -> URIRef:
    return b.node(post_key(concept, org_key))


# --- keys of the shared and relation nodes: functions of the entity keys they join, so the same
# person, post and body give the same node in every article (kg.curation re-mints them with these
# after a merge or split renamed an entity) ----------------------------------------------------------


def post_key(concept: URIRef, org_key: str | None) -> EntityKey:
    role_slug = str(concept).rsplit("/", 1)[-1]
    org_slug = EntityKey.parse(org_key).local if org_key else None
    return EntityKey("post", f"{org_slug}/{role_slug}" if org_slug else role_slug)


def tenure_key(person_key: str, role: str, org_key: str | None) -> EntityKey:
    """``role`` is the role concept's @vi label (the text's word for an unlisted role)."""
    return EntityKey("tenure", kiri.short_hash(person_key, role, org_key or ""))


def attestation_key(article_id: str, person_key: str, role: str, org_key: str | None) -> EntityKey:
    return EntityKey("attestation", kiri.short_hash(article_id, person_key, role, org_key or ""))


def appointment_key(article_id: str, person_key: str, role: str | None, org_key: str | None,
                    kind: str) -> EntityKey:
    return EntityKey("appointment", kiri.short_hash(article_id, person_key, role or "", org_key or "", kind))


def participation_key(meeting_key: str, person_key: str, concept: URIRef) -> EntityKey:
    return EntityKey("participation", kiri.short_hash(meeting_key, person_key, str(concept)))


def _participations(b: _Builder) -> None:
    table = _participation_roles()
    for part in b.x.participations:
        concept = table.get(fold(part.role))
        if concept is None:
            concept = URIRef(PGPART + kiri.slug(part.role))
        b.use_concept(concept, None if concept in table.values() else part.role)
        node = b.node(participation_key(part.meeting, part.person, concept))
        role = vi_label(concept) or part.role
        label = f"{b.name(part.person) or part.person} – {role} – {b.name(part.meeting) or part.meeting}"
        b.entity(node, [PG.Participation], label, [part.evidence], listed=False)
        b.add(node, PG.participant, b.node(part.person))
        b.add(node, PG.inEvent, b.node(part.meeting))
        b.add(node, PG.participationRole, concept)


def _copy_concepts(b: _Builder) -> None:
    vocab = vocab_graph()
    for concept, minted_label in b.concepts.items():
        if minted_label is None:
            for prop in _CONCEPT_COPY:
                for value in vocab.objects(concept, prop):
                    b.add(concept, prop, value)
        else:  # a role or type the vocabulary does not list yet: keep what the text says
            scheme = URIRef(str(concept).rsplit("/", 1)[0] + "/")
            b.add(concept, RDF.type, SKOS.Concept)
            b.add(concept, SKOS.prefLabel, Literal(minted_label, lang="vi"))
            b.add(concept, SKOS.inScheme, scheme)
            if scheme == URIRef(PGROLE):
                b.add(concept, RDF.type, ORG.Role)


def to_graph(extraction: Extraction, base: str = DEFAULT_BASE) -> Graph:
    """One article's extraction → its named graph (identifier ``kg.iri.graph_iri``)."""
    b = _Builder(extraction, base)
    _article(b, extraction.article)
    for step in (_people, _organizations, _terms, _documents, _assemblies, _places, _meetings,
                 _holdings, _participations, _appointments, _copy_concepts):
        step(b)
    return b.graph


def to_dataset(extractions: Iterable[Extraction], base: str = DEFAULT_BASE) -> Dataset:
    """Many articles → one Dataset with one named graph per article (for TriG / N-Quads)."""
    dataset = Dataset()
    bind(dataset)
    for extraction in extractions:
        graph = to_graph(extraction, base)
        target = dataset.graph(graph.identifier)
        for triple in graph:
            target.add(triple)
    return dataset
