"""View models: plain dicts the Jinja2 templates render. No HTML is built here.

A value on a page is a dict: {"text", "href" (site path or external IRI or None), "lang", "datatype",
"iri"}; templates turn site paths into relative links with ``url()``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.publish.site import NIF, P, Site, curie, expand, fallback_label, fold

# shown elsewhere on the page: types and labels in the header, mentions as quotes, the text itself
HIDDEN_OUT = {P["rdf"] + "type", P["gaf"] + "denotedBy", NIF + "isString", P["rdfs"] + "label", P["skos"] + "prefLabel"}
HIDDEN_IN = {P["gaf"] + "denotedBy", NIF + "referenceContext"}
ARTICLE_HIDDEN = {P["schema"] + "mentions"}
# Quotes on a page: a body named in every article of a corpus would otherwise quote all of them
# (every mention stays in the page's RDF).
EVIDENCE_SHOWN = 50
ARTICLE_HIDDEN_IN = {P["prov"] + "wasDerivedFrom"}


def value_view(site: Site, term) -> dict:
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        plain = dt in (P["xsd"] + "string", P["rdf"] + "langString")
        return {"text": term.value, "href": None, "lang": term.language, "datatype": None if plain else curie(dt),
                "iri": None}
    iri = term.value if isinstance(term, ox.NamedNode) else str(term)
    doc = site.doc_path(iri) if isinstance(term, ox.NamedNode) else None
    external = isinstance(term, ox.NamedNode) and doc is None
    text = site.label(iri)
    if text == fallback_label(iri):  # no label anywhere: show the IRI (or its prefixed name), not a fragment of it
        text = curie(iri)
    return {"text": text, "href": doc, "external": iri if external else None, "lang": None, "curie": curie(iri),
            "datatype": None, "iri": iri}


def predicate_view(site: Site, iri: str, inverse: bool = False) -> dict:
    # "en" is the tooltip: the label in the other language of the two
    other = "vi" if site.language == "en" else "en"
    return {"iri": iri, "text": site.label(iri), "en": site.label(iri, other), "curie": curie(iri),
            "href": site.doc_path(iri), "inverse": inverse}


def property_rows(site: Site, iri: str, hidden: set[str] = frozenset(), skip_object: str | None = None) -> list[dict]:
    """Outgoing properties grouped by predicate: [{"predicate", "values"}]."""
    rows: dict[str, list] = {}
    curated, retracted = _curated_facts(site, iri)
    outgoing = site.outgoing(iri)
    for pred, obj in outgoing:
        if pred.value in hidden or pred.value in HIDDEN_OUT:
            continue
        if skip_object and isinstance(obj, ox.NamedNode) and obj.value == skip_object:
            continue
        view = value_view(site, obj)
        if (pred, obj) in curated:
            view = {**view, "curated": curated[(pred, obj)]}
        rows.setdefault(pred.value, []).append(view)
    present = set(outgoing) if retracted else set()
    for (pred, obj), note in sorted(retracted.items(), key=lambda item: (item[0][0].value, str(item[0][1]))):
        if (pred, obj) not in present and pred.value not in hidden and pred.value not in HIDDEN_OUT:
            rows.setdefault(pred.value, []).append({**value_view(site, obj), "retracted": note})
    return [{"predicate": predicate_view(site, p), "vals": v} for p, v in rows.items()]


def mention_view(site: Site, mention) -> dict:
    doc = site.doc_path(mention.article)
    return {"anchor": mention.anchor, "before": mention.before, "after": mention.after,
            "href": f"{doc}#{mention.fragment}" if doc else None, "article": site.label(mention.article),
            "fragment": mention.fragment}


def resource_view(site: Site, iri: str) -> dict:
    """Everything the resource page shows about ``iri``."""
    types = site.types(iri)
    evidence, evidence_total = site.evidence_of(iri, EVIDENCE_SHOWN)
    is_article = P["schema"] + "NewsArticle" in types
    relations, backlinks = _incoming(site, iri, is_article)
    return {
        "iri": iri,
        "label": site.label(iri),
        "label_en": _other_label(site, iri),
        "labels": site.labels_by_language(iri),
        "types": [value_view(site, ox.NamedNode(t)) for t in types],
        "properties": property_rows(site, iri, ARTICLE_HIDDEN if is_article else frozenset()),
        "relations": relations,
        "backlinks": backlinks,
        "evidence": [mention_view(site, m) for m in evidence],
        "evidence_total": evidence_total,
        "is_article": is_article,
        "curations": curation_views(site, iri),
        "timeline": timeline_view(site, iri, types),
        "holders": holders_view(site, iri, types),
    }


def _curated_facts(site: Site, iri: str) -> tuple[dict[tuple, str], dict[tuple, str]]:
    """(predicate, object) of ``iri`` that a curation decision added (kg.curation reifies them) → who and why,
    and those a decision took out (reified with pg:retracted true) → "WHO (WHY)"."""
    rdf = P["rdf"]
    added: dict[tuple, str] = {}
    retracted: dict[tuple, str] = {}
    for q in site.data.quads_for_pattern(None, ox.NamedNode(rdf + "subject"), ox.NamedNode(iri)):
        statement = q.subject.value
        pred, obj = site.value(statement, rdf + "predicate"), site.value(statement, rdf + "object")
        activity = site.value(statement, P["prov"] + "wasGeneratedBy")
        if pred is None or obj is None or not isinstance(activity, ox.NamedNode):
            continue
        agent = site.value(activity.value, P["prov"] + "wasAttributedTo")
        why = site.value(activity.value, P["rdfs"] + "comment")
        who, why = site.label(agent) if agent is not None else "", getattr(why, "value", "")
        if getattr(site.value(statement, P["pg"] + "retracted"), "value", None) == "true":
            retracted[(pred, obj)] = f"{who} ({why})" if why else who  # shown as "retracted by WHO (WHY)"
        else:
            added[(pred, obj)] = " · ".join(x for x in (who, why) if x)  # the badge's tooltip
    return added, retracted


def curation_views(site: Site, iri: str) -> list[dict]:
    """The curation decisions (kg.curation, pg:curatedBy) that changed ``iri``: action, who, when, why."""
    out = []
    for activity in site.objects(iri, P["pg"] + "curatedBy"):
        if not isinstance(activity, ox.NamedNode):
            continue
        a = activity.value
        agent = site.value(a, P["prov"] + "wasAttributedTo")
        ended = site.value(a, P["prov"] + "endedAtTime")
        action, why = site.value(a, P["pg"] + "curationAction"), site.value(a, P["rdfs"] + "comment")
        out.append({"href": site.doc_path(a), "action": getattr(action, "value", ""),
                    "by": site.label(agent) if agent is not None else "",
                    "date": getattr(ended, "value", "")[:10], "why": getattr(why, "value", "")})
    return sorted(out, key=lambda c: (c["date"], c["action"], c["href"] or ""))


def _other_label(site: Site, iri: str) -> str | None:
    other = site.label(iri, "vi" if site.language == "en" else "en")
    return other if other != site.label(iri) else None


def _incoming(site: Site, iri: str, is_article: bool) -> tuple[list[dict], list[dict]]:
    """Relation nodes that involve ``iri`` (shown inline) and the other backlinks, by predicate."""
    relations, groups = [], {}
    hidden = HIDDEN_IN | (ARTICLE_HIDDEN_IN if is_article else set())
    for subj, pred in site.incoming(iri):
        if pred.value in hidden or not isinstance(subj, ox.NamedNode) or "#" in subj.value:
            continue
        if site.is_relation(subj.value):
            relations.append(relation_view(site, subj.value, via=pred.value, focus=iri))
        else:
            groups.setdefault(pred.value, []).append(value_view(site, subj))
    relations.sort(key=lambda r: (_relation_rank(site, r["iri"]), r["label"]))
    backlinks = [{"predicate": predicate_view(site, p, inverse=True), "vals": v} for p, v in groups.items()]
    return relations, backlinks


def _relation_rank(site: Site, iri: str) -> int:
    """Position of the node's class in display.yaml's relation_classes (tenures before participations)."""
    order = [expand(c) for c in site.config["relation_classes"]]
    ranks = [order.index(t) for t in site.types(iri) if t in order]
    return min(ranks) if ranks else len(order)


def relation_view(site: Site, iri: str, via: str, focus: str) -> dict:
    """A Tenure or Participation seen from one of its ends (its link back to ``focus`` left out)."""
    return {
        "iri": iri,
        "label": site.label(iri),
        "href": site.doc_path(iri),
        "types": [value_view(site, ox.NamedNode(t)) for t in site.types(iri)],
        "via": predicate_view(site, via, inverse=True),
        "properties": property_rows(site, iri, {P["rdfs"] + "label", P["prov"] + "wasDerivedFrom"}, skip_object=focus),
        "evidence": [mention_view(site, m) for m in site.mentions_of(iri)],
    }


def article_view(site: Site, iri: str) -> dict:
    """The article's text as a tree of text pieces and highlighted mentions, and what it mentions."""
    text = site.article_text(iri)
    root: dict = {"children": [], "end": len(text)}
    stack = [root]
    cursor = [0]

    def emit_text(upto: int) -> None:
        if upto > cursor[0]:
            stack[-1]["children"].append({"text": text[cursor[0]:upto]})
            cursor[0] = upto

    for mention, denoted in site.mentions_in(iri):
        while len(stack) > 1 and stack[-1]["end"] <= mention.start:
            emit_text(stack[-1]["end"])
            stack.pop()
        parent = stack[-1]
        if mention.end > parent["end"] or mention.start < cursor[0]:
            continue  # crosses a span already open: its anchor still works via the list below
        node = _mention_node(site, mention, denoted, inside_link=any(s.get("link") for s in stack))
        emit_text(mention.start)
        parent["children"].append(node)
        stack.append(node)
    while len(stack) > 1:
        emit_text(stack[-1]["end"])
        stack.pop()
    emit_text(len(text))
    groups = []
    mentioned = {o.value for o in site.objects(iri, P["schema"] + "mentions") if isinstance(o, ox.NamedNode)}
    for index in site.indexes:
        members = index["members"].among(mentioned)  # in member order, without walking every member
        if members:
            groups.append({"index": index, "vals": [value_view(site, ox.NamedNode(m)) for m in members]})
    return {"tree": root["children"], "groups": groups}


