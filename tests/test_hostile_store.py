"""Hostile input on the store side (kg load / query / drop / validate): one clear line, a non-zero exit,
nothing stored lost, no traceback, no crash, no hang, no network.

Everything is local and bounded: stores in tmp_path, HTTP servers only on 127.0.0.1, queries that
could crash the interpreter run in a subprocess so a SIGSEGV fails the test instead of killing pytest.
"""

from __future__ import annotations

import gzip
import multiprocessing
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent
FILES = [str(DATA / "store_article_a.ttl"), str(DATA / "store_article_b.ttl")]
KG = [sys.executable, "-m", "kg"]
# every article graph's triples; the store's own counts (kg.store.counts) left out
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/pgkg/graph/stats>) }"
INJECTION = "http://example.org/g> {} } ; DROP ALL ; INSERT DATA { GRAPH <http://example.org/h"


@pytest.fixture
def kg(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "kg-store"))
    monkeypatch.delenv("KG_ENDPOINT", raising=False)
    monkeypatch.delenv("KG_TIMEOUT", raising=False)

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input)

    return run


@pytest.fixture
def loaded(kg):
    assert kg("load", "--no-validate", *FILES).exit_code == 0
    return kg


def stored_triples(kg) -> int:
    result = kg("query", COUNT, "--format", "csv")
    assert result.exit_code == 0, result.output
    return int(result.stdout.split()[-1])


