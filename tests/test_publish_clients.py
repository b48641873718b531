"""`kg serve` the way linked-data clients use it, over real sockets: it follows `kg load`, caches
(ETag, Last-Modified, 304) and speaks the formats rdflib, SPARQLWrapper and Protégé ask for."""

from __future__ import annotations

import re
import subprocess
import time

import pyoxigraph as ox
import pytest
from publish_support import KG, ROOT, Server, build_seed_store, wait_until

LAM = "/id/person/laji-xuaan-laam"
# An article of our own (invented person), loaded while the server runs.
NEW_ARTICLE = """---
title: Đảng ủy Khối các cơ quan Trung ương họp bàn công tác dân vận
published: 2021-04-05
url: https://example.org/tin/dang-uy-khoi-hop-ban-dan-van
source: Trang tin thử nghiệm
author: Nhóm kiểm thử kg
---
Ngày 2/4, tại Hà Nội, Đảng ủy Khối các cơ quan Trung ương tổ chức Hội nghị bàn về công tác dân vận \
quý II năm 2021. Đồng chí Tạ Quang Khải, Phó Bí thư Đảng ủy Khối các cơ quan Trung ương chủ trì hội nghị.
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(build_seed_store(tmp_path_factory.mktemp("clients") / "kg-store"))
    yield srv
    srv.stop()


def graph_path(server) -> str:
    _, _, body = server.get("/index/articles")
    return "/graph/" + re.search(r'doc/article/([0-9a-f]{16})', body.decode()).group(1)


# --- 6: the server follows the store ------------------------------------------------------------

def test_a_person_loaded_while_serving_gets_a_page_without_restart(tmp_path):
    store = build_seed_store(tmp_path / "kg-store")
    srv = Server(store)
    try:
        assert srv.get("/doc/person/taj-quang-khari")[0] == 404
        _, _, before = srv.get("/index/people")
        (tmp_path / "new.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        subprocess.run([*KG, "export", str(tmp_path / "new.txt"), "-o", str(tmp_path / "new.ttl")],
                       check=True, cwd=ROOT, capture_output=True)
        subprocess.run([*KG, "load", str(tmp_path / "new.ttl"), "--store", str(store)],
                       check=True, cwd=ROOT, capture_output=True)
        assert wait_until(lambda: srv.get("/doc/person/taj-quang-khari")[0] == 200, timeout=15)
        # every cache is dropped: the index, the search, the RDF, the SPARQL workers, the dump
        _, _, after = srv.get("/index/people")
        assert "Tạ Quang Khải" in after.decode() and "Tạ Quang Khải" not in before.decode()
        assert "Tạ Quang Khải" in srv.get("/search?q=ta+quang+khai")[2].decode()
        status, _, body = srv.get("/sparql?query=" + "ASK%7B%3Fs%20%3Fp%20%22T%E1%BA%A1%20Quang%20Kh%E1%BA%A3i%22%7D",
                                  "application/sparql-results+json")
        assert status == 200 and b"true" in body
        assert srv.get("/doc/person/laji-xuaan-laam")[0] == 200
    finally:
        srv.stop()


def test_an_unchanged_store_is_not_reopened(server):
    _, first, _ = server.get("/doc/person/laji-xuaan-laam")
    time.sleep(1.2)
    _, second, _ = server.get("/doc/person/laji-xuaan-laam")
    assert first["last-modified"] == second["last-modified"] and first["etag"] == second["etag"]


# --- 7: caching ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path, accept", [
    ("/doc/person/laji-xuaan-laam", "text/html"),
    ("/data/person/laji-xuaan-laam.ttl", None),
    ("/data/person/laji-xuaan-laam", "application/ld+json"),
    ("/ontology", "text/turtle"),
    ("/.well-known/void", "text/turtle"),
    ("/dump.nq.gz", None),
    ("/index/people", None),
])
def test_pages_and_documents_revalidate_with_304(server, path, accept):
    status, headers, body = server.get(path, accept)
    assert status == 200
    assert re.fullmatch(r'"[0-9a-f]{32}"', headers["etag"])
    assert headers["last-modified"].endswith(" GMT")
    assert "max-age" in headers["cache-control"]
    base = {"Accept": accept} if accept else {}
    status, again, body304 = server.request("GET", path, headers={**base, "If-None-Match": headers["etag"]})
    assert status == 304 and body304 == b"" and again["etag"] == headers["etag"]
    status, _, _ = server.request("GET", path, headers={**base, "If-Modified-Since": headers["last-modified"]})
    assert status == 304
    status, _, fresh = server.request("GET", path, headers={**base, "If-None-Match": '"0000"'})
    assert status == 200 and fresh == body
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    status, _, _ = server.request("GET", path, headers={**base, "If-None-Match": '"0000"',
                                                         "If-Modified-Since": headers["last-modified"]})
    assert status == 200


def test_each_representation_has_its_own_etag(server):
    ttl = server.get("/data/person/laji-xuaan-laam", "text/turtle")[1]["etag"]
    nt = server.get("/data/person/laji-xuaan-laam", "application/n-triples")[1]["etag"]
    assert ttl != nt


def test_an_old_if_modified_since_gets_the_document(server):
    status, _, _ = server.request("GET", "/doc/person/laji-xuaan-laam",
                                  headers={"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})
    assert status == 200
    assert server.request("GET", "/doc/person/laji-xuaan-laam", headers={"If-Modified-Since": "garbage"})[0] == 200


def test_sparql_answers_carry_etags_and_are_revalidated(server):
    path = "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
    status, headers, _ = server.get(path, "application/sparql-results+json")
    assert status == 200 and headers["cache-control"] == "no-cache"
    assert server.request("GET", path, headers={"Accept": "application/sparql-results+json",
                                                "If-None-Match": headers["etag"]})[0] == 304


def test_cors_exposes_link_and_content_location(server):
    _, headers, _ = server.get("/data/person/laji-xuaan-laam", "text/turtle")
    exposed = {h.strip() for h in headers["access-control-expose-headers"].split(",")}
    assert {"Link", "Content-Location", "ETag", "Last-Modified"} <= exposed
    _, preflight, _ = server.request("OPTIONS", "/sparql")
    assert "If-None-Match" in preflight["access-control-allow-headers"]


def test_406_varies_on_accept(server):
    status, headers, _ = server.get("/data/person/laji-xuaan-laam", "image/png")
    assert status == 406 and "Accept" in headers["vary"]


# --- 8: formats clients ask for -------------------------------------------------------------------

def test_rdfxml_by_accept_and_extension(server):
    status, headers, _ = server.get(LAM, "application/rdf+xml")
    assert status == 303 and headers["location"] == "/data/person/laji-xuaan-laam.rdf"
    status, headers, body = server.get("/data/person/laji-xuaan-laam.rdf")
    assert status == 200 and headers["content-type"].startswith("application/rdf+xml")
    triples = list(ox.parse(body, format=ox.RdfFormat.RDF_XML))
    turtle = list(ox.parse(server.get("/data/person/laji-xuaan-laam.ttl")[2], format=ox.RdfFormat.TURTLE))
    assert set(triples) == set(turtle)


def test_sparqlwrapper_construct_default_gets_rdfxml(server):
    """SPARQLWrapper's CONSTRUCT asks for RDF/XML (its default); it got 406 before."""
    query = "CONSTRUCT%7B%3Fs%20%3Fp%20%3Fo%7D%20WHERE%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%205"
    status, headers, body = server.get("/sparql?query=" + query, "application/rdf+xml")
    assert status == 200 and headers["content-type"].startswith("application/rdf+xml")
    assert len(list(ox.parse(body, format=ox.RdfFormat.RDF_XML))) == 5


