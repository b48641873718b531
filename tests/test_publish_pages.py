"""Page rendering without a server: escaping, mention highlighting edge cases, generated ontology docs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.publish import make_app
from kg.publish.pages import Pages, make_url
from kg.publish.site import Site, sentence_around
from kg.resources import ontology_dir, shapes_dir

DATA = Path(__file__).parent / "data" / "publish-edge.trig"
BASE = "https://example.org/kg/"
ARTICLE = BASE + "id/article/0000000000000001"


@pytest.fixture(scope="module")
def site():
    store = ox.Store()
    store.load(path=str(DATA), format=ox.RdfFormat.TRIG)
    return Site(store, BASE)


def test_markup_in_labels_and_text_is_escaped(site):
    html = Pages(site).resource(BASE + "id/person/a", "doc/person/a")
    assert "<b>A</b>" not in html and "Trần Văn &lt;b&gt;A&lt;/b&gt;" in html
    assert 'lang="en"' in html and "Tran Van A" in html  # the English label is shown too
    article = Pages(site).resource(ARTICLE, "doc/article/0000000000000001")
    assert "<b>" not in article and "&lt;b&gt;" in article
    assert "<i>" not in article


def test_nested_and_crossing_mentions(site):
    html = Pages(site).resource(ARTICLE, "doc/article/0000000000000001")
    text = re.search(r'<div class="text" lang="vi">(.*?)</div>', html, re.DOTALL).group(1)
    # every character of the text is there once, in order, whatever was highlighted
    plain = re.sub(r"<[^>]+>", "", text).replace("&lt;", "<").replace("&gt;", ">")
    assert plain == "Ông <b>Trần Văn A</b> gặp Bộ Chính trị."
    assert '<mark id="char=7,17"' in text and '<mark id="char=26,38"' in text
    # the nested span is highlighted without a link inside the outer link; the crossing one is skipped
    inner = re.search(r'<mark id="char=29,38"[^>]*>(.*?)</mark>', text).group(1)
    assert "<a " not in inner
    assert 'id="char=12,25"' not in text
    assert text.count("<a ") == 2


def test_relative_links_work_under_any_prefix():
    url = make_url("doc/person/x", "")
    assert url("doc/org/y") == "../org/y"
    assert url("") == "../../"
    assert url("ontology#Person") == "../../ontology#Person"
    assert url("sparql?query=a") == "../../sparql?query=a"
    static = make_url("doc/person/x", ".html")
    assert static("doc/org/y#char=1,2") == "../org/y.html#char=1,2"
    assert static("") == "../../index.html"
    assert static("static/style.css") == "../../static/style.css"
    assert make_url("", "")("index/people") == "index/people"


def test_sentence_around():
    text = "Câu một. Ông Lại Xuân Lâm phát biểu; rồi về. Câu ba."
    start = text.index("Lại")
    before, after = sentence_around(text, start, start + len("Lại Xuân Lâm"))
    assert (before, after) == ("Ông ", " phát biểu;")


def test_ontology_page_is_generated_from_the_files(tmp_path):
    onto = tmp_path / "ontology"
    shutil.copytree(ontology_dir(), onto)
    (onto / "extra.ttl").write_text(
        "@prefix pg: <https://w3id.org/pgkg/ontology#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'pg:Commune a owl:Class ; rdfs:label "Xã"@vi , "Commune"@en ; rdfs:subClassOf pg:Place .\n',
        encoding="utf-8")
    site = Site(ox.Store(), BASE, ontology=onto, shapes=shapes_dir())
    html = Pages(site).ontology()
    assert 'id="Commune"' in html and "Xã" in html and "Commune" in html
    assert 'id="Tenure"' in html  # and everything else in ontology/*.ttl


def test_wsgi_app_without_sockets(site):
    """The app is a plain WSGI callable (mountable in any WSGI server)."""
    app = make_app(site.data, BASE)
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/id/person/a", "HTTP_ACCEPT": "text/turtle",
                         "QUERY_STRING": "", "SCRIPT_NAME": "/kg", "wsgi.errors": None}, start_response))
    assert seen["status"].startswith("303") and body == b""
    assert seen["headers"]["Location"] == "/kg/data/person/a.ttl"  # honours the mount point


def test_links_are_relative_paths_as_posixpath_gives_them_without_its_getcwd():
    import posixpath
    import random

    from kg.publish.pages import _relpath

    rng = random.Random(7)
    parts = ["doc", "person", "x", "index", "static", "style.css", ".", "", "id", "vocab", "role", ".."]
    for _ in range(20000):
        path = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 5))) or "."
        start = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4))) or "."
        assert _relpath(path, start) == posixpath.relpath(path, start), (path, start)
