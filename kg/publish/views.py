"""View models: plain dicts the Jinja2 templates render. No HTML is built here.

A value on a page is a dict: {"text", "href" (site path or external IRI or None), "lang", "datatype",
"iri"}; templates turn site paths into relative links with ``url()``.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.publish.site import NIF, P, Site, curie, expand, fallback_label

# shown elsewhere on the page: types and labels in the header, mentions as quotes, the text itself
HIDDEN_OUT = {P["rdf"] + "type", P["gaf"] + "denotedBy", NIF + "isString", P["rdfs"] + "label", P["skos"] + "prefLabel"}
HIDDEN_IN = {P["gaf"] + "denotedBy", NIF + "referenceContext"}
ARTICLE_HIDDEN = {P["schema"] + "mentions"}
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
    for pred, obj in site.outgoing(iri):
        if pred.value in hidden or pred.value in HIDDEN_OUT:
            continue
        if skip_object and isinstance(obj, ox.NamedNode) and obj.value == skip_object:
            continue
        rows.setdefault(pred.value, []).append(value_view(site, obj))
    return [{"predicate": predicate_view(site, p), "vals": v} for p, v in rows.items()]


def mention_view(site: Site, mention) -> dict:
    doc = site.doc_path(mention.article)
    return {"anchor": mention.anchor, "before": mention.before, "after": mention.after,
            "href": f"{doc}#{mention.fragment}" if doc else None, "article": site.label(mention.article),
            "fragment": mention.fragment}


def resource_view(site: Site, iri: str) -> dict:
    """Everything the resource page shows about ``iri``."""
    types = site.types(iri)
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
        "evidence": [mention_view(site, m) for m in site.mentions_of(iri)],
        "is_article": is_article,
    }


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
    return {"indexes": site.indexes, "triples": site.triple_count(),
            "graphs": sum(1 for _ in site.data.named_graphs())}
