"""Curation files (kg.curation): corrections kept in YAML, applied on every export, through the CLI.

The articles are invented for these tests. IRIs of names with diacritics are never written out:
they are derived with kg.iri (key_to_iri, slug) or found by label in a first export.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.cli import main
from kg.iri import DEFAULT_BASE, key_to_iri, slug
from kg.namespaces import GAF, ORG, PG, PROV, SCHEMA, SKOS

ROOT = Path(__file__).resolve().parent.parent

ARTICLE_A = """\
---
title: Tỉnh ủy Hòa Bình sơ kết công tác quý II
url: https://example.org/tin/a
published: 2025-05-13
---
Ngày 12/5/2025, Tỉnh ủy Hòa Bình tổ chức hội nghị sơ kết công tác quý II. Đồng chí Phạm Minh Khang, \
Bí thư Tỉnh ủy Hòa Bình, chủ trì hội nghị. Đồng chí Nguyễn Văn An, Chủ tịch UBND tỉnh Hòa Bình, báo cáo \
kết quả thực hiện nhiệm vụ.
"""

ARTICLE_B = """\
---
title: Ban Thường vụ Tỉnh ủy Lạng Sơn họp phiên thường kỳ
url: https://example.org/tin/b
published: 2025-06-21
---
Ngày 20/6/2025, Ban Thường vụ Tỉnh ủy Lạng Sơn họp phiên thường kỳ tháng 6. Đồng chí Nguyễn Văn An, \
Phó Bí thư Thường trực Tỉnh ủy Lạng Sơn, chủ trì phiên họp. Đồng chí Phạm Minh Khương, Bí thư Tỉnh ủy \
Hòa Bình, dự và phát biểu.
"""

# A body no gazetteer lists yet: the changed gazetteer adds it, so re-extraction finds it.
ARTICLE_C = """\
---
title: Phiên họp về liên kết vùng
url: https://example.org/tin/c
published: 2025-07-02
---
Ngày 1/7/2025, Tổ công tác liên ngành Sông Đà tổ chức phiên họp thứ ba. Đồng chí Phạm Minh Khang, \
Bí thư Tỉnh ủy Hòa Bình, chủ trì phiên họp.
"""
NEW_BODY = "Tổ công tác liên ngành Sông Đà"


def person(name: str) -> str:
    return key_to_iri("person:" + slug(name))


KHANG, KHUONG, AN = person("Phạm Minh Khang"), person("Phạm Minh Khương"), person("Nguyễn Văn An")


def decision(action: str, body: str, by: str = "Trần Thị Mai", why: str = "checked against the source") -> str:
    return f"- by: {by}\n  date: 2026-12-01\n  why: {why}\n  {action}: {body}\n"


@pytest.fixture()
def runner():
    return CliRunner()


@pytest.fixture()
def articles(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in (("a.txt", ARTICLE_A), ("b.txt", ARTICLE_B)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def export(runner, tmp_path, curation: str | None, *inputs, out="out.trig", extra=()):
    args = ["export", *inputs, "-o", tmp_path / out, *extra]
    if curation is not None:
        path = tmp_path / "curation.yaml"
        path.write_text(curation, encoding="utf-8")
        args += ["--curation", path]
    return run(runner, *args)


def dataset(path: Path) -> Dataset:
    ds = Dataset()
    ds.parse(path, format="trig")
    return ds


def union(path: Path) -> Graph:
    graph = Graph()
    for s, p, o, _g in dataset(path).quads():
        graph.add((s, p, o))
    return graph


def label_of(graph: Graph, iri: str) -> set[str]:
    return {str(o) for o in graph.objects(URIRef(iri), RDFS.label)}


def iri_by_label(graph: Graph, label: str) -> str:
    found = sorted({str(s) for s in graph.subjects(RDFS.label, Literal(label, lang="vi"))})
    assert len(found) == 1, (label, found)
    return found[0]


# --- merge ---------------------------------------------------------------------------------------


def test_merge_rewrites_the_facts_and_states_same_as(runner, tmp_path, articles):
    yaml = decision("merge", f"{{keep: '{KHANG}', drop: ['{KHUONG}'], label: Phạm Minh Khang}}",
                    why="one man; the second spelling is a typo")
    result = export(runner, tmp_path, yaml, articles / "a.txt", articles / "b.txt")
    assert result.exit_code == 0, result.output
    graph = union(tmp_path / "out.trig")
    kept, dropped = URIRef(KHANG), URIRef(KHUONG)
    assert (dropped, OWL.sameAs, kept) in graph
    assert set(graph.predicate_objects(dropped)) == {(OWL.sameAs, kept)}  # nothing else left on it
    assert not list(graph.subject_predicates(dropped))
    # both articles' facts now on the kept IRI: one post, two mentions, one display name everywhere
    assert label_of(graph, KHANG) == {"Phạm Minh Khang"}
    assert Literal("Phạm Minh Khương", lang="vi") in set(graph.objects(kept, SKOS.altLabel))
    assert len(set(graph.objects(kept, GAF.denotedBy))) == 2
    # provenance: the decision is an activity, attributed, dated, explained
    activities = set(graph.objects(kept, PG.curatedBy))
    assert len(activities) == 1
    activity = activities.pop()
    assert (activity, RDF.type, PROV.Activity) in graph
    assert str(graph.value(activity, RDFS.comment)) == "one man; the second spelling is a typo"
    assert str(graph.value(activity, PROV.endedAtTime)).startswith("2026-12-01")
    agent = graph.value(activity, PROV.wasAttributedTo)
    assert str(graph.value(agent, RDFS.label)) == "Trần Thị Mai"
    assert "validation ok" in result.stderr and "1 applied, 0 dangling" in result.stderr


def test_merged_iri_answers_301_after_load_and_serve(runner, tmp_path, articles):
    from tests.publish_support import Server

    yaml = (decision("merge", f"{{keep: '{KHANG}', drop: ['{KHUONG}']}}")
            + decision("add", f"{{subject: '{KHANG}', predicate: schema:birthDate, object: 1968-09-02}}",
                       why="from his CV"))
    assert export(runner, tmp_path, yaml, articles / "a.txt", articles / "b.txt").exit_code == 0
    store = tmp_path / "store"
    loaded = run(runner, "load", "--store", store, tmp_path / "out.trig")
    assert loaded.exit_code == 0, loaded.output
    server = Server(store)
    try:
        path = KHUONG[len(DEFAULT_BASE) - 1:]  # /id/person/…
        kept_path = KHANG[len(DEFAULT_BASE) - 1:]
        status, headers, _ = server.request("GET", path, headers={"Accept": "text/html"})
        assert status == 301 and headers["location"] == kept_path
        doc = path.replace("/id/", "/doc/", 1)
        status, headers, _ = server.request("GET", doc)
        assert status == 301 and headers["location"] == kept_path.replace("/id/", "/doc/", 1)
        status, headers, _ = server.request("GET", path.replace("/id/", "/data/", 1) + ".ttl")
        assert status == 301 and headers["location"] == kept_path.replace("/id/", "/data/", 1) + ".ttl"
        # the kept IRI is a thing: 303 to its page, as every thing (the convention is unchanged)
        status, headers, _ = server.request("GET", kept_path, headers={"Accept": "text/html"})
        assert status == 303
        status, _, body = server.request("GET", kept_path.replace("/id/", "/doc/", 1))
        page = body.decode("utf-8")
        assert status == 200 and 'class="curated"' in page and "Trần Thị Mai" in page
        assert "checked against the source" in page
        # the added fact itself is marked, with who and why
        assert re.search(r'1968-09-02.{0,200}<span class="badge" title="Trần Thị Mai · from his CV">', page, re.S)
        assert page.count('class="badge" title=') == 1  # extracted facts are not marked
    finally:
        server.stop()


def test_a_typed_thing_with_same_as_is_not_redirected(tmp_path):
    """Only an IRI a merge emptied (sameAs and nothing typed) moves; ordinary sameAs links stay facts."""
    import pyoxigraph as ox

    from kg.publish.site import Site

    store = ox.Store()
    a, b = ox.NamedNode(DEFAULT_BASE + "id/person/a"), ox.NamedNode(DEFAULT_BASE + "id/person/b")
    store.add(ox.Quad(a, ox.NamedNode(str(OWL.sameAs)), b))
    store.add(ox.Quad(a, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PG.Person))))
    site = Site(store)
    assert site.merged_into(a.value) is None
    store.remove(ox.Quad(a, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PG.Person))))
    assert Site(store).merged_into(a.value) == b.value


# --- split ---------------------------------------------------------------------------------------


def test_split_gives_two_people_each_with_their_own_post(runner, tmp_path, articles):
    plain = export(runner, tmp_path, None, articles / "a.txt", articles / "b.txt", out="plain.trig")
    assert plain.exit_code == 0
    graph = union(tmp_path / "plain.trig")
    people_committee = iri_by_label(graph, "Ủy ban nhân dân tỉnh Hòa Bình")
    yaml = decision("split", f"{{iri: '{AN}', into: ["
                             f"{{iri: nguyen-van-an-hoa-binh, when: {{body: '{people_committee}'}}}}, "
                             f"{{iri: nguyen-van-an-lang-son, when: {{article: 'https://example.org/tin/b', "
                             f"from: 2025-01-01}}}}]}}", why="two men of one name")
    result = export(runner, tmp_path, yaml, articles / "a.txt", articles / "b.txt")
    assert result.exit_code == 0, result.output
    store = tmp_path / "store"
    assert run(runner, "load", "--store", store, tmp_path / "out.trig").exit_code == 0
    query = run(runner, "query", "--store", store, "--format", "json",
                "SELECT ?p ?post WHERE { ?p <http://www.w3.org/ns/org#holds> ?post . "
                "FILTER(CONTAINS(STR(?p), 'nguyen-van-an')) } ORDER BY ?p")
    assert query.exit_code == 0, query.output
    rows = {(r["p"]["value"], r["post"]["value"]) for r in json.loads(query.stdout)["results"]["bindings"]}
    hoa_binh = AN.rsplit("/", 1)[0] + "/nguyen-van-an-hoa-binh"
    lang_son = AN.rsplit("/", 1)[0] + "/nguyen-van-an-lang-son"
    assert {p for p, _ in rows} == {hoa_binh, lang_son}  # the shared IRI is gone
    posts = {p: post for p, post in rows}
    assert slug("Ủy ban nhân dân") in posts[hoa_binh] and slug("Lạng Sơn") in posts[lang_son]
    curated = union(tmp_path / "out.trig")
    assert set(curated.objects(URIRef(hoa_binh), PG.curatedBy))


def test_split_branch_that_does_not_match_leaves_the_name(runner, tmp_path, articles):
    yaml = decision("split", f"{{iri: '{AN}', into: [{{iri: nguyen-van-an-2, when: {{to: 2020-01-01}}}}]}}")
    result = export(runner, tmp_path, yaml, articles / "a.txt")
    assert result.exit_code == 0
    graph = union(tmp_path / "out.trig")
    assert (URIRef(AN), RDF.type, PG.Person) in graph
    assert "1 applied, 0 dangling" in result.stderr  # the name is there: not dangling, just not this period


# --- retract, add, label -------------------------------------------------------------------------


def test_retract_add_label(runner, tmp_path, articles):
    yaml = "".join([
        decision("label", f"{{iri: '{AN}', label: Nguyễn Văn An (Hòa Bình)}}", why="disambiguating name"),
        decision("add", f"{{subject: '{AN}', predicate: schema:birthDate, object: 1971-03-04}}", why="CV"),
        decision("add", f"{{subject: '{AN}', predicate: schema:description, "
                        f"object: {{value: Kỹ sư thủy lợi, lang: vi}}}}", why="CV"),
        decision("retract", f"{{node: '{KHANG}'}}", why="not in the article we publish"),
        decision("retract", f"{{subject: '{AN}', predicate: org:holds}}", why="the post is wrong"),
    ])
    result = export(runner, tmp_path, yaml, articles / "a.txt", out="out.ttl")
    assert result.exit_code == 0, result.output
    assert "5 decisions, 5 applied, 0 dangling" in result.stderr
    graph = Graph().parse(tmp_path / "out.ttl", format="turtle")
    an = URIRef(AN)
    assert label_of(graph, AN) == {"Nguyễn Văn An (Hòa Bình)"}
    assert {str(o) for o in graph.objects(an, SCHEMA.name)} == {"Nguyễn Văn An (Hòa Bình)"}
    assert Literal("Nguyễn Văn An", lang="vi") in set(graph.objects(an, SKOS.altLabel))
    assert str(graph.value(an, SCHEMA.birthDate)) == "1971-03-04"
    assert graph.value(an, SCHEMA.description) == Literal("Kỹ sư thủy lợi", lang="vi")
    assert not list(graph.objects(an, ORG.holds))
    # the retracted node is gone with its tenures, attestations and participations (still valid: see exit 0)
    assert not list(graph.triples((URIRef(KHANG), None, None)))
    assert not list(graph.triples((None, None, URIRef(KHANG))))
    assert len(set(graph.objects(an, PG.curatedBy))) == 4


def test_a_curated_graph_is_validated_like_any_other(runner, tmp_path, articles):
    """Curation runs before SHACL: retracting a fact the shapes require is caught, and nothing is written."""
    yaml = decision("retract", f"{{subject: '{AN}', predicate: schema:name, "
                               f"object: {{value: Nguyễn Văn An, lang: vi}}}}")
    result = export(runner, tmp_path, yaml, articles / "a.txt", out="out.ttl")
    assert result.exit_code == 1
    assert "1 applied" in result.stderr and "schema:name" in result.stderr and "Violation" in result.stderr
    assert not (tmp_path / "out.ttl").exists()


def test_retract_a_literal_object(runner, tmp_path, articles):
    yaml = decision("retract", "{subject: id/article/0000000000000000, predicate: schema:inLanguage, object: "
                               "{value: vi}}")
    plain = export(runner, tmp_path, None, articles / "a.txt", out="plain.ttl")
    article = next(Graph().parse(tmp_path / "plain.ttl", format="turtle").subjects(RDF.type, SCHEMA.NewsArticle))
    yaml = yaml.replace("id/article/0000000000000000", str(article))
    result = export(runner, tmp_path, yaml, articles / "a.txt", out="out.ttl")
    assert plain.exit_code == 0 and result.exit_code == 0, result.output
    assert "1 applied" in result.stderr
    graph = Graph().parse(tmp_path / "out.ttl", format="turtle")
    assert not list(graph.objects(article, SCHEMA.inLanguage))
    assert (article, PG.curatedBy, None) in graph


# --- surviving re-extraction ---------------------------------------------------------------------


def _export_with_gazetteers(gazetteers: Path, *args) -> subprocess.CompletedProcess:
    """kg export in a fresh process that reads its gazetteers from ``gazetteers`` (kg has no setting for it)."""
    launcher = ("import pathlib, sys, kg.resources; folder = pathlib.Path(sys.argv.pop(1)); "
                "kg.resources.gazetteer_dir = lambda: folder; from kg.cli import main; main()")
    return subprocess.run([sys.executable, "-c", launcher, str(gazetteers), "export", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_a_correction_holds_after_re_extraction_with_changed_gazetteers(tmp_path):
    article = tmp_path / "c.txt"
    article.write_text(ARTICLE_C, encoding="utf-8")
    gazetteers = tmp_path / "gazetteers"
    shutil.copytree(ROOT / "kg" / "extract" / "gazetteers", gazetteers)
    curation = tmp_path / "curation"
    curation.mkdir()
    (curation / "10-people.yaml").write_text(
        decision("label", f"{{iri: '{KHANG}', label: Phạm Minh Khang (Hòa Bình)}}"), encoding="utf-8")
    (curation / "20-facts.yaml").write_text(
        decision("add", f"{{subject: '{KHANG}', predicate: schema:birthDate, object: 1968-09-02}}"),
        encoding="utf-8")
    out = tmp_path / "out.ttl"

    def check() -> Graph:
        graph = Graph().parse(out, format="turtle")
        assert label_of(graph, KHANG) == {"Phạm Minh Khang (Hòa Bình)"}
        assert str(graph.value(URIRef(KHANG), SCHEMA.birthDate)) == "1968-09-02"
        return graph

    first = _export_with_gazetteers(gazetteers, article, "-o", out, "--curation", curation)
    assert first.returncode == 0, first.stderr
    assert NEW_BODY not in {str(o) for o in check().objects(None, RDFS.label)}
    with (gazetteers / "bodies.tsv").open("a", encoding="utf-8") as tsv:
        tsv.write(f"{NEW_BODY}\tother\tfull\t-\t-\t-\n")
    second = _export_with_gazetteers(gazetteers, article, "-o", out, "--curation", curation)
    assert second.returncode == 0, second.stderr
    graph = check()
    assert NEW_BODY in {str(o) for o in graph.objects(None, RDFS.label)}  # re-extraction did change


def test_corpus_mode_re_exports_when_the_curation_changes(runner, tmp_path, articles):
    curation = tmp_path / "curation.yaml"
    curation.write_text(decision("label", f"{{iri: '{AN}', label: Nguyễn Văn An (A)}}"), encoding="utf-8")
    out = tmp_path / "out"
    args = ["export", articles, "--out-dir", out, "-j", "1", "--curation", curation]
    first = run(runner, *args)
    assert first.exit_code == 0, first.output
    assert "2 ok" in first.stderr and "1 applied, 0 dangling" in first.stderr
    again = run(runner, *args)
    assert "2 unchanged" in again.stderr and "1 applied, 0 dangling" in again.stderr  # from the manifest
    curation.write_text(decision("label", f"{{iri: '{AN}', label: Nguyễn Văn An (B)}}"), encoding="utf-8")
    changed = run(runner, *args)
    assert "0 unchanged" in changed.stderr
    graph = Graph().parse(out / "b.ttl", format="turtle")
    assert label_of(graph, AN) == {"Nguyễn Văn An (B)"}


def test_load_applies_the_curation_to_plain_exports(runner, tmp_path, articles):
    assert export(runner, tmp_path, None, articles / "a.txt", articles / "b.txt").exit_code == 0
    path = tmp_path / "curation.yaml"
    path.write_text(decision("merge", f"{{keep: '{KHANG}', drop: ['{KHUONG}']}}"), encoding="utf-8")
    store = tmp_path / "store"
    loaded = run(runner, "load", "--store", store, "--curation", path, tmp_path / "out.trig")
    assert loaded.exit_code == 0, loaded.output
    assert "1 applied, 0 dangling" in loaded.stderr
    query = run(runner, "query", "--store", store, "--format", "json",
                f"SELECT ?o WHERE {{ <{KHUONG}> <{OWL.sameAs}> ?o }}")
    assert KHANG in query.stdout


# --- dangling decisions and bad files ------------------------------------------------------------


def test_dangling_decisions_are_reported_not_dropped(runner, tmp_path, articles):
    gone = DEFAULT_BASE + "id/person/no-such-person"
    yaml = (decision("label", f"{{iri: '{AN}', label: Nguyễn Văn An}}")
            + decision("merge", f"{{keep: '{AN}', drop: ['{gone}']}}", why="old duplicate"))
    result = export(runner, tmp_path, yaml, articles / "a.txt")
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if "not in the data" in line]
    assert len(lines) == 1
    assert "curation.yaml: decision 2 (merge)" in lines[0] and "old duplicate" in lines[0]
    assert "2 decisions, 1 applied, 1 dangling" in result.stderr
    strict = export(runner, tmp_path, yaml, articles / "a.txt", out="strict.trig", extra=["--strict"])
    assert strict.exit_code == 1
    assert not (tmp_path / "strict.trig").exists()  # nothing written


@pytest.mark.parametrize(("text", "expected"), [
    ("- by: Mai\n  date: 2026-12-01\n  why: x\n  merge: {keep: [\n", "not valid YAML"),
    (decision("merge", "{keep: id/person/a}"), "decision 1 (merge): 'merge' needs 'drop'"),
    ("- by: Mai\n  date: 2026-12-01\n  label: {iri: id/person/a, label: A}\n", "decision 1 (label): 'why' is missing"),
    (decision("label", "{iri: id/person/a, label: A}") + decision("rename", "{iri: id/person/a}"),
     "decision 2: needs exactly one action"),
    (decision("add", "{subject: id/person/a, predicate: nope:x, object: id/person/b}"), "'predicate' 'nope:x'"),
    (decision("add", "{subject: id/person/a, predicate: schema:name, object: Bình}"), "{value: …, lang: vi}"),
    ("- by: Mai\n  date: last week\n  why: x\n  label: {iri: id/person/a, label: A}\n", "not an ISO date"),
    ("just: a mapping\n", "a list of decisions"),
    (decision("split", "{iri: id/person/a, into: [{iri: Nguyễn An, when: {body: id/org/b}}]}"), "is not a slug"),
    (decision("split", "{iri: id/person/a, into: [{iri: a-2, when: {province: X}}]}"), "'when' takes"),
    (decision("merge", "{keep: id/person/a, drop: [id/person/a]}"), "also in 'drop'"),
])
def test_a_bad_curation_file_gives_one_line(runner, tmp_path, articles, text, expected):
    result = export(runner, tmp_path, text, articles / "a.txt")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith("kg: error: ") and "curation.yaml" in errors[0] and expected in errors[0]
    assert not (tmp_path / "out.trig").exists()


def test_an_empty_curation_folder_is_an_error(runner, tmp_path, articles):
    folder = tmp_path / "empty"
    folder.mkdir()
    result = run(runner, "export", articles / "a.txt", "--curation", folder)
    assert result.exit_code == 1 and "no curation files" in result.stderr


# --- the library ---------------------------------------------------------------------------------


def test_apply_is_deterministic_and_works_on_a_dataset(tmp_path):
    from kg import curation
    from kg.pipeline import export_text
    from kg.serialize import serialize

    path = tmp_path / "c.yaml"
    path.write_text(decision("merge", f"{{keep: '{KHANG}', drop: ['{KHUONG}']}}")
                    + decision("label", "{iri: id/person/x, label: X}"), encoding="utf-8")
    decisions = curation.load(path)
    assert [d.index for d in decisions.decisions] == [1, 2]
    outputs = set()
    for _ in range(2):
        exports = [export_text(ARTICLE_A, "a.txt", validate=False), export_text(ARTICLE_B, "b.txt", validate=False)]
        ds = Dataset()
        for item in exports:
            named = ds.graph(item.graph.identifier)
            for triple in item.graph:
                named.add(triple)
        report = curation.apply(ds, decisions)
        assert report.applied == {decisions.decisions[0].id}
        assert [d.index for d in curation.dangling(decisions, report.applied)] == [2]
        outputs.add(serialize(ds, "nquads"))
    assert len(outputs) == 1
    assert f"<{KHUONG}> <{OWL.sameAs}> <{KHANG}>" in outputs.pop()


def test_applying_twice_changes_nothing_more(tmp_path):
    """A graph curated already (kg load --curation on a curated export) comes out the same."""
    from kg import curation
    from kg.pipeline import export_text
    from kg.serialize import serialize

    path = tmp_path / "c.yaml"
    path.write_text(decision("merge", f"{{keep: '{KHANG}', drop: ['{KHUONG}']}}")
                    + decision("label", f"{{iri: '{KHANG}', label: Phạm Minh Khang}}"), encoding="utf-8")
    decisions = curation.load(path)
    graph = export_text(ARTICLE_B, "b.txt", validate=False).graph
    curation.apply(graph, decisions)
    once = serialize(graph, "nquads")
    report = curation.apply(graph, decisions)
    assert serialize(graph, "nquads") == once
    assert report.applied == {d.id for d in decisions.decisions}  # found, so not reported as dangling


# --- relation nodes follow a merge or split (kg.map's keys, minted again) ---------------------------

# One article that names the man both ways, in the same post.
ARTICLE_BOTH = """\
---
title: Tỉnh ủy Hòa Bình gặp mặt cán bộ hưu trí
url: https://example.org/tin/d
published: 2025-08-04
---
Ngày 3/8/2025, Tỉnh ủy Hòa Bình gặp mặt cán bộ hưu trí. Đồng chí Phạm Minh Khang, Bí thư Tỉnh ủy \
Hòa Bình, phát biểu. Tiếp đó, đồng chí Phạm Minh Khương, Bí thư Tỉnh ủy Hòa Bình, trao quà cho các \
cán bộ.
"""

MERGE_KHANG = decision("merge", f"{{keep: '{KHANG}', drop: ['{KHUONG}'], label: Phạm Minh Khang}}",
                       why="one man; the second spelling is a typo")


def iri_of(key) -> str:
    """The IRI of a key kg.map's key functions return (an EntityKey)."""
    return key_to_iri(str(key))


