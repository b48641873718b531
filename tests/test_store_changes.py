"""A small load is followed, not redone: the store notes which things each write changed
(kg.store.changes), and kg serve brings what it kept for the earlier version (sorted indexes, their
sizes, the search index) up to the new one from that, equal to what it would make from scratch."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from corpus_support import export_each, generate_articles

from kg.publish.catalogue import Catalogue, SearchIndex, kept_search_file
from kg.publish.server import open_read_only
from kg.publish.site import Site, expand
from kg.store import changes, open_store

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """Nine generated articles (people and bodies shared between them) and their exports."""
    folder = tmp_path_factory.mktemp("changes-corpus")
    articles = [Path(a) for a in generate_articles(folder, 9, seed=11)]
    return articles, export_each(folder, articles)


def kg_load(folder: Path, *files: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["load", "--no-validate", "--store", str(folder), *map(str, files)])
    assert result.exit_code == 0, result.output


def renamed(article: Path, folder: Path, name: str) -> Path:
    """The article with its first named person renamed (``name``: invented) and a sentence added."""
    text = article.read_text(encoding="utf-8")
    people = re.findall(r"đồng chí ([A-ZĐ]\w+(?: [A-ZĐ]\w+){1,3})", text)
    assert people, "the generated article names a person"
    folder.mkdir(exist_ok=True)
    edited = folder / article.name
    edited.write_text(text.replace(people[0], name) + f"\nĐồng chí {name} phát biểu tại hội nghị.\n", encoding="utf-8")
    return export_each(folder, [edited])[0]


def graph_of(nquads: Path) -> str:
    """The named graph of an exported article (one graph a file)."""
    graph = ox.Store()
    graph.load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    (name,) = set(graph.named_graphs())
    return name.value


def served(folder: Path, cache: Path | None) -> Site:
    """The site kg serve makes for the store as it is now (``cache``: where it keeps what it derives)."""
    site = Site(open_read_only(folder))
    if cache is not None:
        site.keep_counts(cache / "kept.json", list(changes.store_generation(folder)), location=folder)
    return site


def derived(site: Site) -> dict:
    """What kg serve derives from the whole data and keeps: every index sorted, its size, the search index."""
    found = {index["key"]: (len(index["members"]), list(index["members"])) for index in site.indexes}
    index = site.catalogue.search_index(expand)
    return {"indexes": found, "search": index.entries, "words": index.words,
            "postings": [list(p) for p in index._postings]}


def no_scans(monkeypatch) -> None:
    """Fail where the whole data would be read: every label of a property, every member of a class."""
    monkeypatch.setattr(Catalogue, "_literals_of", lambda self, prop: pytest.fail(f"scanned every {prop}"))
    monkeypatch.setattr(Catalogue, "_scan_search", lambda self, expand: pytest.fail("scanned every label"))
    real = Catalogue.members

    def members(self, classes, known=None):
        listed = known() if known is not None else None
        assert listed is not None, "scanned every member"
        return real(self, classes, known=lambda: listed)

    monkeypatch.setattr(Catalogue, "members", members)


def test_a_small_load_a_reload_and_a_drop_are_patched_into_what_a_rebuild_gives(tmp_path, corpus, monkeypatch):
    articles, nquads = corpus
    folder, cache = tmp_path / "kg-store", tmp_path / "cache"
    kg_load(folder, *nquads[:7])
    first = derived(served(folder, cache))  # kept for this version
    assert SearchIndex.kept_version(kept_search_file(cache / "kept.json")) == list(changes.store_generation(folder))

    kg_load(folder, nquads[7])  # a new article
    kg_load(folder, renamed(articles[0], tmp_path / "edited", "Khổng Văn Thịnh"))  # a person renamed
    with open_store(folder) as store:  # another article dropped
        store.drop([graph_of(nquads[3])])

    with monkeypatch.context() as patched:
        no_scans(patched)
        after = derived(served(folder, cache))
    fresh = derived(served(folder, None))  # from scratch: nothing kept
    assert after == fresh
    assert after != first
    people = dict(after["indexes"])["people"][1]
    assert any(Site(open_read_only(folder)).label(iri) == "Khổng Văn Thịnh" for iri in people)
    assert any(label.startswith("khong van thinh") for label, _ in after["search"])


def test_the_journal_names_the_things_a_write_changed(tmp_path, corpus):
    articles, nquads = corpus
    folder = tmp_path / "kg-store"
    kg_load(folder, *nquads[:3])
    before = changes.store_generation(folder)
    kg_load(folder, renamed(articles[1], tmp_path / "edited", "Khổng Thị Duyên"))
    touched = changes.touched_between(folder, before, changes.store_generation(folder))
    store = open_read_only(folder)
    person = next(q.subject.value for q in store.quads_for_pattern(None, None, ox.Literal("Khổng Thị Duyên"),
                                                                   ox.DefaultGraph()))
    assert person in touched
    assert touched == {q.subject.value for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
                       if q.subject.value in touched}  # things of the data, not made up
    assert changes.touched_between(folder, before, before) == set()


@pytest.mark.parametrize("write", ["update", "clear"])
def test_a_write_the_store_does_not_follow_breaks_the_chain_and_the_values_are_made_anew(tmp_path, corpus, write,
                                                                                           monkeypatch):
    _, nquads = corpus
    folder, cache = tmp_path / "kg-store", tmp_path / "cache"
    kg_load(folder, *nquads[:4])
    derived(served(folder, cache))
    before = changes.store_generation(folder)
    with open_store(folder) as store:
        if write == "update":
            store.query('INSERT DATA { <https://w3id.org/pgkg/id/person/x> a <https://w3id.org/pgkg/ontology#Person> ;'
                        ' <http://www.w3.org/2000/01/rdf-schema#label> "Khổng Văn Xuân" }', update=True)
        else:
            store.drop_everything()
    kg_load(folder, nquads[4])  # a followed write after it: still no chain from ``before``
    assert changes.touched_between(folder, before, changes.store_generation(folder)) is None
    scans = []
    real = Catalogue._scan_search
    monkeypatch.setattr(Catalogue, "_scan_search", lambda self, expand: scans.append(1) or real(self, expand))
    assert derived(served(folder, cache)) == derived(served(folder, None))
    assert scans  # made anew
    if write == "update":
        assert any(label == "khong van xuan" for label, _ in derived(served(folder, None))["search"])


def test_touched_between_follows_the_chain_and_nothing_else(tmp_path):
    folder = tmp_path / "kg-store"
    (folder / changes.FOLDER).mkdir(parents=True)
    (folder / "CURRENT").write_text("x")
    versions = [[n, 1, 1] for n in range(5)]

    def session(start, end, subjects):
        s = changes.Session(folder)
        s.before = versions[start]
        s.subjects = set(subjects) if subjects is not None else None
        (folder / "CURRENT").write_text("x" * (end + 2))  # the store's files change: a new version
        s.record()
        return changes.store_generation(folder)

    v1 = session(0, 1, ["a"])
    assert changes.touched_between(folder, versions[0], v1) == {"a"}
    s = changes.Session(folder)
    s.before, s.subjects = list(v1), {"b"}
    (folder / "CURRENT").write_text("yyyyyy")
    s.record()
    v2 = changes.store_generation(folder)
    assert changes.touched_between(folder, versions[0], v2) == {"a", "b"}
    assert changes.touched_between(folder, v1, v2) == {"b"}
    assert changes.touched_between(folder, versions[3], v2) is None  # no entry starts there
    s = changes.Session(folder)
    s.before, s.subjects = list(v2), None  # unfollowed: no entry, so no chain goes through it
    (folder / "CURRENT").write_text("zzzzzzzzz")
    s.record()
    assert changes.touched_between(folder, versions[0], changes.store_generation(folder)) is None
    (folder / changes.FOLDER / changes.FILE).write_text("not json")
    assert changes.touched_between(folder, versions[0], v1) is None  # a damaged journal links nothing


@pytest.mark.parametrize("runs", [0, 64])  # 0: every position renumbered on its own; 64: by runs
@pytest.mark.parametrize("seed", range(40))
def test_a_patched_search_index_is_the_index_built_from_all_rows(seed, runs, monkeypatch):
    import random

    from kg.publish import catalogue

    monkeypatch.setattr(catalogue, "PATCH_SEGMENTS", runs)

    rng = random.Random(seed)
    words = ["lai", "xuan", "lam", "ha", "noi", "ban", "bi\nthu", "tinh", "uy", "hoi", "nghi"]

    def label():
        return " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))

    things = [f"https://w3id.org/pgkg/id/person/p{n}" for n in range(rng.randint(1, 30))]
    rows = {(label(), rng.choice(things)) for _ in range(rng.randint(0, 80))}
    index = SearchIndex(sorted(rows))
    changed = set(rng.sample(things, rng.randint(0, len(things))))
    rows_now = {row for row in rows if row[1] not in changed}
    fresh = {(label(), iri) for iri in changed for _ in range(rng.randint(0, 3))}
    fresh |= {row for row in rows if row[1] in changed and rng.random() < 0.5}  # some labels stay
    patched = index.patched(changed, sorted(fresh))
    built = SearchIndex(sorted(rows_now | fresh))
    assert patched.entries == built.entries
    assert patched.words == built.words
    assert [list(p) for p in patched._postings] == [list(p) for p in built._postings]
    for query in (["lai"], ["xu", "la"], ["ban", "thu"], ["noi"]):
        assert patched.search(query, 5) == built.search(query, 5)


def test_a_server_following_a_load_patches_the_index_it_has_in_memory(tmp_path, corpus, monkeypatch):
    import io

    from kg.publish import make_app
    from kg.publish.app import STORE_SETTLE_SECONDS

    articles, nquads = corpus
    folder = tmp_path / "kg-store"
    monkeypatch.setenv("KG_SERVE_CACHE", str(tmp_path / "cache"))
    kg_load(folder, *nquads[:6])
    app = make_app(open_read_only(folder), "https://w3id.org/pgkg/", location=folder, warm=False)

    def search(text: str) -> str:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/search", "QUERY_STRING": "q=" + text.replace(" ", "+"),
                   "HTTP_ACCEPT": "text/html", "wsgi.errors": io.StringIO(), "wsgi.input": io.BytesIO(b""),
                   "SCRIPT_NAME": ""}
        seen = {}
        body = b"".join(app(environ, lambda status, headers: seen.setdefault("status", status)))
        assert seen["status"].startswith("200")
        return body.decode("utf-8")

    try:
        assert "Khổng Văn Lực" not in search("khong van luc")  # the index is built for this version
        kg_load(folder, renamed(articles[2], tmp_path / "edited", "Khổng Văn Lực"))
        with monkeypatch.context() as patched:
            patched.setattr(Catalogue, "_scan_search", lambda *a: pytest.fail("scanned every label"))
            patched.setattr(Catalogue, "patched_search", lambda *a: pytest.fail("read the kept file again"))
            deadline = time.monotonic() + 15
            while True:  # the folder must be unchanged for a moment before the server reopens it
                time.sleep(STORE_SETTLE_SECONDS / 2)
                app._next_check = 0
                if app.refresh():
                    break
                assert time.monotonic() < deadline, "the server did not reopen the store"
            assert "Khổng Văn Lực" in search("khong van luc")
            index = app.site.catalogue.search_index(expand)
        fresh = Catalogue(open_read_only(folder)).build_search(expand)
        assert (index.entries, index.words, [list(p) for p in index._postings]) == (
            fresh.entries, fresh.words, [list(p) for p in fresh._postings])
    finally:
        app.close()


def test_a_journal_edited_by_hand_links_nothing_and_a_bad_subject_is_no_entry(tmp_path, corpus):
    _, nquads = corpus
    folder = tmp_path / "kg-store"
    kg_load(folder, *nquads[:2])
    before = changes.store_generation(folder)
    kg_load(folder, nquads[2])
    now = changes.store_generation(folder)
    journal = changes.journal_of(folder)
    doc = json.loads(journal.read_text(encoding="utf-8"))
    doc["entries"][-1]["subjects"].append(7)  # not a string
    journal.write_text(json.dumps(doc), encoding="utf-8")
    assert changes.touched_between(folder, before, now) is None
    doc["entries"][-1]["subjects"][-1] = "not an IRI at all"
    journal.write_text(json.dumps(doc), encoding="utf-8")
    touched = changes.touched_between(folder, before, now)
    assert "not an IRI at all" in touched
    catalogue = Catalogue(open_read_only(folder))
    assert all(iri != "not an IRI at all" for _, iri in catalogue._rows_of(expand, touched))
