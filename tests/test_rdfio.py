"""kg.rdfio is the one way kg reads RDF files: kg validate (through rdflib) and kg diff (through
pyoxigraph) read, decode and check a file alike and report a bad one in the same words."""

from __future__ import annotations

import gzip
import re

import pytest

from kg.errors import InputError
from kg.rdfio import read_quads, read_text
from kg.validate import load_rdf

BROKEN = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n"


def _message(reader, path) -> str:
    with pytest.raises(InputError) as caught:
        reader(path)
    return str(caught.value)


@pytest.mark.parametrize("name, content, expected", [
    ("broken.ttl", BROKEN.encode(), r"broken.ttl: line 3, column \d+: syntax error: "),
    ("missing.ttl", None, "missing.ttl: no such file"),
    ("bad.nt.gz", b"not gzip at all", "bad.nt.gz: not gzip: "),
])
def test_validate_and_diff_report_a_bad_file_alike(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    message = _message(load_rdf, path)
    assert message == _message(read_quads, path)
    assert re.search(expected, message), message


def test_read_text_is_nfc_and_reads_gzip(tmp_path):
    path = tmp_path / "a.ttl.gz"
    path.write_bytes(gzip.compress('<http://e/s> <http://e/p> "Ho\u0302\u0300 Chi\u0301 Minh" .\n'.encode()))
    assert '"Hồ Chí Minh"' in read_text(path)


@pytest.mark.parametrize("content, expected", [(b"  \n", "empty.ttl: file is empty"),
                                               (b"<a> <b> \"\xff\" .", "empty.ttl: line 1: not UTF-8 (byte 0xff)")])
def test_read_text_refuses_empty_and_non_utf8(tmp_path, content, expected):
    path = tmp_path / "empty.ttl"
    path.write_bytes(content)
    assert _message(read_text, path) == f"{path}: {expected.split(': ', 1)[1]}"
