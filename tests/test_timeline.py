"""CQs across articles and time: timeline.rq and holders.rq (with parameters bound as terms)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.cq import bind, parameters
from kg.errors import KgError
from kg.pipeline import export_text
from kg.store import cq_query

# Our own sentences: one person moves from deputy to secretary of one committee; a second person
# is deputy after that. Four articles, four dates.
ARTICLE = """---
published: {day}
url: https://example.org/nhan-su/{n}
---
Ngày {dm}, tại thành phố Nam Định, Tỉnh ủy Nam Định tổ chức Hội nghị {topic}.
Đồng chí {who}, {post} Tỉnh ủy Nam Định chủ trì hội nghị.
"""
ROWS = [("2023-02-10", "10/2/2023", "Phạm Quang Hiếu", "Phó Bí thư", "sơ kết quý I"),
        ("2023-09-05", "5/9/2023", "Phạm Quang Hiếu", "Phó Bí thư", "quán triệt nghị quyết"),
        ("2024-04-12", "12/4/2024", "Phạm Quang Hiếu", "Bí thư", "tổng kết công tác cán bộ"),
        ("2024-06-20", "20/6/2024", "Đỗ Thị Mai", "Phó Bí thư", "góp ý văn kiện")]


@pytest.fixture(scope="module")
def store():
    db = ox.Store()
    for n, (day, dm, who, post, topic) in enumerate(ROWS):
        done = export_text(ARTICLE.format(n=n, day=day, dm=dm, who=who, post=post, topic=topic), f"a{n}.txt")
        assert done.report.accepted
        db.load(done.nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return db


def rows(store, query):
    answer = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in answer.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in answer]


def test_the_timeline_gives_first_and_last_attestation_per_tenure(store):
    got = [(r["person"], r["post"], r["organization"], r["firstAttested"], r["lastAttested"], r["articles"])
           for r in rows(store, cq_query("timeline"))]
    assert ("Phạm Quang Hiếu", "Phó Bí thư", "Tỉnh ủy Nam Định", "2023-02-10", "2023-09-05", "2") in got
    assert ("Phạm Quang Hiếu", "Bí thư", "Tỉnh ủy Nam Định", "2024-04-12", "2024-04-12", "1") in got
    assert ("Đỗ Thị Mai", "Phó Bí thư", "Tỉnh ủy Nam Định", "2024-06-20", "2024-06-20", "1") in got


def test_holders_at_a_date(store):
    query = bind(cq_query("holders"), {"post": "Phó Bí thư", "organization": "Tỉnh ủy Nam Định",
                                       "date": "2023-05-01"})
    assert [r["person"] for r in rows(store, query)] == ["Phạm Quang Hiếu"]
    later = bind(cq_query("holders"), {"post": "Phó Bí thư", "date": "2024-06-20"})
    assert [r["person"] for r in rows(store, later)] == ["Đỗ Thị Mai"]
    everyone = [r["person"] for r in rows(store, bind(cq_query("holders"), {"post": "Phó Bí thư"}))]
    assert sorted(everyone) == ["Phạm Quang Hiếu", "Đỗ Thị Mai"]


def test_holders_without_parameters_lists_every_holder(store):
    assert len(rows(store, cq_query("holders"))) == 3


def test_a_hostile_value_stays_a_literal(store):
    """A value that tries to close the literal and add a clause is one (odd) string, never SPARQL."""
    evil = 'x" ) } } DROP ALL ; SELECT * { ?s ?p ?o '
    query = bind(cq_query("holders"), {"post": evil})
    assert rows(store, query) == []
    assert len(store) > 0  # nothing was dropped
    assert '\\"' in query  # pyoxigraph escaped the quote


def test_parameters_are_checked():
    assert parameters(cq_query("holders")) == ["date", "organization", "post"]
    with pytest.raises(KgError, match="no such parameter"):
        bind(cq_query("holders"), {"year": "2024"})
    with pytest.raises(KgError, match="not a date"):
        bind(cq_query("holders"), {"date": "2024-13-45"})
    with pytest.raises(KgError, match="takes no such parameter"):
        bind(cq_query("people"), {"post": "Bí thư"})


def test_kg_query_binds_parameters_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    paths = []
    for n, (day, dm, who, post, topic) in enumerate(ROWS):
        path = tmp_path / f"a{n}.txt"
        path.write_text(ARTICLE.format(n=n, day=day, dm=dm, who=who, post=post, topic=topic), encoding="utf-8")
        paths.append(str(path))
    store = str(tmp_path / "store")
    assert CliRunner().invoke(main, ["export", "-q", *paths, "-o", str(tmp_path / "all.trig"), "--load",
                                     "--store", store]).exit_code == 0
    asked = CliRunner().invoke(main, ["query", "--cq", "holders", "--store", store, "--format", "csv",
                                      "--param", "post=Bí thư", "--param", "date=2024-04-12"])
    assert asked.exit_code == 0, asked.output
    assert asked.stdout.splitlines()[1].startswith("Phạm Quang Hiếu,Bí thư,Tỉnh ủy Nam Định,2024-04-12")
    bad = CliRunner().invoke(main, ["query", "--cq", "holders", "--store", store, "--param", "post"])
    assert bad.exit_code == 2 and "NAME=VALUE" in bad.stderr
    timeline = CliRunner().invoke(main, ["query", "--cq", "timeline", "--store", store, "--format", "csv"])
    assert len(timeline.stdout.splitlines()) == 4  # header + three tenures
