"""`kg serve --endpoint URL`: pages, content negotiation, RDF and /sparql read from a real SPARQL
server (loaded by `kg load --endpoint`), answering what `kg serve --store` answers on the same data.

Every test runs on Oxigraph and on Virtuoso 7 (the ``sparql_server`` parameter): Virtuoso keeps the
union in a named graph, holds system graphs of its own and caps the rows of an answer, and none of
that may show on a page. Under CI (CI=true) a missing virtuoso-t fails the Virtuoso run (conftest.py).
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest_servers import start_oxigraph, start_virtuoso, stop
from publish_support import Server

from kg.cli import main
from kg.iri import key_to_iri, slug
from kg.resources import cq_dir

pytest_plugins = ["conftest_servers"]

PEOPLE = (cq_dir() / "people.rq").read_text(encoding="utf-8")
LAM = key_to_iri("person:" + slug("Lại Xuân Lâm"))
LAM_DOC = "/doc/" + LAM.split("/id/", 1)[1]


class EndpointServer(Server):
    """`kg serve --endpoint URL` in a subprocess (publish_support.Server starts it on a store folder)."""

    def __init__(self, endpoint: str, *args: str) -> None:
        self.store = None
        self._start("--endpoint", endpoint, *args)


def kg(*args: str, env: dict[str, str] | None = None) -> None:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == 0, result.output


# Virtuoso with its packaged row cap (ResultSetMaxRows 10,000: these answers fit), and capped at 50
# rows, less than a page, the dump or an index asks for: kg reads such answers in pages
KINDS = ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso),
         pytest.param("virtuoso-capped", marks=pytest.mark.virtuoso)]
VIRTUOSO_ROWS = {"virtuoso": 10000, "virtuoso-capped": 50}


def start_server(kind: str, folder):
    if kind in VIRTUOSO_ROWS:
        return start_virtuoso(folder, max_rows=VIRTUOSO_ROWS[kind])
    return start_oxigraph(folder)


def load_remote(server, *files: str) -> None:
    """`kg load --endpoint` as a user would: on Virtuoso as dba, the password from the environment."""
    if server.user is None:
        kg("load", "--endpoint", server.url, *files)
    else:
        kg("load", "--endpoint", server.url, "--user", server.user, *files,
           env={"KG_ENDPOINT_PASSWORD": server.password or ""})


@pytest.fixture(scope="module", params=KINDS)
def sparql_server(request, tmp_path_factory):
    """A SPARQL server of each kind (module-scoped: Virtuoso takes seconds to start)."""
    server = start_server(request.param, tmp_path_factory.mktemp(request.param))
    yield server
    stop(server.process)


@pytest.fixture(params=KINDS)
def empty_sparql_server(request, tmp_path):
    """A fresh, empty server of each kind (for a test that loads it while kg serve reads it)."""
    server = start_server(request.param, tmp_path)
    yield server
    stop(server.process)


@pytest.fixture(scope="module")
def servers(tmp_path_factory, exports, sparql_server):
    """(kg serve --endpoint on the server, kg serve --store on a folder), both holding the seed and a
    second article, loaded the same way."""
    files = [str(exports["dir"] / "seed.ttl"), str(exports["dir"] / "second.ttl")]
    store = tmp_path_factory.mktemp("embedded") / "kg-store"
    remote = embedded = None
    try:
        load_remote(sparql_server, *files)
        kg("load", "--store", str(store), *files)
        remote, embedded = EndpointServer(sparql_server.url), Server(store)
        remote.endpoint, embedded.location = sparql_server.url, store
        yield remote, embedded
    finally:
        for server in (remote, embedded):
            if server is not None:
                server.stop()


def home_counts(html: str) -> dict[str, int]:
    """Index key → the number on its card of the home page ("people" → 2)."""
    return {key: int(n) for key, n in re.findall(r'href="index/(\w+)"><span class="n">(\d+)</span>', html)}


def test_home_page_counts_match_the_embedded_store(servers):
    remote, embedded = servers
    status, _, body = remote.get("/")
    assert status == 200
    counts = home_counts(body.decode())
    assert counts == home_counts(embedded.get("/")[2].decode())
    assert counts["people"] >= 2 and counts["articles"] == 2


def test_person_page_shows_post_and_evidence(servers):
    remote, embedded = servers
    status, _, body = remote.get("/search?q=lai+xuan+lam")
    assert status == 200 and LAM_DOC.rsplit("/", 1)[1] in body.decode()
    status, _, body = remote.get(LAM_DOC)
    html = body.decode()
    assert status == 200
    assert "<h1>Lại Xuân Lâm</h1>" in html and "Phó Bí thư" in html
    assert re.search(r'href="\.\./article/[0-9a-f]{16}#char=\d+,\d+"', html)  # evidence, linked to the span
    assert "<mark>Lại Xuân Lâm</mark>" in html
    assert html == embedded.get(LAM_DOC)[2].decode()  # the same page, byte for byte


def test_thing_iri_answers_303_by_accept(servers):
    remote, _ = servers
    path = "/id/" + LAM.split("/id/", 1)[1]
    status, headers, _ = remote.get(path, accept="text/html")
    assert status == 303 and headers["location"].endswith(LAM_DOC)
    status, headers, _ = remote.get(path, accept="text/turtle")
    assert status == 303 and headers["location"].endswith("/data/" + LAM.split("/id/", 1)[1] + ".ttl")


def test_turtle_is_isomorphic_to_the_embedded_serve(servers):
    remote, embedded = servers
    path = "/data/" + LAM.split("/id/", 1)[1] + ".ttl"
    graphs = []
    for server in (remote, embedded):
        status, headers, body = server.get(path)
        assert status == 200 and headers["content-type"].startswith("text/turtle")
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object)
                             for t in ox.parse(body, format=ox.RdfFormat.TURTLE))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        graphs.append(sorted(str(q) for q in dataset))
    assert graphs[0] == graphs[1] and len(graphs[0]) > 10


def test_sparql_people_rows_equal_the_embedded_serve(servers):
    remote, embedded = servers
    answers = []
    for server in (remote, embedded):
        status, headers, body = server.get("/sparql?" + urlencode({"query": PEOPLE}),
                                           accept="application/sparql-results+json")
        assert status == 200 and headers["content-type"].startswith("application/sparql-results+json")
        doc = json.loads(body)
        names = doc["head"]["vars"]
        answers.append((names, [tuple(b.get(n, {}).get("value", "") for n in names)
                                for b in doc["results"]["bindings"]]))
    assert answers[0] == answers[1]
    assert ("Lại Xuân Lâm", "Phó Bí thư", "Đảng ủy Khối các cơ quan Trung ương") in answers[0][1]


def test_sparql_joining_the_union_with_named_graphs_equals_the_embedded_serve(servers, request):
    """The union's patterns beside GRAPH: the default graph is the union there too, so each person
    comes once. Not yet on Virtuoso: a query that names graphs goes without the union's pragma
    (with it, Virtuoso 7 answers GRAPH <iri> with fewer triples; with input:named-graph-exclude
    beside it, such a join comes back empty), so its default graph is the bag of every graph."""
    if servers[0].endpoint.endswith("/sparql"):
        request.applymarker(pytest.mark.xfail(strict=True, reason="Virtuoso: the default graph of a query "
                                              "that names graphs is every graph, not the union"))
    query = ("SELECT ?name WHERE { ?p a <https://w3id.org/pgkg/ontology#Person> ; "
             "<http://www.w3.org/2000/01/rdf-schema#label> ?name "
             "FILTER EXISTS { GRAPH ?g { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?name } } } ORDER BY ?name")
    answers = []
    for server in servers:
        status, _, body = server.get("/sparql?" + urlencode({"query": query}), accept="application/sparql-results+json")
        assert status == 200, body
        answers.append([b["name"]["value"] for b in json.loads(body)["results"]["bindings"]])
    assert answers[0] == answers[1] and "Lại Xuân Lâm" in answers[0]


def test_sparql_refuses_updates_and_reports_bad_queries(servers):
    remote, _ = servers
    status, _, _ = remote.request("POST", "/sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                  {"Content-Type": "application/sparql-update"})
    assert status in (403, 415)
    status, _, body = remote.get("/sparql?query=" + quote("SELECT * WHERE { ?s ?p }"))
    assert status == 400, body


def test_dump_equals_the_embedded_serve(servers):
    """/dump.nq.gz: every article's graph, read from the server by one scan of all graphs."""
    import gzip

    dumps = []
    for server in (servers):
        status, _, body = server.get("/dump.nq.gz")
        assert status == 200
        dumps.append(sorted(gzip.decompress(body).decode("utf-8").splitlines()))
    assert dumps[0] == dumps[1] and len(dumps[0]) > 100