def _relations(graph: Graph, cls) -> list:
    return sorted(set(graph.subjects(RDF.type, cls)))


def _tenures_of(graph: Graph, person_iri: str) -> list:
    return sorted({t for t in graph.subjects(ORG.member, URIRef(person_iri))
                   if (t, RDF.type, PG.Tenure) in graph})


def test_merge_gives_one_tenure_for_both_spellings_across_articles(runner, tmp_path, articles):
    from kg import map as kmap

    assert export(runner, tmp_path, None, articles / "a.txt", articles / "b.txt", out="raw.trig").exit_code == 0
    raw = union(tmp_path / "raw.trig")
    assert len(_tenures_of(raw, KHANG)) == 1 and len(_tenures_of(raw, KHUONG)) == 1  # before: one each
    result = export(runner, tmp_path, MERGE_KHANG, articles / "a.txt", articles / "b.txt")
    assert result.exit_code == 0, result.output
    graph = union(tmp_path / "out.trig")
    tenures = _tenures_of(graph, KHANG)
    assert len(tenures) == 1
    tenure = tenures[0]
    # the IRI kg.map mints for the kept key: the one article a already had
    assert tenure in _tenures_of(raw, KHANG)
    assert _minted_as_kg_map_would(graph) == []
    attestations = sorted(graph.subjects(PG.attests, tenure))
    assert len(attestations) == 2
    assert len({graph.value(a, PROV.wasDerivedFrom) for a in attestations}) == 2
    # no node is left for the dropped spelling (its old tenure IRI is another name of the kept one, as the
    # dropped person's is: kg serve answers it with 301), and the labels name the kept one
    assert not [s for s in graph.subjects(ORG.member, URIRef(KHUONG))]
    old_tenure = _tenures_of(raw, KHUONG)[0]
    assert set(graph.predicate_objects(old_tenure)) == {(OWL.sameAs, tenure)}
    for node in [tenure, *attestations]:
        assert all("Khương" not in str(label) for label in graph.objects(node, RDFS.label)), node
    role = next(k for k in kmap.vocab_graph().subjects(RDF.type, ORG.Role) if (tenure, ORG.role, k) in graph)
    assert str(tenure) == iri_of(kmap.tenure_key("person:" + slug("Phạm Minh Khang"), kmap.vi_label(role),
                                                      "org:" + slug("Tỉnh ủy Hòa Bình")))
    # the shipped timeline CQ: one row, attested by two articles
    store = tmp_path / "store"
    assert run(runner, "load", "--store", store, tmp_path / "out.trig").exit_code == 0
    query = run(runner, "query", "--store", store, "--cq", "timeline", "--format", "json")
    assert query.exit_code == 0, query.output
    rows = [r for r in json.loads(query.stdout)["results"]["bindings"]
            if r["person"]["value"] == "Phạm Minh Khang" and r["post"]["value"] == "Bí thư"]
    assert len(rows) == 1, rows
    assert rows[0]["articles"]["value"] == "2"
    assert (rows[0]["firstAttested"]["value"], rows[0]["lastAttested"]["value"]) == ("2025-05-12", "2025-06-20")


