"""The enums of closed sets print, compare and serialise exactly as the bare strings they replace,
so kg-manifest.json, kg-report.json and query output stay byte-identical."""

import json
import pickle

import pytest

from kg.corpus.engine import Status
from kg.store.base import QueryForm, QueryResult


@pytest.mark.parametrize("member", [*Status, *QueryForm])
def test_a_member_is_its_value_everywhere(member):
    assert member == member.value and str(member) == member.value and f"{member}" == member.value
    assert json.dumps({"status": member}) == json.dumps({"status": member.value})
    assert pickle.loads(pickle.dumps(member)) is member  # sent between worker processes


def test_the_sets_are_the_ones_written_before():
    assert [s.value for s in Status] == ["ok", "warnings", "failed"]
    assert [f.value for f in QueryForm] == ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]


def test_a_string_form_from_a_remote_answer_still_counts():
    assert len(QueryResult("SELECT", variables=["x"], rows=[(None,)])) == 1
    assert QueryForm("ASK") is QueryForm.ASK
    with pytest.raises(ValueError):
        QueryForm("INSERT")  # an update is not a query form
