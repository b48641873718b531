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
    assert lam["id"] == ID + "person/lai-xuan-lam"
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
    propaganda = bodies[ID + "org/ban-tuyen-giao-dang-uy-khoi-cac-co-quan-trung-uong"]
    assert propaganda["name"] == "Ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương"
    assert propaganda["other_names"] == [{"name": "Ban Tuyên giáo Đảng ủy Khối"}]
    assert propaganda["classification"] == "Ban của Đảng"
    assert propaganda["parent_id"] == ID + "org/dang-uy-khoi-cac-co-quan-trung-uong"
    party = bodies[ID + "org/dang-cong-san-viet-nam"]
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
    lam = [m for m in doc["memberships"] if m["person_id"] == ID + "person/lai-xuan-lam"]
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
    assert names == ["articles", "attestations", "memberships", "organizations", "persons", "posts"]
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