def one_line_error(result) -> str:
    """The CLI's answer to bad input: exactly one line ``kg: error: …``, no traceback."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr
    return lines[0]


# --- item 2: SPARQL injection through --graph --------------------------------------------------


def test_graph_iri_cannot_inject_an_update(loaded, tmp_path):
    before = stored_triples(loaded)
    assert before > 0
    extra = tmp_path / "onto.ttl"
    extra.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    for args in (["--append"], []):
        result = loaded("load", *args, "--no-validate", "--graph", INJECTION, str(extra))
        assert result.exit_code == 2
        assert "--graph" in one_line_error(result) and "not an IRI" in result.stderr
    assert stored_triples(loaded) == before  # nothing dropped, nothing added


def test_store_api_builds_updates_from_terms(tmp_path):
    """Below the CLI, too: a hostile graph name is refused by the term constructor, nothing runs."""
    from kg.errors import KgError
    from kg.store import EmbeddedStore, load_graphs
    from kg.store.sources import GraphUnit

    with EmbeddedStore(tmp_path / "s") as store:
        store.load(FILES, validate=False)
        before = len(store.query(COUNT).rows) and store.query(COUNT).rows[0][0].value
        triple = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1").triples
        with pytest.raises(KgError, match="not a graph IRI"):
            store.load_units([GraphUnit(INJECTION, triple, ["x"])], replace=False)
        with pytest.raises(KgError):
            load_graphs(store, [(INJECTION, "<http://e/s> <http://e/p> <http://e/o> .\n")])
        assert store.query(COUNT).rows[0][0].value == before


def test_no_sparql_is_pasted_from_strings():
    """Every f-string in kg/ that writes SPARQL interpolates only terms serialised by kg.store.guard."""
    keywords = re.compile(r"\b(INSERT|DELETE|DROP|CLEAR|GRAPH|SELECT|WHERE|FILTER|VALUES|LOAD)\b")
    allowed = re.compile(r"^(sparql_term\(.*\)|iri_term\(.*\)|body|operation)$")
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        if "extract" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for literal in re.findall(r'\bf"((?:[^"\\]|\\.)*)"', line):
                if not keywords.search(literal) or literal.strip().startswith(("kg:", "--")):
                    continue
                fields = re.findall(r"(?<!\{)\{([^{}]+)\}(?!\})", literal)
                if any(not allowed.match(f.split("!")[0].split(":")[0].strip()) for f in fields):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# --- item 10 (store side): bad IRIs at the boundary ---------------------------------------------


def test_drop_of_a_non_iri_is_a_usage_error(loaded):
    before = stored_triples(loaded)
    result = loaded("drop", "a b", "--yes")
    assert result.exit_code == 2 and "'a b'" in one_line_error(result)
    assert stored_triples(loaded) == before


def test_load_into_a_relative_graph_name_is_a_usage_error(kg, tmp_path):
    extra = tmp_path / "onto.ttl"
    extra.write_text("<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n", encoding="utf-8")
    result = kg("load", "--graph", "g1", "--no-validate", str(extra))
    assert result.exit_code == 2 and "not an absolute IRI" in one_line_error(result)
    assert not (tmp_path / "kg-store").exists()


# --- item 12: drop on a missing store; gzip shards ----------------------------------------------


def test_drop_on_a_missing_store_creates_nothing(kg, tmp_path):
    for args in (["--all", "--yes"], ["https://w3id.org/pgkg/id/article/0123456789abcdef", "--yes"]):
        result = kg("drop", *args)
        assert result.exit_code == 1
        assert one_line_error(result) == f"kg: error: no store at {tmp_path / 'kg-store'}"
        assert not (tmp_path / "kg-store").exists()
    (tmp_path / "kg-store").mkdir()  # a folder that is not a store: nothing is written into it
    result = kg("drop", "--all", "--yes")
    assert result.exit_code == 1 and "no store at" in one_line_error(result)
    assert list((tmp_path / "kg-store").iterdir()) == []


def test_load_reads_gzipped_nquads(kg, tmp_path):
    import pyoxigraph as ox

    quads = ox.serialize(ox.parse(path=FILES[0], format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    graph = "https://w3id.org/pgkg/graph/aaaaaaaaaaaaaaaa"
    nq = b"".join(line[:-2] + f" <{graph}> .\n".encode() for line in quads.splitlines(keepends=True))
    shard = tmp_path / "shard-0001.nq.gz"
    shard.write_bytes(gzip.compress(nq))
    result = kg("load", "--no-validate", str(shard))
    assert result.exit_code == 0, result.output
    assert "loaded 1 graph" in result.stderr
    assert stored_triples(kg) == len(quads.splitlines())


@pytest.mark.parametrize("content", [b"not gzip at all", gzip.compress(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n")[:20]])
def test_bad_gzip_is_one_line(kg, tmp_path, content):
    shard = tmp_path / "bad.nq.gz"
    shard.write_bytes(content)
    result = kg("load", "--no-validate", str(shard))
    assert result.exit_code == 1 and str(shard) in one_line_error(result)
    assert not (tmp_path / "kg-store").exists()


# --- item 3: query shapes that crash the parser -------------------------------------------------

CRASHERS = {
    "nested braces": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "nested parentheses": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "20 KB of !": "SELECT * WHERE { FILTER(" + "!" * 20000 + "true) }",
    "10,000 triple patterns": "SELECT * WHERE { " + " ".join(f"?s{i} <http://p> ?o{i} ." for i in range(10000)) + " }",
    "10,000 additions": "SELECT * WHERE { FILTER(" + "+".join(["1"] * 10000) + ") }",
    "10,000 path steps": "SELECT * WHERE { ?s " + "/".join(["<http://p>"] * 10000) + " ?o }",
}


@pytest.mark.parametrize("name", sorted(CRASHERS))
def test_query_shapes_that_crash_the_parser_are_refused(tmp_path, name):
    store = tmp_path / "kg-store"
    subprocess.run([*KG, "load", "--store", str(store), "--no-validate", FILES[0]], check=True, capture_output=True,
                   timeout=60, cwd=ROOT)
    query = tmp_path / "q.rq"
    query.write_text(CRASHERS[name], encoding="utf-8")
    proc = subprocess.run([*KG, "query", "--store", str(store), str(query)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-500:])
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: ") and "limit" in lines[0]


def test_real_queries_pass_the_shape_check():
    from kg.store import cq_names, cq_query
    from kg.store.base import packaged_query
    from kg.store.guard import check_query_shape

    for name in cq_names():
        check_query_shape(cq_query(name))
    for name in ("article_graphs", "stats_graphs", "stats_classes"):
        check_query_shape(packaged_query(name))
    # strings, IRIs and comments do not count: a long label or a comment full of braces is fine
    check_query_shape('SELECT * WHERE { ?s ?p "' + "{(!" * 3000 + '" } # ' + "{" * 3000 + "\n")


# --- item 4: --timeout stops the query on the embedded store ------------------------------------

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_query_timeout_stops_the_query_on_the_embedded_store(loaded):
    started = time.monotonic()
    result = loaded("query", CROSS_JOIN, "--timeout", "1.5")
    elapsed = time.monotonic() - started
    assert result.exit_code == 3, result.output
    assert "partial" in result.stderr and "timeout of 1.5 s" in result.stderr
    assert elapsed < 15
    assert multiprocessing.active_children() == []  # the worker was killed and reaped: no CPU left in use
    assert loaded("query", "ASK { ?s ?p ?o }", "--timeout", "30").stdout == "true\n"  # a normal query answers


def test_timeout_worker_is_reused_and_reports_syntax_errors(loaded, tmp_path):
    from kg.store import QueryError, open_store

    with open_store(tmp_path / "kg-store", read_only=True) as store:
        assert store.query("ASK { ?s ?p ?o }", timeout=30).boolean is True
        pid = store._worker.pid
        assert store.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", timeout=30).rows
        assert store._worker.pid == pid
        with pytest.raises(QueryError, match="syntax"):
            store.query("SELECT ?s WHERE { ?s ?p }", timeout=30)
        partial = store.query(CROSS_JOIN, timeout=1)
        assert partial.partial and store._worker is None
    assert multiprocessing.active_children() == []


# --- item 11: entity expansion, remote contexts, memory ----------------------------------------


def _laughs(levels: int = 8) -> str:
    entities = ['  <!ENTITY a0 "hahahahahahahahahaha">']
    entities += [f'  <!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, levels)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            f'  <rdf:Description rdf:about="http://example.org/s"><ex:p>&a{levels - 1};</ex:p></rdf:Description>\n'
            "</rdf:RDF>\n")


@pytest.mark.parametrize("command", [["load", "--no-validate", "--graph", "http://example.org/g"], ["validate"]])
def test_billion_laughs_is_refused(kg, tmp_path, command):
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(_laughs(), encoding="utf-8")
    started = time.monotonic()
    result = kg(*command, str(bomb))
    assert time.monotonic() - started < 10
    assert result.exit_code == 1 and "billion laughs" in one_line_error(result)
    assert not (tmp_path / "kg-store").exists()


def test_external_entities_are_refused(kg, tmp_path):
    doc = tmp_path / "ext.rdf"
    doc.write_text(_laughs(2).replace('<!ENTITY a0 "hahahahahahahahahaha">', '<!ENTITY a0 SYSTEM "file:///etc/passwd">'),
                   encoding="utf-8")
    result = kg("load", "--no-validate", "--graph", "http://example.org/g", str(doc))
    assert result.exit_code == 1 and "external" in one_line_error(result)


def test_namespace_entities_of_owl_files_still_load(kg, tmp_path):
    doc = tmp_path / "onto.rdf"
    doc.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY ex "http://example.org/" >\n]>\n'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
                   '  <rdf:Description rdf:about="&ex;s"><ex:p>x</ex:p></rdf:Description>\n</rdf:RDF>\n',
                   encoding="utf-8")
    result = kg("load", "--no-validate", "--graph", "http://example.org/g", str(doc))
    assert result.exit_code == 0, result.output


@pytest.fixture
def context_server():
    """An HTTP server on 127.0.0.1 that counts the requests it gets (it should get none)."""
    from conftest_servers import recording_http_server

    body = b'{"@context": {"name": "http://schema.org/name"}}'
    with recording_http_server("/context.jsonld", body, "application/ld+json") as (url, hits):
        yield url, hits


@pytest.mark.parametrize("command", [["validate"], ["load", "--no-validate", "--graph", "http://example.org/g"]])
@pytest.mark.parametrize("where", ["top", "nested", "list"])
def test_remote_jsonld_context_is_never_fetched(kg, tmp_path, context_server, command, where):
    url, hits = context_server
    node = {"@id": "http://example.org/s", "name": "x"}
    if where == "top":
        doc = {"@context": url, **node}
    elif where == "list":
        doc = {"@context": [{"ex": "http://example.org/"}, url], **node}
    else:
        doc = {"@context": {"ex": "http://example.org/"}, "@graph": [{"@context": url, **node}]}
    path = tmp_path / "remote.jsonld"
    import json

    path.write_text(json.dumps(doc), encoding="utf-8")
    result = kg(*command, str(path))
    assert result.exit_code == 1 and "remote context" in one_line_error(result)
    assert hits == []


def test_ill_typed_literal_is_reported_without_rdflib_traceback(tmp_path):
    bad = (DATA / "store_article_a.ttl").read_text(encoding="utf-8")
    assert '"^^xsd:date' in bad or "^^<http://www.w3.org/2001/XMLSchema#date>" in bad
    bad = re.sub(r'"\d{4}-\d{2}-\d{2}"\^\^', '"2021-13-45"^^', bad, count=1)
    path = tmp_path / "ill.ttl"
    path.write_text(bad, encoding="utf-8")
    proc = subprocess.run([*KG, "validate", str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Failed to convert" not in proc.stderr, proc.stderr
    assert "[Violation]" in proc.stdout and "is not a valid xsd:date" in proc.stdout


def test_load_memory_is_bounded(tmp_path):
    """A big N-Quads file: the peak memory of `kg load --no-validate` stays a small multiple of the file."""
    rows = []
    for i in range(60000):
        rows.append(f'<https://w3id.org/pgkg/id/person/p{i}> <http://www.w3.org/2000/01/rdf-schema#label> '
                    f'"Người thứ {i} trong danh sách thử nghiệm"@vi <https://w3id.org/pgkg/graph/g{i % 50}> .\n')
    big = tmp_path / "big.nq"
    big.write_text("".join(rows), encoding="utf-8")
    size_mb = big.stat().st_size / 1e6
    code = ("import resource, sys, runpy; sys.argv = ['kg', 'load', '--store', sys.argv[1], '--no-validate', sys.argv[2]]\n"
            "try:\n    runpy.run_module('kg', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    base = subprocess.run([sys.executable, "-c", "import resource, kg.cli, pyoxigraph, rdflib; "
                           "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s"), str(big)], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert "loaded 50 graphs" in proc.stderr, proc.stderr
    growth_mb = (int(proc.stdout.split()[-1]) - int(base.stdout.split()[-1])) / 1024
    print(f"{size_mb:.1f} MB of N-Quads: peak grew by {growth_mb:.0f} MB")
    assert growth_mb < 8 * size_mb + 30  # 5.9x measured (12.8x when the load was one SPARQL update)


def test_a_big_flat_update_from_the_command_line_is_not_refused(kg):
    triples = " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(3000))
    result = kg("query", "--update", f"INSERT DATA {{ GRAPH <http://example.org/g> {{ {triples} }} }}")
    assert result.exit_code == 0, result.output
    assert stored_triples(kg) == 3000
    nested = "INSERT DATA { GRAPH <http://example.org/g> { <http://e/s> <http://e/p> " + "(" * 5000 + ")" * 5000 + " } }"
    result = kg("query", "--update", nested)
    assert result.exit_code == 2 and "nests brackets" in one_line_error(result)


@pytest.mark.parametrize("suffix", ["ttl", "jsonld"])
def test_deeply_nested_files_are_one_line_not_a_crash(tmp_path, suffix):
    depth = 20000
    path = tmp_path / f"deep.{suffix}"
    if suffix == "ttl":
        path.write_text("<http://e/s> <http://e/p> " + "[ <http://e/p> " * depth + "1" + " ]" * depth + " .\n",
                        encoding="utf-8")
    else:
        path.write_text('{"@id": "http://e/s", "http://e/p": ' + '{"http://e/p": ' * depth + "1" + "}" * depth + "}",
                        encoding="utf-8")
    proc = subprocess.run([*KG, "validate", str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [proc.stderr.strip()] and "too deeply" in proc.stderr


def test_a_dtd_hidden_behind_a_long_prolog_is_refused(kg, tmp_path):
    bomb = _laughs()
    hidden = bomb.replace("<!DOCTYPE", "<!-- " + "x" * (1 << 20) + " -->\n<!DOCTYPE", 1)
    path = tmp_path / "hidden.rdf"
    path.write_text(hidden, encoding="utf-8")
    result = kg("load", "--no-validate", "--graph", "http://example.org/g", str(path))
    assert result.exit_code == 1 and "prolog" in one_line_error(result)
    comment_trick = bomb.replace("<!DOCTYPE", "<!-- <rdf:RDF> -->\n<!DOCTYPE", 1)
    path.write_text(comment_trick, encoding="utf-8")
    result = kg("load", "--no-validate", "--graph", "http://example.org/g", str(path))
    assert result.exit_code == 1 and "billion laughs" in one_line_error(result)


def test_reload_replaces_and_append_adds(kg, tmp_path):
    """The write paths of load_units (extend; drop and insert as one update) keep their meaning."""
    original = Path(FILES[0]).read_text(encoding="utf-8")
    assert kg("load", "--no-validate", FILES[0]).exit_code == 0
    count = stored_triples(kg)
    assert kg("load", "--no-validate", FILES[0]).exit_code == 0 and stored_triples(kg) == count  # same file: same
    changed = tmp_path / "a.ttl"
    changed.write_text(original.replace("Lại Xuân Lâm", "Lại Xuân Lâm Mới"), encoding="utf-8")
    assert kg("load", "--no-validate", str(changed)).exit_code == 0
    assert stored_triples(kg) == count
    assert kg("query", 'ASK { ?s ?p "Lại Xuân Lâm Mới"@vi }').stdout == "true\n"
    assert kg("query", 'ASK { ?s ?p "Lại Xuân Lâm"@vi }').stdout == "false\n"  # the old triples are gone
    assert kg("load", "--append", "--no-validate", FILES[0]).exit_code == 0
    assert stored_triples(kg) > count