def _mention_node(site: Site, mention, denoted: list[str], inside_link: bool) -> dict:
    things = [d for d in denoted if not site.is_relation(d)]
    kind = "mention" if things else "evidence"
    link = None
    if things and not inside_link:
        link = site.doc_path(things[0])
    classes = sorted({site.index_of[d] for d in things if d in site.index_of})
    return {"kind": kind, "fragment": mention.fragment, "end": mention.end, "children": [], "link": link,
            "title": "; ".join(site.label(d) for d in denoted), "classes": classes}


def index_rows(site: Site, key: str) -> list[dict]:
    index = site.index(key)
    return [value_view(site, ox.NamedNode(m)) for m in index["members"]] if index else []


def home_view(site: Site) -> dict:
    return {"indexes": site.indexes, "triples": site.triple_count(), "graphs": site.graph_count()}


# --- timelines: a person's posts over time, a body's post holders over time ---------------------
#
# Read with the page queries kg/queries/pages/*.rq, each bound to the one person or body of the page
# (kg.cq.bind: the IRI goes in as an RDF term, never as text), so a page costs index look-ups on that
# resource whatever the size of the store. The rows (one per tenure and statement) are folded here
# into one line per tenure, with the personnel decisions about its person and post; every list is sorted with a full tie-break, so the page is the same run to run.