def test_pages_follow_a_later_load_on_the_server(empty_sparql_server, exports):
    """A `kg load --endpoint` after the server started shows without a restart (the quad count, asked
    every few seconds, names the data's version)."""
    from publish_support import wait_until

    load_remote(empty_sparql_server, str(exports["dir"] / "seed.ttl"))
    server = EndpointServer(empty_sparql_server.url)
    try:
        first = home_counts(server.get("/")[2].decode())
        load_remote(empty_sparql_server, str(exports["dir"] / "second.ttl"))
        assert wait_until(lambda: home_counts(server.get("/")[2].decode()) != first, timeout=20)
        now = home_counts(server.get("/")[2].decode())
        assert (first["articles"], now["articles"]) == (1, 2)
    finally:
        server.stop()


def test_static_publish_from_the_endpoint_equals_the_store_folder(servers, tmp_path):
    """`kg publish --endpoint` writes the same files, byte for byte, as `kg publish --store`."""
    remote, embedded = servers
    kg("publish", str(tmp_path / "remote"), "--endpoint", remote.endpoint)
    kg("publish", str(tmp_path / "embedded"), "--store", str(embedded.location))
    files = {}
    for name in ("remote", "embedded"):
        root = tmp_path / name
        files[name] = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    assert sorted(files["remote"]) == sorted(files["embedded"]) and len(files["remote"]) > 50
    differing = [name for name in files["remote"] if files["remote"][name] != files["embedded"][name]]
    assert differing == []



