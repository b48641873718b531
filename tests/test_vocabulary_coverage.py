"""Every word list names concepts and classes that ontology/ declares.

kg.map mints a new concept for a role, document type or participation role it does not find in
ontology/vocab (so an article's unusual post is kept), and the result still passes SHACL; a typo in
a gazetteer would therefore silently mint a concept. These tests make such a typo a failure.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import OWL

from kg.extract import canonical
from kg.map import _doctypes, _known_roles, _org_classes, _participation_roles, fold, role_concept

ROOT = Path(__file__).resolve().parent.parent


def test_every_gazetteer_post_role_is_a_role_concept():
    posts, _ = canonical.posts()
    unknown = sorted({entry.role for entry in posts.values() if role_concept(entry.role) not in _known_roles()})
    assert unknown == [], f"posts.tsv roles with no concept in ontology/vocab/roles.ttl: {unknown}"


def test_every_document_type_is_a_document_type_concept():
    # Only these kinds name a type in columns 3 (English) and 4 (Vietnamese); see the file's header.
    rows = [r for r in canonical._rows("doc_types.tsv") if r[0] in ("word", "code", "statecode")]
    unknown = sorted({r[2] for r in rows if r[2] != "-" and fold(r[2]) not in _doctypes()}
                     | {r[3] for r in rows if r[3] != "-" and fold(r[3]) not in _doctypes()})
    assert unknown == [], f"doc_types.tsv types with no concept in ontology/vocab/doctypes.ttl: {unknown}"


def test_every_participation_cue_role_is_a_participation_concept():
    unknown = sorted({role for _, role, _ in canonical.participation_cues() if fold(role) not in _participation_roles()})
    assert unknown == [], f"participation.tsv roles with no concept in ontology/vocab/participation.ttl: {unknown}"


def test_every_body_category_maps_to_an_ontology_class():
    categories = {row[1] for row in canonical._rows("bodies.tsv")}
    assert sorted(categories - set(_org_classes())) == []


def _declared_classes() -> set[str]:
    graph = Graph().parse(ROOT / "ontology" / "pg.ttl")
    return {str(c) for c in graph.subjects(RDF.type, OWL.Class)} | {str(c) for c in graph.subjects(RDF.type, RDFS.Class)}


def _prefixes() -> dict[str, str]:
    rows = (line.split("\t") for line in (ROOT / "ontology" / "prefixes.tsv").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#"))
    return {r[0].strip(): r[1].strip() for r in rows}


def test_every_pg_class_the_site_displays_is_declared():
    display = yaml.safe_load((ROOT / "kg" / "publish" / "display.yaml").read_text(encoding="utf-8"))
    named = {c for index in display["indexes"] for c in index["classes"]} | set(display.get("relation_classes", []))
    pg = _prefixes()["pg"]
    undeclared = sorted(c for c in named if c.startswith("pg:") and pg + c[3:] not in _declared_classes())
    assert undeclared == [], f"kg/publish/display.yaml names classes ontology/pg.ttl does not declare: {undeclared}"


def test_every_appointment_cue_kind_is_an_appointment_concept():
    from kg.map import vocab_graph
    from kg.namespaces import PGAPPT, SKOS

    graph = vocab_graph()
    notations = {str(graph.value(c, SKOS.notation)) for c in graph.subjects(SKOS.inScheme, URIRef(PGAPPT))}
    kinds = {r[1] for r in canonical._rows("appointment_cues.tsv")} - {"-"}
    assert sorted(kinds - notations) == [], "appointment_cues.tsv kinds with no concept in ontology/vocab/appointments.ttl"
    from kg.extract.appointments import KINDS
    assert set(KINDS) == notations
