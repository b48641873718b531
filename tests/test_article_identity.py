"""Stable article identity: an article's IRI comes from its url, else its front-matter ``id``,
else its path below the corpus root — never from its text, except for stdin — so an edited
article replaces its graph; corpus mode removes (or, --keep-stale, keeps) articles that left
the input. The articles here are invented for these tests."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.iri import article_id, article_iri, graph_iri
from kg.text import parse_article, read_article, relative_name

BASE = "https://w3id.org/pgkg/"

# An invented article without url or id: a meeting, a speaker with a post, a byline.
FIRST = (
    "Ngày 12/3/2021, tại Hà Nội, Ban Tổ chức Trung ương tổ chức hội nghị sơ kết công tác quý I năm 2021.\n\n"
    "Phát biểu tại hội nghị, Phó Trưởng Ban Tổ chức Trung ương Hoàng Văn Minh đề nghị các đơn vị "
    "tiếp tục đổi mới phương thức làm việc.\n\n"
    "Thu Trang\n"
)
# The same article after an editor fixed the speaker's name and the byline.
EDITED = FIRST.replace("Hoàng Văn Minh", "Đỗ Quang Huy").replace("Thu Trang", "Minh Châu")
OTHER = (
    "Ngày 20/4/2021, tại Đà Nẵng, Ban Dân vận Trung ương tổ chức hội nghị giao ban công tác dân vận.\n\n"
    "Thanh Hà\n"
)


def sha16(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def kg(*args: str):
    return CliRunner().invoke(main, list(args))


def store_graphs(folder: Path) -> list[str]:
    from kg.store import EmbeddedStore

    with EmbeddedStore(folder, read_only=True) as store:
        return [graph for graph, _ in store.article_graphs()]


def store_people(folder: Path) -> list[str]:
    from kg.namespaces import PG
    from kg.store import EmbeddedStore

    query = (f"SELECT DISTINCT ?name WHERE {{ ?p a <{PG}Person> ; <http://schema.org/name> ?name }} "
             "ORDER BY ?name")
    with EmbeddedStore(folder, read_only=True) as store:
        return [row[0].value for row in store.query(query).rows]


def store_authors(folder: Path) -> list[str]:
    from kg.store import EmbeddedStore

    query = "SELECT DISTINCT ?a WHERE { ?article <http://schema.org/author> ?a } ORDER BY ?a"
    with EmbeddedStore(folder, read_only=True) as store:
        return [row[0].value for row in store.query(query).rows]


# --- the scheme -------------------------------------------------------------------------------


def test_url_iris_are_unchanged():
    url = "https://tin.example.vn/thoi-su/hoi-nghi-so-ket.html"
    assert article_id(url, "ab" * 32) == sha16(url)
    assert article_id(url, "ab" * 32, "id:bai-7") == sha16(url)  # the url wins over an id or a path


def test_front_matter_id_keys_the_iri():
    article = parse_article("---\nid: bai-2021-0153\n---\n" + FIRST, "a.txt")
    assert article.identity == "id:bai-2021-0153"
    assert article_id(article.url, article.content_hash, article.identity) == sha16("id:bai-2021-0153")
    number = parse_article("---\nid: 153\n---\n" + FIRST, "a.txt")
    assert number.identity == "id:153"


def test_front_matter_id_does_not_change_the_text_read():
    plain = parse_article(FIRST, "a.txt")
    with_id = parse_article("---\nid: bai-7\n---\n" + FIRST, "a.txt")
    assert (with_id.text, with_id.title, with_id.author, with_id.published) == \
        (plain.text, plain.title, plain.author, plain.published)


@pytest.mark.parametrize("value, problem", [
    ("[1, 2]", "must be text or a whole number"),
    ("true", "must be text or a whole number"),
    ("2021-03-12", "must be text or a whole number"),  # YAML reads a date
    ("'" + "x" * 201 + "'", "at most 200 characters"),
    ('"dòng một\\ndòng hai"', "one line"),
])
def test_a_bad_front_matter_id_is_one_clear_error(value, problem):
    with pytest.raises(InputError) as err:
        parse_article(f"---\nid: {value}\n---\n" + FIRST, "bai.txt")
    assert str(err.value).startswith("bai.txt: front matter 'id'") and problem in str(err.value)


def test_an_empty_id_counts_as_none():
    assert parse_article("---\nid: '  '\n---\n" + FIRST, "a.txt").identity is None


def test_path_identity_is_relative_to_the_root(tmp_path, monkeypatch):
    (tmp_path / "c" / "2021").mkdir(parents=True)
    path = tmp_path / "c" / "2021" / "a.txt"
    path.write_text(FIRST, encoding="utf-8")
    assert read_article(path, root=tmp_path / "c").identity == "path:2021/a.txt"
    monkeypatch.chdir(tmp_path)
    assert read_article("c/2021/a.txt").identity == "path:c/2021/a.txt"  # default root: the current folder
    assert read_article(path).identity == "path:c/2021/a.txt"  # absolute or not, the same name
    assert relative_name(path, tmp_path / "other") == "../c/2021/a.txt"


def test_the_three_namespaces_do_not_collide(tmp_path):
    (tmp_path / "x.txt").write_text(FIRST, encoding="utf-8")
    by_path = read_article(tmp_path / "x.txt", root=tmp_path)
    (tmp_path / "y.txt").write_text("---\nid: x.txt\n---\n" + FIRST, encoding="utf-8")
    by_id = read_article(tmp_path / "y.txt", root=tmp_path)
    ids = {article_id(a.url, a.content_hash, a.identity) for a in (by_path, by_id)}
    assert len(ids) == 2 and sha16(FIRST) not in ids


def test_stdin_is_identified_by_its_text(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FIRST.encode("utf-8"))))
    article = read_article("-")
    assert article.identity is None
    assert article_id(article.url, article.content_hash, article.identity) == sha16(article.text)


def test_help_says_how_articles_are_identified():
    text = kg("export", "--help").output
    assert "--root DIR" in text and "--keep-stale" in text
    assert "identified by its text" in " ".join(text.split())


def test_export_text_with_a_name_mints_the_corpus_iri(tmp_path):
    from kg.pipeline import article_to_nquads, export_article, export_text

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(FIRST, encoding="utf-8")
    from_file = export_article(str(tmp_path / "sub" / "a.txt"), validate=False, root=str(tmp_path))
    assert export_text(FIRST, name="sub/a.txt", validate=False).article_iri == from_file.article_iri
    assert from_file.article_iri == article_iri(sha16("path:sub/a.txt"))
    assert article_to_nquads(FIRST, name="sub/a.txt") == from_file.nquads
    assert export_text(FIRST, validate=False).article_iri == article_iri(sha16(FIRST))  # no name: the text


# --- an edited article replaces its graph --------------------------------------------------------


def test_single_file_edit_and_reload_replaces_the_graph(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bai.txt").write_text(FIRST, encoding="utf-8")
    first = kg("export", "bai.txt", "-q", "-o", "one.ttl", "--load", "--store", "st")
    assert first.exit_code == 0, first.output
    Path("bai.txt").write_text(EDITED, encoding="utf-8")
    second = kg("export", "bai.txt", "-q", "-o", "two.ttl")
    assert second.exit_code == 0, second.output
    loaded = kg("load", "two.ttl", "--store", "st")
    assert loaded.exit_code == 0, loaded.output
    assert store_graphs(Path("st")) == [graph_iri(sha16("path:bai.txt"))]
    stats = json.loads(kg("stats", "--store", "st", "--format", "json").output)
    assert stats["graphs"] == 1
    assert stats["triples"] == stats["graph_list"][0]["triples"]  # nothing of the old version left
    assert store_people(Path("st")) == ["Đỗ Quang Huy"]
    assert store_authors(Path("st")) == ["Minh Châu"]


def test_stdin_edit_is_a_new_article(tmp_path, monkeypatch):
    """The documented exception: without url, id or path, an edited text is another article."""
    monkeypatch.chdir(tmp_path)
    for text in (FIRST, EDITED):
        result = CliRunner().invoke(main, ["export", "-", "-q", "-o", "x.ttl", "--load", "--store", "st"],
                                    input=text.encode("utf-8"))
        assert result.exit_code == 0, result.output
    assert len(store_graphs(Path("st"))) == 2


def test_front_matter_id_survives_a_rename(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.txt").write_text("---\nid: bai-42\n---\n" + FIRST, encoding="utf-8")
    assert kg("export", "a.txt", "-q", "-o", "a.ttl", "--load", "--store", "st").exit_code == 0
    Path("a.txt").rename("b.txt")
    assert kg("export", "b.txt", "-q", "-o", "b.ttl", "--load", "--store", "st").exit_code == 0
    assert store_graphs(Path("st")) == [graph_iri(sha16("id:bai-42"))]


def test_root_option_names_the_same_article_from_anywhere(tmp_path, monkeypatch):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text(FIRST, encoding="utf-8")
    outputs = []
    for where in (tmp_path, tmp_path / "c"):
        monkeypatch.chdir(where)
        out = tmp_path / f"out-{len(outputs)}.nt"
        result = kg("export", str(tmp_path / "c" / "a.txt"), "--root", str(tmp_path / "c"), "-q", "-o", str(out))
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and article_iri(sha16("path:a.txt")).encode() in outputs[0]


# --- corpus mode -------------------------------------------------------------------------------


def write_corpus(folder: Path, articles: dict[str, str]) -> Path:
    for name, text in articles.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def corpus_run(corpus: Path, *extra: str):
    return kg("export", str(corpus), "--jobs", "1", "--no-progress", *extra)


def test_corpus_edit_and_reload_replaces_the_graph(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"2021/bai.txt": FIRST, "khac.txt": OTHER})
    out, store = tmp_path / "out", tmp_path / "st"
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    (corpus / "2021" / "bai.txt").write_text(EDITED, encoding="utf-8")
    result = corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "1 unchanged" in result.stderr
    assert store_graphs(store) == sorted([graph_iri(sha16("path:2021/bai.txt")), graph_iri(sha16("path:khac.txt"))])
    assert store_people(store) == ["Đỗ Quang Huy"]
    assert "Thu Trang" not in store_authors(store) and "Minh Châu" in store_authors(store)
    # The corpus file is what `kg export FILE --root DIR` writes.
    single = tmp_path / "single.ttl"
    assert kg("export", str(corpus / "2021" / "bai.txt"), "--root", str(corpus), "-q", "-o", str(single)).exit_code == 0
    assert (out / "2021" / "bai.ttl").read_bytes() == single.read_bytes()


def test_a_new_subfolder_does_not_rename_the_articles(tmp_path):
    """The folder given is the root (not the deepest folder holding every article)."""
    corpus = write_corpus(tmp_path / "c", {"2021/bai.txt": FIRST})
    out, store = tmp_path / "out", tmp_path / "st"
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    write_corpus(corpus, {"2022/khac.txt": OTHER})
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    assert graph_iri(sha16("path:2021/bai.txt")) in store_graphs(store) and len(store_graphs(store)) == 2


def test_deleted_articles_are_removed_with_their_graphs(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"bai.txt": FIRST, "sub/khac.txt": OTHER})
    out, store = tmp_path / "out", tmp_path / "st"
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    assert (out / "sub" / "khac.ttl").exists() and len(store_graphs(store)) == 2
    (corpus / "sub" / "khac.txt").unlink()
    result = corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store))
    assert result.exit_code == 0, result.output
    assert "kg: stale: sub/khac.txt: no longer in the input; its output removed" in result.stderr
    assert "1 stale removed" in result.stderr and "1 graphs dropped" in result.stderr
    assert not (out / "sub").exists() and (out / "bai.ttl").exists()
    manifest = json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["articles"]) == ["bai.txt"]
    assert store_graphs(store) == [graph_iri(sha16("path:bai.txt"))]
    report = json.loads((out / "kg-report.json").read_text(encoding="utf-8"))
    assert report["stale"] == ["sub/khac.txt"] and report["stale_kept"] is False
    again = corpus_run(corpus, "--out-dir", str(out))
    assert again.exit_code == 0 and "stale" not in again.stderr  # reported once, when it goes


def test_keep_stale_keeps_and_reports(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"bai.txt": FIRST, "khac.txt": OTHER})
    out, store = tmp_path / "out", tmp_path / "st"
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    (corpus / "khac.txt").unlink()
    result = corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store), "--keep-stale", "-q")
    assert result.exit_code == 0, result.output
    # Listed even with -q: the output now holds an article the input does not.
    assert result.stderr == "kg: stale: khac.txt: no longer in the input; kept (--keep-stale)\n"
    assert (out / "khac.ttl").exists() and len(store_graphs(store)) == 2
    manifest = json.loads((out / "kg-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["articles"]) == ["bai.txt", "khac.txt"]
    summary = corpus_run(corpus, "--out-dir", str(out), "--keep-stale")
    assert "1 stale kept" in summary.stderr


def test_deleted_articles_leave_the_shards(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.txt": FIRST, "b.txt": OTHER})
    shards = tmp_path / "s" / "corpus.nq.gz"
    gone = graph_iri(sha16("path:b.txt"))

    def shard_text() -> str:
        return "".join(gzip.open(p, "rt", encoding="utf-8").read() for p in sorted(shards.parent.glob("corpus-*.nq.gz")))

    assert corpus_run(corpus, "-o", str(shards)).exit_code == 0
    with_both = shard_text()
    assert f"<{gone}>" in with_both
    (corpus / "b.txt").unlink()
    kept = corpus_run(corpus, "-o", str(shards), "--keep-stale")
    assert kept.exit_code == 0 and shard_text() == with_both  # kept: the shards are as they were
    removed = corpus_run(corpus, "-o", str(shards))
    assert removed.exit_code == 0 and "stale: b.txt" in removed.stderr
    assert f"<{gone}>" not in shard_text() and f"<{graph_iri(sha16('path:a.txt'))}>" in shard_text()
    assert not list((tmp_path / "s" / ".corpus.kg" / "cache").glob("b.txt*"))


def test_a_changed_iri_drops_the_old_graph(tmp_path):
    """Adding a url to an article moves it to another graph: the store keeps one, the new one."""
    corpus = write_corpus(tmp_path / "c", {"bai.txt": FIRST})
    out, store = tmp_path / "out", tmp_path / "st"
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    url = "https://tin.example.vn/hoi-nghi-so-ket.html"
    (corpus / "bai.txt").write_text(f"---\nurl: {url}\n---\n" + FIRST, encoding="utf-8")
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    assert store_graphs(store) == [graph_iri(sha16(url))]


def test_a_renamed_article_with_an_id_keeps_its_graph(tmp_path):
    """Negative: the stale name's graph is the new name's too, so it is not dropped."""
    corpus = write_corpus(tmp_path / "c", {"a.txt": "---\nid: bai-9\n---\n" + FIRST})
    out, store = tmp_path / "out", tmp_path / "st"
    assert corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store)).exit_code == 0
    (corpus / "a.txt").rename(corpus / "b.txt")
    result = corpus_run(corpus, "--out-dir", str(out), "--load", "--store", str(store))
    assert result.exit_code == 0 and "stale: a.txt" in result.stderr and "dropped" not in result.stderr
    assert store_graphs(store) == [graph_iri(sha16("id:bai-9"))]
    assert not (out / "a.ttl").exists() and (out / "b.ttl").exists()


def test_a_failed_article_is_not_stale(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.txt": FIRST, "b.txt": OTHER})
    out = tmp_path / "out"
    assert corpus_run(corpus, "--out-dir", str(out)).exit_code == 0
    (corpus / "b.txt").write_bytes(b"\xff\xfe broken")
    result = corpus_run(corpus, "--out-dir", str(out))
    assert result.exit_code == 1 and "stale" not in result.stderr


def test_a_manifest_never_removes_files_outside_the_output(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.txt": FIRST})
    out = tmp_path / "out"
    assert corpus_run(corpus, "--out-dir", str(out)).exit_code == 0
    victim = tmp_path / "victim.ttl"
    victim.write_text("keep me", encoding="utf-8")
    manifest_path = out / "kg-manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["articles"]["gone.txt"] = {"sha256": "0" * 64, "graph": None, "output": "../victim.ttl"}
    manifest["articles"]["input.txt"] = {"sha256": "0" * 64, "graph": None, "output": "../c/a.txt"}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = corpus_run(corpus, "--out-dir", str(out))
    assert result.exit_code == 0 and "stale: gone.txt" in result.stderr
    assert victim.read_text(encoding="utf-8") == "keep me" and (corpus / "a.txt").exists()


def test_corpus_output_is_deterministic_and_moves_with_the_corpus(tmp_path):
    first = write_corpus(tmp_path / "one" / "c", {"2021/bai.txt": FIRST, "khac.txt": OTHER})
    second = write_corpus(tmp_path / "two" / "elsewhere", {"2021/bai.txt": FIRST, "khac.txt": OTHER})
    outs = []
    for corpus in (first, second, first):
        shards = tmp_path / f"s{len(outs)}" / "corpus.nq.gz"
        assert corpus_run(corpus, "-o", str(shards), "--force").exit_code == 0
        outs.append(b"".join(p.read_bytes() for p in sorted(shards.parent.glob("corpus-*.nq.gz"))))
    assert outs[0] == outs[1] == outs[2]


def test_two_articles_with_one_id_are_reported(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"a.txt": "---\nid: bai-1\n---\n" + FIRST,
                                           "b.txt": "---\nid: bai-1\n---\n" + OTHER,
                                           "c.txt": "---\nid: bai-2\n---\n" + OTHER})
    result = corpus_run(corpus, "--out-dir", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == ("kg: warning: a.txt, b.txt: one IRI for several articles (the same url or "
                             "front-matter id); a store keeps the last one loaded\n")
    report = json.loads((tmp_path / "out" / "kg-report.json").read_text(encoding="utf-8"))
    assert report["shared"] == [["a.txt", "b.txt"]]


def test_another_format_leaves_no_old_files(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"bai.txt": FIRST, "sub/khac.txt": OTHER})
    out = tmp_path / "out"
    assert corpus_run(corpus, "--out-dir", str(out)).exit_code == 0
    result = corpus_run(corpus, "--out-dir", str(out), "-f", "nt")
    assert result.exit_code == 0 and "stale" not in result.stderr  # the articles are still there
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.*") if not p.name.startswith(("kg-", "."))) \
        == ["bai.nt", "sub/khac.nt"]


def test_a_glob_is_named_below_the_folder_holding_its_articles(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"2021/a.txt": FIRST, "2021/b.txt": OTHER})
    shards = tmp_path / "s" / "corpus.nq"
    assert corpus_run(str(corpus / "2021" / "*.txt"), "-o", str(shards)).exit_code == 0
    text = (tmp_path / "s" / "corpus-00000.nq").read_text(encoding="utf-8")
    assert f"<{graph_iri(sha16('path:a.txt'))}>" in text
    with_root = tmp_path / "r" / "corpus.nq"
    assert corpus_run(str(corpus / "2021" / "*.txt"), "-o", str(with_root), "--root", str(corpus)).exit_code == 0
    assert f"<{graph_iri(sha16('path:2021/a.txt'))}>" in (tmp_path / "r" / "corpus-00000.nq").read_text(encoding="utf-8")