def test_text_plain_gets_ntriples_not_html(server):
    """rdflib's N-Triples request names text/plain."""
    status, headers, body = server.get("/data/person/laji-xuaan-laam", "text/plain")
    assert status == 200 and headers["content-type"].startswith("application/n-triples")
    assert list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    assert server.get(LAM, "text/plain")[1]["location"] == "/data/person/laji-xuaan-laam.nt"
    # a browser still gets the page
    assert server.get(LAM, "text/html,application/xhtml+xml,*/*;q=0.8")[1]["location"] == "/doc/person/laji-xuaan-laam"


def test_graph_as_trig_and_nquads_keeps_the_graph_name(server):
    path = graph_path(server)
    graph = "https://w3id.org/pgkg" + path
    for accept, ext, fmt in (("application/trig", ".trig", ox.RdfFormat.TRIG),
                             ("application/n-quads", ".nq", ox.RdfFormat.N_QUADS)):
        status, headers, body = server.get(path, accept)
        assert status == 200 and headers["content-type"].startswith(accept)
        quads = list(ox.parse(body, format=fmt))
        assert quads and {q.graph_name.value for q in quads} == {graph}
        assert server.get(path + ext)[2] == body
    turtle = server.get(path, "text/turtle")[2]
    assert len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == len(quads)


