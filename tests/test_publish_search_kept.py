"""kg serve keeps its search index per store version (kg.publish.catalogue.SearchIndex.write/read):
a restart on an unchanged store answers the first search from the kept file, a store change gives a
new index, a damaged file is ignored and rebuilt, and a search never answers from a partial index."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from publish_support import Server, build_seed_store

from kg.publish import make_app
from kg.publish.catalogue import Catalogue, SearchIndex, kept_counts_file, kept_search_file
from kg.publish.server import open_read_only

BASE = "https://w3id.org/pgkg/"
PERSON = ox.NamedNode("https://w3id.org/pgkg/ontology#Person")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

# an invented article in the genre: its person is not in the seed
NEW_ARTICLE = """---
url: https://example.org/tin/hoi-nghi-dang-uy-xa-tan-phong
title: Hội nghị Ban Chấp hành Đảng bộ xã Tân Phong lần thứ ba
date: 2024-04-09
---
Ngày 9/4/2024, đồng chí Khổng Minh Triều, Bí thư Đảng ủy xã Tân Phong, chủ trì hội nghị Ban Chấp hành Đảng bộ xã.
"""


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory) -> Path:
    return build_seed_store(tmp_path_factory.mktemp("search-kept") / "kg-store")


@pytest.fixture
def store_copy(seed_folder, tmp_path) -> Path:
    import shutil

    folder = tmp_path / "kg-store"
    shutil.copytree(seed_folder, folder)
    return folder


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KG_SERVE_CACHE", str(folder))
    return folder


def a_person_label(folder: Path) -> str:
    """A person's label in the store (not hardcoded: the seed's names carry diacritics)."""
    store = ox.Store.read_only(str(folder))
    people = sorted(q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, PERSON, ox.DefaultGraph()))
    labels = sorted(q.object.value for q in store.quads_for_pattern(ox.NamedNode(people[0]), LABEL, None,
                                                                    ox.DefaultGraph()))
    del store
    return labels[0]


def search_page(server: Server, text: str) -> tuple[int, str]:
    from urllib.parse import urlencode

    status, _, body = server.get("/search?" + urlencode({"q": text}), accept="text/html")
    return status, body.decode("utf-8")


def wait_for_file(path: Path, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.is_file():
        assert time.monotonic() < deadline, f"{path} was not written"
        time.sleep(0.05)


def call(app, path: str, query: str = "") -> tuple[int, dict, str]:
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_ACCEPT": "text/html",
               "wsgi.errors": io.StringIO(), "wsgi.input": io.BytesIO(b""), "SCRIPT_NAME": ""}
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body.decode("utf-8")


# --- across restarts of kg serve -----------------------------------------------------------------

def test_a_restart_answers_from_the_kept_index_and_a_load_makes_the_new_article_findable(store_copy, cache,
                                                                                       tmp_path):
    from kg.pipeline import export_text

    name = a_person_label(store_copy)
    kept = kept_search_file(kept_counts_file(store_copy))
    server = Server(store_copy)
    try:
        status, page = search_page(server, name)
        assert status == 200 and name in page
        wait_for_file(kept)
    finally:
        server.stop()
    written = (kept.stat().st_mtime_ns, kept.read_bytes())

    server = Server(store_copy)  # same store version: the first search is answered from the file
    try:
        status, page = search_page(server, name)
        assert status == 200 and name in page
        assert search_page(server, "khong minh trieu")[1].count("Khổng Minh Triều") == 0
    finally:
        server.stop()
    assert (kept.stat().st_mtime_ns, kept.read_bytes()) == written  # read, not built and written again

    export = export_text(NEW_ARTICLE, "tan-phong.md")
    nquads = tmp_path / "tan-phong.nq"
    nquads.write_text(export.nquads, encoding="utf-8")
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["load", "--no-validate", "--store", str(store_copy), str(nquads)])
    assert result.exit_code == 0, result.output
    server = Server(store_copy)  # a new store version: a new index, with the new article's person
    try:
        status, page = search_page(server, "khong minh trieu")
        assert status == 200 and "Khổng Minh Triều" in page
        assert name in search_page(server, name)[1]
    finally:
        server.stop()
    assert kept.read_bytes() != written[1]


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "garbage", "empty"])
def test_a_damaged_index_file_is_ignored_and_rebuilt(store_copy, cache, damage):
    name = a_person_label(store_copy)
    kept = kept_search_file(kept_counts_file(store_copy))
    server = Server(store_copy)
    try:
        assert search_page(server, name)[0] == 200
        wait_for_file(kept)
    finally:
        server.stop()
    good = kept.read_bytes()
    bad = {"truncated": good[: len(good) * 2 // 3], "garbage": b"\x00\xffnot an index\n" * 50, "empty": b"",
           "flipped byte": good[:-10] + bytes([good[-10] ^ 0x55]) + good[-9:]}[damage]
    kept.write_bytes(bad)

    server = Server(store_copy)
    try:
        status, page = search_page(server, name)
        assert status == 200 and name in page
        assert server.proc.poll() is None
    finally:
        server.stop()
    assert kept.read_bytes() == good  # built again, written whole


# --- the file format -----------------------------------------------------------------------------

ENTRIES = sorted([("le van tam", f"{BASE}id/person/a"), ("tran thi an", f"{BASE}id/person/b"),
                  ("uy ban nhan dan tinh", f"{BASE}id/org/c"), ("le thi yen", f"{BASE}id/person/d")])


def test_the_kept_index_answers_as_the_built_one_for_its_version_only(tmp_path):
    path = tmp_path / "x.search"
    built = SearchIndex(ENTRIES)
    built.write(path, [1, 2])
    read = SearchIndex.read(path, [1, 2])
    assert read is not None and read.entries == built.entries and read.words == built.words
    for words in (["le"], ["le", "t"], ["an"], ["uy", "tinh"], ["x"]):
        assert read.search(words, 10) == built.search(words, 10)
    assert SearchIndex.read(path, [1, 3]) is None  # another store version
    assert SearchIndex.header(path, [1, 2])["words"] == len(built.words) and SearchIndex.header(path, [1, 3]) is None
    assert SearchIndex.read(tmp_path / "missing.search", [1, 2]) is None


def test_a_search_before_the_index_is_ready_says_so_and_never_answers_from_part_of_it(store_copy, cache,
                                                                                      monkeypatch):
    import kg.publish.app as app_module

    name = a_person_label(store_copy)
    release = threading.Event()
    scan = Catalogue._scan_search

    def slow_scan(self, expand):
        release.wait(30)
        return scan(self, expand)

    monkeypatch.setattr(Catalogue, "_scan_search", slow_scan)
    monkeypatch.setattr(app_module, "SEARCH_WAIT_SECONDS", 0.2)
    app = make_app(open_read_only(store_copy), BASE, location=store_copy, warm=False)
    try:
        status, headers, _ = call(app, "/search", "q=" + name.split()[0])
        assert status == 503 and headers.get("Retry-After")
        release.set()
        deadline = time.monotonic() + 20
        while (answer := call(app, "/search", "q=" + name.replace(" ", "+")))[0] != 200:
            assert time.monotonic() < deadline, "the index was never ready"
            time.sleep(0.05)
        assert name in answer[2]
    finally:
        release.set()
        app.close()


def test_an_unchanged_store_is_not_scanned_again_for_its_search_index(store_copy, cache, monkeypatch):
    name = a_person_label(store_copy)
    first = make_app(open_read_only(store_copy), BASE, location=store_copy, warm=False)
    try:
        assert name in call(first, "/search", "q=" + name.replace(" ", "+"))[2]
    finally:
        first.close()

    monkeypatch.setattr(Catalogue, "_scan_search", lambda self, expand: pytest.fail("scanned every label again"))
    _search_finds(store_copy, name)



# --- folding: the Catalogue's fast fold is kg.vietnamese.search_key ------------------------------

def test_the_fast_fold_gives_what_search_key_gives():
    import random

    from kg.publish.catalogue import fold
    from kg.vietnamese import search_key

    rng = random.Random(13)
    letters = ("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
               "\u0300\u0301\u0303\u0309\u0323\u031b\u0306\u0302\t\n" + "".join(chr(c) for c in range(0x80, 0x250)))
    for _ in range(20000):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(0, 14)))
        assert fold(text) == search_key(text), repr(text)
    for _ in range(20000):  # any character: beyond Latin, the slow path
        text = "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 6)))
        assert fold(text) == search_key(text), repr(text)
    assert fold("Lại Xuân Lâm") == "lai xuan lam" and fold("ĐẢNG ỦY") == "dang uy"


# --- a big store's index is built by a child process ---------------------------------------------

def test_a_big_store_has_its_index_built_by_a_child_process(store_copy, cache, monkeypatch):
    import kg.publish.catalogue as catalogue_module

    name = a_person_label(store_copy)
    monkeypatch.setattr(catalogue_module, "SEARCH_CHILD_TRIPLES", 0)  # the seed counts as big

    monkeypatch.setattr(Catalogue, "_scan_search", lambda self, expand: pytest.fail("the server scanned the labels itself"))
    _search_finds(store_copy, name)
    assert kept_search_file(kept_counts_file(store_copy)).is_file()


def test_the_child_files_no_index_when_the_store_changed_meanwhile(store_copy, tmp_path):
    import json

    from kg.publish.search_build import main
    from kg.store.changes import store_generation

    out = tmp_path / "x.search"
    stale = [n + 1 for n in store_generation(str(store_copy))]
    assert main([str(store_copy), str(out), json.dumps(stale)]) != 0 and not out.exists()
    current = list(store_generation(str(store_copy)))
    assert main([str(store_copy), str(out), json.dumps(current)]) == 0
    assert SearchIndex.read(out, current) is not None


def _search_finds(store_copy, name):
    """A server on ``store_copy`` (no warm-up) answers its first search for ``name`` with it."""
    app = make_app(open_read_only(store_copy), BASE, location=store_copy, warm=False)
    try:
        status, _, page = call(app, "/search", "q=" + name.replace(" ", "+"))
        assert status == 200 and name in page
    finally:
        app.close()


def test_the_kept_index_is_read_back_piece_by_piece_with_the_same_answers(tmp_path, monkeypatch):
    """The file is decoded a few bytes at a time (other threads run in between): the same index,
    also with an empty label and a label holding a line break (the file's separator)."""
    import kg.publish.catalogue as catalogue

    entries = [*ENTRIES, ("", f"{BASE}id/person/e"), ("ngo\nvan ba", f"{BASE}id/person/f")]
    built = SearchIndex(entries)
    assert all("\n" not in folded for folded, _ in built.entries)
    path = tmp_path / "x.search"
    built.write(path, [7])
    for piece in (1, 3, 1 << 20):
        monkeypatch.setattr(catalogue, "SEARCH_DECODE_BYTES", piece)
        read = SearchIndex.read(path, [7])
        assert read is not None and read.entries == built.entries and read.words == built.words
        for words in (["ngo"], ["van", "ba"], ["le"], ["tinh"]):
            assert read.search(words, 10) == built.search(words, 10)
    assert SearchIndex.read(path, [7]).search(["ngo", "ba"], 10) == [f"{BASE}id/person/f"]


def test_the_first_home_page_after_a_restart_reads_the_kept_member_counts_without_a_scan(store_copy, cache,
                                                                                        monkeypatch):
    """A restart on an unchanged store: the home page's numbers (and every page's menu) come from the
    kept file; the class members are not scanned for them (4 s at 100,000 articles)."""
    first = make_app(open_read_only(store_copy), BASE, location=store_copy, warm=False)
    status, _, home = call(first, "/")
    assert status == 200
    for index in first.site.indexes:
        index["members"][:1]  # what the warm-up keeps: the sorted members
    del first

    scans = []
    members = Catalogue.members

    def counting(self, classes, known=None):
        def spy():
            found = known() if known is not None else None
            scans.append(found is None)
            return found
        return members(self, classes, known=spy)

    monkeypatch.setattr(Catalogue, "members", counting)
    again = make_app(open_read_only(store_copy), BASE, location=store_copy, warm=False)
    status, _, home_again = call(again, "/")
    assert status == 200 and home_again == home
    assert scans == []  # the counts were read back: no member set was needed
    assert call(again, "/index/people")[0] == 200
    people = next(index for index in again.site.indexes if index["key"] == "people")["members"]
    assert people.unsorted == set(people) and len(people) == len(set(people))
    assert scans and not any(scans)  # the set, when a page needs it, from the kept sorted list


def test_what_is_kept_in_a_subfolder_of_the_store_is_not_a_new_store_version(store_copy):
    """kg serve's store version is RocksDB's files: answers another tool keeps in a subfolder of the
    store (kg-answers/) leave the version, and so every kept count and index, as they are."""
    from kg.store.changes import store_generation

    before = store_generation(str(store_copy))
    (store_copy / "kg-answers").mkdir(exist_ok=True)  # the journal of changes may be there (kg.store.changes)
    (store_copy / "kg-answers" / "answers.sqlite").write_bytes(b"x" * 100)
    assert store_generation(str(store_copy)) == before
    (store_copy / "NEW-000001.sst").write_bytes(b"y")  # a write of the store itself
    assert store_generation(str(store_copy)) != before


def test_a_server_waits_for_the_index_a_load_is_preparing_instead_of_building_it_too(store_copy, cache,
                                                                                    monkeypatch):
    """kg load prepares the new store version's search index (kg.publish.prepare) and says so beside
    it; a kg serve that reaches that version meanwhile waits for the file rather than build the same
    index; a marker left by a process that is gone is ignored."""
    import json
    import subprocess
    import sys

    from kg.publish.catalogue import preparing_file
    from kg.publish.site import expand
    from kg.store.changes import store_generation

    name = a_person_label(store_copy)
    version = list(store_generation(str(store_copy)))
    path = kept_search_file(kept_counts_file(store_copy))
    built = Catalogue(open_read_only(store_copy)).search_index(expand)  # what the load will write
    marker = preparing_file(path)
    marker.parent.mkdir(parents=True, exist_ok=True)
    loader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # the kg load, still at work
    marker.write_text(json.dumps({"version": version, "pid": loader.pid}), encoding="utf-8")

    def the_load_finishes():
        time.sleep(1.0)
        built.write(path, version)
        marker.unlink()

    threading.Thread(target=the_load_finishes, daemon=True).start()
    monkeypatch.setattr(Catalogue, "_scan_search", lambda self, expand: pytest.fail("the server built it too"))
    catalogue = Catalogue(open_read_only(store_copy), keep=kept_counts_file(store_copy), version=version)
    started = time.monotonic()
    try:
        assert catalogue.search_index(expand).entries == built.entries
        assert time.monotonic() - started >= 0.9
    finally:
        loader.kill()
        loader.wait()

    monkeypatch.undo()
    path.unlink()
    marker.write_text(json.dumps({"version": version, "pid": 2**22 + 12345}), encoding="utf-8")  # no such process
    catalogue = Catalogue(open_read_only(store_copy), keep=kept_counts_file(store_copy), version=version)
    assert catalogue.search_index(expand).entries == built.entries  # built, not waited for
    assert name