def test_merge_folds_the_two_tenures_of_one_article(runner, tmp_path):
    (tmp_path / "d.txt").write_text(ARTICLE_BOTH, encoding="utf-8")
    assert export(runner, tmp_path, None, tmp_path / "d.txt", out="raw.trig").exit_code == 0
    raw = union(tmp_path / "raw.trig")
    assert len(_relations(raw, PG.Tenure)) == 2 and len(_relations(raw, PG.Attestation)) == 2
    result = export(runner, tmp_path, MERGE_KHANG, tmp_path / "d.txt")
    assert result.exit_code == 0, result.output
    assert "validation ok" in result.stderr  # one label, one date, one statedAs per folded node
    graph = union(tmp_path / "out.trig")
    assert _relations(graph, PG.Tenure) == _tenures_of(raw, KHANG)
    attestations = _relations(graph, PG.Attestation)
    assert len(attestations) == 1 and graph.value(attestations[0], PG.attests) == _tenures_of(raw, KHANG)[0]
    # the evidence of both sentences stays with the one attestation
    assert len(set(graph.objects(attestations[0], GAF.denotedBy))) == 2
    assert len(set(graph.objects(URIRef(KHANG), ORG.holds))) == 1
    # curating again changes nothing more
    again = tmp_path / "again.yaml"
    again.write_text(MERGE_KHANG, encoding="utf-8")
    loaded = run(runner, "load", "--store", tmp_path / "store", "--curation", again, tmp_path / "out.trig")
    assert loaded.exit_code == 0, loaded.output


