"""Timelines on the pages: a person's posts over time, a body's post holders over time.

Four articles of ours about one provincial committee (data/articles/timeline: a deputy secretary
who becomes secretary, a second deputy after him), one about personnel decisions in another
province (data/articles/appointments/lang-son.txt: assigned, relieved and retired, approved by a
numbered decision) and one written here, whose only person holds no post. Pages are found by
label, never by an IRI spelled out (slugs of names with diacritics are changing).
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from publish_support import ROOT, Server

from kg.publish import views
from kg.publish.pages import Pages
from kg.publish.site import Site

TIMELINE = ROOT / "data" / "articles" / "timeline"
LANG_SON = ROOT / "data" / "articles" / "appointments" / "lang-son.txt"
NO_POST = """---
title: Gặp mặt nhân sĩ tiêu biểu
published: 2024-07-02
---
Ngày 1/7/2024, Tỉnh ủy Nam Định gặp mặt các nhân sĩ, trí thức tiêu biểu của tỉnh. Tại buổi gặp mặt, \
ông Trịnh Văn Khách, nhà giáo ưu tú, phát biểu ý kiến.
"""


def _articles(folder: Path) -> list[Path]:
    extra = folder / "khach.txt"
    extra.write_text(NO_POST, encoding="utf-8")
    return [*sorted(TIMELINE.glob("*.txt")), LANG_SON, extra]


def _nquads(paths: list[Path]) -> list[str]:
    from kg.pipeline import export_article

    out = []
    for path in paths:
        done = export_article(str(path))
        assert done.report.accepted, path
        out.append(done.nquads)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    store = ox.Store()
    for nquads in _nquads(_articles(tmp_path_factory.mktemp("timeline-articles"))):
        store.load(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return Site(store)


def by_label(site: Site, label: str, kind: str) -> str:
    """The IRI of the one person ("person") or body ("org") with this label (from the search index)."""
    found = [iri for iri, name in site.search(label) if name == label and f"/id/{kind}/" in iri]
    assert len(found) == 1, (label, found)
    return found[0]


def cells(row_html: str) -> list[str]:
    """The text of each cell of one table row, tags stripped, spaces collapsed."""
    return [" ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.DOTALL)]


def section(page: str, name: str) -> str | None:
    found = re.search(rf'<section class="{name}"[^>]*>(.*?)</section>', page, re.DOTALL)
    return found.group(1) if found else None


def rows(page: str, name: str, kind: str) -> list[list[str]]:
    body = section(page, name)
    assert body is not None, f"no {name} section"
    return [cells(r) for r in re.findall(rf'<tr class="{kind}"[^>]*>(.*?)</tr>', body, re.DOTALL)]


# --- the view, in process --------------------------------------------------------------------


def test_a_person_who_moves_up_has_one_line_per_post_earliest_first(site):
    lines = views.timeline_view(site, by_label(site, "Phạm Quang Hiếu", "person"))
    got = [(v["post"]["text"], v["body"]["text"], v["first"], v["last"], v["count"]) for v in lines]
    assert got == [("Phó Bí thư", "Tỉnh ủy Nam Định", "2023-02-10", "2023-09-05", 2),
                   ("Bí thư", "Tỉnh ủy Nam Định", "2024-04-12", "2024-04-12", 1)]
    assert all(v["body"]["href"].startswith("doc/org/") for v in lines)  # the body is linked


def test_decisions_sit_on_the_line_of_their_post(site):
    [line] = views.timeline_view(site, by_label(site, "Vi Văn Khoa", "person"))
    [event] = line["events"]
    assert event["kind"]["text"] == "Được phê chuẩn"
    assert event["by"]["text"] == "Chính phủ"
    assert event["number"] == "612/QĐ-TTg" and event["decision"]["href"].startswith("doc/document/")
    relieved = views.timeline_view(site, by_label(site, "Lương Thị Nga", "person"))
    # both undated: ordered by kind (pgappt:relieved before pgappt:retired), the same on every run
    assert [e["kind"]["text"] for e in relieved[0]["events"]] == ["Thôi giữ chức", "Nghỉ hưu"]
    assert [s["text"] for s in relieved[0]["stated"]] == ["Thôi giữ chức"]


def test_a_dated_decision_puts_its_post_first(site):
    """Assigned on 9 May, the article of 10 May attests both posts: the decision's date orders them."""
    lines = views.timeline_view(site, by_label(site, "Hoàng Văn Thịnh", "person"))
    assert [v["post"]["text"] for v in lines] == ["Bí thư", "Phó Trưởng Ban"]
    event = lines[0]["events"][0]
    assert (event["date"], event["by"]["text"]) == ("2024-05-09", "Bộ Chính trị")
    assert event["kind"]["curie"] == "pgappt:assigned"


