"""The site in headless Chromium, driven over plain WebDriver HTTP calls (chromedriver, no new dependency).

Opens the seed's person page, follows a backlink and a relation link, runs a competency question on
the query page, and saves screenshots (to pytest's temp folder, or to $KG_SCREENSHOTS when set; the
README's docs/img/person-page.png is made with KG_SCREENSHOTS=docs/img).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from publish_support import Server, build_seed_store, free_port, wait_until

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
         "--window-size=1200,1500", "--lang=vi", "--accept-lang=vi"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
                       reason="needs Debian chromium and chromium-driver (.ci/chromium.sh installs them)"),
]




class WebDriver:
    """The few W3C WebDriver commands the test needs, as JSON over HTTP."""

    def __init__(self, profile: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen([CHROMEDRIVER, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(self._ready, 20), "chromedriver did not start"
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM, "args": [*FLAGS, f"--user-data-dir={profile}"],
            "prefs": {"intl.accept_languages": "vi"}}}}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _ready(self) -> bool:
        try:
            return bool(self._call("GET", "/status")["ready"])
        except OSError:
            return False

    def _call(self, method: str, path: str, payload: dict | None = None):
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())["value"]

    def cmd(self, method: str, path: str, payload: dict | None = None):
        return self._call(method, f"/session/{self.session}{path}", payload)

    def go(self, url: str) -> None:
        self.cmd("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        found = self.cmd("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(found.values()))

    def find_all(self, css: str) -> list[str]:
        return [next(iter(e.values())) for e in self.cmd("POST", "/elements", {"using": "css selector", "value": css})]

    def text(self, element: str) -> str:
        return self.cmd("GET", f"/element/{element}/text")

    def click(self, css: str) -> None:
        self.cmd("POST", f"/element/{self.find(css)}/click", {})

    def script(self, source: str):
        return self.cmd("POST", "/execute/sync", {"script": source, "args": []})

    def url(self) -> str:
        return self.cmd("GET", "/url")

    def wait_url(self, part: str) -> str:
        """The URL once it contains ``part`` (a click starts a navigation; it may not have ended yet)."""
        assert wait_until(lambda: part in self.url() and
                          self.script("return document.readyState") == "complete", 15), self.url()
        return self.url()

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.cmd("GET", "/screenshot")))

    def quit(self) -> None:
        try:
            self.cmd("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = build_seed_store(tmp_path_factory.mktemp("browser") / "kg-store")
    srv = Server(store)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = WebDriver(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("KG_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000


def test_person_page_then_backlinks(server, browser, shots):
    browser.go(f"{server.url}/id/person/laji-xuaan-laam")  # the 303 is followed like any link
    assert browser.url().endswith("/doc/person/laji-xuaan-laam")
    assert browser.text(browser.find("h1")) == "Lại Xuân Lâm"
    assert browser.script("return document.documentElement.lang") == "vi"
    assert browser.script("return document.characterSet") == "UTF-8"
    relations = browser.text(browser.find("section.relations"))
    assert "Phó Bí thư" in relations and "Đảng ủy Khối các cơ quan Trung ương" in relations
    # the stylesheet is applied (the header is the accent colour, not the browser default)
    assert browser.script("return getComputedStyle(document.querySelector('header.top')).backgroundColor") != "rgba(0, 0, 0, 0)"
    browser.screenshot(shots / "person-page.png")
    assert _is_png(shots / "person-page.png")

    browser.click('section.relations a[href$="org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"]')
    assert browser.wait_url("/doc/org/").endswith("/doc/org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng")
    assert browser.text(browser.find("h1")) == "Đảng ủy Khối các cơ quan Trung ương"
    assert "Lại Xuân Lâm" in browser.text(browser.find("main"))  # the body's page links back to him

    browser.go(f"{server.url}/doc/person/laji-xuaan-laam")
    browser.click("section.backlinks a")  # "nhắc đến của": the article that mentions him
    browser.wait_url("/doc/article/")
    marks = browser.find_all(".article-text mark")
    assert len(marks) >= 10
    browser.screenshot(shots / "article-page.png")
    assert _is_png(shots / "article-page.png")


def test_evidence_link_lands_on_the_highlighted_span(server, browser):
    browser.go(f"{server.url}/doc/person/laji-xuaan-laam")
    browser.click("section.relations blockquote cite a")
    browser.wait_url("#char=")
    fragment = browser.script("return location.hash")
    assert fragment.startswith("#char=")
    target = browser.script("return document.querySelector(':target') && document.querySelector(':target').textContent")
    assert target and "Lại Xuân Lâm" in target


def test_run_a_competency_question_on_the_query_page(server, browser, shots):
    browser.go(f"{server.url}/sparql")
    assert browser.text(browser.find("h1")) == "SPARQL"
    browser.click("#cq-people")
    browser.wait_url("query=")
    table = browser.text(browser.find("#results"))
    assert "Lại Xuân Lâm" in table and "Phó Bí thư" in table
    rows = browser.find_all("#results tbody tr")
    assert len(rows) >= 2
    assert "people" in browser.script("return document.querySelector('#query').value") or \
        "pg:Tenure" in browser.script("return document.querySelector('#query').value")
    browser.screenshot(shots / "query-page.png")
    assert _is_png(shots / "query-page.png")


def test_search_box(server, browser):
    browser.go(f"{server.url}/")
    browser.cmd("POST", f"/element/{browser.find('form.search input')}/value", {"text": "nguyen minh chung"})
    browser.click("form.search button")
    browser.wait_url("/search?q=")
    browser.click("main ul.list a")
    browser.wait_url("/doc/person/")
    assert browser.text(browser.find("h1")) == "Nguyễn Minh Chung"


def test_static_copy_search_runs_in_the_browser(server, browser, tmp_path):
    """The static site's search (search.html + search.json + JS), served by a plain file server."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from kg.publish import publish_site
    from kg.publish.server import open_read_only

    site = tmp_path / "site"
    publish_site(open_read_only(server.store), site)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        root = f"http://127.0.0.1:{httpd.server_address[1]}"
        browser.go(f"{root}/index.html")
        browser.cmd("POST", f"/element/{browser.find('form.search input')}/value", {"text": "lai xuan"})
        browser.click("form.search button")
        browser.wait_url("search.html?q=")
        assert wait_until(lambda: browser.find_all("#hits li"), 10)
        browser.click("#hits a")
        browser.wait_url("/doc/person/laji-xuaan-laam.html")
        assert browser.text(browser.find("h1")) == "Lại Xuân Lâm"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_language_toggle_switches_chrome_and_labels_and_stays_on(server, browser, shots):
    browser.go(f"{server.url}/doc/person/laji-xuaan-laam")  # Chromium runs with --lang=vi: Vietnamese
    assert browser.script("return document.documentElement.lang") == "vi"
    assert browser.text(browser.find("header.title .types")) == "Người"
    assert browser.text(browser.find("#lang-toggle")) == "English"
    browser.click("#lang-toggle")
    browser.wait_url("lang=en")
    assert browser.script("return document.documentElement.lang") == "en"
    assert browser.text(browser.find("header.title .types")) == "Person"  # the class's @en label
    assert browser.text(browser.find("section.relations h2")) == "Relations"
    assert "People" in browser.text(browser.find("header.top nav"))
    assert browser.text(browser.find("h1")) == "Lại Xuân Lâm"  # names stay as the article wrote them
    browser.screenshot(shots / "person-page-en.png")
    # links keep the language: the body's page is English too
    browser.click('section.relations a[href*="org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng"]')
    browser.wait_url("/doc/org/")
    assert browser.script("return document.documentElement.lang") == "en"
    assert "lang=en" in browser.url()
    # and back
    browser.click("#lang-toggle")
    browser.wait_url("lang=vi")
    assert browser.script("return document.documentElement.lang") == "vi"
    assert browser.text(browser.find("#lang-toggle")) == "English"


def test_query_page_starts_with_prefixes_and_an_example(server, browser):
    browser.go(f"{server.url}/sparql")
    text = browser.script("return document.querySelector('#query').value")
    assert text.startswith("PREFIX pg: <https://w3id.org/pgkg/ontology#>")
    browser.click("#run")
    browser.wait_url("query=")
    assert "Lại Xuân Lâm" in browser.text(browser.find("#results"))