def test_split_mints_the_branch_tenure(runner, tmp_path, articles):
    yaml = decision("split", f"{{iri: '{AN}', into: [{{iri: nguyen-van-an-lang-son, when: {{article: "
                             f"https://example.org/tin/b}}}}]}}")
    assert export(runner, tmp_path, yaml, articles / "a.txt", articles / "b.txt").exit_code == 0
    graph = union(tmp_path / "out.trig")
    branch = AN.rsplit("/", 1)[0] + "/nguyen-van-an-lang-son"
    assert len(_tenures_of(graph, AN)) == 1 and len(_tenures_of(graph, branch)) == 1
    from kg import map as kmap
    tenure = _tenures_of(graph, branch)[0]
    role = graph.value(tenure, ORG.role)
    org = graph.value(tenure, ORG.organization)
    expected = kmap.tenure_key("person:nguyen-van-an-lang-son", kmap.vi_label(role),
                               "org:" + str(org).rsplit("/", 1)[-1])
    assert str(tenure) == iri_of(expected)
    assert graph.value(predicate=PG.attests, object=tenure) is not None


def _minted_as_kg_map_would(graph: Graph) -> list[str]:
    """Every post, tenure and attestation whose IRI is not the one kg.map mints from its links."""
    from kg import map as kmap

    def key(node):
        return "{}:{}".format(*str(node)[len(DEFAULT_BASE) + 3:].split("/", 1)) if node is not None else None

    def role(concept):
        return kmap.vi_label(concept) or str(graph.value(concept, SKOS.prefLabel))

    wrong = []
    for post in graph.subjects(RDF.type, PG.Post):
        if str(post) != iri_of(kmap.post_key(graph.value(post, ORG.role), key(graph.value(post, ORG.postIn)))):
            wrong.append(str(post))
    for tenure in graph.subjects(RDF.type, PG.Tenure):
        person, concept, org = (graph.value(tenure, p) for p in (ORG.member, ORG.role, ORG.organization))
        if str(tenure) != iri_of(kmap.tenure_key(key(person), role(concept), key(org))):
            wrong.append(str(tenure))
        for attestation in graph.subjects(PG.attests, tenure):
            article = str(graph.value(attestation, PROV.wasDerivedFrom)).rsplit("/", 1)[-1]
            if str(attestation) != iri_of(kmap.attestation_key(article, key(person), role(concept), key(org))):
                wrong.append(str(attestation))
    for node in graph.subjects(RDF.type, PG.Appointment):
        article = str(graph.value(node, PROV.wasDerivedFrom)).rsplit("/", 1)[-1]
        post = graph.value(node, PG.post)
        concept, org = (graph.value(post, ORG.role), graph.value(post, ORG.postIn)) if post else (None, None)
        kind = str(graph.value(node, PG.appointmentKind)).rsplit("/", 1)[-1]
        if str(node) != iri_of(kmap.appointment_key(article, key(graph.value(node, PG.appointee)),
                                                        role(concept) if concept else None, key(org), kind)):
            wrong.append(str(node))
    return sorted(wrong)


