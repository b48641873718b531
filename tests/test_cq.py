"""Competency questions (ontology/cq/*.rq): fixed names and columns, and the seed's expected answers.

The facts come from issue 2. They are checked on the hand-built seed extraction (conftest) and,
once kg.extract exists, on the real pipeline read → extract → map: the core acceptance test.
"""

from __future__ import annotations

import dataclasses

import pyoxigraph
import pytest

from kg.map import to_graph
from kg.model import Appointment
from kg.resources import cq_dir
from kg.serialize import serialize

COLUMNS = {
    "people": ["person", "post", "organization"],
    "documents": ["number", "type", "issuer"],
    "meetings": ["meeting", "date", "place", "organizer"],
    "roles": ["meeting", "person", "role"],
    "assemblies": ["kind", "ordinal", "body", "term"],
    "organizations": ["organization", "parent"],
    # across articles and time (tests/test_timeline.py): aggregates over attestations
    "timeline": ["person", "post", "organization", "firstAttested", "lastAttested", "start", "end", "articles"],
    "holders": ["person", "post", "organization", "firstAttested", "lastAttested", "articles"],
    # personnel decisions as events (tests/test_extract_appointments.py)
    "appointments": ["person", "post", "organization", "kind", "date", "decidedBy", "decision"],
}

DUK = "Đảng ủy Khối các cơ quan Trung ương"
DBK = "Đảng bộ Khối các cơ quan Trung ương"
BTG = "Ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương"
BCH = "Ban Chấp hành Trung ương"


def run(graph, name: str) -> list[dict[str, str | None]]:
    result = graph.query((cq_dir() / f"{name}.rq").read_text(encoding="utf-8"))
    assert [str(v) for v in result.vars] == COLUMNS[name]
    return [{str(k): (None if v is None else str(v)) for k, v in zip(result.vars, row)} for row in result]


def has(rows: list[dict], **expected) -> bool:
    """Some row agrees with every given column (columns not given are free)."""
    return any(all(row[k] == v for k, v in expected.items()) for row in rows)


def check_seed_facts(graph) -> None:
    people = run(graph, "people")
    assert has(people, person="Nguyễn Minh Chung", post="Trưởng Ban", organization=BTG)
    assert has(people, person="Lại Xuân Lâm", post="Phó Bí thư", organization=DUK)

    docs = run(graph, "documents")
    for number in ("05-CT/TW", "45-CT/TW"):
        assert has(docs, number=number, type="Directive", issuer="Bộ Chính trị"), number
    assert has(docs, number="35-NQ/TW", type="Resolution", issuer="Bộ Chính trị")
    for number in ("101-QĐ/TW", "55-QĐ/TW", "08-QĐi/TW"):
        assert has(docs, number=number, type="Regulation"), number

    meetings = run(graph, "meetings")
    assert has(meetings, date="2021-01-06", place="Hà Nội", organizer=DUK)
    (meeting,) = [m["meeting"] for m in meetings if m["date"] == "2021-01-06"]
    assert meeting.startswith("Hội nghị")

    roles = run(graph, "roles")
    assert has(roles, meeting=meeting, person="Nguyễn Minh Chung", role="report")
    assert has(roles, meeting=meeting, person="Lại Xuân Lâm", role="speech")

    assemblies = run(graph, "assemblies")
    assert has(assemblies, kind="Congress", ordinal="13", body="Đảng Cộng sản Việt Nam")
    assert has(assemblies, kind="Congress", ordinal="13", body=DBK)
    assert has(assemblies, kind="Congress", ordinal="12", body=DBK, term="2020-2025")
    for n in ("4", "12", "13"):
        assert has(assemblies, kind="Plenum", ordinal=n, body=BCH, term="XII"), n
    for n in ("9", "10"):
        assert has(assemblies, kind="Session", ordinal=n, body="Quốc hội", term="XIV"), n
    assert has(assemblies, kind="Election", body="Quốc hội", term="XV")

    orgs = run(graph, "organizations")
    for name in ("Bộ Chính trị", "Ban Bí thư", BCH, "Quốc hội", "Đảng Cộng sản Việt Nam", DUK):
        assert has(orgs, organization=name), name
    assert has(orgs, organization=BTG, parent=DUK)


