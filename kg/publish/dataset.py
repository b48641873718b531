"""Dataset-level documents: VoID + DCAT description, the N-Quads dump, the sitemap.

All IRIs here are under the data base (the public address the site is served at), so the same
description is right for ``kg serve`` behind a proxy and for a static copy hosted at the base.
"""

from __future__ import annotations

import gzip
import io
from xml.sax.saxutils import escape

import pyoxigraph as ox
import yaml

from kg.publish.site import HERE, P, Site, curie

VOID, DCAT, DCT, RDF, XSD = P["void"], P["dcat"], P["dcterms"], P["rdf"], P["xsd"]


def dataset_iri(site: Site) -> str:
    return site.base + ".well-known/void#dataset"


def void_triples(site: Site, *, endpoint: bool = True) -> list[ox.Triple]:
    """VoID + DCAT description of the published graph (statistics computed from the store).

    ``endpoint`` is False for a static copy (kg publish): it has no /sparql, so it advertises none.
    ``void:triples`` counts the statements of the dump, so a client can check its download.
    """
    meta = yaml.safe_load((HERE / "dataset.yaml").read_text(encoding="utf-8"))
    ds = ox.NamedNode(dataset_iri(site))
    doc = site.base + ".well-known/void"
    out: list[ox.Triple] = []

    def add(s, p, o):
        out.append(ox.Triple(s if isinstance(s, ox.NamedNode) else ox.NamedNode(s), ox.NamedNode(p), o))

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    add(ds, RDF + "type", iri(VOID + "Dataset"))
    add(ds, RDF + "type", iri(DCAT + "Dataset"))
    for lang, text in meta["title"].items():
        add(ds, DCT + "title", ox.Literal(text, language=lang))
    for lang, text in meta["description"].items():
        add(ds, DCT + "description", ox.Literal(text, language=lang))
    add(ds, DCT + "license", iri(meta["license"]))
    add(ds, DCT + "publisher", ox.Literal(meta["publisher"]))
    add(ds, VOID + "uriSpace", ox.Literal(site.base + "id/"))
    add(ds, VOID + "triples", _int(site.catalogue.named_quad_count()))  # = len(dump_lines(site)), counted by the store
    add(ds, VOID + "entities", _int(site.thing_count()))
    if endpoint:
        add(ds, VOID + "sparqlEndpoint", iri(site.base + "sparql"))
    add(ds, VOID + "dataDump", iri(site.base + "dump.nq.gz"))
    add(ds, VOID + "rootResource", iri(site.base))
    add(ds, VOID + "vocabulary", iri(P["pg"]))
    for prefix in ("org", "schema", "eli", "prov", "skos", "nif", "gaf"):
        add(ds, VOID + "vocabulary", iri(P[prefix]))
    _partitions(site, ds, add)
    _distribution(site, ds, doc, add, endpoint)
    return sorted(set(out), key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))


def _partitions(site: Site, ds: ox.NamedNode, add) -> None:
    # counts kept by the Catalogue (aggregates evaluated by the store once per store version)
    for cls, members in site.catalogue.class_counts().items():
        part = ox.NamedNode(f"{dataset_iri(site)}-class-{curie(cls).replace(':', '-')}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", ox.NamedNode(cls))
        add(part, VOID + "entities", _int(members))
    for index in site.indexes:
        if index["members"] and index["key"] != "articles":
            # the most-mentioned member of each index page is a good first example
            members = index["members"]
            best = site.catalogue.most_mentioned(index["key"], lambda members=members: sorted(members.unsorted),
                                                 site.subclasses(index["classes"]))
            add(ds, VOID + "exampleResource", ox.NamedNode(best))


def _distribution(site: Site, ds: ox.NamedNode, doc: str, add, endpoint: bool) -> None:
    dump = ox.NamedNode(doc + "#dump")
    add(ds, DCAT + "distribution", dump)
    add(dump, RDF + "type", ox.NamedNode(DCAT + "Distribution"))
    add(dump, DCAT + "downloadURL", ox.NamedNode(site.base + "dump.nq.gz"))
    add(dump, DCAT + "mediaType", ox.NamedNode("https://www.iana.org/assignments/media-types/application/n-quads"))
    add(dump, DCAT + "compressFormat", ox.NamedNode("https://www.iana.org/assignments/media-types/application/gzip"))
    if not endpoint:
        return
    # DCAT 2/3: the range of dcat:distribution is a dcat:Distribution; a data service is reached from
    # one through dcat:accessService (and names the dataset it serves).
    live = ox.NamedNode(doc + "#sparql-distribution")
    service = ox.NamedNode(doc + "#sparql")
    add(ds, DCAT + "distribution", live)
    add(live, RDF + "type", ox.NamedNode(DCAT + "Distribution"))
    add(live, DCAT + "accessURL", ox.NamedNode(site.base + "sparql"))
    add(live, DCAT + "accessService", service)
    add(service, RDF + "type", ox.NamedNode(DCAT + "DataService"))
    add(service, DCAT + "endpointURL", ox.NamedNode(site.base + "sparql"))
    add(service, DCAT + "endpointDescription", ox.NamedNode(site.base + "sparql"))  # the service description
    add(service, DCAT + "servesDataset", ds)
    add(service, DCT + "conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def dump_lines(site: Site) -> list[str]:
    """Every quad of the articles' graphs as a sorted, distinct N-Quads line: the dump, and what
    void:triples counts. The default graph is left out: it is the union kg derives from those graphs
    (kg.store.union), rebuilt by `kg load` of the dump."""
    import pyoxigraph as ox

    from kg.store.counts import is_stats_graph  # the store's own counts: bookkeeping, not data

    quads = (q for q in site.data.quads_for_pattern(None, None, None)
             if not isinstance(q.graph_name, ox.DefaultGraph) and not is_stats_graph(q.graph_name))
    return sorted({f"{q}\n" if str(q).endswith(" .") else f"{q} .\n" for q in quads})


def dump_nquads_gz(site: Site) -> bytes:
    """Every quad of the store as sorted N-Quads, gzipped with a fixed header (same bytes each run)."""
    lines = dump_lines(site)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as gz:
        gz.write("".join(lines).encode("utf-8"))
    return buf.getvalue()


def sitemap_xml(site: Site, suffix: str = "", *, endpoint: bool = True) -> bytes:
    """sitemap.xml of every HTML page (absolute URLs under the base) with a semantic-sitemap dataset entry.

    ``endpoint`` False (a static copy): no query page and no sparqlEndpointLocation.
    """
    pages = ["", "ontology", "shapes", *(["sparql"] if endpoint else [])]
    pages += [f"index/{i['key']}" for i in site.indexes]
    pages += [p for p in (site.doc_path(t) for t in site.all_things()) if p]
    urls = []
    for page in pages:
        target = page + suffix if page and suffix and page not in ("sparql",) else page
        urls.append(f"  <url><loc>{escape(site.base + target)}</loc></url>")
    endpoint_entry = f"    <sc:sparqlEndpointLocation>{escape(site.base)}sparql</sc:sparqlEndpointLocation>\n"
    dataset = (f"  <sc:dataset>\n    <sc:linkedDataPrefix>{escape(site.base)}id/</sc:linkedDataPrefix>\n"
               + (endpoint_entry if endpoint else "")
               + f"    <sc:dataDumpLocation>{escape(site.base)}dump.nq.gz</sc:dataDumpLocation>\n  </sc:dataset>")
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:sc="http://sw.deri.org/2007/07/sitemapextension/scschema.xsd">\n'
            + dataset + "\n" + "\n".join(urls) + "\n</urlset>\n")
    return body.encode("utf-8")