@pytest.mark.virtuoso
def test_an_answer_past_the_rows_virtuoso_sorts_is_read_graph_by_graph(virtuoso_server, exports):
    """On a Virtuoso capped at 50 rows, a scan of all graphs bigger than the rows the server sorts
    for pages (SR353 past them; here 2,000 for the test) is asked graph by graph, and the graph
    names page by keyset: the same quads as the sorted pages of one whole answer."""
    import dataclasses

    import pyoxigraph as ox

    from kg.publish.remote_data import EndpointData
    from kg.store.dialects import VIRTUOSO
    from kg.store.remote import RemoteStore

    load_remote(virtuoso_server, str(exports["dir"] / "seed.ttl"), str(exports["dir"] / "second.ttl"))
    whole = EndpointData(RemoteStore(virtuoso_server.url))
    split = EndpointData(RemoteStore(virtuoso_server.url, server=dataclasses.replace(VIRTUOSO, sorted_rows=2000)))
    asked: list[str] = []
    query = split.remote.query
    split.remote.query = lambda text, **options: asked.append(text) or query(text, **options)
    quads = sorted(map(str, split.quads_for_pattern(None, None, None)))
    assert quads == sorted(map(str, whole.quads_for_pattern(None, None, None))) and len(quads) > 2000
    assert any(t.startswith("SELECT ?s ?p ?o WHERE { GRAPH <") for t in asked)  # graph by graph
    assert not any("openlinksw" in q or "/DAV/" in q for q in quads)  # Virtuoso's own graphs stay out
    assert split.named_graphs() == whole.named_graphs() and len(whole.named_graphs()) == 2
    default = ox.DefaultGraph()
    assert sorted(map(str, split.quads_for_pattern(None, None, None, default))) == sorted(
        map(str, whole.quads_for_pattern(None, None, None, default)))
