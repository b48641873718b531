"""What changed between two exports, dumps or stores: people, bodies, posts, tenures, appointments, documents and
meetings added, removed or changed, compared by IRI.

Each side is read whole (kg.rdfio) into an in-memory store as one set of triples (article graphs
merged), then asked the queries of kg/queries/diff/*.rq: one per kind, ``?id`` plus the fields that
kind is compared on. A field holds the sorted set of its values, so the comparison does not depend
on how many articles repeat a fact or in what order a store returns it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kg.rdfio import read_quads

KINDS = ("people", "organizations", "posts", "tenures", "appointments", "documents", "meetings")
_QUERIES = Path(__file__).with_name("queries") / "diff"

Record = dict[str, tuple[str, ...]]  # field → sorted values


@dataclass
class KindDiff:
    added: dict[str, Record] = field(default_factory=dict)
    removed: dict[str, Record] = field(default_factory=dict)
    changed: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # display name of each changed IRI (as it is now)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class Diff:
    old: str
    new: str
    kinds: dict[str, KindDiff]

    def __bool__(self) -> bool:
        return any(self.kinds.values())

    def to_json(self) -> str:
        def record(iri, fields):
            return {"id": iri, **{k: list(v) for k, v in fields.items()}}

        out = {"old": self.old, "new": self.new}
        for kind, d in self.kinds.items():
            out[kind] = {
                "added": [record(i, f) for i, f in sorted(d.added.items())],
                "removed": [record(i, f) for i, f in sorted(d.removed.items())],
                "changed": [{"id": i, "changes": {k: {"old": list(a), "new": list(b)} for k, (a, b) in c.items()}}
                            for i, c in sorted(d.changed.items())],
            }
        return json.dumps(out, ensure_ascii=False, indent=2) + "\n"

    def to_text(self) -> str:
        lines = [f"--- {self.old}", f"+++ {self.new}"]
        for kind, d in self.kinds.items():
            lines.append(f"{kind}: {len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed")
            for iri, fields in sorted(d.added.items(), key=_by_name):
                lines.append(f"  + {_name(fields, iri)}{_details(fields)}")
            for iri, fields in sorted(d.removed.items(), key=_by_name):
                lines.append(f"  - {_name(fields, iri)}{_details(fields)}")
            for iri, changes in sorted(d.changed.items(), key=lambda item: (d.names[item[0]], item[0])):
                for key, (before, after) in changes.items():
                    lines.append(f"  ~ {d.names[iri]}: {key} {_values(before)} → {_values(after)}")
        return "\n".join(lines) + "\n"


def diff(old: str | Path, new: str | Path) -> Diff:
    """Compare two RDF files (any format kg reads, .gz too) or embedded store folders."""
    before, after = _records(old), _records(new)
    return Diff(str(old), str(new), {kind: _compare(before[kind], after[kind]) for kind in KINDS})


def _records(source: str | Path) -> dict[str, dict[str, Record]]:
    import pyoxigraph as ox

    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in read_quads(source))  # one set of triples
    out: dict[str, dict[str, Record]] = {}
    for kind in KINDS:
        answer = store.query((_QUERIES / f"{kind}.rq").read_text(encoding="utf-8"))
        names = [v.value for v in answer.variables if v.value != "id"]
        collected: dict[str, dict[str, set[str]]] = {}
        for row in answer:
            fields = collected.setdefault(row["id"].value, {n: set() for n in names})
            for n in names:
                if row[n] is not None:
                    fields[n].add(row[n].value)
        out[kind] = {iri: {n: tuple(sorted(v)) for n, v in fields.items()} for iri, fields in collected.items()}
    return out


def _compare(before: dict[str, Record], after: dict[str, Record]) -> KindDiff:
    d = KindDiff()
    for iri in sorted(after.keys() - before.keys()):
        d.added[iri] = after[iri]
    for iri in sorted(before.keys() - after.keys()):
        d.removed[iri] = before[iri]
    for iri in sorted(before.keys() & after.keys()):
        changes = {k: (before[iri][k], after[iri][k]) for k in before[iri] if before[iri][k] != after[iri].get(k)}
        if changes:
            d.changed[iri] = changes
            d.names[iri] = _name(after[iri], iri)
    return d


def _name(fields: Record, iri: str) -> str:
    return (fields.get("name") or (iri,))[0]


def _by_name(item) -> tuple:
    iri, fields = item
    return _name(fields, iri), iri


def _details(fields: Record) -> str:
    rest = [f"{k}: {_values(v)}" for k, v in fields.items() if k != "name" and v]
    return f"  ({'; '.join(rest)})" if rest else ""


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(none)"