def test_dataset_extensions_only_where_a_dataset_is_served(server):
    assert server.get("/data/person/laji-xuaan-laam.trig")[0] == 404
    assert server.get(LAM + ".nq")[0] == 404
    assert server.get("/data/person/laji-xuaan-laam", "application/trig")[0] == 406


# --- 11: VoID / DCAT ----------------------------------------------------------------------------

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"


def _objects(triples, subject, predicate):
    return {t.object.value for t in triples if t.subject.value == subject and t.predicate.value == _iri(predicate)}


def _iri(predicate: str) -> str:
    """"void:x", "dcat:x", "rdf:x" → the IRI."""
    prefix, _, local = predicate.partition(":")
    return {"void": VOID, "dcat": DCAT, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}[prefix] + local


def _triples_count(triples) -> int:
    return int(next(t.object.value for t in triples if t.predicate.value == VOID + "triples"))


def test_void_triples_match_the_dump_and_the_endpoint_hangs_off_a_distribution(server):
    import gzip

    triples = list(ox.parse(server.get("/.well-known/void", "text/turtle")[2], format=ox.RdfFormat.TURTLE))
    dump = gzip.decompress(server.get("/dump.nq.gz")[2]).decode()
    assert _triples_count(triples) == len(dump.splitlines()) == len(list(ox.parse(dump, format=ox.RdfFormat.N_QUADS)))
    dataset = "https://w3id.org/pgkg/.well-known/void#dataset"
    distributions = _objects(triples, dataset, "dcat:distribution")
    for dist in distributions:  # every dcat:distribution is a dcat:Distribution (DCAT's range)
        assert DCAT + "Distribution" in _objects(triples, dist, "rdf:type")
    services = {s for d in distributions for s in _objects(triples, d, "dcat:accessService")}
    assert len(services) == 1
    service = services.pop()
    assert DCAT + "DataService" in _objects(triples, service, "rdf:type")
    assert _objects(triples, service, "dcat:endpointURL") == {"https://w3id.org/pgkg/sparql"}
    assert _objects(triples, service, "dcat:servesDataset") == {dataset}
    assert _objects(triples, dataset, "void:sparqlEndpoint") == {"https://w3id.org/pgkg/sparql"}


def test_static_site_advertises_no_sparql_endpoint(tmp_path):
    import gzip

    from kg.publish import open_read_only, publish_site

    store_dir = build_seed_store(tmp_path / "kg-store")
    publish_site(open_read_only(store_dir), tmp_path / "site")
    void = (tmp_path / "site" / ".well-known" / "void").read_bytes()
    triples = list(ox.parse(void, format=ox.RdfFormat.TURTLE))
    assert not [t for t in triples if "sparql" in str(t.object) or "DataService" in str(t.object)]
    assert b"sparql" not in (tmp_path / "site" / "sitemap.xml").read_bytes()
    dump = gzip.decompress((tmp_path / "site" / "dump.nq.gz").read_bytes()).decode()
    assert _triples_count(triples) == len(dump.splitlines())
    assert b"/dump.nq.gz" in void


# --- 10: English as well as Vietnamese ----------------------------------------------------------------

def _page(server, path, language=None):
    headers = {"Accept": "text/html"}
    if language:
        headers["Accept-Language"] = language
    status, response_headers, body = server.request("GET", path, headers=headers)
    assert status == 200
    return response_headers, body.decode()


@pytest.mark.parametrize("language, lang", [
    (None, "vi"), ("vi", "vi"), ("en", "en"), ("en-GB,en;q=0.9", "en"), ("vi;q=0.4, en;q=0.8", "en"),
    ("fr, en;q=0.5", "en"), ("fr", "vi"), ("en;q=0, *", "vi"), ("*", "vi"),
])
def test_pages_follow_accept_language(server, language, lang):
    headers, page = _page(server, "/doc/person/laji-xuaan-laam", language)
    assert f'<html lang="{lang}">' in page
    assert "Accept-Language" in headers["vary"]
    assert (">Relations<" in page) == (lang == "en") and (">Quan hệ<" in page) == (lang == "vi")
    assert ('<span class="badge"><a href="../../ontology#Person" title="https://w3id.org/pgkg/ontology#Person">'
            + ("Person" if lang == "en" else "Người")) in page


