"""Popolo JSON from kg's graph: persons, organizations, posts and memberships, with sources.

Popolo (https://www.popoloproject.com/) is the open standard civic-data tools exchange people,
bodies, posts and memberships in (EveryPolitician, Popit, OpenSanctions importers). kg's ontology
already stands on W3C ORG, which Popolo also builds on, so the mapping is direct:

    pg:Person        → persons        (id = IRI, name = schema:name)
    pg:Organization  → organizations  (name, other_names, classification, parent_id)
    pg:Post          → posts          (label, role, organization_id)
    pg:Tenure        → memberships    (label, person_id, organization_id, post_id, role)
    pg:Appointment   → a membership's start_date / end_date (dated decisions) and links (every decision)
    prov:wasDerivedFrom → sources     ([{"url": article's schema:url or IRI, "note": headline}])

The SPARQL lives in kg/queries/popolo/*.rq (one query per record type, one row per field value);
this module only assembles rows into records. Queries run on pyoxigraph, the engine kg's store
and server use, so one article's rdflib Graph, a Dataset of many, and the served store give the
same document. Output is deterministic: every list is sorted, keys come in a fixed order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from kg.serialize import graph_to_nquads, to_nquads

QUERY_DIR = Path(__file__).resolve().parent / "queries" / "popolo"

# The named graph a lone rdflib Graph is put in when it has no IRI of its own: attestations.rq pairs
# each attested date with its article inside one named graph.
_LONE_GRAPH = "urn:x-kg:popolo:input"

# The membership fields that hold one value, in the order they are written. When a merged graph
# gives a node several values for a one-value field, the smallest is kept (deterministic); for names
# and labels the others become other_names / other_label.
_MEMBERSHIP_FIELDS = ("label", "person_id", "organization_id", "post_id", "role")


def to_popolo(source: Graph | Dataset | ox.Store) -> dict[str, list[dict[str, Any]]]:
    """The Popolo document of a kg graph: ``{"persons", "organizations", "posts", "memberships"}``.

    ``source`` is one article's graph (``kg.map.to_graph``, or a parsed export), an rdflib Dataset of
    many articles' named graphs, or a pyoxigraph Store (the store ``kg serve`` reads), queried with
    the union of its graphs as default graph.
    """
    store = _as_store(source)
    articles = _fields(store, "articles")
    attested = _attestations(store)
    persons = _fields(store, "persons")
    organizations = _fields(store, "organizations")
    posts = _fields(store, "posts")
    memberships = _fields(store, "memberships")
    decisions = _appointments(store)
    return {
        "persons": [_person(node, f, articles) for node, f in sorted(persons.items())],
        "organizations": [_organization(node, f, articles) for node, f in sorted(organizations.items())],
        "posts": [_post(node, f, articles) for node, f in sorted(posts.items())],
        "memberships": [
            _membership(node, f, articles, attested.get(node, {}), decisions.get(node, []))
            for node, f in sorted(memberships.items())
        ],
    }


def to_popolo_json(source: Graph | Dataset | ox.Store) -> str:
    """``to_popolo(source)`` as UTF-8 JSON text: Vietnamese unescaped, indented, one trailing newline."""
    return json.dumps(to_popolo(source), ensure_ascii=False, indent=2) + "\n"


# --- records ----------------------------------------------------------------------------


def _person(node: str, fields: dict[str, list[str]], articles: dict) -> dict[str, Any]:
    record: dict[str, Any] = {"id": node}
    name, others = _first_and_rest(fields.get("name", []))
    if name is not None:
        record["name"] = name
    _other_names(record, others + fields.get("other_name", []))
    _sources(record, fields, articles)
    return record


def _organization(node: str, fields: dict[str, list[str]], articles: dict) -> dict[str, Any]:
    record: dict[str, Any] = {"id": node}
    name, others = _first_and_rest(fields.get("name", []))
    if name is not None:
        record["name"] = name
    _other_names(record, others + fields.get("other_name", []))
    for key in ("classification", "parent_id"):
        _single(record, key, fields)
    _sources(record, fields, articles)
    return record


def _post(node: str, fields: dict[str, list[str]], articles: dict) -> dict[str, Any]:
    record: dict[str, Any] = {"id": node}
    label, others = _first_and_rest(fields.get("label", []))
    if label is not None:
        record["label"] = label
    if others:
        record["other_label"] = others
    for key in ("role", "organization_id"):
        _single(record, key, fields)
    _sources(record, fields, articles)
    return record


def _membership(node: str, fields: dict[str, list[str]], articles: dict,
                attested: dict[str, list[str]], decisions: list[dict[str, str]]) -> dict[str, Any]:
    # An article shows a post held on a day, not when it began or ended: that day goes into the note
    # of the article's source link. Only a dated personnel decision gives start_date / end_date.
    record: dict[str, Any] = {"id": node}
    for key in _MEMBERSHIP_FIELDS:
        _single(record, key, fields)
    start, end = _period(decisions)
    if start:
        record["start_date"] = start
    if end:
        record["end_date"] = end
    if decisions:
        record["links"] = [_link(d["appointment"], _decision_note(d)) for d in decisions]
    _sources(record, fields, articles, attested)
    return record


# Kinds of personnel decision (pgappt: notations) that begin a membership, and those that end it.
# "disciplined" does neither: a reprimand leaves the post held (removal from it is "relieved").
_STARTS = frozenset({"elected", "appointed", "assigned", "approved"})
_ENDS = frozenset({"relieved", "retired"})


def _period(decisions: list[dict[str, str]]) -> tuple[str | None, str | None]:
    """start_date, end_date of a membership from its dated decisions (Popolo: when the relationship
    began, when it ended). The start is the earliest decision that begins the post; the end the
    latest that ends it, unless a decision began the post again after it (elected, relieved,
    re-elected: the membership is open again, and one membership cannot hold a gap)."""
    starts = sorted(d["date"] for d in decisions if d.get("date") and d["kind"] in _STARTS)
    ends = sorted(d["date"] for d in decisions if d.get("date") and d["kind"] in _ENDS)
    start = starts[0] if starts else None
    end = ends[-1] if ends and (not starts or ends[-1] >= starts[-1]) else None
    return start, end


def _decision_note(decision: dict[str, str]) -> str:
    """"assigned on 2024-05-09 by Bộ Chính trị (612/QĐ-TTg)": what the decision link says."""
    note = decision["kind"]
    if decision.get("date"):
        note += f" on {decision['date']}"
    if decision.get("by"):
        note += f" by {decision['by']}"
    if decision.get("decision"):
        note += f" ({decision['decision']})"
    return note


def _single(record: dict[str, Any], key: str, fields: dict[str, list[str]]) -> None:
    values = fields.get(key)
    if values:
        record[key] = values[0]


def _first_and_rest(values: list[str]) -> tuple[str | None, list[str]]:
    return (values[0], values[1:]) if values else (None, [])


def _other_names(record: dict[str, Any], names: list[str]) -> None:
    kept = sorted(set(names) - {record.get("name")})
    if kept:
        record["other_names"] = [{"name": name} for name in kept]


def _sources(record: dict[str, Any], fields: dict[str, list[str]], articles: dict,
             attested: dict[str, list[str]] | None = None) -> None:
    links = set()
    for article in fields.get("source", []):
        meta = articles.get(article)
        if meta is None:  # derived from something that is not a kg article: not a source to cite
            continue
        url = _one(meta.get("url")) or article
        note = _one(meta.get("headline")) or _one(meta.get("label"))
        dates = (attested or {}).get(article, [])
        if dates:
            when = f"attested on {', '.join(dates)}"
            note = f"{note} ({when})" if note else when
        links.add((url, note))
    if links:
        record["sources"] = [_link(url, note) for url, note in sorted(links, key=lambda x: (x[0], x[1] or ""))]


def _link(url: str, note: str | None) -> dict[str, str]:
    return {"url": url, "note": note} if note else {"url": url}


def _one(values: list[str] | None) -> str | None:
    return values[0] if values else None


# --- queries ----------------------------------------------------------------------------


def query_text(name: str) -> str:
    """A query shipped with kg.popolo (kg/queries/popolo/NAME.rq)."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