def test_cq_files_are_the_contract():
    assert sorted(p.stem for p in cq_dir().glob("*.rq")) == sorted(COLUMNS)
    for name in COLUMNS:
        text = (cq_dir() / f"{name}.rq").read_text(encoding="utf-8")
        assert text.startswith("# CQ "), name  # a header saying what it answers
        body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
        assert ("SELECT DISTINCT" in body or "GROUP BY" in body) and "ORDER BY" in body, name
        assert "GRAPH" not in body.upper(), name  # a query over everything, whatever the store's layout
        variables = pyoxigraph.Store().query(body.replace("#@parameters", "")).variables
        assert [v.value for v in variables] == COLUMNS[name], name


def test_seed_facts_on_the_hand_built_extraction(seed_graph):
    check_seed_facts(seed_graph)


def test_one_row_per_fact(seed_graph):
    assert len(run(seed_graph, "people")) == 2
    assert len(run(seed_graph, "documents")) == 6
    assert len(run(seed_graph, "roles")) == 2
    rows = run(seed_graph, "assemblies")
    assert len(rows) == len({tuple(r.values()) for r in rows})


def test_the_cq_fails_when_a_fact_is_missing(seed_extraction):
    # The checks can fail: drop a holding and the people CQ no longer has it.
    poorer = dataclasses.replace(seed_extraction, holdings=seed_extraction.holdings[:1])
    with pytest.raises(AssertionError):
        check_seed_facts(to_graph(poorer))


def test_cqs_on_a_union_of_articles_in_oxigraph(seed_extraction, seed_graph):
    pyoxigraph = pytest.importorskip("pyoxigraph")
    other = dataclasses.replace(seed_extraction,
                                article=dataclasses.replace(seed_extraction.article, url="https://example.org/b"))
    store = pyoxigraph.Store()
    for graph in (seed_graph, to_graph(other)):
        store.load(serialize(graph, "nquads").encode("utf-8"), pyoxigraph.RdfFormat.N_QUADS)
    for name in COLUMNS:
        query = (cq_dir() / f"{name}.rq").read_text(encoding="utf-8")
        result = store.query(query, use_default_graph_as_union=True)
        assert [v.value for v in result.variables] == COLUMNS[name]
        ox_rows = [tuple(None if t is None else t.value for t in row) for row in result]
        rdflib_rows = [tuple(r.values()) for r in run(seed_graph, name)]
        if "articles" in COLUMNS[name]:  # the same tenures, now attested by two articles
            rdflib_rows = [(*r[:-1], str(int(r[-1]) * 2)) for r in rdflib_rows]
        assert ox_rows == rdflib_rows, name  # same rows, same order, duplicates merged


def test_cqs_stay_fast_on_a_union_where_nodes_repeat(seed_extraction):
    # Bodies, concepts and tenures repeat in every article's graph and Oxigraph's union default
    # graph keeps the repeats: star patterns grew as N² (164 s at 200 articles). Each CQ
    # deduplicates pattern by pattern; 50 articles must take well under a second per query.
    import time

    pyoxigraph = pytest.importorskip("pyoxigraph")
    store = pyoxigraph.Store()
    quads = []
    # the seed reports no personnel decision: give each copy one, so appointments.rq has rows to find
    held = seed_extraction.holdings[0]
    decided = [Appointment(person=held.person, kind="elected", role=held.role, organization=held.organization,
                           evidence=held.evidence)]
    for i in range(50):
        article = dataclasses.replace(seed_extraction.article, url=f"https://example.org/{i}")
        copy = dataclasses.replace(seed_extraction, article=article, appointments=decided)
        quads.append(serialize(to_graph(copy), "nquads"))
    store.bulk_load("".join(quads).encode("utf-8"), pyoxigraph.RdfFormat.N_QUADS)
    for name in COLUMNS:
        query = (cq_dir() / f"{name}.rq").read_text(encoding="utf-8")
        start = time.perf_counter()
        rows = list(store.query(query, use_default_graph_as_union=True))
        assert time.perf_counter() - start < 2.0, name
        assert rows, name


def test_seed_facts_through_the_real_pipeline():
    """The core acceptance test: kg.text.read_article → kg.extract.extract → to_graph."""
    from conftest import SEED

    from kg.extract import extract
    from kg.text import read_article

    check_seed_facts(to_graph(extract(read_article(str(SEED)))))
