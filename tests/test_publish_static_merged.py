"""`kg publish`: the static copy answers an IRI a curation merge dropped with 301 to the kept one's URL
(the IRI, its page, its data), as `kg serve` does, behind the nginx and Apache rules it writes (real servers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_publish_static import APACHE_MISSING, NGINX_MISSING, with_apache, with_nginx

from kg.cli import main
from kg.iri import key_to_iri, slug

ROOT = Path(__file__).resolve().parent.parent
KEEP, DROP = (key_to_iri("person:" + slug(name)) for name in ("Lại Xuân Lâm", "Nguyễn Minh Chung"))
KEEP_PATH, DROP_PATH = (iri.split("/id/", 1)[1] for iri in (KEEP, DROP))  # person/…


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The seed, exported with a merge of its two people (mechanics only: they are two men), published."""
    folder = tmp_path_factory.mktemp("merged")
    curation = folder / "curation.yaml"
    curation.write_text(f"- {{by: Mai, date: 2026-12-01, why: a test of the redirects, "
                        f"merge: {{keep: '{KEEP}', drop: ['{DROP}']}}}}\n", encoding="utf-8")
    runner = CliRunner()
    for args in (["export", ROOT / "data/articles/seed.txt", "-o", folder / "seed.trig", "--curation", curation],
                 ["load", "--store", folder / "store", folder / "seed.trig"],
                 ["publish", folder / "site", "--store", folder / "store"]):
        result = runner.invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, result.output
    return folder / "site"


def test_the_rules_list_every_url_of_the_dropped_iri(site):
    nginx = (site / "nginx.conf").read_text(encoding="utf-8")
    assert f"location = /id/{DROP_PATH} {{ return 301 /id/{KEEP_PATH}; }}" in nginx
    assert f"location = /doc/{DROP_PATH}.html {{ return 301 /doc/{KEEP_PATH}.html; }}" in nginx
    assert f"location = /data/{DROP_PATH}.jsonld {{ return 301 /data/{KEEP_PATH}.jsonld; }}" in nginx
    assert "#KG-MERGED#" not in nginx and f"/id/{KEEP_PATH} {{" not in nginx  # the kept IRI is not moved
    # the dropped man's tenures, minted again for the kept one, move too
    assert re.search(r"location = /id/tenure/[0-9a-f]{16} \{ return 301 /id/tenure/[0-9a-f]{16}; \}", nginx)
    htaccess = (site / ".htaccess").read_text(encoding="utf-8")
    assert f"%{{ENV:KG_BASE}}doc/{KEEP_PATH}.html [R=301,L]" in htaccess and "#KG-MERGED#" not in htaccess
    assert htaccess.index("[R=301,L]") < htaccess.index("[R=303,L]")  # before the thing → document rules


def test_nothing_merged_no_rules(tmp_path):
    from publish_support import build_seed_store

    store = build_seed_store(tmp_path / "store")
    assert CliRunner().invoke(main, ["publish", str(tmp_path / "site"), "--store", str(store)]).exit_code == 0
    assert "return 301" not in (tmp_path / "site" / "nginx.conf").read_text(encoding="utf-8")
    assert "R=301" not in (tmp_path / "site" / ".htaccess").read_text(encoding="utf-8")


def check_moved(get) -> None:
    """What kg serve answers for a merged IRI (tests/test_curation.py), from the static copy."""
    for accept in ("text/html", "text/turtle"):
        status, headers, _ = get(f"/id/{DROP_PATH}", accept)
        assert status == 301 and headers["Location"].endswith(f"/id/{KEEP_PATH}"), (accept, status)
    for old, new in ((f"/doc/{DROP_PATH}", f"/doc/{KEEP_PATH}"), (f"/doc/{DROP_PATH}.html", f"/doc/{KEEP_PATH}.html"),
                     (f"/data/{DROP_PATH}.ttl", f"/data/{KEEP_PATH}.ttl"), (f"/data/{DROP_PATH}", f"/data/{KEEP_PATH}"),
                     (f"/id/{DROP_PATH}.nt", f"/id/{KEEP_PATH}.nt")):
        status, headers, _ = get(old)
        assert status == 301 and headers["Location"].endswith(new), (old, status, headers.get("Location"))
    # following the redirect lands on the kept man's page, which still answers as before
    status, headers, _ = get(f"/id/{KEEP_PATH}")
    assert status == 303 and headers["Location"].endswith(f"/doc/{KEEP_PATH}.html")
    status, _, body = get(f"/doc/{KEEP_PATH}.html")
    assert status == 200 and "Lại Xuân Lâm".encode() in body
    assert get(f"/data/{KEEP_PATH}.ttl", "text/turtle")[0] == 200
    assert get(f"/doc/{DROP_PATH}.ttl")[0] != 301  # not a URL kg serve moves either


@pytest.mark.skipif(NGINX_MISSING, reason="nginx not installed")
def test_nginx_answers_301_for_a_merged_iri(site, tmp_path):
    with_nginx(site, tmp_path, check_moved)


@pytest.mark.skipif(APACHE_MISSING, reason="apache2 not installed")
def test_apache_answers_301_for_a_merged_iri(site, tmp_path):
    with_apache(site, tmp_path, check_moved)