def _fields(store: ox.Store, name: str) -> dict[str, dict[str, list[str]]]:
    """node → field → sorted distinct values, from a query returning ?id ?field ?value."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(query_text(name), use_default_graph_as_union=True):
        out[row["id"].value][row["field"].value].add(row["value"].value)
    return {node: {field: sorted(values) for field, values in fields.items()} for node, fields in out.items()}


def _attestations(store: ox.Store) -> dict[str, dict[str, list[str]]]:
    """tenure → article → the dates that article attests it on."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(query_text("attestations"), use_default_graph_as_union=True):
        out[row["id"].value][row["article"].value].add(row["date"].value)
    return {node: {a: sorted(d) for a, d in by_article.items()} for node, by_article in out.items()}


def _appointments(store: ox.Store) -> dict[str, list[dict[str, str]]]:
    """tenure → its personnel decisions [{appointment, kind, date?, by?, decision?}], by date, kind, IRI.

    A decision with several values of a one-value field (merged graphs) keeps the smallest of each."""
    found: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in store.query(query_text("appointments"), use_default_graph_as_union=True):
        decision = {"appointment": row["appointment"].value, "kind": row["kind"].value}
        for key in ("date", "by", "decision"):
            if row[key] is not None:
                decision[key] = row[key].value
        kept = found[row["id"].value].setdefault(decision["appointment"], decision)
        for key, value in decision.items():
            kept[key] = min(kept.get(key, value), value)
    return {tenure: sorted(by_iri.values(), key=lambda d: (d.get("date", "9999"), d["kind"], d["appointment"]))
            for tenure, by_iri in found.items()}


def _as_store(source: Graph | Dataset | ox.Store) -> ox.Store:
    if isinstance(source, ox.Store):
        return source
    if not isinstance(source, Graph):  # rdflib's Dataset is a Graph too
        kind = type(source).__name__
        raise TypeError(f"to_popolo needs an rdflib Graph or Dataset or a pyoxigraph Store, not {kind}")
    if isinstance(source, Dataset):
        nquads = to_nquads(source)
    else:
        name = str(source.identifier) if isinstance(source.identifier, URIRef) else _LONE_GRAPH
        nquads = graph_to_nquads(source, name)
    store = ox.Store()
    store.load(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store
