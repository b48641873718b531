"""CQs across articles and time: timeline.rq and holders.rq (with parameters bound as terms)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cq import bind, parameters
from kg.errors import KgError
from kg.pipeline import export_article
from kg.store import cq_query

TIMELINE = Path(__file__).resolve().parent.parent / "data" / "articles" / "timeline"  # four articles of ours


@pytest.fixture(scope="module")
def store():
    """One person moves from deputy to secretary of one committee; a second person is deputy after."""
    db = ox.Store()
    for path in sorted(TIMELINE.glob("*.txt")):
        done = export_article(str(path))
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

    paths = [str(p) for p in sorted(TIMELINE.glob("*.txt"))]
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