def test_merging_two_bodies_mints_their_posts_and_tenures_again(runner, tmp_path, articles):
    assert export(runner, tmp_path, None, articles / "a.txt", articles / "b.txt", out="raw.trig").exit_code == 0
    raw = union(tmp_path / "raw.trig")
    hoa_binh, lang_son = iri_by_label(raw, "Tỉnh ủy Hòa Bình"), iri_by_label(raw, "Tỉnh ủy Lạng Sơn")
    assert _minted_as_kg_map_would(raw) == []
    yaml = decision("merge", f"{{keep: '{hoa_binh}', drop: ['{lang_son}']}}", why="mechanics of a body merge")
    result = export(runner, tmp_path, yaml, articles / "a.txt", articles / "b.txt")
    assert result.exit_code == 0 and "validation ok" in result.stderr, result.output
    graph = union(tmp_path / "out.trig")
    assert _minted_as_kg_map_would(graph) == []
    assert not list(graph.subjects(ORG.postIn, URIRef(lang_son)))
    assert not [p for p in graph.subjects(RDF.type, PG.Post) if slug("Lạng Sơn") in str(p)]
    # every pointer followed the posts: holds, tenure post, appointment post
    for s, p, o in graph.triples((None, None, None)):
        if isinstance(o, URIRef) and "/id/post/" in str(o):
            assert (o, RDF.type, PG.Post) in graph, (s, p, o)
    assert all("Lạng Sơn" not in str(label) for t in graph.subjects(RDF.type, PG.Tenure)
               for label in graph.objects(t, RDFS.label))


