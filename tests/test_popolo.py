"""kg.popolo: Popolo JSON from a real export, checked against the official Popolo JSON schemas.

The schemas (tests/data/popolo/*.json, draft-03) are the popolo-project/popolo-spec files byte for
byte; they are preloaded into a ``referencing`` registry under their ``id`` URLs, so their ``$ref``s
resolve offline and nothing is fetched over the network.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from jsonschema import Draft3Validator
from rdflib import Dataset, Graph
from referencing import Registry
from referencing.jsonschema import DRAFT3

from kg.pipeline import export_article
from kg.popolo import to_popolo, to_popolo_json
from kg.serialize import to_nquads

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "seed.txt"
SECOND = Path(__file__).parent / "data" / "store_article_2.txt"  # our own short article: same person, same body
SCHEMAS = Path(__file__).parent / "data" / "popolo"
ID = "https://w3id.org/pgkg/id/"
RECORD_SCHEMA = {"persons": "person", "organizations": "organization", "posts": "post", "memberships": "membership"}


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft3Validator]:
    schemas = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))}
    # The ids end in an empty fragment ("…/person.json#"); the registry is keyed by the bare URL.
    registry = Registry().with_resources(
        (schema["id"].rstrip("#"), DRAFT3.create_resource(schema)) for schema in schemas.values()
    )
    for schema in schemas.values():
        Draft3Validator.check_schema(schema)
    return {name: Draft3Validator(schemas[name], registry=registry) for name in RECORD_SCHEMA.values()}


@pytest.fixture(scope="module")
def seed_graph() -> Graph:
    return export_article(str(SEED), root=str(ROOT)).graph


@pytest.fixture(scope="module")
def seed_doc(seed_graph) -> dict:
    return to_popolo(seed_graph)


@pytest.fixture(scope="module")
def two_articles() -> Dataset:
    dataset = Dataset()
    for path in (SEED, SECOND):
        graph = export_article(str(path), root=str(ROOT)).graph
        named = dataset.graph(graph.identifier)
        for triple in graph:
            named.add(triple)
    return dataset


def records(doc: dict, kind: str) -> dict[str, dict]:
    return {record["id"]: record for record in doc[kind]}


def errors(validators, doc: dict) -> list[str]:
    found = []
    for kind, schema in RECORD_SCHEMA.items():
        for record in doc[kind]:
            found += [f"{kind} {record.get('id')}: {e.message}" for e in validators[schema].iter_errors(record)]
    return found


# --- the seed, as a user of the Popolo file checks it -----------------------------------


def test_the_seed_document_is_valid_popolo(validators, seed_doc):
    assert list(seed_doc) == ["persons", "organizations", "posts", "memberships"]
    assert all(seed_doc[kind] for kind in seed_doc), "every list has records"
    assert errors(validators, seed_doc) == []


def test_the_validators_do_reject_what_popolo_forbids(validators, seed_doc):
    # Guards the check above: a schema set that loaded as empty would accept anything.
    person = dict(seed_doc["persons"][0], birth_date="6/1/2021", sources=[{"note": "no url"}])
    messages = [e.message for e in validators["person"].iter_errors(person)]
    assert any("does not match" in m for m in messages)  # birth_date pattern, from person.json
    assert any("url" in m and "required" in m for m in messages)  # link.json, reached through $ref
    membership = dict(seed_doc["memberships"][0], start_date="đầu năm")
    assert list(validators["membership"].iter_errors(membership))


def test_lai_xuan_lam_is_deputy_secretary_of_the_bloc_committee_with_a_source(seed_doc):
    people = {p["name"]: p for p in seed_doc["persons"]}
    lam = people["Lại Xuân Lâm"]
    assert lam["id"] == ID + "person/laji-xuaan-laam"
    bodies = records(seed_doc, "organizations")
    posts = records(seed_doc, "posts")
    held = [m for m in seed_doc["memberships"] if m.get("person_id") == lam["id"]]
    assert len(held) == 1
    membership = held[0]
    assert bodies[membership["organization_id"]]["name"] == "Đảng ủy Khối các cơ quan Trung ương"
    assert membership["role"] == "Phó Bí thư"
    assert posts[membership["post_id"]]["role"] == "Phó Bí thư"
    assert posts[membership["post_id"]]["organization_id"] == membership["organization_id"]
    assert "start_date" not in membership and "end_date" not in membership  # an article shows a day, not a span
    (source,) = membership["sources"]
    assert source["url"] == ID + "article/487884fead530d2e"  # the seed has no URL: the article's IRI
    assert source["note"].endswith("(attested on 2021-01-06)")
    assert lam["sources"] == [{"url": source["url"], "note": source["note"].split(" (attested")[0]}]


def test_every_id_a_record_points_at_is_in_the_document(seed_doc, two_articles):
    for doc in (seed_doc, to_popolo(two_articles)):
        ids = {kind: set(records(doc, kind)) for kind in RECORD_SCHEMA}
        for m in doc["memberships"]:
            assert m["person_id"] in ids["persons"]
            assert m["organization_id"] in ids["organizations"]
            assert m["post_id"] in ids["posts"]
        for post in doc["posts"]:
            assert post.get("organization_id", next(iter(ids["organizations"]))) in ids["organizations"]
        for body in doc["organizations"]:
            assert body.get("parent_id", body["id"]) in ids["organizations"]


def test_organizations_carry_names_classification_and_parent(seed_doc):
    bodies = records(seed_doc, "organizations")
    propaganda = bodies[ID + "org/ban-tuyeen-giaso-ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"]
    assert propaganda["name"] == "Ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương"
    assert propaganda["other_names"] == [{"name": "Ban Tuyên giáo Đảng ủy Khối"}]
    assert propaganda["classification"] == "Ban của Đảng"
    assert propaganda["parent_id"] == ID + "org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"
    party = bodies[ID + "org/ddarng-coojng-sarn-vieejt-nam"]
    assert party["classification"] == "Đảng chính trị" and "parent_id" not in party


def test_every_record_cites_an_absolute_url(seed_doc):
    # link.json's "format": "uri" is not checked by jsonschema without extra packages: check it here.
    for kind in RECORD_SCHEMA:
        for record in seed_doc[kind]:
            assert record["sources"], record["id"]
            for link in record["sources"]:
                parts = urlsplit(link["url"])
                assert parts.scheme in ("http", "https") and parts.netloc, link
                assert link["note"].strip()


def test_lists_are_sorted_and_keys_come_in_a_fixed_order(seed_doc):
    for kind in RECORD_SCHEMA:
        ids = [record["id"] for record in seed_doc[kind]]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        for record in seed_doc[kind]:
            assert next(iter(record)) == "id" and list(record)[-1] == "sources"
    assert list(seed_doc["memberships"][0]) == [
        "id", "label", "person_id", "organization_id", "post_id", "role", "sources"]


def test_json_text_is_utf8_indented_with_a_trailing_newline(seed_graph):
    text = to_popolo_json(seed_graph)
    assert "Lại Xuân Lâm" in text and "\\u" not in text
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.startswith('{\n  "persons": [\n')
    assert json.loads(text) == to_popolo(seed_graph)


DETERMINISM = """
import sys
from rdflib import Graph
from kg.popolo import to_popolo_json
sys.stdout.buffer.write(to_popolo_json(Graph().parse(sys.argv[1], format="turtle")).encode("utf-8"))
"""


@pytest.mark.slow
def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path):
    exported = tmp_path / "seed.ttl"
    kg = Path(sys.executable).with_name("kg")
    subprocess.run([str(kg), "export", str(SEED), "-q", "-o", str(exported)], check=True, cwd=ROOT)
    outputs = set()
    for seed in ("0", "1", "4242", "random"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", DETERMINISM, str(exported)], env=env, cwd=ROOT,
                             capture_output=True, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert b'"name": "L\xe1\xba\xa1i Xu\xc3\xa2n L\xc3\xa2m"' in outputs.pop()  # UTF-8, not \u escapes


# --- many articles: a Dataset, the served pyoxigraph store --------------------------------


def test_two_articles_merge_into_one_record_with_two_dated_sources(validators, two_articles):
    doc = to_popolo(two_articles)
    assert errors(validators, doc) == []
    lam = [m for m in doc["memberships"] if m["person_id"] == ID + "person/laji-xuaan-laam"]
    assert len(lam) == 1, "the same tenure IRI in both articles is one membership"
    notes = {s["url"]: s["note"] for s in lam[0]["sources"]}
    # Each date is paired with the article that attests it (the second article's meeting is 1/3).
    assert notes["https://example.org/tin/dang-uy-khoi-so-ket-kiem-tra-quy-1"] == (
        "Đảng ủy Khối các cơ quan Trung ương sơ kết công tác kiểm tra quý I (attested on 2021-03-01)")
    assert notes[ID + "article/487884fead530d2e"].endswith("(attested on 2021-01-06)")
    assert len(records(doc, "persons")) == 2


def test_a_pyoxigraph_store_gives_the_same_document_as_the_dataset(two_articles):
    store = ox.Store()
    store.load(to_nquads(two_articles).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    assert to_popolo(store) == to_popolo(two_articles)


# --- small graphs of our own: what is left out -----------------------------------------

PREFIXES = """
@prefix pg: <https://w3id.org/pgkg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://example.org/id/> .
"""


def parse(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def test_an_empty_graph_gives_empty_lists():
    assert to_popolo(Graph()) == {"persons": [], "organizations": [], "posts": [], "memberships": []}
    assert to_popolo_json(Graph()) == '{\n  "persons": [],\n  "organizations": [],\n  "posts": [],\n  "memberships": []\n}\n'


def test_links_to_nodes_the_document_lacks_are_left_out():
    graph = parse("""
    ex:a a schema:NewsArticle ; schema:url <https://example.org/tin/1> ; schema:headline "Tin thử"@vi .
    ex:p a pg:Person ; schema:name "Trần Văn Thử"@vi ; prov:wasDerivedFrom ex:a , ex:notes .
    ex:o a pg:Organization ; rdfs:label "Ban Thử nghiệm"@vi ; org:subOrganizationOf ex:unknown .
    ex:t a pg:Tenure ; org:member ex:someone ; org:organization ex:o ; pg:post ex:nopost .
    """)
    doc = to_popolo(graph)
    person, = doc["persons"]
    assert person["sources"] == [{"url": "https://example.org/tin/1", "note": "Tin thử"}]  # ex:notes is no article
    body, = doc["organizations"]
    assert "parent_id" not in body and "sources" not in body
    membership, = doc["memberships"]
    assert membership == {"id": "https://example.org/id/t", "organization_id": "https://example.org/id/o"}


def test_a_second_name_becomes_another_name_not_a_second_record():
    graph = parse("""
    ex:o a pg:Organization ; rdfs:label "Ủy ban Thử nghiệm"@vi , "Trial Committee"@en ;
        skos:altLabel "Ủy ban"@vi , "UBTN"@vi .
    ex:p a pg:Person ; schema:name "Phạm Thị Mẫu"@vi , "Phạm T. Mẫu"@vi .
    ex:post a pg:Post ; rdfs:label "Chủ nhiệm Ủy ban Thử nghiệm"@vi , "Chủ nhiệm Ủy ban"@vi ; org:postIn ex:o .
    """)
    doc = to_popolo(graph)
    body, = doc["organizations"]
    assert body["name"] == "Ủy ban Thử nghiệm"  # the @en label is not a Vietnamese name
    assert body["other_names"] == [{"name": "UBTN"}, {"name": "Ủy ban"}]
    person, = doc["persons"]
    assert person["name"] == "Phạm T. Mẫu" and person["other_names"] == [{"name": "Phạm Thị Mẫu"}]
    post, = doc["posts"]
    assert post["label"] == "Chủ nhiệm Ủy ban" and post["other_label"] == ["Chủ nhiệm Ủy ban Thử nghiệm"]
    assert post["organization_id"] == "https://example.org/id/o"


def test_other_inputs_are_refused():
    with pytest.raises(TypeError, match="rdflib Graph or Dataset or a pyoxigraph Store"):
        to_popolo("seed.ttl")


def test_queries_are_data_files_with_one_row_per_field(seed_graph):
    folder = ROOT / "kg" / "queries" / "popolo"
    names = sorted(p.stem for p in folder.glob("*.rq"))
    assert names == ["appointments", "articles", "attestations", "memberships", "organizations", "persons", "posts"]
    for name in ("persons", "organizations", "posts", "memberships", "articles"):
        text = (folder / f"{name}.rq").read_text(encoding="utf-8")
        assert re.search(r"SELECT DISTINCT \(STR\(\?\w+\) AS \?id\) \?field \(STR\(\?v\) AS \?value\)", text), name


def test_the_example_in_the_docs_is_real_output(seed_doc):
    text = (ROOT / "docs" / "popolo.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)\n```", text, re.S).group(1))
    for kind, shown in example.items():
        real = records(seed_doc, kind)
        assert shown and all(record == real[record["id"]] for record in shown), kind
    counts = (f"writes {len(seed_doc['persons'])} persons, {len(seed_doc['organizations'])} organizations, "
              f"{len(seed_doc['posts'])} posts and {len(seed_doc['memberships'])} memberships")
    assert counts in " ".join(text.split())


# --- personnel decisions: a membership's dates and links --------------------------------

LANG_SON = ROOT / "data" / "articles" / "appointments" / "lang-son.txt"  # ours: assigned, relieved, approved


@pytest.fixture(scope="module")
def decisions_doc() -> dict:
    return to_popolo(export_article(str(LANG_SON)).graph)


def membership_of(doc: dict, person: str, role: str) -> dict:
    names = {p["id"]: p["name"] for p in doc["persons"]}
    found = [m for m in doc["memberships"] if names.get(m.get("person_id")) == person and m.get("role") == role]
    assert len(found) == 1, (person, role, found)
    return found[0]


def test_a_dated_decision_gives_the_membership_its_start_date(validators, decisions_doc):
    assert errors(validators, decisions_doc) == []
    secretary = membership_of(decisions_doc, "Hoàng Văn Thịnh", "Bí thư")
    assert secretary["start_date"] == "2024-05-09" and "end_date" not in secretary
    [link] = secretary["links"]
    assert link["url"].startswith(ID + "appointment/")
    assert link["note"] == "assigned on 2024-05-09 by Bộ Chính trị"
    assert list(secretary) == ["id", "label", "person_id", "organization_id", "post_id", "role", "start_date",
                               "links", "sources"]


def test_undated_decisions_are_links_not_dates(decisions_doc):
    """Relieved and retired without a date of their own: the article's day is no end date."""
    deputy = membership_of(decisions_doc, "Lương Thị Nga", "Phó Bí thư")
    assert "start_date" not in deputy and "end_date" not in deputy
    assert [link["note"] for link in deputy["links"]] == ["relieved by Ban Bí thư", "retired by Ban Bí thư"]
    approved = membership_of(decisions_doc, "Vi Văn Khoa", "Phó Chủ tịch")
    assert [link["note"] for link in approved["links"]] == ["approved by Chính phủ (612/QĐ-TTg)"]


