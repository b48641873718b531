"""kg load / query / stats / drop through click's CliRunner, on an embedded store in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

DATA = Path(__file__).parent / "data"
FILES = [str(DATA / "store_article_a.ttl"), str(DATA / "store_article_b.ttl")]
ARTICLE_A = "https://w3id.org/pgkg/id/article/aaaaaaaaaaaaaaaa"
NAMES = ('SELECT DISTINCT ?name WHERE { ?p a <https://w3id.org/pgkg/ontology#Person> ; '
         '<http://www.w3.org/2000/01/rdf-schema#label> ?l BIND(STR(?l) AS ?name) }')


@pytest.fixture
def kg(tmp_path, monkeypatch):
    """Run `kg …` with the store in tmp_path (through $KG_STORE, as a user would set it)."""
    monkeypatch.setenv("KG_STORE", str(tmp_path / "kg-store"))
    monkeypatch.delenv("KG_ENDPOINT", raising=False)

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input)

    return run


@pytest.fixture
def loaded(kg):
    result = kg("load", "--no-validate", *FILES)
    assert result.exit_code == 0, result.output
    return kg


def test_load_reports_graphs_and_triples(kg):
    result = kg("load", "--no-validate", *FILES)
    assert result.exit_code == 0
    assert "loaded 2 graphs (63 triples) from 2 files" in result.stderr
    assert result.stdout == ""


def test_query_as_table_csv_tsv_and_json(loaded):
    table = loaded("query", NAMES)
    assert table.exit_code == 0
    assert table.stdout.splitlines() == ["name", "------------", "Lại Xuân Lâm", "(1 row)"]
    assert loaded("query", NAMES, "--format", "csv").stdout_bytes == "name\r\nLại Xuân Lâm\r\n".encode()
    assert loaded("query", NAMES, "--format", "tsv").stdout == '?name\n"Lại Xuân Lâm"\n'
    doc = json.loads(loaded("query", NAMES, "--format", "json").stdout)
    assert doc == {"head": {"vars": ["name"]},
                   "results": {"bindings": [{"name": {"type": "literal", "value": "Lại Xuân Lâm"}}]}}


def test_terms_keep_their_language_and_datatype_in_json_and_tsv(loaded):
    query = f"SELECT ?l ?d WHERE {{ <{ARTICLE_A}> <http://schema.org/headline> ?l ; <http://schema.org/datePublished> ?d }}"
    binding = json.loads(loaded("query", query, "--format", "json").stdout)["results"]["bindings"][0]
    assert binding["l"] == {"type": "literal", "value": "Đảng ủy Khối tổng kết công tác năm", "xml:lang": "vi"}
    assert binding["d"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"
    row = loaded("query", query, "--format", "tsv").stdout.splitlines()[1]
    assert row == '"Đảng ủy Khối tổng kết công tác năm"@vi\t"2021-01-07"^^<http://www.w3.org/2001/XMLSchema#date>'


def test_query_from_a_file_and_from_stdin(loaded, tmp_path):
    path = tmp_path / "names.rq"
    path.write_text(NAMES, encoding="utf-8")
    assert loaded("query", str(path), "--format", "csv").stdout.splitlines()[1] == "Lại Xuân Lâm"
    assert loaded("query", "-", "--format", "csv", input=NAMES).stdout.splitlines()[1] == "Lại Xuân Lâm"


def test_with_source_adds_the_articles(loaded):
    result = loaded("query", NAMES, "--with-source", "--format", "csv")
    assert result.stdout.splitlines() == [
        "name,source",
        f"Lại Xuân Lâm,{ARTICLE_A}",
        "Lại Xuân Lâm,https://w3id.org/pgkg/id/article/bbbbbbbbbbbbbbbb",
    ]


def test_ask_answers_with_its_exit_code(loaded):
    yes = loaded("query", 'ASK { ?p <http://www.w3.org/2000/01/rdf-schema#label> "Lại Xuân Lâm"@vi }')
    no = loaded("query", 'ASK { ?p <http://www.w3.org/2000/01/rdf-schema#label> "Không Có"@vi }')
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    assert (no.exit_code, no.stdout) == (1, "false\n")


def test_construct_prints_turtle(loaded):
    import rdflib

    result = loaded("query", "CONSTRUCT WHERE { ?p <http://schema.org/name> ?n }")
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert len(graph) == 1
    assert "@prefix schema: <http://schema.org/> ." in result.stdout


def test_a_syntax_error_names_the_file_line_and_column(loaded, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s\nWHERE { ?s ?p ?o } LIMT 3\n", encoding="utf-8")
    result = loaded("query", str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kg: error: {bad}: SPARQL syntax error at 2:")
    assert "Traceback" not in result.output


def test_updates_are_refused_without_update(loaded):
    refused = loaded("query", f"DROP GRAPH <{ARTICLE_A}>")
    assert refused.exit_code == 2 and "--update" in refused.stderr
    done = loaded("query", "--update", "DROP GRAPH <https://w3id.org/pgkg/graph/aaaaaaaaaaaaaaaa>")
    assert done.exit_code == 0, done.output
    assert loaded("stats", "--format", "json").stdout.count('"graph":') == 1


def test_query_needs_a_query_or_a_cq(loaded):
    neither = loaded("query")
    assert neither.exit_code == 2 and "--cq NAME" in neither.stderr
    unknown = loaded("query", "--cq", "no-such-question")
    assert unknown.exit_code == 2 and "no competency question 'no-such-question'" in unknown.stderr


def test_query_before_any_load_says_what_to_do(kg):
    result = kg("query", "ASK {}")
    assert result.exit_code == 1 and "kg load" in result.stderr


def test_stats_as_table_and_json(loaded):
    table = loaded("stats")
    assert table.exit_code == 0
    assert "graphs   2" in table.stdout and "triples  60" in table.stdout  # 63 in the graphs, 3 shared
    assert any(line.split() == ["pg:Person", "1"] for line in table.stdout.splitlines())
    info = json.loads(loaded("stats", "--format", "json").stdout)
    assert info["graphs"] == 2 and info["triples"] == 60
    assert info["classes"]["https://w3id.org/pgkg/ontology#Tenure"] == 2


def test_drop_asks_first_and_refuses_without_a_terminal(loaded):
    refused = loaded("drop", ARTICLE_A)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert json.loads(loaded("stats", "--format", "json").stdout)["graphs"] == 2
    dropped = loaded("drop", ARTICLE_A, "--yes")
    assert dropped.exit_code == 0 and "dropped 1 graph" in dropped.stderr
    assert json.loads(loaded("stats", "--format", "json").stdout)["graphs"] == 1
    again = loaded("drop", ARTICLE_A, "--yes")
    assert again.exit_code == 1 and "not in the store" in again.stderr
    everything = loaded("drop", "--all", "--yes")
    assert everything.exit_code == 0
    assert json.loads(loaded("stats", "--format", "json").stdout)["graphs"] == 0


def test_a_bad_file_is_named_and_nothing_is_loaded(kg, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix schema: <http://schema.org/> .\n<x> a schema:NewsArticle\n", encoding="utf-8")
    result = kg("load", "--no-validate", FILES[0], str(bad))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kg: error: {bad}:")
    assert "Traceback" not in result.output
    assert not (tmp_path / "kg-store").exists()
    assert kg("load", "--no-validate", FILES[1]).exit_code == 0
    assert kg("load", "--no-validate", FILES[0], str(bad)).exit_code == 1
    assert json.loads(kg("stats", "--format", "json").stdout)["triples"] == 31  # FILES[1] alone


def test_a_missing_file_and_an_unknown_extension(kg, tmp_path):
    missing = kg("load", str(tmp_path / "nope.ttl"))
    assert missing.exit_code == 1 and "nope.ttl: no such file" in missing.stderr
    assert not (tmp_path / "kg-store").exists()  # a failed first load leaves no empty store behind
    odd = tmp_path / "data.txt"
    odd.write_text("x")
    unknown = kg("load", str(odd))
    assert unknown.exit_code == 1 and "cannot tell the RDF format" in unknown.stderr


def test_a_store_in_use_is_a_clear_error(kg, tmp_path):
    from kg.store import open_store

    holder = open_store(tmp_path / "kg-store")
    try:
        result = kg("load", "--no-validate", FILES[0])
        assert result.exit_code == 1 and "in use by another process" in result.stderr
        assert kg("query", "ASK { ?s ?p ?o }").exit_code in (0, 1)  # reading still works
    finally:
        holder.close()


SEED = Path(__file__).resolve().parent.parent / "data" / "articles" / "seed.txt"


def test_export_load_and_ask_the_shipped_cqs_on_the_seed(kg, tmp_path):
    exported = kg("export", "-q", str(SEED), "-o", str(tmp_path / "seed.ttl"))
    assert exported.exit_code == 0, exported.output
    loaded = kg("load", str(tmp_path / "seed.ttl"))  # with SHACL validation
    assert loaded.exit_code == 0, loaded.output
    people = kg("query", "--cq", "people", "--format", "csv").stdout.splitlines()
    assert people[0] == "person,post,organization"
    assert "Lại Xuân Lâm,Phó Bí thư,Đảng ủy Khối các cơ quan Trung ương" in people
    assert "Nguyễn Minh Chung,Trưởng Ban,Ban Tuyên giáo Đảng ủy Khối các cơ quan Trung ương" in people
    documents = kg("query", "--cq", "documents", "--format", "tsv").stdout.splitlines()
    assert '"35-NQ/TW"\t"Resolution"\t"Bộ Chính trị"' in documents
    sourced = kg("query", "--cq", "roles", "--with-source", "--format", "json")
    rows = json.loads(sourced.stdout)["results"]["bindings"]
    assert {(r["person"]["value"], r["role"]["value"]) for r in rows} >= {("Lại Xuân Lâm", "speech"),
                                                                         ("Nguyễn Minh Chung", "report")}
    article = json.loads(kg("stats", "--format", "json").stdout)["graph_list"][0]["article"]
    assert article.startswith("https://w3id.org/pgkg/id/article/")
    assert {r["source"]["value"] for r in rows} == {article}


@pytest.mark.parametrize("doc_file", ["docs/store.md", "README.md"])
def test_the_examples_in_the_docs_are_real(kg, tmp_path, monkeypatch, doc_file):
    """Every `$ kg …` console example in docs/store.md and README prints exactly what they show (on the seed)."""
    import re
    import shlex

    doc = (Path(__file__).resolve().parent.parent / doc_file).read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evidence.rq").write_text(re.search(r"```sparql\n(.*?)```", doc, re.DOTALL).group(1))
    # The docs' commands run in the project folder: data/ is there, and the seed's IRI comes from
    # its path as given, data/articles/seed.txt (README, "Input").
    # README's "Across articles and time" runs on data/articles/timeline (and appointments), set up by its ```bash lines
    (tmp_path / "data").symlink_to(SEED.parent.parent)
    assert kg("export", "-q", "data/articles/seed.txt", "-o", "seed.ttl").exit_code == 0
    assert kg("load", "seed.ttl").exit_code == 0
    for setup in re.findall(r"```bash\nkg (export data/articles/(?:timeline|appointments)/.*?)\n```", doc):
        words = [w for part in shlex.split(setup) for w in (sorted(map(str, Path().glob(part))) or [part])]
        assert kg(*words, "-q").exit_code == 0, setup
    examples = re.findall(r"```console\n\$ kg (.*?)\n(.*?)```", doc, re.DOTALL)
    assert len(examples) >= 3
    for command, expected in examples:
        result = kg(*shlex.split(command))
        assert result.exit_code == (1 if command.startswith("diff ") else 0), result.output  # diff: 1 = differs
        assert result.stdout == expected, command


def test_a_graph_you_name_holds_data_without_an_article(kg, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x"@vi .\n')
    refused = kg("load", "--no-validate", str(extra))
    assert refused.exit_code == 1 and "--graph IRI" in refused.stderr
    loaded = kg("load", "--no-validate", str(extra), "--graph", "https://example.org/graph/extra")
    assert loaded.exit_code == 0, loaded.output
    assert kg("query", 'ASK { GRAPH <https://example.org/graph/extra> { ?s ?p "x"@vi } }').exit_code == 0
    assert kg("drop", "--all", "--yes").exit_code == 0  # the embedded store is emptied
    assert kg("query", "ASK { GRAPH ?g { ?s ?p ?o } }").stdout == "false\n"