# --- a retracted fact keeps a trace --------------------------------------------------------------


def test_a_retracted_fact_is_reified_and_shown_struck_through(runner, tmp_path, articles):
    yaml = decision("retract", f"{{subject: '{AN}', predicate: org:holds}}", why="the post is wrong")
    assert export(runner, tmp_path, None, articles / "a.txt", out="plain.trig").exit_code == 0
    posts = set(union(tmp_path / "plain.trig").objects(URIRef(AN), ORG.holds))
    assert len(posts) == 1
    result = export(runner, tmp_path, yaml, articles / "a.txt")
    assert result.exit_code == 0 and "validation ok" in result.stderr, result.output
    graph = union(tmp_path / "out.trig")
    assert not list(graph.objects(URIRef(AN), ORG.holds))
    statements = sorted(graph.subjects(PG.retracted, Literal(True)))
    assert len(statements) == 1
    statement = statements[0]
    assert (statement, RDF.type, RDF.Statement) in graph
    assert (graph.value(statement, RDF.subject), graph.value(statement, RDF.predicate),
            graph.value(statement, RDF.object)) == (URIRef(AN), ORG.holds, posts.pop())
    assert graph.value(statement, PROV.wasGeneratedBy) in set(graph.objects(URIRef(AN), PG.curatedBy))
    # the page shows it struck through, with who and why; the added-fact badge is not used for it
    store, site = tmp_path / "store", tmp_path / "site"
    assert run(runner, "load", "--store", store, tmp_path / "out.trig").exit_code == 0
    assert run(runner, "publish", site, "--store", store).exit_code == 0
    page = (site / ("doc/" + AN.split("/id/", 1)[1] + ".html")).read_text(encoding="utf-8")
    found = re.search(r'<div class="val retracted"><del>(.*?)</del> <span class="badge">(.*?)</span>', page, re.S)
    assert found, page
    assert "Chủ tịch" in found.group(1)
    assert "Trần Thị Mai (the post is wrong)" in found.group(2)
    assert 'class="badge" title=' not in page