def test_a_body_lists_each_post_with_its_holders_over_time(site):
    groups = views.holders_view(site, by_label(site, "Tỉnh ủy Nam Định", "org"))
    got = {g["post"]["text"]: [(h["person"]["text"], h["first"], h["last"], h["count"]) for h in g["holders"]]
           for g in groups}
    assert got == {"Bí thư": [("Phạm Quang Hiếu", "2024-04-12", "2024-04-12", 1)],
                   "Phó Bí thư": [("Phạm Quang Hiếu", "2023-02-10", "2023-09-05", 2),
                                  ("Đỗ Thị Mai", "2024-06-20", "2024-06-20", 1)]}
    assert [g["post"]["text"] for g in groups] == ["Bí thư", "Phó Bí thư"]


def test_the_pages_agree_with_the_timeline_cq(site):
    """Per person, the page's lines are the shipped CQ's rows (ontology/cq/timeline.rq) for that person."""
    from kg.store import cq_query

    shipped = sorted((s["person"].value, s["post"].value, s["organization"].value, s["firstAttested"].value,
                      s["lastAttested"].value, int(s["articles"].value))
                     for s in site.data.query(cq_query("timeline"), use_default_graph_as_union=True))
    pages = []
    for person in site.instances(["https://w3id.org/pgkg/ontology#Person"]):
        for line in views.timeline_view(site, person):
            if line["count"]:  # a decision about a post no article attests is no CQ row
                pages.append((site.label(person), line["post"]["text"], line["body"]["text"], line["first"],
                              line["last"], line["count"]))
    assert sorted(pages) == shipped and len(shipped) == 7


def test_only_people_and_bodies_get_the_sections(site):
    khach = by_label(site, "Trịnh Văn Khách", "person")
    assert views.timeline_view(site, khach) == []  # a person: the section, empty
    assert views.holders_view(site, khach) is None  # not a body
    post = views.timeline_view(site, by_label(site, "Vi Văn Khoa", "person"))[0]["post"]["iri"]
    assert views.timeline_view(site, post) is None and views.holders_view(site, post) is None


def test_the_page_queries_are_bound_to_one_resource():
    """The IRI goes in as a term through kg.cq.bind: one VALUES row, no text pasted."""
    from kg.cq import bind, parameters

    for name, param in (("person_timeline", "person"), ("person_appointments", "person"),
                        ("body_holders", "organization"), ("body_appointments", "organization")):
        query = views.page_query(name)
        assert parameters(query) == [param]
        bound = bind(query, {param: ox.NamedNode("https://example.org/id/person/x")})
        assert f"VALUES (?{param}) {{ (<https://example.org/id/person/x>) }}" in bound
    with pytest.raises(ValueError):
        views.page_rows(Site(ox.Store()), "person_timeline", person="https://example.org/a b> } DROP ALL {")


def test_the_same_timeline_in_english(site):
    iri = by_label(site, "Phạm Quang Hiếu", "person")
    page = Pages(site.with_language("en")).resource(iri, site.doc_path(iri))
    assert "<h2>Timeline <small>2</small></h2>" in page
    assert ">First attested<" in page and ">Personnel decisions<" in page
    assert rows(page, "timeline", "tenure")[0][:2] == ["Deputy Secretary", "Tỉnh ủy Nam Định"]


# --- kg serve ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from kg.store import load_graphs, open_store

    folder = tmp_path_factory.mktemp("timeline-serve")
    store = folder / "kg-store"
    with open_store(store) as db:
        load_graphs(db, [(None, nquads) for nquads in _nquads(_articles(folder))])
    srv = Server(store)
    yield srv
    srv.stop()


def page(server, site: Site, label: str, kind: str, lang: str | None = None) -> str:
    path = "/" + site.doc_path(by_label(site, label, kind)) + (f"?{urlencode({'lang': lang})}" if lang else "")
    status, _, body = server.get(path, accept="text/html")
    assert status == 200, path
    return body.decode("utf-8")


def test_served_person_page_shows_the_timeline(server, site):
    got = rows(page(server, site, "Phạm Quang Hiếu", "person"), "timeline", "tenure")
    assert [r[:6] for r in got] == [
        ["Phó Bí thư", "Tỉnh ủy Nam Định", "2023-02-10", "2023-09-05", "Đang giữ", "2"],
        ["Bí thư", "Tỉnh ủy Nam Định", "2024-04-12", "2024-04-12", "Đang giữ", "1"],
    ]


def test_served_person_page_shows_the_decisions(server, site):
    [row] = rows(page(server, site, "Vi Văn Khoa", "person"), "timeline", "tenure")
    assert row[:6] == ["Phó Chủ tịch", "Ủy ban nhân dân tỉnh Lạng Sơn", "2024-05-10", "2024-05-10",
                       "Mới được bầu, bổ nhiệm", "1"]
    assert row[6] == "Được phê chuẩn · do Chính phủ · 612/QĐ-TTg"
    [english] = rows(page(server, site, "Vi Văn Khoa", "person", lang="en"), "timeline", "tenure")
    assert english[6] == "Approved · by Chính phủ · 612/QĐ-TTg"
    thinh = rows(page(server, site, "Hoàng Văn Thịnh", "person"), "timeline", "tenure")
    assert thinh[0][0] == "Bí thư" and thinh[0][6] == "Được điều động, chỉ định, phân công 2024-05-09 · do Bộ Chính trị"


