"""``kg publish``: the same pages and per-resource RDF files, for any static host.

The site is written into a temporary folder beside the target and renamed into place at the end,
so an interrupted run never leaves a half-written site. A target that exists must be an earlier
``kg publish`` output (it holds the marker file ``.kg-site``); anything else is refused, never
deleted. Server rules in ``.htaccess`` (Apache) and ``nginx.conf`` give the static copy the same
303 redirects and content negotiation as ``kg serve`` (see kg/publish/rules/), and its 301 from each IRI
a curation merge dropped to the one it kept (rules generated per IRI: ``merged_paths``).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.iri import DEFAULT_BASE
from kg.publish import conneg, dataset
from kg.publish.pages import Pages, load_static
from kg.publish.site import HERE, SAME_AS, Site, safe_path
from kg.publish.sparql import serialize_triples
from kg.publish.views import void_blocks

MARKER = ".kg-site"


def publish_site(store: ox.Store, out: str | Path, base: str = DEFAULT_BASE, *,
                 ontology: Path | None = None, shapes: Path | None = None) -> dict[str, int]:
    """Write the static site for ``store`` to ``out`` atomically; returns counts of what was written."""
    target = Path(out)
    _check_target(target)
    site = Site(store, base, ontology=ontology, shapes=shapes)
    site.check_base()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a web server must be able to read the site
    try:
        counts = _write_all(site, tmp)
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise KgError(f"{target}: exists and is not a folder; choose another output folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise KgError(f"{target}: folder is not empty and was not written by `kg publish` "
                      f"(no {MARKER}); choose an empty or new folder")


def _swap_into_place(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write(root: Path, rel: str, data: bytes | str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _write_all(site: Site, root: Path) -> dict[str, int]:
    pages = Pages(site, suffix=".html", live=False)
    _write(root, "index.html", pages.home())
    for index in site.indexes:
        _write(root, f"index/{index['key']}.html", pages.index(index["key"]))
    for iri in site.all_things():
        doc = site.doc_path(iri)
        if not doc or not safe_path(doc):
            continue
        _write(root, doc + ".html", pages.resource(iri, doc))
        triples = site.describe(iri)
        for fmt in conneg.RDF_FORMATS:
            _write(root, "data/" + doc[len("doc/"):] + fmt.extension, serialize_triples(triples, fmt))
    _write_graphs(site, root)
    _write_terms(site, pages, root)
    _write_dataset(site, pages, root)
    _write(root, "context.jsonld", (HERE / "context.jsonld").read_bytes())
    _write(root, "search.html", pages.search("", []))
    _write(root, "search.json", _search_json(site))
    for name, (body, _) in load_static().items():
        _write(root, f"static/{name}", body)
    moved = merged_paths(site)
    for rule in ("htaccess", "nginx.conf"):
        name = ".htaccess" if rule == "htaccess" else rule
        text = (HERE / "rules" / rule).read_text(encoding="utf-8")
        _write(root, name, text.replace(MERGED_MARK, _RULES[rule](moved)))
    _write(root, MARKER, "written by kg publish; the folder is replaced as a whole on the next run\n")
    files = [p for p in root.rglob("*") if p.is_file()]
    return {"pages": sum(p.suffix == ".html" for p in files),
            "data_files": sum(p.suffix in {f.extension for f in conneg.RDF_FORMATS} for p in files)}


# --- 301 for the IRIs a curation merge dropped ------------------------------------------------------

MERGED_MARK = "#KG-MERGED#\n"  # where kg/publish/rules/* take the generated redirects
# A path goes into a server rule only when it is made of these (slugs are): nothing to quote or escape.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~/-]*")


def merged_paths(site: Site) -> list[tuple[str, str]]:
    """(from, to) URL paths below the site root, for every IRI a curation merge dropped
    (Site.merged_into) and every URL kg serve answers with 301 for it: the IRI (id/…, also with a
    document extension), its page (doc/…, doc/….html) and its data (data/…, data/….ttl …). Sorted."""
    dropped = sorted({q.subject.value for q in site.data.quads_for_pattern(None, SAME_AS, None)
                      if isinstance(q.subject, ox.NamedNode)})
    pairs = []
    for iri in dropped:
        target = site.merged_into(iri)
        if target is None:
            continue
        old_id, new_id = site.path_for_iri(iri), site.path_for_iri(target)
        old_doc, new_doc = site.doc_path(iri), site.doc_path(target)
        if not all(p and _PLAIN_PATH.fullmatch(p) and safe_path(p) for p in (old_id, new_id, old_doc, new_doc)):
            continue  # a hash IRI or an odd one: not a URL of its own
        old_data, new_data = "data/" + old_doc[len("doc/"):], "data/" + new_doc[len("doc/"):]
        pairs.append((old_id, new_id))
        pairs += [(old_id + f.extension, new_id + f.extension) for f in conneg.DOC_FORMATS]
        pairs += [(old_doc, new_doc), (old_doc + ".html", new_doc + ".html"), (old_data, new_data)]
        pairs += [(old_data + f.extension, new_data + f.extension) for f in conneg.RDF_FORMATS]
    return sorted(set(pairs))


def _nginx_merged(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"location = /{old} {{ return 301 /{new}; }}\n" for old, new in pairs)


def _apache_merged(pairs: list[tuple[str, str]]) -> str:
    # a RewriteRule, not mod_alias's Redirect: the site may live below a path (KG_BASE, set above)
    return "".join(f"RewriteRule ^{re.escape(old)}$ %{{ENV:KG_BASE}}{new} [R=301,L]\n" for old, new in pairs)


_RULES = {"htaccess": _apache_merged, "nginx.conf": _nginx_merged}


def _write_graphs(site: Site, root: Path) -> None:
    from kg.store.counts import is_stats_graph  # the store's own counts: bookkeeping, not data

    for graph in sorted(site.data.named_graphs(), key=str):
        if is_stats_graph(graph):
            continue
        path = site.path_for_iri(graph.value) if isinstance(graph, ox.NamedNode) else None
        if path and path.startswith("graph/") and safe_path(path):
            triples = site.graph_quads(graph.value)
            for fmt in conneg.RDF_FORMATS:
                _write(root, path + fmt.extension, serialize_triples(triples, fmt))


def _write_terms(site: Site, pages: Pages, root: Path) -> None:
    _write(root, "ontology.html", pages.ontology())
    _write(root, "shapes.html", pages.shapes())
    for which in ("ontology", "shapes"):
        graph = site.terms_graph(which)
        triples = sorted({q.triple for q in site.terms.quads_for_pattern(None, None, None, graph)}, key=str)
        for fmt in conneg.RDF_FORMATS:
            _write(root, which + fmt.extension, serialize_triples(triples, fmt))


def _write_dataset(site: Site, pages: Pages, root: Path) -> None:
    triples = dataset.void_triples(site, endpoint=False)  # a static copy has no /sparql
    _write(root, ".well-known/void", serialize_triples(triples, conneg.TURTLE))
    for fmt in conneg.RDF_FORMATS:
        _write(root, ".well-known/void" + fmt.extension, serialize_triples(triples, fmt))
    _write(root, ".well-known/void.html", pages.void(void_blocks(site, triples)))
    _write(root, "dump.nq.gz", dataset.dump_nquads_gz(site))
    _write(root, "sitemap.xml", dataset.sitemap_xml(site, suffix=".html", endpoint=False))


def _search_json(site: Site) -> str:
    rows = []
    for _, label, iri in site.search_entries:
        doc = site.doc_path(iri)
        if doc and safe_path(doc):
            rows.append({"label": label, "href": doc + ".html"})
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows) + "\n]\n"
