"""Rule-based, gazetteer-driven extraction: Article → kg.model.Extraction.

One recogniser per module, run in this order because later ones use what earlier
ones found: bodies (and the article's locality) → people and posts → documents →
assemblies and terms → meetings, participations and references → personnel decisions
(appointments, which read the people, bodies and documents found). Gazetteers are
data files in gazetteers/, loaded once per process (``canonical.warm_up``).
"""

from __future__ import annotations

from kg.extract import appointments, assemblies, bodies, canonical, documents, meetings, people
from kg.extract.context import Context
from kg.model import Article, Extraction

__all__ = ["extract", "warm_up"]


def extract(article: Article) -> Extraction:
    """Every entity and relation the rules find in the article, in a stable order."""
    ctx = Context.of(article)
    bodies.find(ctx)
    people.find(ctx)
    documents.find(ctx)
    assemblies.find(ctx)
    meetings.find(ctx)
    found = appointments.find(ctx)  # may add the bodies it names (deciders, posts' bodies): before result()
    extraction = ctx.result()
    to_original = ctx._to_original()
    extraction.appointments = [to_original(item) for item in found]
    return extraction


def warm_up() -> None:
    """Load gazetteers and compile patterns now rather than on the first article."""
    canonical.warm_up()
    appointments.warm_up()
