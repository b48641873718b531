"""Helpers for the extraction tests: run kg.extract on a sentence and read facts back by name."""

from __future__ import annotations

from kg.extract import extract
from kg.model import ENTITY_GROUPS, Extraction
from kg.text import parse_article


def run(text: str, **meta) -> Extraction:
    front = ""
    if meta:
        front = "---\n" + "".join(f"{k}: {v}\n" for k, v in meta.items()) + "---\n"
    x = extract(parse_article(front + text + "\n", "test.txt"))
    check_spans(x)
    return x


def check_spans(x: Extraction) -> None:
    t = x.article.text
    for group in ENTITY_GROUPS:
        for e in getattr(x, group):
            for s in e.mentions:
                assert t[s.start:s.end] == s.text, (e.key, s)
    for rel in (*x.holdings, *x.participations, *x.references):
        assert t[rel.evidence.start:rel.evidence.end] == rel.evidence.text


def names(x: Extraction) -> dict[str, str]:
    return {e.key: e.name for g in (x.people, x.organizations, x.places) for e in g}


def holdings(x: Extraction) -> set[tuple]:
    n = names(x)
    return {(n[h.person], h.role, n.get(h.organization)) for h in x.holdings}


def org_names(x: Extraction) -> set[str]:
    return {o.name for o in x.organizations}
