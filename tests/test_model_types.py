"""The entity spine's small types (kg.model): EntityKey builds and takes apart keys (as text they stay
"kind:local", the form the extraction JSON and kg.iri.key_to_iri use); ENTITY_GROUPS comes from the
Extraction dataclass; AssemblyKind is a closed set that still reads as its bare strings."""

from __future__ import annotations

import pytest

from kg.extract.canonical import org_key
from kg.iri import key_to_iri, slug
from kg.model import EntityKey


def test_text_form_is_kind_colon_local():
    assert str(EntityKey("org", "dang-uy-khoi")) == "org:dang-uy-khoi"
    assert str(EntityKey("term", "ban-chap-hanh-trung-uong/xii")) == "term:ban-chap-hanh-trung-uong/xii"


@pytest.mark.parametrize("text", ["org:dang-uy-khoi", "term:quoc-hoi/xv", "meeting:ban-a/2021-01-06",
                                  "assembly:quoc-hoi/session/xiv-9"])
def test_parse_inverts_str(text):
    key = EntityKey.parse(text)
    assert str(key) == text
    assert EntityKey.parse(str(key)) == key


def test_parse_splits_at_the_first_colon_only():
    assert EntityKey.parse("doc:a:b") == EntityKey("doc", "a:b")


@pytest.mark.parametrize("text", ["", "org", "org:", ":dang-uy-khoi"])
def test_parse_refuses_what_is_no_key(text):
    with pytest.raises(ValueError, match="not an entity key"):
        EntityKey.parse(text)


def test_keys_are_values():
    assert EntityKey("org", "a") == EntityKey("org", "a")
    assert len({EntityKey("org", "a"), EntityKey("org", "a"), EntityKey("place", "a")}) == 2
    assert sorted([EntityKey("place", "a"), EntityKey("org", "b")])[0].kind == "org"


def test_the_extractor_and_the_iri_agree_on_a_key():
    key = org_key("Ban Chấp hành Trung ương")
    assert EntityKey.parse(key) == EntityKey("org", slug("Ban Chấp hành Trung ương"))
    assert key_to_iri(key, "https://e.org/") == f"https://e.org/id/org/{slug('Ban Chấp hành Trung ương')}"
    with pytest.raises(ValueError, match="not an entity key"):
        key_to_iri("planet:mars")


def test_entity_groups_come_from_the_extraction_dataclass():
    from kg.model import ENTITY_GROUPS

    assert ENTITY_GROUPS == ("people", "organizations", "terms", "documents", "assemblies", "places", "meetings")


def test_assembly_kind_is_its_bare_string_everywhere():
    import json

    from rdflib import Literal

    from kg.model import AssemblyKind
    from kg.namespaces import PG

    kind = AssemblyKind.PLENUM
    assert kind == "Plenum" and hash(kind) == hash("Plenum") and kind.lower() == "plenum"
    assert str(kind) == f"{kind}" == "%s" % kind == "Plenum"
    assert json.dumps({"kind": kind}) == '{"kind": "Plenum"}'
    assert PG[kind] == PG.Plenum and Literal(kind) == Literal("Plenum")
    assert [k.value for k in AssemblyKind] == ["Congress", "Plenum", "Session", "Election"]
