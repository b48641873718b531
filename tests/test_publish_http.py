"""`kg serve` over real sockets: 303s, content negotiation, pages, dataset documents, CORS, traversal."""

from __future__ import annotations

import gzip
import json
import re
import threading
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from publish_support import Server, build_seed_store

BASE = "https://w3id.org/pgkg/"
LAM = "id/person/laji-xuaan-laam"
BODY = "id/org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_seed_store(tmp_path_factory.mktemp("publish") / "kg-store")


@pytest.fixture(scope="module")
def server(store_path):
    srv = Server(store_path)
    yield srv
    srv.stop()


def parse(body: bytes, fmt: ox.RdfFormat) -> set[tuple[str, str, str]]:
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(body, format=fmt)}


def article_path(server) -> str:
    status, _, body = server.get("/index/articles")
    assert status == 200
    return re.search(r'href="\.\./(doc/article/[0-9a-f]{16})"', body.decode()).group(1)


# --- 303 and content negotiation ---------------------------------------------------------------

@pytest.mark.parametrize("accept, location", [
    (None, "/doc/person/laji-xuaan-laam"),
    ("text/html", "/doc/person/laji-xuaan-laam"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/doc/person/laji-xuaan-laam"),
    ("text/turtle", "/data/person/laji-xuaan-laam.ttl"),
    ("application/ld+json", "/data/person/laji-xuaan-laam.jsonld"),
    ("application/n-triples", "/data/person/laji-xuaan-laam.nt"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "/data/person/laji-xuaan-laam.jsonld"),
    ("text/html;q=0.1, text/turtle", "/data/person/laji-xuaan-laam.ttl"),
    ("text/*;q=0.3, application/n-triples;q=0.2", "/doc/person/laji-xuaan-laam"),
    ("*/*", "/doc/person/laji-xuaan-laam"),
])
def test_thing_iri_answers_303_by_accept(server, accept, location):
    status, headers, body = server.get("/" + LAM, accept)
    assert status == 303
    assert headers["location"] == location
    assert "Accept" in headers["vary"]
    assert body == b""


def test_explicit_extension_on_thing_iri(server):
    status, headers, _ = server.get(f"/{LAM}.nt", "text/html")
    assert (status, headers["location"]) == (303, "/data/person/laji-xuaan-laam.nt")


def test_406_when_nothing_acceptable(server):
    status, _, body = server.get("/" + LAM, "image/png, text/html;q=0")
    assert status == 406
    assert b"text/turtle" in body  # says what is available


def test_404_for_unknown_things_and_paths(server):
    for path in ("/id/person/nobody-at-all", "/doc/person/nobody-at-all", "/data/person/nobody.ttl",
                 "/vocab/role/no-such-role", "/graph/0000000000000000", "/nothing-here", "/index/unicorns"):
        status, _, _ = server.get(path, "text/turtle")
        assert status == 404, path


@pytest.mark.parametrize("ext, fmt, media", [
    (".ttl", ox.RdfFormat.TURTLE, "text/turtle"),
    (".jsonld", ox.RdfFormat.JSON_LD, "application/ld+json"),
    (".nt", ox.RdfFormat.N_TRIPLES, "application/n-triples"),
])
def test_data_documents_in_every_format(server, ext, fmt, media):
    status, headers, body = server.get(f"/data/person/laji-xuaan-laam{ext}")
    assert status == 200
    assert headers["content-type"].startswith(media)
    triples = parse(body, fmt)
    holds = [t for t in triples if t[0] == f"<{BASE}{LAM}>" and t[1] == "<http://www.w3.org/ns/org#holds>"]
    assert holds, "the person's post is in its RDF"
    # backlinks too: the tenure that names him as member
    assert any(t[1] == "<http://www.w3.org/ns/org#member>" and t[2] == f"<{BASE}{LAM}>" for t in triples)


def test_data_without_extension_negotiates_with_content_location(server):
    status, headers, body = server.get("/data/person/laji-xuaan-laam", "application/n-triples")
    assert status == 200
    assert headers["content-location"] == "/data/person/laji-xuaan-laam.nt"
    assert "Accept" in headers["vary"]
    assert parse(body, ox.RdfFormat.N_TRIPLES)
    assert server.get("/data/person/laji-xuaan-laam", "text/html")[0] == 406


def test_vocab_concepts_dereference(server):
    status, headers, _ = server.get("/vocab/role/pho-bi-thu")
    assert (status, headers["location"]) == (303, "/doc/vocab/role/pho-bi-thu")
    status, _, body = server.get("/data/vocab/role/pho-bi-thu.ttl")
    assert status == 200 and "Phó Bí thư" in body.decode()
    status, _, body = server.get("/doc/vocab/role/pho-bi-thu")
    assert status == 200 and "Deputy Secretary" in body.decode()


def test_named_graph_is_served_and_html_goes_to_the_article(server):
    article = article_path(server)
    graph = "/graph/" + article.rsplit("/", 1)[1]
    status, headers, body = server.get(graph, "text/turtle")
    assert status == 200 and len(parse(body, ox.RdfFormat.TURTLE)) > 100
    status, headers, _ = server.get(graph, "text/html")
    assert (status, headers["location"]) == (303, "/" + article)


# --- HTML pages --------------------------------------------------------------------------------

def test_person_page_shows_post_body_and_evidence(server):
    status, headers, body = server.get("/doc/person/laji-xuaan-laam")
    html = body.decode("utf-8")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert "<h1>Lại Xuân Lâm</h1>" in html
    assert "Phó Bí thư" in html
    assert 'href="../org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"' in html  # link to the body, by label
    assert ">Đảng ủy Khối các cơ quan Trung ương</a>" in html
    assert "giữ chức vụ" in html  # org:holds shown with its label, not as an IRI
    # evidence quotes link into the article at the character span
    assert re.search(r'href="\.\./article/[0-9a-f]{16}#char=\d+,\d+"', html)
    assert '<mark>Lại Xuân Lâm</mark>' in html
    assert 'rel="alternate" type="text/turtle"' in html and "link" in headers


def test_body_page_lists_backlinks(server):
    status, _, body = server.get("/doc/org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng")
    html = body.decode()
    assert status == 200
    assert "Được liên kết từ" in html or "Quan hệ" in html
    assert "laji-xuaan-laam" in html  # the tenure naming him shows on the body's page


def test_article_page_highlights_mentions(server):
    status, _, body = server.get("/" + article_path(server))
    html = body.decode()
    assert status == 200
    marks = re.findall(r'<mark id="char=(\d+),(\d+)"', html)
    assert len(marks) >= 10
    assert re.search(r'<mark id="char=\d+,\d+" class="m-people ?"[^>]*><a href="\.\./person/laji-xuaan-laam">Lại Xuân Lâm</a></mark>', html)
    assert "Đảng ủy Khối các cơ quan Trung ương" in html


def test_markup_in_data_is_escaped(server):
    status, _, body = server.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert status == 200
    assert b"<script>alert(1)</script>" not in body
    assert b"&lt;script&gt;" in body


def test_index_pages_and_home_counts(server):
    status, _, body = server.get("/")
    html = body.decode()
    assert status == 200 and "Nhân vật" in html
    people = re.search(r'<span class="n">(\d+)</span>\s*<span class="t">Nhân vật</span>', html)
    assert people and int(people.group(1)) >= 2
    status, _, body = server.get("/index/people")
    assert status == 200
    listed = re.findall(r'href="\.\./doc/person/([a-z-]+)"', body.decode())
    assert "laji-xuaan-laam" in listed and "nguyeexn-minh-chung" in listed
    assert len(listed) == int(people.group(1))
    for key in ("bodies", "documents", "events"):
        assert server.get(f"/index/{key}")[0] == 200


def test_search_ignores_case_and_diacritics(server):
    status, _, body = server.get("/search?q=lai+xuan")
    assert status == 200 and 'href="doc/person/laji-xuaan-laam"' in body.decode()
    status, _, body = server.get("/search?q=%C4%90%E1%BA%A2NG%20%E1%BB%A6Y%20KH%E1%BB%90I")  # "ĐẢNG ỦY KHỐI"
    assert "ddarng-ury-khoosi-casc-cow-quan-trung-uwowng" in body.decode()


# --- ontology and shapes -----------------------------------------------------------------------

def test_ontology_document_negotiates(server):
    status, headers, body = server.get("/ontology")
    html = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html") and "Accept" in headers["vary"]
    assert 'id="Tenure"' in html and 'id="Person"' in html
    assert "org:Membership" in html  # alignments are shown
    assert "Phó Bí thư" in html  # SKOS schemes with their concepts
    status, headers, body = server.get("/ontology", "text/turtle")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    triples = parse(body, ox.RdfFormat.TURTLE)
    assert (f"<{BASE}ontology#Tenure>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
            "<http://www.w3.org/2002/07/owl#Class>") in triples
    assert server.get("/ontology.jsonld")[1]["content-type"].startswith("application/ld+json")


def test_shapes_document(server):
    status, _, body = server.get("/shapes")
    html = body.decode()
    assert status == 200 and "sh:minCount" in html and "pgsh:" in html
    status, _, body = server.get("/shapes.nt")
    assert status == 200 and b"http://www.w3.org/ns/shacl#" in body


# --- dataset description, dump, sitemap --------------------------------------------------------

def test_void_and_dcat(server, store_path):
    status, headers, body = server.get("/.well-known/void")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    g = parse(body, ox.RdfFormat.TURTLE)
    ds = f"<{BASE}.well-known/void#dataset>"
    props = {p: o for s, p, o in g if s == ds}
    assert ("<http://rdfs.org/ns/void#sparqlEndpoint>", f"<{BASE}sparql>") in {(p, o) for s, p, o in g if s == ds}
    assert props["<http://rdfs.org/ns/void#dataDump>"] == f"<{BASE}dump.nq.gz>"
    assert "<http://purl.org/dc/terms/license>" in props
    assert (ds, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/ns/dcat#Dataset>") in g
    triples = int(re.match(r'"(\d+)"', props["<http://rdfs.org/ns/void#triples>"]).group(1))
    status, _, dump = server.get("/dump.nq.gz")
    quads = list(ox.parse(gzip.decompress(dump), format=ox.RdfFormat.N_QUADS))
    assert triples == len({q.triple for q in quads})
    assert sum(1 for s, p, o in g if p == "<http://rdfs.org/ns/void#classPartition>") >= 5
    assert any(p == "<http://rdfs.org/ns/void#exampleResource>" for s, p, o in g)
    status, _, html = server.get("/.well-known/void", "text/html")
    assert status == 200 and "SPARQL" in html.decode()


def test_dump_is_sorted_gzip_nquads_and_stable(server):
    status, headers, first = server.get("/dump.nq.gz")
    assert status == 200 and headers["content-type"] == "application/gzip"
    lines = gzip.decompress(first).decode().splitlines()
    assert lines == sorted(lines) and all(line.endswith(" .") for line in lines)
    assert server.get("/dump.nq.gz")[2] == first


def test_popolo_download(server):
    status, headers, body = server.get("/popolo.json")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert "attachment" in headers["content-disposition"]
    document = json.loads(body)
    assert "Lại Xuân Lâm" in {p["name"] for p in document["persons"]}
    assert server.get("/popolo.json")[2] == body  # stable


def test_sitemap(server):
    status, headers, body = server.get("/sitemap.xml")
    assert status == 200 and headers["content-type"].startswith("application/xml")
    root = ET.fromstring(body)
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{BASE}doc/person/laji-xuaan-laam" in locs
    assert all(loc.startswith(BASE) for loc in locs)


# --- CORS, methods, concurrency ----------------------------------------------------------------

def test_cors_everywhere_and_preflight(server):
    assert server.get("/data/person/laji-xuaan-laam.ttl")[1]["access-control-allow-origin"] == "*"
    status, headers, _ = server.request("OPTIONS", "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()


def test_other_methods_refused(server):
    status, headers, _ = server.request("DELETE", "/" + LAM)
    assert status == 405 and "GET" in headers["allow"]
    status, headers, body = server.request("HEAD", "/doc/person/laji-xuaan-laam")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def test_concurrent_requests(server):
    results = []

    def fetch(path):
        results.append(server.get(path)[0])

    paths = ["/doc/person/laji-xuaan-laam", "/" + BODY.replace("id/", "doc/", 1), "/index/people", "/ontology"] * 4
    threads = [threading.Thread(target=fetch, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * len(paths)


# --- path traversal ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/%2E%2E%2Fapp.py", "/static/..%2fapp.py",
    "/static/..%5capp.py", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "//etc/passwd",
    "/../../../../etc/passwd", "/doc/../../../etc/passwd", "/doc/person/..%2f..%2f..%2fetc%2fpasswd",
    "/data/person/..%2F..%2Fkg%2Fpublish%2Fapp.py.ttl", "/id/person/%2e%2e/%2e%2e/etc/passwd",
    "/static/%00style.css", "/static/style.css%00.png", "/ontology/../../etc/passwd",
    "/static/C:%5cwindows%5cwin.ini", "/static/%252e%252e/app.py",
])
def test_path_traversal_is_refused(server, path):
    status, _, body = server.get(path)
    assert status in (400, 404)
    assert b"root:" not in body and b"import " not in body and b"[fonts]" not in body


def test_static_files_are_served(server):
    status, headers, body = server.get("/static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and b":root" in body


# --- command-line errors -----------------------------------------------------------------------

def _run(*args):
    import subprocess

    from publish_support import KG, ROOT

    return subprocess.run([*KG, *args], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False)


def test_serve_without_a_store_is_a_clear_error(tmp_path):
    result = _run("serve", "--store", str(tmp_path / "missing"), "--port", "0")
    assert result.returncode == 1
    assert "missing" in result.stderr and "Traceback" not in result.stderr


def test_serve_with_the_wrong_base_says_which_base_the_data_uses(store_path):
    result = _run("serve", "--store", str(store_path), "--port", "0", "--base", "https://example.org/kg/")
    assert result.returncode == 2
    assert "https://w3id.org/pgkg/" in result.stderr and "--base" in result.stderr


def test_serve_on_a_busy_port_is_a_clear_error(store_path, server):
    result = _run("serve", "--store", str(store_path), "--port", str(server.port))
    assert result.returncode == 1 and "cannot listen" in result.stderr and "Traceback" not in result.stderr


def test_concept_schemes_dereference(server):
    status, headers, _ = server.get("/vocab/role/")
    assert (status, headers["location"]) == (303, "/doc/vocab/role/index")
    status, _, body = server.get("/doc/vocab/role/index")
    html = body.decode()
    assert status == 200 and "Phó Bí thư" in html  # its concepts link back to it (skos:inScheme)


def test_serve_stops_cleanly_on_ctrl_c(store_path):
    srv = Server(store_path)
    assert srv.get("/")[0] == 200
    srv.stop()
    assert srv.proc.returncode == 0
