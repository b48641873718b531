"""Documentation of the ontology, its SKOS schemes and its SHACL shapes, read from the Turtle files.

Returns plain dicts for kg/publish/templates/ontology.html; nothing is hand-written: add a class to
ontology/pg.ttl or a shape to shapes/ and the page shows it.
"""

from __future__ import annotations

import pyoxigraph as ox

from kg.publish.site import PROJECT_ROOT, P, Site, curie
from kg.publish.views import value_view

RDF, RDFS, OWL, SKOS, SH = P["rdf"], P["rdfs"], P["owl"], P["skos"], P["sh"]
CLASS_TYPES = (OWL + "Class", RDFS + "Class")
PROPERTY_TYPES = (OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property", OWL + "AnnotationProperty")
ALIGNMENTS = (RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass", OWL + "equivalentProperty",
              SKOS + "closeMatch", SKOS + "exactMatch", SKOS + "broadMatch", SKOS + "narrowMatch",
              SKOS + "relatedMatch", OWL + "inverseOf")


def _quads(site: Site, group: str, s=None, p=None, o=None):
    return site.terms.quads_for_pattern(s, ox.NamedNode(p) if isinstance(p, str) else p, o, site.terms_graph(group))


def _objects(site: Site, group: str, subject, pred: str) -> list:
    return sorted({q.object for q in _quads(site, group, subject, pred)}, key=str)


def _text(site: Site, group: str, subject, pred: str, lang: str) -> str | None:
    values = [o for o in _objects(site, group, subject, pred) if isinstance(o, ox.Literal)]
    for v in values:
        if v.language == lang:
            return v.value
    return values[0].value if values and lang == "vi" else None


def _subjects_of_type(site: Site, group: str, types) -> list[ox.NamedNode]:
    found = set()
    for t in types:
        for q in _quads(site, group, None, RDF + "type", ox.NamedNode(t)):
            if isinstance(q.subject, ox.NamedNode):
                found.add(q.subject)
    return sorted(found, key=lambda n: n.value)


def term_view(site: Site, node: ox.NamedNode) -> dict:
    g = "ontology"
    return {
        "iri": node.value,
        "id": node.value.rsplit("#", 1)[-1],
        "curie": curie(node.value),
        "vi": _text(site, g, node, RDFS + "label", "vi") or _text(site, g, node, SKOS + "prefLabel", "vi"),
        "en": _text(site, g, node, RDFS + "label", "en") or _text(site, g, node, SKOS + "prefLabel", "en"),
        "comment_vi": _text(site, g, node, RDFS + "comment", "vi") or _text(site, g, node, SKOS + "definition", "vi"),
        "comment_en": _text(site, g, node, RDFS + "comment", "en") or _text(site, g, node, SKOS + "definition", "en"),
        "types": [value_view(site, t) for t in _objects(site, g, node, RDF + "type")],
        "alignments": [{"predicate": curie(p), "vals": [value_view(site, o) for o in _objects(site, g, node, p)
                                                        if isinstance(o, ox.NamedNode)]}
                       for p in ALIGNMENTS if _objects(site, g, node, p)],
        "domain": [value_view(site, o) for o in _objects(site, g, node, RDFS + "domain") if isinstance(o, ox.NamedNode)],
        "range": [value_view(site, o) for o in _objects(site, g, node, RDFS + "range") if isinstance(o, ox.NamedNode)],
    }


def ontology_view(site: Site) -> dict:
    ontologies = _subjects_of_type(site, "ontology", [OWL + "Ontology"])
    header = None
    if ontologies:
        node = ontologies[0]
        header = {"iri": node.value,
                  "title": _text(site, "ontology", node, P["dcterms"] + "title", "vi")
                  or _text(site, "ontology", node, RDFS + "label", "vi"),
                  "title_en": _text(site, "ontology", node, P["dcterms"] + "title", "en"),
                  "description": _text(site, "ontology", node, P["dcterms"] + "description", "vi")
                  or _text(site, "ontology", node, RDFS + "comment", "vi"),
                  "description_en": _text(site, "ontology", node, P["dcterms"] + "description", "en"),
                  "version": _text(site, "ontology", node, OWL + "versionInfo", "vi")}
    own = PROJECT_ROOT
    classes = [term_view(site, n) for n in _subjects_of_type(site, "ontology", CLASS_TYPES) if n.value.startswith(own)]
    props = [term_view(site, n) for n in _subjects_of_type(site, "ontology", PROPERTY_TYPES) if n.value.startswith(own)]
    return {"header": header, "classes": classes, "properties": props, "schemes": schemes_view(site),
            "shapes": shapes_view(site)}


def schemes_view(site: Site) -> list[dict]:
    out = []
    for scheme in _subjects_of_type(site, "vocab", [SKOS + "ConceptScheme"]):
        concepts = sorted({q.subject for q in _quads(site, "vocab", None, SKOS + "inScheme", scheme)}, key=str)
        out.append({
            "iri": scheme.value, "id": "scheme-" + scheme.value.rstrip("/").rsplit("/", 1)[-1],
            "vi": _text(site, "vocab", scheme, SKOS + "prefLabel", "vi"),
            "en": _text(site, "vocab", scheme, SKOS + "prefLabel", "en"),
            "description": _text(site, "vocab", scheme, P["dcterms"] + "description", "vi"),
            "concepts": [{"iri": c.value, "href": site.doc_path(c.value),
                          "notation": _text(site, "vocab", c, SKOS + "notation", "vi"),
                          "vi": _text(site, "vocab", c, SKOS + "prefLabel", "vi"),
                          "en": _text(site, "vocab", c, SKOS + "prefLabel", "en"),
                          "alt": sorted(o.value for o in _objects(site, "vocab", c, SKOS + "altLabel")
                                        if isinstance(o, ox.Literal))}
                         for c in concepts if isinstance(c, ox.NamedNode)],
        })
    return out


_CONSTRAINTS = ("minCount", "maxCount", "datatype", "class", "nodeKind", "pattern", "minInclusive", "maxInclusive",
                "languageIn", "uniqueLang", "in", "hasValue", "node", "or", "lessThan", "lessThanOrEquals",
                "sparql", "minLength", "maxLength")


def shapes_view(site: Site) -> list[dict]:
    """Node shapes with their targets and property constraints, as readable rows."""
    out = []
    for shape in _subjects_of_type(site, "shapes", [SH + "NodeShape"]):
        if not isinstance(shape, ox.NamedNode):
            continue
        targets = [value_view(site, o) for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
                   for o in _objects(site, "shapes", shape, SH + p)]
        props = [_property_shape(site, ps) for ps in _objects(site, "shapes", shape, SH + "property")]
        out.append({"iri": shape.value, "id": shape.value.rsplit("#", 1)[-1], "curie": curie(shape.value),
                    "name": _text(site, "shapes", shape, SH + "name", "vi") or _text(site, "shapes", shape, RDFS + "label", "vi"),
                    "targets": targets, "constraints": _constraints(site, shape), "properties": props,
                    "message_vi": _text(site, "shapes", shape, SH + "message", "vi"),
                    "message_en": _text(site, "shapes", shape, SH + "message", "en"),
                    "severity": _severity(site, shape)})
    return out


def _property_shape(site: Site, node) -> dict:
    path = _objects(site, "shapes", node, SH + "path")
    return {"path": value_view(site, path[0]) if path and isinstance(path[0], ox.NamedNode) else {"text": _term_text(site, path[0]) if path else "?", "href": None},
            "name_vi": _text(site, "shapes", node, SH + "name", "vi"), "name_en": _text(site, "shapes", node, SH + "name", "en"),
            "constraints": _constraints(site, node), "severity": _severity(site, node),
            "message_vi": _text(site, "shapes", node, SH + "message", "vi"),
            "message_en": _text(site, "shapes", node, SH + "message", "en")}


def _constraints(site: Site, node) -> list[dict]:
    rows = []
    for name in _CONSTRAINTS:
        values = _objects(site, "shapes", node, SH + name)
        if values:
            rows.append({"name": "sh:" + name, "vals": [_term_text(site, v) for v in values]})
    return rows


def _severity(site: Site, node) -> str | None:
    values = _objects(site, "shapes", node, SH + "severity")
    return curie(values[0].value) if values else None


def _term_text(site: Site, term) -> str:
    """A constraint value: a literal, a prefixed name, or an RDF list / blank node written out."""
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    items = _rdf_list(site, term)
    if items is not None:
        return "(" + " ".join(_term_text(site, i) for i in items) + ")"
    parts = [f"{curie(q.predicate.value)} {_term_text(site, q.object)}" for q in _quads(site, "shapes", term)]
    return "[ " + " ; ".join(sorted(parts)) + " ]"


def _rdf_list(site: Site, node, limit: int = 50) -> list | None:
    items = []
    while isinstance(node, ox.BlankNode) and len(items) < limit:
        first = _objects(site, "shapes", node, RDF + "first")
        if not first:
            return None if not items else items
        items.append(first[0])
        rest = _objects(site, "shapes", node, RDF + "rest")
        node = rest[0] if rest else None
    return items
