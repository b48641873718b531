"""`kg publish FOLDER`: the static copy (pages, RDF files, server rules), written atomically."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from publish_support import build_seed_store, free_port, wait_until

from kg.cli import main

BASE = "https://w3id.org/pgkg/"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    return build_seed_store(tmp_path_factory.mktemp("static") / "kg-store")


@pytest.fixture(scope="module")
def site(store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "site"
    result = CliRunner().invoke(main, ["publish", str(out), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    assert "pages" in result.output
    return out


def test_pages_and_data_files(site):
    page = (site / "doc/person/laji-xuaan-laam.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in page and "Phó Bí thư" in page
    assert 'href="../org/ddarng-ury-khoosi-casc-cow-quan-trung-uwowng.html"' in page  # works on any file host
    assert re.search(r'href="\.\./article/[0-9a-f]{16}\.html#char=\d+,\d+"', page)
    for ext, fmt in ((".ttl", ox.RdfFormat.TURTLE), (".jsonld", ox.RdfFormat.JSON_LD), (".nt", ox.RdfFormat.N_TRIPLES)):
        triples = list(ox.parse((site / f"data/person/laji-xuaan-laam{ext}").read_bytes(), format=fmt))
        assert any(t.predicate.value == "http://www.w3.org/ns/org#holds" for t in triples)
    for rel in ("index.html", "index/people.html", "ontology.html", "ontology.ttl", "shapes.html", "shapes.nt",
                ".well-known/void", ".well-known/void.html", "sitemap.xml", "search.html", "static/style.css",
                "static/search.js", "doc/vocab/role/pho-bi-thu.html", ".htaccess", "nginx.conf"):
        assert (site / rel).is_file(), rel
    articles = list((site / "doc/article").glob("*.html"))
    assert len(articles) == 1 and "<mark id=" in articles[0].read_text(encoding="utf-8")
    assert list((site / "graph").glob("*.ttl"))


def test_every_local_link_resolves(site):
    """No broken link between the static pages (fragments aside)."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        for href in re.findall(r'href="([^"#?]+)', page.read_text(encoding="utf-8")):
            if href.startswith(("http:", "https:")):
                continue
            if not (page.parent / href).resolve().exists():
                broken.append(f"{page.relative_to(site)} → {href}")
    assert not broken, broken[:10]


def test_dataset_files(site):
    void = list(ox.parse((site / ".well-known/void").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert any(t.predicate.value == "http://rdfs.org/ns/void#dataDump" for t in void)
    quads = list(ox.parse(gzip.decompress((site / "dump.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert len(quads) > 500
    assert f"<loc>{BASE}doc/person/laji-xuaan-laam.html</loc>" in (site / "sitemap.xml").read_text()
    rows = json.loads((site / "search.json").read_text(encoding="utf-8"))
    assert {"label": "Lại Xuân Lâm", "href": "doc/person/laji-xuaan-laam.html"} in rows


def test_output_is_deterministic(site, store_path, tmp_path):
    again = tmp_path / "again"
    assert CliRunner().invoke(main, ["publish", str(again), "--store", str(store_path)]).exit_code == 0
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_republish_replaces_and_refuses_foreign_folders(store_path, tmp_path):
    out = tmp_path / "site"
    runner = CliRunner()
    assert runner.invoke(main, ["publish", str(out), "--store", str(store_path)]).exit_code == 0
    (out / "stale.html").write_text("old")
    assert runner.invoke(main, ["publish", str(out), "--store", str(store_path)]).exit_code == 0
    assert not (out / "stale.html").exists()  # the folder was replaced as a whole
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    result = runner.invoke(main, ["publish", str(foreign), "--store", str(store_path)])
    assert result.exit_code == 1 and "not written by `kg publish`" in result.output
    assert (foreign / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "site"]  # no temp folders left behind


def test_failure_midway_leaves_the_old_site(store_path, tmp_path, monkeypatch):
    from kg.publish import static_site

    out = tmp_path / "site"
    assert CliRunner().invoke(main, ["publish", str(out), "--store", str(store_path)]).exit_code == 0
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(static_site, "_write_dataset", boom)
    with pytest.raises(OSError):
        static_site.publish_site(ox.Store.read_only(str(store_path)), out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_missing_store_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["publish", str(tmp_path / "site"), "--store", str(tmp_path / "nowhere")])
    assert result.exit_code != 0
    assert "nowhere" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "site").exists()


# --- the nginx rules give the static copy the same behaviour as `kg serve` ----------------------

NGINX_CONF = """
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    map $http_accept $kg_ext {{
        default "";
        "~*text/turtle" ".ttl";
        "~*application/ld\\+json" ".jsonld";
        "~*application/n-triples" ".nt";
        "~*application/rdf\\+xml" ".rdf";
    }}
    server {{
        listen 127.0.0.1:{port};
        root {site};
        include {site}/nginx.conf;
    }}
}}
"""




class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _getter(port: int):
    opener = urllib.request.build_opener(NoRedirect)

    def get(path, accept="text/html"):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Accept": accept})
        try:
            resp = opener.open(req, timeout=5)
        except urllib.error.HTTPError as err:
            resp = err
        return resp.status, resp.headers, resp.read()

    return get


def _serving(get, log: Path) -> None:
    def up():
        try:
            return get("/")[0] == 200
        except OSError:
            return False

    assert wait_until(up), log.read_text()[-2000:] if log.exists() else "the server wrote no log"


def check_rules(get) -> None:
    """What the static copy behind server rules must do, the same as `kg serve`."""
    status, headers, _ = get("/id/person/laji-xuaan-laam")
    assert status == 303 and headers["Location"].endswith("/doc/person/laji-xuaan-laam.html")
    status, headers, _ = get("/id/person/laji-xuaan-laam", "text/turtle")
    assert status == 303 and headers["Location"].endswith("/data/person/laji-xuaan-laam.ttl")
    assert "Accept" in headers["Vary"]
    status, headers, _ = get("/id/person/laji-xuaan-laam", "application/ld+json")
    assert status == 303 and headers["Location"].endswith("/data/person/laji-xuaan-laam.jsonld")
    status, headers, body = get("/data/person/laji-xuaan-laam.ttl", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = get("/doc/person/laji-xuaan-laam")
    assert status == 200 and "Lại Xuân Lâm".encode() in body
    status, headers, body = get("/ontology", "application/ld+json")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert "Accept" in headers["Vary"]
    assert get("/ontology")[2].startswith(b"<!DOCTYPE html>")
    status, headers, _ = get("/vocab/role/pho-bi-thu", "application/n-triples")
    assert status == 303 and headers["Location"].endswith("/data/vocab/role/pho-bi-thu.nt")
    status, headers, _ = get("/id/person/laji-xuaan-laam", "application/rdf+xml")  # SPARQLWrapper, Protégé
    assert status == 303 and headers["Location"].endswith("/data/person/laji-xuaan-laam.rdf")
    status, headers, body = get("/data/person/laji-xuaan-laam.rdf")
    assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")
    assert list(ox.parse(body, format=ox.RdfFormat.RDF_XML))
    assert get("/.well-known/void", "text/turtle")[1]["Content-Type"].startswith("text/turtle")
    assert get("/.well-known/void")[2].startswith(b"<!DOCTYPE html>")
    status, headers, _ = get("/graph/" + _article_id(get))
    assert status == 303 and "/doc/article/" in headers["Location"]
    assert get("/graph/" + _article_id(get), "text/turtle")[1]["Content-Type"].startswith("text/turtle")
    assert get("/id/person/nobody")[0] == 303 and get("/doc/person/nobody")[0] == 404
    assert get("/../../etc/passwd")[0] in (400, 404)
    assert get("/.htaccess")[0] in (403, 404) and get("/nginx.conf")[0] in (403, 404)


def _check_server(command: list[str], port: int, log: Path, check) -> None:
    """Start a web server on the published copy, run ``check(get)`` against it, stop it."""
    proc = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        get = _getter(port)
        _serving(get, log)
        check(get)
    finally:
        proc.terminate()
        proc.wait(10)


def _article_id(get) -> str:
    body = get("/index/articles")[2].decode()
    return re.search(r"doc/article/([0-9a-f]{16})", body).group(1)


def _readable_copy(site: Path) -> Path:
    """A copy of the site that a server's unprivileged workers can read (pytest's temp folders are private)."""
    folder = Path(tempfile.mkdtemp(prefix="kg-site-"))
    shutil.copytree(site, folder / "site")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


NGINX_MISSING = not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists()


def with_nginx(site: Path, tmp_path: Path, check) -> None:
    """Serve the published ``site`` with nginx and the rules kg wrote; run ``check(get)`` against it."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    conf = tmp_path / "nginx.conf"
    # as root, workers would drop to "nobody" and could not read pytest's private temp folders
    user = "user root root;" if os.geteuid() == 0 else ""
    conf.write_text(NGINX_CONF.format(user=user, tmp=tmp_path, port=port, site=site))
    _check_server([nginx, "-c", str(conf), "-g", "daemon off;"], port, tmp_path / "error.log", check)


@pytest.mark.skipif(NGINX_MISSING, reason="nginx not installed")
def test_nginx_rules_give_303_and_conneg(site, tmp_path):
    with_nginx(site, tmp_path, check_rules)


APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
APACHE_MODULES = Path("/usr/lib/apache2/modules")
APACHE_CONF = """
LoadModule mpm_event_module {mods}/mod_mpm_event.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule rewrite_module {mods}/mod_rewrite.so
LoadModule headers_module {mods}/mod_headers.so
LoadModule mime_module {mods}/mod_mime.so
LoadModule dir_module {mods}/mod_dir.so
{user}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {tmp}/httpd.pid
ErrorLog {tmp}/error.log
TypesConfig /etc/mime.types
DocumentRoot {site}
<Directory {site}>
  AllowOverride All
  Require all granted
</Directory>
"""


APACHE_MISSING = not (Path(APACHE).exists() and APACHE_MODULES.is_dir())


def with_apache(site: Path, tmp_path: Path, check) -> None:
    """Serve the published ``site`` with Apache and the .htaccess kg wrote; run ``check(get)`` against it."""
    copy = _readable_copy(site)
    port = free_port()
    conf = tmp_path / "httpd.conf"
    user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
    conf.write_text(APACHE_CONF.format(mods=APACHE_MODULES, user=user, port=port, tmp=tmp_path, site=copy / "site"))
    try:
        _check_server([APACHE, "-f", str(conf), "-DFOREGROUND"], port, tmp_path / "error.log", check)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


@pytest.mark.skipif(APACHE_MISSING, reason="apache2 not installed")
def test_apache_htaccess_gives_303_and_conneg(site, tmp_path):
    with_apache(site, tmp_path, check_rules)