PAGE_QUERIES = Path(__file__).resolve().parent.parent / "queries" / "pages"
PERSON_CLASSES = ("pg:Person",)
BODY_CLASSES = ("pg:Organization", "org:Organization")
NO_DATE = "9999-99-99"  # undated rows and events sort after the dated ones


@cache
def page_query(name: str) -> str:
    """The text of kg/queries/pages/NAME.rq."""
    return (PAGE_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def page_rows(site: Site, name: str, **params: str) -> list[dict[str, ox.NamedNode | ox.Literal | None]]:
    """Solutions of a page query with ``params`` (name → IRI) bound as IRIs, over the store's union."""
    from kg.cq import bind
    from kg.store.union import needs_union_fallback

    query = bind(page_query(name), {key: ox.NamedNode(iri) for key, iri in params.items()})
    # the default graph holds every article's triples once (kg.store.union); an older store has only
    # the named graphs, queried as their union
    options = {"use_default_graph_as_union": True} if needs_union_fallback(site.data) else {}
    answer = site.data.query(query, **options)
    names = [v.value for v in answer.variables]
    return [{n: solution[n] for n in names} for solution in answer]


def _is_a(site: Site, iri: str, classes: tuple[str, ...], types: list[str] | None = None) -> bool:
    return bool(site.subclasses(expand(c) for c in classes).intersection(
        types if types is not None else _objects(site, iri, P["rdf"] + "type")))


def _objects(site: Site, iri: str, predicate: str) -> list[str]:
    """The values (IRIs, literals' text) ``iri`` has for ``predicate``, sorted: one index look-up
    (Site.outgoing reads every triple of the subject, and a body named in many articles has a
    gaf:denotedBy for each)."""
    subject, pred = ox.NamedNode(iri), ox.NamedNode(predicate)
    found = {q.object.value for store in (site.data, site.terms) for q in store.quads_for_pattern(subject, pred, None)
             if isinstance(q.object, ox.NamedNode | ox.Literal)}
    return sorted(found)


def _first_object(site: Site, iri: str, predicate: str) -> ox.NamedNode | None:
    values = _objects(site, iri, predicate)
    return ox.NamedNode(values[0]) if values else None


def _text(term) -> str | None:
    return term.value if term is not None else None


def _tenure_lines(site: Site, rows: list[dict]) -> dict[str, dict]:
    """tenure IRI → its line: post, role, body, holder, first and last attested date, articles, statements.

    A row is one (tenure, statement) with its own dates and count of articles; an article attests a
    tenure once with one statement, so a tenure's counts add up to its number of articles."""
    lines: dict[str, dict] = {}
    for row in rows:
        tenure = row["tenure"].value
        line = lines.get(tenure)
        if line is None:
            line = lines[tenure] = {"iri": tenure, "href": site.doc_path(tenure), "terms": {}, "dates": set(),
                                    "count": 0, "statements": {}, "start": set(), "end": set()}
        for key in ("person", "post", "role", "organization"):
            if row.get(key) is not None:
                line["terms"].setdefault(key, set()).add(row[key])
        dates = {row[key].value for key in ("first", "last") if row[key] is not None}
        line["dates"] |= dates
        line["count"] += int(row["articles"].value) if row["articles"] is not None else 0
        if row["stated"] is not None:
            line["statements"].setdefault(row["stated"].value, set()).update(dates or {NO_DATE})
        for key in ("start", "end"):
            if row[key] is not None:
                line[key].add(row[key].value)
    for line in lines.values():
        terms = line.pop("terms")
        for key in ("person", "post", "role", "organization"):
            values = sorted(terms.get(key, ()), key=lambda t: t.value)  # a merged graph's extra value: smallest kept
            line[key] = values[0] if values else None
        dates = sorted(line.pop("dates"))
        line["first"], line["last"] = (dates[0], dates[-1]) if dates else (None, None)
        line["stated"] = [value_view(site, ox.NamedNode(s)) for s, _ in
                          sorted(line.pop("statements").items(), key=lambda kv: (min(kv[1]), kv[0]))]
        line["start"] = min(line["start"]) if line["start"] else None
        line["end"] = max(line["end"]) if line["end"] else None
        line["events"] = []
    return lines


def _event_view(site: Site, row: dict) -> dict:
    def view(key):
        return value_view(site, row[key]) if isinstance(row.get(key), ox.NamedNode) else None

    decision = row.get("decision")
    return {"iri": row["appointment"].value, "href": site.doc_path(row["appointment"].value),
            "kind": view("kind"), "date": _text(row.get("date")), "by": view("decidedBy"), "decision": view("decision"),
            "number": min(_objects(site, decision.value, P["eli"] + "id_local"), default=None)
            if decision is not None else None}


def _attach_events(site: Site, lines: dict[str, dict], appointments: list[dict], extra_line) -> None:
    """Each decision goes on the line of the same holder and post; one no tenure names gets a line of its own."""
    by_key = {}
    for line in sorted(lines.values(), key=lambda x: x["iri"]):
        by_key.setdefault((_text(line["person"]), _text(line["post"])), line)
    seen = set()
    for row in sorted(appointments, key=lambda r: r["appointment"].value):
        iri = row["appointment"].value
        if iri in seen:  # a second value of a one-value field (merged graphs): the first row counts
            continue
        seen.add(iri)
        key = (_text(row.get("person")), _text(row.get("post")))
        line = by_key.get(key)
        if line is None:
            line = by_key[key] = extra_line(row)
            lines[iri] = line
        line["events"].append(_event_view(site, row))
    for line in lines.values():
        line["events"].sort(key=lambda e: (e["date"] or NO_DATE, e["kind"]["curie"] if e["kind"] else "", e["iri"]))


def _bare_line(row: dict) -> dict:
    """The line of a decision about a post no tenure of the store names (no attestation yet)."""
    return {"iri": row["appointment"].value, "href": None, "person": row.get("person"), "post": row.get("post"),
            "role": None, "organization": None, "first": None, "last": None, "count": 0, "stated": [],
            "start": None, "end": None, "events": []}


def _when(line: dict) -> str:
    """The line's place in time: its earliest date, attested or decided."""
    dates = [d for d in [line["first"], line["start"], *(e["date"] for e in line["events"])] if d]
    return min(dates) if dates else NO_DATE


def _line_view(site: Site, line: dict) -> dict:
    post, role, body = line["post"], line["role"], line["organization"]
    if body is None and post is not None:
        body = _first_object(site, post.value, P["org"] + "postIn")
    if role is None and post is not None:
        role = _first_object(site, post.value, P["org"] + "role")
    post_text = site.label(role) if role is not None else (site.label(post) if post is not None else "—")
    return {**line,
            "person": value_view(site, line["person"]) if line["person"] is not None else None,
            "post": {"text": post_text, "href": site.doc_path(post.value) if post is not None else None,
                     "iri": post.value if post is not None else None},
            "body": value_view(site, body) if isinstance(body, ox.NamedNode) else None,
            "when": _when(line)}


def timeline_view(site: Site, iri: str, types: list[str] | None = None) -> list[dict] | None:
    """A person's posts over time, one line per post held, earliest first; None when ``iri`` is no person
    (``types``: its classes, when the caller has them)."""
    if not _is_a(site, iri, PERSON_CLASSES, types):
        return None
    lines = _tenure_lines(site, page_rows(site, "person_timeline", person=iri))
    _attach_events(site, lines, page_rows(site, "person_appointments", person=iri), _bare_line)
    views = [_line_view(site, line) for line in lines.values()]
    return sorted(views, key=lambda v: (v["when"], fold(v["post"]["text"]), fold(v["body"]["text"] if v["body"] else ""),
                                        v["iri"]))


def holders_view(site: Site, iri: str, types: list[str] | None = None) -> list[dict] | None:
    """A body's posts, each with its holders over time: [{"post", "holders"}], posts by name, holders
    earliest first; None when ``iri`` is no body (``types``: its classes, when the caller has them)."""
    if not _is_a(site, iri, BODY_CLASSES, types):
        return None
    lines = _tenure_lines(site, page_rows(site, "body_holders", organization=iri))
    _attach_events(site, lines, page_rows(site, "body_appointments", organization=iri), _bare_line)
    posts: dict[str, dict] = {}
    for line in lines.values():
        view = _line_view(site, line)
        key = view["post"]["iri"] or view["post"]["text"]
        posts.setdefault(key, {"post": view["post"], "holders": []})["holders"].append(view)
    for group in posts.values():
        group["holders"].sort(key=lambda v: (v["when"], fold(v["person"]["text"] if v["person"] else ""), v["iri"]))
    return sorted(posts.values(), key=lambda g: (fold(g["post"]["text"]), g["post"]["iri"] or ""))


def void_blocks(site: Site, triples: list[ox.Triple]) -> dict:
    """VoID triples for the HTML view: the dataset, its distributions, and the class partitions as one table."""
    partition = P["void"] + "classPartition"
    parts = {t.object.value for t in triples if t.predicate.value == partition}
    blocks: dict[str, dict[str, list]] = {}
    rows: dict[str, dict] = {}
    for t in triples:
        if t.subject.value in parts:
            row = rows.setdefault(t.subject.value, {})
            row["class" if t.predicate.value.endswith("#class") else "count"] = value_view(site, t.object)
        elif t.predicate.value != partition:
            blocks.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(value_view(site, t.object))
    ordered = sorted(blocks, key=lambda s: (not s.endswith("#dataset"), s))
    return {"blocks": [{"subject": s, "properties": [{"predicate": predicate_view(site, p), "vals": v}
                                                      for p, v in blocks[s].items()]} for s in ordered],
            "partitions": sorted(rows.values(), key=lambda r: r["class"]["text"])}