# Both spellings in one attendance list: two participations of one man in one meeting, before the merge.
ARTICLE_LIST = """\
---
title: Hội nghị tập huấn công tác cán bộ
url: https://example.org/tin/e
published: 2025-09-10
---
Sáng 9/9/2025, tại Hòa Bình, Tỉnh ủy Hòa Bình tổ chức Hội nghị tập huấn công tác cán bộ. Tham dự Hội \
nghị có các đồng chí: Phạm Minh Khang, Bí thư Tỉnh ủy Hòa Bình; Phạm Minh Khương, Bí thư Tỉnh ủy Hòa Bình.
"""


def test_merge_folds_two_participations_in_one_meeting(runner, tmp_path):
    from kg import map as kmap

    (tmp_path / "e.txt").write_text(ARTICLE_LIST, encoding="utf-8")
    assert export(runner, tmp_path, None, tmp_path / "e.txt", out="raw.trig").exit_code == 0
    raw = union(tmp_path / "raw.trig")
    assert len(_relations(raw, PG.Participation)) == 2
    result = export(runner, tmp_path, MERGE_KHANG, tmp_path / "e.txt")
    assert result.exit_code == 0 and "validation ok" in result.stderr, result.output
    graph = union(tmp_path / "out.trig")
    parts = _relations(graph, PG.Participation)
    assert len(parts) == 1
    part = parts[0]
    meeting, concept = graph.value(part, PG.inEvent), graph.value(part, PG.participationRole)
    meeting_key = "meeting:" + str(meeting).split("/id/event/", 1)[1]
    assert str(part) == iri_of(kmap.participation_key(meeting_key, "person:" + slug("Phạm Minh Khang"), concept))
    assert graph.value(part, PG.participant) == URIRef(KHANG)
    assert len(_relations(graph, PG.Tenure)) == 1 and _minted_as_kg_map_would(graph) == []