def test_a_membership_without_decisions_has_no_dates_or_links(decisions_doc):
    other = membership_of(decisions_doc, "Hoàng Văn Thịnh", "Phó Trưởng Ban")
    assert not {"start_date", "end_date", "links"} & set(other)


DECISIONS = """
ex:p a pg:Person ; schema:name "Đinh Văn Mẫu"@vi .
ex:o a pg:Organization ; rdfs:label "Huyện ủy Thử"@vi .
ex:post a pg:Post ; rdfs:label "Bí thư Huyện ủy Thử"@vi ; org:postIn ex:o .
ex:t a pg:Tenure ; org:member ex:p ; org:organization ex:o ; pg:post ex:post .
"""


def decision(name: str, kind: str, day: str | None) -> str:
    dated = f' ; schema:startDate "{day}"^^<http://www.w3.org/2001/XMLSchema#date>' if day else ""
    return (f"ex:{name} a pg:Appointment ; pg:appointee ex:p ; pg:post ex:post ; pg:appointmentKind ex:{kind}{dated} .\n"
            f'ex:{kind} skos:notation "{kind}" .\n')


def test_elected_then_relieved_is_a_closed_membership(validators):
    doc = to_popolo(parse(DECISIONS + decision("a", "elected", "2020-10-15") + decision("b", "relieved", "2023-02-01")))
    assert errors(validators, doc) == []
    membership, = doc["memberships"]
    assert (membership["start_date"], membership["end_date"]) == ("2020-10-15", "2023-02-01")
    assert [link["url"] for link in membership["links"]] == ["https://example.org/id/a", "https://example.org/id/b"]