def test_lang_parameter_wins_and_stays_on_links(server):
    _, page = _page(server, "/doc/person/laji-xuaan-laam?lang=en", "vi")
    assert '<html lang="en">' in page
    assert 'href="../org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng?lang=en"' in page
    assert 'href="../../static/style.css"' in page  # files need no language
    assert 'id="lang-toggle" href="laji-xuaan-laam?lang=vi"' in page
    _, page = _page(server, "/doc/person/laji-xuaan-laam", "en")
    assert 'href="../org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"' in page  # negotiated: links stay clean
    assert 'id="lang-toggle" href="laji-xuaan-laam?lang=vi"' in page


def test_english_property_labels_and_index_titles(server):
    _, page = _page(server, "/doc/person/laji-xuaan-laam", "en")
    assert ">holds<" in page and "giữ chức vụ" in page  # the Vietnamese label is the tooltip
    _, index = _page(server, "/index/people", "en")
    assert "<h1>People" in index
    _, ontology = _page(server, "/ontology", "en")
    _, ontology_vi = _page(server, "/ontology", "vi")
    assert '<h2 id="classes">Classes</h2>' in ontology and '<h2 id="classes">Lớp</h2>' in ontology_vi


def test_rdf_does_not_vary_on_language(server):
    _, headers, _ = server.get("/data/person/laji-xuaan-laam", "text/turtle")
    assert "Accept-Language" not in headers["vary"]


def test_query_page_is_prefilled(server):
    _, page = _page(server, "/sparql", "en")
    assert "PREFIX pg: &lt;https://w3id.org/pgkg/ontology#&gt;" in page
    assert "# Who holds which post?" in page and "Run query" in page


# --- 9: JSON-LD for developers ------------------------------------------------------------------

def test_one_published_jsonld_context_for_export_and_serve(server, tmp_path):
    import json

    from kg.serialize import jsonld_context

    status, headers, body = server.get("/context.jsonld")
    assert status == 200 and headers["content-type"].startswith("application/ld+json")
    published = json.loads(body)["@context"]
    assert published["name"] == {"@id": "schema:name", "@language": "vi"}
    assert published["holds"] == {"@id": "org:holds", "@type": "@id"}
    served = json.loads(server.get("/data/person/laji-xuaan-laam.jsonld")[2])
    subprocess.run([*KG, "export", "data/articles/seed.txt", "-o", str(tmp_path / "seed.jsonld")],
                   check=True, cwd=ROOT, capture_output=True)
    exported = json.loads((tmp_path / "seed.jsonld").read_text(encoding="utf-8"))
    assert served["@context"] == exported["@context"] == jsonld_context()
    assert all(published[k] == v for k, v in served["@context"].items() if k in published)

    def lam(doc):
        return next(n for n in doc["@graph"] if n["@id"].endswith("/person/laji-xuaan-laam"))

    assert lam(served) == lam(exported)  # the same compacted node, from both
    assert lam(served)["name"] == "Lại Xuân Lâm"
    assert lam(served)["holds"].endswith("/post/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng/pho-bi-thu")
    # and it is still the same RDF
    assert set(ox.parse(server.get("/data/person/laji-xuaan-laam.jsonld")[2], format=ox.RdfFormat.JSON_LD)) == \
        set(ox.parse(server.get("/data/person/laji-xuaan-laam.nt")[2], format=ox.RdfFormat.N_TRIPLES))


def test_english_labels_keep_their_language_in_json(server):
    import json

    doc = json.loads(server.get("/data/vocab/participation/speech.jsonld")[2])
    node = next(n for n in doc["@graph"] if n["@id"].endswith("speech"))
    assert node["prefLabel"] == "Phát biểu"  # @vi by the context
    assert node["skos:prefLabel"] == {"@language": "en", "@value": "Speech"}


def test_error_pages_follow_the_language_without_a_toggle(server):
    status, headers, body = server.request("GET", "/doc/person/nobody", headers={"Accept": "text/html",
                                                                                 "Accept-Language": "en"})
    assert status == 404 and b'<html lang="en">' in body and b">Home</a>" in body
    assert b"lang-toggle" not in body and "Accept-Language" in headers["vary"]