# A personnel decision about one spelling, a holding of the other: after the merge one attestation of the
# post says what the decision says (kg.map would: one person, one holding, the decision decides).
ARTICLE_DECISION = """\
---
title: Điều động cán bộ
url: https://example.org/tin/f
published: 2025-03-06
---
Ngày 5/3/2025, Ban Thường vụ Tỉnh ủy Hòa Bình quyết định điều động đồng chí Phạm Minh Khương, Phó Bí thư \
Tỉnh ủy Hòa Bình, giữ chức Bí thư Tỉnh ủy Hòa Bình. Đồng chí Phạm Minh Khang, Bí thư Tỉnh ủy Hòa Bình, phát \
biểu nhận nhiệm vụ.
"""


def test_merge_mints_the_appointment_and_keeps_the_decision_wording(runner, tmp_path):
    (tmp_path / "f.txt").write_text(ARTICLE_DECISION, encoding="utf-8")
    assert export(runner, tmp_path, None, tmp_path / "f.txt", out="raw.trig").exit_code == 0
    raw = union(tmp_path / "raw.trig")
    assert _minted_as_kg_map_would(raw) == [] and len(_relations(raw, PG.Appointment)) == 1
    result = export(runner, tmp_path, MERGE_KHANG, tmp_path / "f.txt")
    assert result.exit_code == 0 and "validation ok" in result.stderr, result.output
    graph = union(tmp_path / "out.trig")
    assert _minted_as_kg_map_would(graph) == []
    (appointment,) = _relations(graph, PG.Appointment)
    assert graph.value(appointment, PG.appointee) == URIRef(KHANG)
    assert appointment not in _relations(raw, PG.Appointment)  # minted again for the kept key
    post = graph.value(appointment, PG.post)
    (tenure,) = [t for t in _tenures_of(graph, KHANG) if graph.value(t, PG.post) == post]
    (attestation,) = sorted(graph.subjects(PG.attests, tenure))
    assert str(graph.value(attestation, PG.statedAs)).endswith("/elected")
    assert len(_tenures_of(graph, KHANG)) == 2  # Bí thư (one, folded) and Phó Bí thư
