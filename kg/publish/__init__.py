"""Linked-data publishing: every IRI in the graph dereferences, for people and machines.

    from kg.publish import open_read_only, make_app, serve, publish_site
    store = open_read_only("kg-store")                      # read-only pyoxigraph store
    app = make_app(store, base="https://w3id.org/pgkg/")    # the WSGI app
    serve(app, port=8000)                                # live site (waitress)
    publish_site(store, "site/", base="https://w3id.org/pgkg/")   # the same pages as static files

See kg/publish/app.py for the URL design and docs/publish.md for users.
"""

from __future__ import annotations

from kg.publish.app import LinkedDataApp, make_app
from kg.publish.server import open_read_only, serve, start_server
from kg.publish.site import Site
from kg.publish.static_site import publish_site

__all__ = ["LinkedDataApp", "Site", "make_app", "open_read_only", "publish_site", "serve", "start_server"]