def test_re_elected_after_being_relieved_is_open_again():
    """One membership holds no gap: a later start reopens it, the earlier end is dropped (still linked)."""
    doc = to_popolo(parse(DECISIONS + decision("a", "elected", "2015-10-01") + decision("b", "relieved", "2018-03-01")
                          + decision("c", "elected", "2020-10-15")))
    membership, = doc["memberships"]
    assert membership["start_date"] == "2015-10-01" and "end_date" not in membership
    assert len(membership["links"]) == 3


def test_a_reprimand_neither_starts_nor_ends_a_membership():
    doc = to_popolo(parse(DECISIONS + decision("a", "disciplined", "2022-05-05")))
    membership, = doc["memberships"]
    assert not {"start_date", "end_date"} & set(membership)
    assert membership["links"] == [{"url": "https://example.org/id/a", "note": "disciplined on 2022-05-05"}]


def test_a_decision_about_another_post_stays_off_the_membership():
    other = DECISIONS + "ex:other a pg:Post ; org:postIn ex:o .\n" + decision("a", "elected", "2020-10-15").replace(
        "pg:post ex:post", "pg:post ex:other")
    membership, = to_popolo(parse(other))["memberships"]
    assert not {"start_date", "links"} & set(membership)


def test_the_served_store_gives_the_decisions_too(tmp_path, decisions_doc):
    """kg serve's store (article graphs plus their union as default graph) gives the same document."""
    from kg.store import load_graphs, open_store

    with open_store(tmp_path / "kg-store") as store:
        load_graphs(store, [(None, export_article(str(LANG_SON)).nquads)])
    served = ox.Store.read_only(str(tmp_path / "kg-store"))
    assert to_popolo(served) == decisions_doc
