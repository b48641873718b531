"""kg: knowledge graphs from Vietnamese Communist-Party governance news.

The pipeline, one stage per module::

    kg.text.read_article(path)          -> Article      (read, front matter, NFC, debris)
    kg.extract.extract(article)         -> Extraction   (people, posts, bodies, documents, …)
    kg.map.to_graph(extraction, base)   -> rdflib.Graph (party-governance ontology)
    kg.validate.validate(graph)         -> Report       (pySHACL against shapes/)
    kg.serialize.serialize(graph, fmt)  -> str          (deterministic Turtle, N-Triples, JSON-LD, TriG)

then kg.store (embedded Oxigraph or any SPARQL 1.1 server) and kg.publish (linked data).
"""

__version__ = "0.1.0"
