"""kg.validate: pySHACL against shapes/, readable reports, files of any RDF format."""

from __future__ import annotations

import json
import time

import pytest
from rdflib import Graph, Literal, URIRef

from kg.errors import InputError
from kg.namespaces import PG
from kg.serialize import serialize
from kg.validate import load_rdf, validate, validate_file

TERM = "https://w3id.org/pgkg/id/term/hooji-ddoofng-nhaan-daan/2021-2016"


@pytest.fixture(scope="module")
def seed_report(seed_graph):
    return validate(seed_graph)


def test_seed_is_accepted_with_exactly_the_term_warning(seed_report):
    assert seed_report.accepted and not seed_report.conforms  # SHACL: any result breaks conformance
    assert seed_report.counts["Violation"] == 0
    assert seed_report.counts["Warning"] == 1
    (warning,) = [r for r in seed_report.results if r.severity == "Warning"]
    assert warning.focus == TERM
    assert warning.shape == "pgsh:Term-yearOrder"
    assert warning.path == "pg:startYear"
    assert warning.value == "2021"
    assert warning.focus_label == "Hội đồng nhân dân nhiệm kỳ 2021-2016"
    assert "kết thúc trước khi bắt đầu" in warning.message_vi
    assert "ends before it starts" in warning.message_en


def test_strict_makes_warnings_fatal(seed_graph):
    report = validate(seed_graph, strict=True)
    assert not report.accepted
    assert report.strict


def test_infos_never_fail(seed_report):
    # The seed has no front matter: missing headline/date are Info, not Warnings.
    assert {r.shape for r in seed_report.results if r.severity == "Info"} == {
        "pgsh:Article-headlinePresent", "pgsh:Article-publishedPresent"}


def test_violation_makes_it_fail(seed_graph):
    broken = Graph()
    for triple in seed_graph:
        broken.add(triple)
    tenure = next(broken.subjects(predicate=None, object=PG.Tenure))
    broken.add((tenure, URIRef("http://www.w3.org/ns/org#member"), URIRef("https://w3id.org/pgkg/id/person/x")))
    report = validate(broken)
    assert not report.accepted and not report.conforms
    assert any(r.shape == "pgsh:Tenure-member" and r.severity == "Violation" for r in report.results)


def test_text_report_is_readable(seed_report):
    text = seed_report.to_text()
    assert text.startswith("Kết quả kiểm tra SHACL / SHACL validation: KHÔNG hợp lệ / does not conform "
                           "(0 Violation, 1 Warning, 2 Info)\nKết luận của kg / kg's verdict: chấp nhận / accepted")
    assert f'[Warning] <{TERM}> "Hội đồng nhân dân nhiệm kỳ 2021-2016"' in text
    assert "path: pg:startYear   value: 2021" in text
    assert "  vi: Nhiệm kỳ kết thúc trước khi bắt đầu" in text
    assert "  en: The term ends before it starts" in text


def test_json_report(seed_report):
    data = json.loads(seed_report.to_json())
    assert data["conforms"] is False and data["accepted"] is True  # SHACL's meaning, and kg's verdict
    assert data["counts"] == {"Violation": 0, "Warning": 1, "Info": 2}
    assert data["results"][0]["shape"] == "pgsh:Term-yearOrder"


def test_turtle_report_is_the_shacl_report_and_deterministic(seed_graph, seed_report):
    text = seed_report.to_turtle()
    assert text == validate(seed_graph).to_turtle()
    report = Graph().parse(data=text, format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    assert len(list(report.subjects(URIRef(sh + "resultSeverity"), None))) == 3
    assert (None, URIRef(sh + "focusNode"), URIRef(TERM)) in report


def test_report_messages_keep_both_languages(seed_report):
    report = Graph().parse(data=seed_report.to_turtle(), format="turtle")
    langs = {m.language for m in report.objects(None, URIRef("http://www.w3.org/ns/shacl#resultMessage"))}
    assert langs == {"vi", "en"}


def test_validation_is_fast_once_shapes_are_loaded(seed_graph):
    validate(seed_graph)
    start = time.perf_counter()
    for _ in range(3):
        validate(seed_graph)
    assert (time.perf_counter() - start) / 3 < 1.0  # ~0.06 s measured; generous for slow CI


@pytest.mark.parametrize("fmt, ext", [("turtle", ".ttl"), ("nt", ".nt"), ("jsonld", ".jsonld"),
                                      ("trig", ".trig"), ("nquads", ".nq")])
def test_validate_file_in_every_format(tmp_path, seed_graph, fmt, ext):
    path = tmp_path / f"seed{ext}"
    path.write_text(serialize(seed_graph, fmt), encoding="utf-8")
    assert len(load_rdf(path)) == len(seed_graph)
    report = validate_file(path)
    assert report.accepted and report.counts["Warning"] == 1


def test_named_graphs_in_files_are_all_read(tmp_path, seed_extraction):
    import dataclasses

    from kg.map import to_dataset

    other = dataclasses.replace(seed_extraction,
                                article=dataclasses.replace(seed_extraction.article, url="https://example.org/b"))
    dataset = to_dataset([seed_extraction, other])
    union = {t for g in dataset.graphs() for t in g}
    for fmt, ext in (("jsonld", ".jsonld"), ("trig", ".trig"), ("nquads", ".nq")):
        path = tmp_path / f"two{ext}"
        path.write_text(serialize(dataset, fmt), encoding="utf-8")
        assert set(load_rdf(path)) == union, fmt


def test_ontology_and_vocabularies_validate():
    from kg.resources import ontology_dir

    for path in [ontology_dir() / "pg.ttl", *sorted((ontology_dir() / "vocab").glob("*.ttl"))]:
        report = validate_file(path, strict=True)
        assert report.accepted, report.to_text()


def test_ontology_lint_catches_missing_labels(tmp_path):
    path = tmp_path / "onto.ttl"
    path.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    "<https://example.org/X> a owl:Class ; rdfs:label \"X\"@en .\n", encoding="utf-8")
    report = validate_file(path)
    shapes = {r.shape for r in report.results}
    assert {"pgsh:OntologyTerm-labelVi", "pgsh:OntologyTerm-commentEn", "pgsh:OntologyTerm-definedBy"} <= shapes