def test_served_body_page_shows_holders_over_time(server, site):
    body = page(server, site, "Tỉnh ủy Nam Định", "org")
    holders = section(body, "holders")
    assert holders is not None and "Người giữ chức vụ qua thời gian" in holders
    assert re.findall(r'<h3 class="post"><a [^>]*>([^<]+)</a>', holders) == ["Bí thư", "Phó Bí thư"]
    assert [r[:5] for r in rows(body, "holders", "holder")] == [
        ["Phạm Quang Hiếu", "2024-04-12", "2024-04-12", "Đang giữ", "1"],
        ["Phạm Quang Hiếu", "2023-02-10", "2023-09-05", "Đang giữ", "2"],
        ["Đỗ Thị Mai", "2024-06-20", "2024-06-20", "Đang giữ", "1"],
    ]
    lang_son = rows(page(server, site, "Tỉnh ủy Lạng Sơn", "org", lang="en"), "holders", "holder")
    # in English the posts sort by their English names: Deputy Secretary, then Secretary
    assert [(r[0], r[5]) for r in lang_son] == [
        ("Lương Thị Nga", "Relieved · by Ban Bí thư Retired · by Ban Bí thư"),
        ("Hoàng Văn Thịnh", "Assigned 2024-05-09 · by Bộ Chính trị")]
    assert "Post holders over time" in page(server, site, "Tỉnh ủy Lạng Sơn", "org", lang="en")


def test_served_pages_without_posts_say_so(server, site):
    khach = page(server, site, "Trịnh Văn Khách", "person")
    assert "Các bài báo chưa cho thấy người này giữ chức vụ nào." in section(khach, "timeline")
    assert "<table" not in section(khach, "timeline") and section(khach, "holders") is None
    english = page(server, site, "Trịnh Văn Khách", "person", lang="en")
    assert "The articles show no post held by this person yet." in section(english, "timeline")
    deciding = page(server, site, "Ban Bí thư", "org")  # decides, holds no post in the articles
    assert "Các bài báo chưa cho thấy ai giữ chức vụ nào ở cơ quan này." in section(deciding, "holders")
    article = page(server, site, "Trịnh Văn Khách", "person")
    assert section(article, "holders") is None


def test_the_static_copy_has_the_same_sections(site, tmp_path):
    from kg.publish.static_site import publish_site

    out = tmp_path / "site"
    publish_site(site.data, out)
    iri = by_label(site, "Phạm Quang Hiếu", "person")
    static = (out / (site.doc_path(iri) + ".html")).read_text(encoding="utf-8")
    assert [r[:4] for r in rows(static, "timeline", "tenure")] == [
        ["Phó Bí thư", "Tỉnh ủy Nam Định", "2023-02-10", "2023-09-05"],
        ["Bí thư", "Tỉnh ủy Nam Định", "2024-04-12", "2024-04-12"],
    ]
    body = site.doc_path(by_label(site, "Tỉnh ủy Nam Định", "org")).removeprefix("doc/")
    assert f'href="../{body}.html"' in section(static, "timeline")  # links work on a file host
    broken = []  # every link of every timeline and holders section leads to a page of the copy
    for html_file in sorted(out.rglob("*.html")):
        text = html_file.read_text(encoding="utf-8")
        for name in ("timeline", "holders"):
            for href in re.findall(r'href="([^"#?]+)', section(text, name) or ""):
                if not (html_file.parent / href).resolve().exists():
                    broken.append(f"{html_file.relative_to(out)} → {href}")
    assert not broken, broken[:10]
    lang_son = site.doc_path(by_label(site, "Vi Văn Khoa", "person")) + ".html"
    assert "612/QĐ-TTg" in section((out / lang_son).read_text(encoding="utf-8"), "timeline")


def test_the_page_query_runs_from_the_command_line_too(server, site):
    """The same file answers `kg query FILE --param person=<IRI>` (the person bound as an IRI term)."""
    from click.testing import CliRunner

    from kg.cli import main

    iri = by_label(site, "Phạm Quang Hiếu", "person")
    query = str(views.PAGE_QUERIES / "person_timeline.rq")
    asked = CliRunner().invoke(main, ["query", query, "--store", str(server.store), "--format", "csv",
                                      "--param", f"person=<{iri}>"])
    assert asked.exit_code == 0, asked.output
    lines = asked.stdout.splitlines()
    assert len(lines) == 3 and all(line.split(",")[1] == iri for line in lines[1:])