# --- bad input ------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        validate_file(tmp_path / "nope.ttl")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.ttl"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty.ttl: file is empty"):
        validate_file(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.ttl"
    path.write_bytes(b'<http://a> <http://b> "ok" .\n<http://a> <http://b> "caf\xe9" .\n')
    with pytest.raises(InputError, match=r"latin.ttl: line 2: not UTF-8"):
        validate_file(path)


def test_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.ttl: line 3, column \d+: syntax error"):
        validate_file(path)


def test_bad_ntriples_line(tmp_path):
    path = tmp_path / "broken.nt"
    path.write_text('<http://a> <http://b> "x" .\n<http://a> <http://b> .\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.nt: line 2"):
        validate_file(path)


def test_bad_json(tmp_path):
    path = tmp_path / "broken.jsonld"
    path.write_text('{\n  "@id": "http://a",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.jsonld: line 3"):
        validate_file(path)


def test_unknown_extension(tmp_path):
    path = tmp_path / "data.xyz"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"data.xyz: cannot tell the RDF format from '.xyz'"):
        validate_file(path)


def test_literal_with_bad_date_is_a_violation(seed_graph):
    graph = Graph()
    for triple in seed_graph:
        graph.add(triple)
    attestation = next(graph.subjects(predicate=None, object=PG.Attestation))
    graph.set((attestation, PG.attestedOn, Literal("6/1/2021")))
    report = validate(graph)
    assert any(r.shape == "pgsh:Attestation-date" and r.severity == "Violation" for r in report.results)


def test_reports_are_identical_across_hash_seeds(tmp_path, seed_graph):
    import os
    import subprocess
    import sys

    path = tmp_path / "seed.ttl"
    path.write_text(serialize(seed_graph, "turtle"), encoding="utf-8")
    script = ("import sys; from kg.validate import validate_file; r = validate_file(sys.argv[1]); "
              "sys.stdout.write(r.to_turtle() + r.to_json() + r.to_text())")
    outputs = {subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("0", "7", "99")}
    assert len(outputs) == 1


# --- one meaning of "conforms" ---------------------------------------------------------


def test_the_three_reports_agree_on_shacl_conformance(seed_report):
    """Text, JSON and the SHACL report graph say the same: the seed's Warning breaks SHACL conformance."""
    sh = "http://www.w3.org/ns/shacl#"
    report = Graph().parse(data=seed_report.to_turtle(), format="turtle")
    assert (None, URIRef(sh + "conforms"), Literal(False)) in report
    assert json.loads(seed_report.to_json())["conforms"] is False
    assert "SHACL validation: KHÔNG hợp lệ / does not conform" in seed_report.to_text()


def test_infos_alone_conform_in_no_sense_of_shacl_but_are_accepted(seed_graph):
    graph = Graph()
    for triple in seed_graph:
        graph.add(triple)
    term = URIRef(TERM)
    graph.set((term, PG.startYear, Literal(2016)))
    graph.set((term, PG.endYear, Literal(2021)))
    report = validate(graph, strict=True)
    assert report.counts == {"Violation": 0, "Warning": 0, "Info": 2}
    assert report.accepted and not report.conforms
    sh = "http://www.w3.org/ns/shacl#"
    assert (None, URIRef(sh + "conforms"), Literal(False)) in Graph().parse(data=report.to_turtle(), format="turtle")


def test_a_graph_without_results_conforms(seed_graph):
    from kg.namespaces import new_graph

    report = validate(new_graph())
    assert report.conforms and report.accepted and report.results == []
    assert "SHACL validation: hợp lệ / conforms" in report.to_text()


def test_ill_typed_literal_is_in_every_report_and_logs_nothing(tmp_path, seed_graph, caplog):
    path = tmp_path / "bad-date.nt"
    attestation = next(seed_graph.subjects(predicate=None, object=PG.Attestation))
    text = serialize(seed_graph, "nt") + f'<{attestation}> <{PG.attestedOn}> "2021-13-45"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    path.write_text(text, encoding="utf-8")
    with caplog.at_level("DEBUG"):
        report = validate_file(path)
    assert not [r for r in caplog.records if r.name.startswith("rdflib")]
    hits = [r for r in report.results if r.shape == "kg:ill-typed-literal"]
    assert len(hits) == 1 and not report.accepted
    sh = "http://www.w3.org/ns/shacl#"
    turtle = Graph().parse(data=report.to_turtle(), format="turtle")
    assert len(list(turtle.subjects(URIRef(sh + "focusNode"), None))) == len(report.results)
    assert "2021-13-45" in {str(v) for v in turtle.objects(None, URIRef(sh + "value"))}
    assert (None, URIRef(sh + "conforms"), Literal(False)) in turtle
