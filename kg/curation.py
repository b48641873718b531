"""Curation: corrections to the graph kept in a plain YAML file, applied on every export.

Extraction is re-run whenever the code, a gazetteer or an article changes, so a fix made by hand
in an exported file would be lost. A curation file states each correction once, with who made it,
when and why; ``kg export --curation FILE_OR_DIR`` applies it to every article's graph after
mapping and before validation, so the correction survives re-extraction and is checked by SHACL
like everything else.

A file (or a folder of ``*.yaml`` / ``*.yml`` files, read in sorted order) holds a list of
decisions (or a mapping with the list under ``decisions``)::

    - by: Trần Thị Mai                # who (a person or a team)
      date: 2026-12-01                # when (ISO date or date-time)
      why: The two spellings are one man.
      merge: {keep: id/person/nguyen-van-an, drop: [id/person/nguyen-van-anh]}

One action per decision:

* ``merge: {keep: X, drop: [Y, …], label: "…"}`` every fact about Y is stated about X; the data keeps
  ``Y owl:sameAs X`` (and ``kg serve`` answers Y with a 301 to X). Y's labels become skos:altLabel of X
  when X has its own in that article; the optional ``label`` sets X's display name everywhere.
  The relation nodes joining Y (posts, tenures, attestations, appointments, participations: IRIs hashed
  from entity keys) are minted again for X with kg.map's key functions, duplicates folded together.
* ``split: {iri: X, into: [{iri: X1, when: {article: …, body: …, from: …, to: …}}, …]}`` one name that is
  several people: in an article where ``when`` holds (every key given), X is renamed to the first
  matching branch's IRI (a bare slug is minted beside X). ``article``: id, IRI or URL (or a list);
  ``body``: X holds a post in it (or a list); ``from``/``to``: the article's publication date.
* ``retract: {subject: X, predicate: P, object: O}`` removes a fact (no ``object``: every value of P);
  ``retract: {node: X}`` removes X and the relation nodes (tenures, attestations, participations,
  appointments) that only exist for it.
* ``add: {subject: X, predicate: P, object: O}`` states a fact about X (in each article that has X).
* ``label: {iri: X, label: "…", lang: vi}`` replaces X's display name (rdfs:label, and schema:name /
  skos:prefLabel where present); the old one stays as skos:altLabel.

IRIs are written in full, as CURIEs of ontology/prefixes.tsv (``pgrole:bi-thu``), or relative to the
base (``id/person/nguyen-van-an``). An object that is a literal is written ``{value: …, lang: vi}`` or
``{value: …, datatype: xsd:date}``; a YAML number, date or boolean is a typed literal.

Provenance: every article graph a decision changed holds ``{base}id/curation/{hash}`` ``a prov:Activity``
(``prov:wasAttributedTo`` the agent named by ``by``, ``prov:endedAtTime``, ``rdfs:comment`` why), and
each node it touched points at it with ``pg:curatedBy``. A decision whose target is in no article is
*dangling*: ``dangling()`` lists it, and the CLI reports it (``--strict`` makes it fatal).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import OWL, RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph

from kg import map as kmap
from kg.errors import InputError
from kg.iri import _KIND_DIR, DEFAULT_BASE, key_to_iri, normalise_base, short_hash, slug
from kg.namespaces import GAF, ORG, PG, PROV, SCHEMA, SKOS, prefixes

XSD = prefixes()["xsd"]
LABEL_PREDICATES = (RDFS.label, SCHEMA.name, SKOS.prefLabel)

ACTIONS = ("merge", "split", "retract", "add", "label")
COMMON_KEYS = ("by", "date", "why")
_ACTION_KEYS = {
    "merge": ({"keep", "drop"}, {"label"}),
    "split": ({"iri", "into"}, set()),
    "retract": (set(), {"subject", "predicate", "object", "node"}),
    "add": ({"subject", "predicate", "object"}, set()),
    "label": ({"iri", "label"}, {"lang"}),
}
_WHEN_KEYS = {"article", "body", "from", "to"}
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Decision:
    """One correction, as read (``spec`` holds the action's arguments with IRIs resolved)."""

    source: str  # file name, for messages
    index: int  # 1-based position in its file
    by: str
    date: str  # ISO date or date-time, as written
    why: str
    action: str
    spec: tuple  # the action's arguments, frozen (see _freeze) so a Decision is hashable and picklable
    id: str  # short hash of the decision's content: the same decision keeps its IRI

    @property
    def where(self) -> str:
        return f"{self.source}: decision {self.index} ({self.action})"

    @property
    def args(self) -> dict[str, Any]:
        return _thaw(self.spec)


@dataclass(frozen=True)
class Curation:
    """The decisions of a file or folder, in order, and the sha256 of the files' bytes."""

    decisions: tuple[Decision, ...] = ()
    sha256: str = ""
    base: str = DEFAULT_BASE

    def __len__(self) -> int:
        return len(self.decisions)


@dataclass
class CurationReport:
    """What ``apply`` did: the ids of the decisions whose target was found, and triples changed."""

    applied: set[str] = field(default_factory=set)
    changed: int = 0

    def update(self, other: CurationReport) -> None:
        self.applied |= other.applied
        self.changed += other.changed


# --- reading ------------------------------------------------------------------------------------


def load(path: str | Path, base: str = DEFAULT_BASE) -> Curation:
    """Read and check a curation file or folder; InputError (one line: file, decision, problem) if bad."""
    base = normalise_base(base)
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
        if not files:
            raise InputError(f"{root}: no curation files (*.yaml, *.yml) in this folder")
    elif root.is_file():
        files = [root]
    else:
        raise InputError(f"{root}: no such curation file or folder")
    digest = hashlib.sha256()
    decisions: list[Decision] = []
    for file in files:
        try:
            raw = file.read_bytes()
            text = raw.decode("utf-8")
        except OSError as err:
            raise InputError(f"{file}: cannot read the curation file ({err.strerror})") from None
        except UnicodeDecodeError:
            raise InputError(f"{file}: the curation file is not UTF-8") from None
        digest.update(file.name.encode() + b"\0" + hashlib.sha256(raw).digest())
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise InputError(f"{file}:{where}: not valid YAML: {problem}") from None
        if data is None:
            continue
        if isinstance(data, dict) and set(data) == {"decisions"}:
            data = data["decisions"] or []
        if not isinstance(data, list):
            raise InputError(f"{file}: a curation file is a list of decisions (or 'decisions:' with one)")
        for index, item in enumerate(data, 1):
            decisions.append(_decision(item, str(file), index, base))
    return Curation(tuple(decisions), digest.hexdigest(), base)


def _decision(item: Any, source: str, index: int, base: str) -> Decision:
    where = f"{source}: decision {index}"
    if not isinstance(item, dict):
        raise InputError(f"{where}: a decision is a mapping with by, date, why and one action")
    actions = [a for a in ACTIONS if a in item]
    if len(actions) != 1:
        found = ", ".join(actions) or "none"
        raise InputError(f"{where}: needs exactly one action of {', '.join(ACTIONS)} (found {found})")
    action = actions[0]
    where = f"{where} ({action})"
    unknown = sorted(set(map(str, item)) - set(COMMON_KEYS) - {action})
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} (a decision has by, date, why and one action)")
    for key in COMMON_KEYS:
        if item.get(key) in (None, ""):
            raise InputError(f"{where}: '{key}' is missing (who, when and why are kept with every decision)")
    by, why = item["by"], item["why"]
    if not isinstance(by, str) or not isinstance(why, str):
        raise InputError(f"{where}: 'by' and 'why' are text")
    date = _iso_date(item["date"], where)
    body = item[action]
    if not isinstance(body, dict):
        raise InputError(f"{where}: '{action}' takes a mapping ({', '.join(sorted(_ACTION_KEYS[action][0]))} …)")
    required, optional = _ACTION_KEYS[action]
    unknown = sorted(set(map(str, body)) - required - optional)
    if unknown:
        raise InputError(f"{where}: '{action}' has no key {unknown[0]!r}")
    missing = sorted(required - set(body))
    if missing:
        raise InputError(f"{where}: '{action}' needs '{missing[0]}'")
    spec = _SPEC[action](body, where, base)
    content = json.dumps({"action": action, "spec": spec, "by": by, "date": date, "why": why},
                         sort_keys=True, ensure_ascii=False)
    return Decision(source, index, by.strip(), date, why.strip(), action, _freeze(spec), short_hash(content))


def _iso_date(value: Any, where: str) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        parse = dt.datetime.fromisoformat if "T" in text else dt.date.fromisoformat
        try:
            parse(text)
        except ValueError:
            pass
        else:
            return text
    raise InputError(f"{where}: 'date' {value!r} is not an ISO date (2026-12-01) or date-time")


def resolve(value: Any, where: str, base: str, what: str) -> str:
    """A full IRI, a CURIE of ontology/prefixes.tsv, or a path relative to the base ("id/person/x")."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: '{what}' must be an IRI, a CURIE or id/… (got {value!r})")
    text = value.strip()
    if any(c in text for c in ' <>"{}|\\^`'):
        raise InputError(f"{where}: '{what}' {text!r} is not an IRI (it holds a space or one of <>\"{{}}|\\^`)")
    if text.startswith("id/"):
        return base + text
    if "://" in text:
        return text
    prefix, sep, local = text.partition(":")
    table = prefixes()
    if sep and prefix in table:
        return table[prefix] + local
    raise InputError(f"{where}: '{what}' {text!r} is neither a full IRI, a CURIE with a prefix of "
                     f"ontology/prefixes.tsv, nor a path id/… under the base; a literal is written "
                     f"{{value: …, lang: vi}}")


def _object(value: Any, where: str, base: str) -> dict:
    """The object of add/retract: {"iri": …} or {"value", "lang" | "datatype"}."""
    xsd = XSD
    if isinstance(value, bool):
        return {"value": "true" if value else "false", "datatype": xsd + "boolean"}
    if isinstance(value, int):
        return {"value": str(value), "datatype": xsd + "integer"}
    if isinstance(value, dt.datetime):
        return {"value": value.isoformat(), "datatype": xsd + "dateTime"}
    if isinstance(value, dt.date):
        return {"value": value.isoformat(), "datatype": xsd + "date"}
    if isinstance(value, dict):
        unknown = sorted(set(map(str, value)) - {"value", "lang", "datatype"})
        if unknown or "value" not in value:
            raise InputError(f"{where}: a literal object is {{value: …, lang: vi}} or {{value: …, datatype: xsd:…}}")
        if "lang" in value and "datatype" in value:
            raise InputError(f"{where}: a literal has a language or a datatype, not both")
        out = {"value": str(value["value"])}
        if "lang" in value:
            out["lang"] = str(value["lang"])
        if "datatype" in value:
            out["datatype"] = resolve(value["datatype"], where, base, "datatype")
        return out
    return {"iri": resolve(value, where, base, "object")}


def _spec_merge(body: dict, where: str, base: str) -> dict:
    drops = body["drop"] if isinstance(body["drop"], list) else [body["drop"]]
    if not drops:
        raise InputError(f"{where}: 'drop' names no IRI")
    keep = resolve(body["keep"], where, base, "keep")
    drop = [resolve(d, where, base, "drop") for d in drops]
    if keep in drop:
        raise InputError(f"{where}: 'keep' {keep} is also in 'drop'")
    spec = {"keep": keep, "drop": drop}
    if "label" in body:
        spec["label"] = _text(body["label"], where, "label")
    return spec


def _spec_split(body: dict, where: str, base: str) -> dict:
    iri = resolve(body["iri"], where, base, "iri")
    branches = body["into"]
    if not isinstance(branches, list) or not branches:
        raise InputError(f"{where}: 'into' is a list of {{iri: …, when: {{…}}}}")
    into = []
    for n, branch in enumerate(branches, 1):
        if not isinstance(branch, dict) or "iri" not in branch or not set(branch) <= {"iri", "when"}:
            raise InputError(f"{where}: into #{n} is {{iri: …, when: {{article|body|from|to: …}}}}")
        target = branch["iri"]
        if isinstance(target, str) and target.strip() and "/" not in target and ":" not in target:
            if slug(target) != target.strip():
                raise InputError(f"{where}: into #{n}: {target!r} is not a slug (lower-case ASCII words and '-')")
            new = iri.rsplit("/", 1)[0] + "/" + target.strip()  # a bare slug: beside the split IRI
        else:
            new = resolve(target, where, base, f"into #{n} iri")
        if new == iri:
            raise InputError(f"{where}: into #{n} renames {iri} to itself")
        when = branch.get("when") or {}
        if not isinstance(when, dict) or not set(map(str, when)) <= _WHEN_KEYS:
            raise InputError(f"{where}: into #{n}: 'when' takes {', '.join(sorted(_WHEN_KEYS))}")
        cond: dict[str, Any] = {}
        if "article" in when:
            cond["article"] = sorted(_text(a, where, "article") for a in _as_list(when["article"]))
        if "body" in when:
            cond["body"] = sorted(resolve(b, where, base, "body") for b in _as_list(when["body"]))
        for key in ("from", "to"):
            if key in when:
                cond[key] = _iso_date(when[key], f"{where}: into #{n} '{key}'")[:10]
        into.append({"iri": new, "when": cond})
    return {"iri": iri, "into": into}


def _spec_retract(body: dict, where: str, base: str) -> dict:
    if "node" in body:
        if set(body) != {"node"}:
            raise InputError(f"{where}: retract takes either {{node}} or {{subject, predicate[, object]}}")
        return {"node": resolve(body["node"], where, base, "node")}
    if "subject" not in body or "predicate" not in body:
        raise InputError(f"{where}: retract takes {{subject, predicate[, object]}} or {{node}}")
    spec = {"subject": resolve(body["subject"], where, base, "subject"),
            "predicate": resolve(body["predicate"], where, base, "predicate")}
    if "object" in body:
        spec["object"] = _object(body["object"], where, base)
    return spec


def _spec_add(body: dict, where: str, base: str) -> dict:
    return {"subject": resolve(body["subject"], where, base, "subject"),
            "predicate": resolve(body["predicate"], where, base, "predicate"),
            "object": _object(body["object"], where, base)}


def _spec_label(body: dict, where: str, base: str) -> dict:
    return {"iri": resolve(body["iri"], where, base, "iri"), "label": _text(body["label"], where, "label"),
            "lang": _text(body.get("lang", "vi"), where, "lang")}


_SPEC = {"merge": _spec_merge, "split": _spec_split, "retract": _spec_retract, "add": _spec_add,
         "label": _spec_label}


def _text(value: Any, where: str, what: str) -> str:
    if isinstance(value, (dt.date, int)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: '{what}' must be non-empty text")
    return unicodedata.normalize("NFC", value.strip())


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _freeze(value: Any):
    if isinstance(value, dict):
        return ("{}", tuple((k, _freeze(v)) for k, v in sorted(value.items())))
    if isinstance(value, list):
        return ("[]", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any):
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "{}":
        return {k: _thaw(v) for k, v in value[1]}
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "[]":
        return [_thaw(v) for v in value[1]]
    return value


# --- applying -----------------------------------------------------------------------------------


def apply(target, curation: Curation) -> CurationReport:
    """Apply every decision, in order, to a graph (one article's) or to each graph of a dataset.

    Runs after extraction and mapping, before validation and serialisation; deterministic
    (the result depends only on the graph and the decisions).
    """
    report = CurationReport()
    if not curation.decisions:
        return report
    if isinstance(target, Dataset):
        graphs = sorted(target.graphs(), key=lambda g: str(g.identifier))
    elif isinstance(target, ConjunctiveGraph):
        graphs = sorted(target.contexts(), key=lambda g: str(g.identifier))
    elif isinstance(target, Graph):
        graphs = [target]
    else:
        raise TypeError(f"apply() takes an rdflib Graph or Dataset, not {type(target).__name__}")
    for graph in graphs:
        for decision in curation.decisions:
            retracted = _facts_to_retract(graph, decision)
            found, touched = _APPLY[decision.action](graph, decision.args, curation.base)
            if found:
                report.applied.add(decision.id)
            if touched:
                report.changed += 1
                _provenance(graph, decision, touched, curation.base, retracted)
    return report


def dangling(curation: Curation, applied: Iterable[str]) -> list[Decision]:
    """The decisions whose target was found in no graph (in file order)."""
    seen = set(applied)
    return [d for d in curation.decisions if d.id not in seen]


def dangling_line(decision: Decision) -> str:
    return f"kg: curation: {decision.where}: its target is not in the data (why: {decision.why})"


def activity_iri(decision: Decision, base: str = DEFAULT_BASE) -> str:
    return f"{normalise_base(base)}id/curation/{decision.id}"


def agent_iri(name: str, base: str = DEFAULT_BASE) -> str:
    return f"{normalise_base(base)}id/agent/{slug(name) or short_hash(name)}"


def _term(obj: dict):

    if "iri" in obj:
        return URIRef(obj["iri"])
    if "lang" in obj:
        return Literal(obj["value"], lang=obj["lang"])
    if "datatype" in obj:
        return Literal(obj["value"], datatype=URIRef(obj["datatype"]))
    return Literal(obj["value"])


def _present(graph, node) -> bool:
    return (node, None, None) in graph or (None, None, node) in graph


def _rename(graph, old, new) -> int:
    """Every triple with ``old`` as subject or object, restated with ``new``."""
    moved = 0
    for p, o in list(graph.predicate_objects(old)):
        graph.remove((old, p, o))
        graph.add((new, p, new if o == old else o))
        moved += 1
    for s, p in list(graph.subject_predicates(old)):
        graph.remove((s, p, old))
        graph.add((s, p, new))
        moved += 1
    return moved


def _apply_merge(graph, args: dict, base: str = DEFAULT_BASE):

    keep = URIRef(args["keep"])
    found, touched = False, []
    labels = LABEL_PREDICATES
    renamed, old_names = {}, set()
    for drop in map(URIRef, args["drop"]):
        if set(graph.predicate_objects(drop)) == {(OWL.sameAs, keep)} and (None, None, drop) not in graph:
            found = True  # already merged (a curated graph curated again): nothing left to move
            continue
        if not _present(graph, drop):
            continue
        found = True
        renamed[drop] = keep
        old_names.update(_vi_labels(graph, drop))
        for p, o in sorted(graph.predicate_objects(drop)):
            graph.remove((drop, p, o))
            if p == OWL.sameAs and o == keep:
                continue
            if p in labels and (keep, p, None) in graph:
                if (keep, p, o) not in graph:
                    graph.add((keep, SKOS.altLabel, o))  # the other spelling stays findable
                continue
            if p == SKOS.altLabel and any(graph.triples((keep, lp, o)) for lp in labels):
                continue
            graph.add((keep, p, o))
        for s, p in list(graph.subject_predicates(drop)):
            graph.remove((s, p, drop))
            graph.add((s, p, keep))
        graph.add((drop, OWL.sameAs, keep))
        touched.append(keep)
    if found and touched and "label" in args:
        _set_label(graph, keep, args["label"], "vi")
    if renamed:
        new_names = _vi_labels(graph, keep)
        names = {old: new_names[0] for old in sorted(old_names)
                 if len(new_names) == 1 and old != new_names[0]}
        touched += _remint(graph, renamed, names, base, same_as=True)
    return found, sorted(set(touched))


def _apply_split(graph, args: dict, base: str = DEFAULT_BASE):

    node = URIRef(args["iri"])
    if not _present(graph, node):
        return False, []
    for branch in args["into"]:
        if _matches(graph, node, branch["when"]):
            new = URIRef(branch["iri"])
            _rename(graph, node, new)
            return True, sorted({new, *_remint(graph, {node: new}, {}, base, same_as=False)})
    return True, []


def _vi_labels(graph, node) -> list[str]:
    return sorted(str(o) for o in graph.objects(node, RDFS.label) if getattr(o, "language", None) == "vi")


# --- relation nodes after a merge or split ------------------------------------------------------------
# Posts, tenures, attestations, appointments and participations have IRIs hashed from the keys of the
# entities they join (kg.map.post_key, tenure_key, …). When a merge or split renames an entity, the
# nodes that join it are minted again with kg.map's own functions from their curated links, and a node
# whose new IRI is already in the graph is folded into it: one (person, post, body) is one tenure,
# whichever spelling each article used, and its attestations point at that one node.

# Values a folded node adds to the node already there; of any other property the node there keeps its own.
_MANY_VALUED = frozenset({RDF.type, GAF.denotedBy, PROV.wasDerivedFrom, PG.curatedBy, SKOS.altLabel})


def _remint(graph, renamed: dict, names: dict[str, str], base: str, same_as: bool) -> list:
    """Mint again the relation nodes joining a renamed entity (``renamed``: old IRI → new), fold the
    duplicates, and write the new entity names (``names``: old → new) into their labels. With
    ``same_as`` (a merge: the old node is the new one under another name) the old IRI keeps
    ``owl:sameAs`` the new, as a dropped entity does, so ``kg serve`` answers it with 301; a split
    leaves nothing (the old node is still right in the articles outside the branch). Returns the
    relation nodes changed, in order."""
    base = normalise_base(base)
    moved = set(renamed.values())
    changed: list = []
    article_id = _article_id(graph)

    def key(node) -> str:
        return _entity_key(node, base)

    def role_label(concept) -> str:
        return kmap.vi_label(concept) or next(
            (str(o) for o in sorted(graph.objects(concept, SKOS.prefLabel)) if getattr(o, "language", None) == "vi"),
            str(concept).rsplit("/", 1)[-1])

    def one(node, predicate):
        return next(iter(sorted(graph.objects(node, predicate))), None)

    def links(node, *predicates) -> bool:
        return any(o in moved for p in predicates for o in graph.objects(node, p))

    def post_key(post):
        concept, org = one(post, ORG.role), one(post, ORG.postIn)
        return kmap.post_key(concept, key(org) if org else None) if concept is not None else None

    def tenure_key(tenure):
        person, concept, org = one(tenure, ORG.member), one(tenure, ORG.role), one(tenure, ORG.organization)
        if person is None or concept is None:
            return None
        return kmap.tenure_key(key(person), role_label(concept), key(org) if org else None)

    def attestation_key(node):
        tenure = one(node, PG.attests)
        person, concept = (one(tenure, ORG.member), one(tenure, ORG.role)) if tenure is not None else (None, None)
        if article_id is None or person is None or concept is None:
            return None
        org = one(tenure, ORG.organization)
        return kmap.attestation_key(article_id, key(person), role_label(concept), key(org) if org else None)

    def appointment_key(node):
        person, kind, post = one(node, PG.appointee), one(node, PG.appointmentKind), one(node, PG.post)
        if article_id is None or person is None or kind is None:
            return None
        concept, org = (one(post, ORG.role), one(post, ORG.postIn)) if post is not None else (None, None)
        return kmap.appointment_key(article_id, key(person), role_label(concept) if concept is not None else None,
                                    key(org) if org else None, str(kind).rsplit("/", 1)[-1])

    def participation_key(node):
        meeting, person, concept = one(node, PG.inEvent), one(node, PG.participant), one(node, PG.participationRole)
        if meeting is None or person is None or concept is None:
            return None
        return kmap.participation_key(key(meeting), key(person), concept)

    # in dependency order: a post's IRI follows its body; an attestation follows its tenure
    steps = ((PG.Post, (ORG.postIn,), post_key),
             (PG.Tenure, (ORG.member, ORG.organization), tenure_key),
             (PG.Attestation, (PG.attests,), attestation_key),
             (PG.Appointment, (PG.appointee, PG.post), appointment_key),
             (PG.Participation, (PG.participant, PG.inEvent), participation_key))
    for cls, predicates, mint in steps:
        for node in sorted(n for n in set(graph.subjects(RDF.type, cls)) if links(n, *predicates)):
            if (node, None, None) not in graph:  # folded into another node of its kind already
                continue
            _rename_in_label(graph, node, names)
            new_key = mint(node)
            new = URIRef(key_to_iri(str(new_key), base)) if new_key else node
            if new != node:
                _fold(graph, node, new)
                if same_as:
                    graph.add((node, OWL.sameAs, new))
            moved.add(new)
            changed.append(new)
    return changed


# How an attestation states its post, as kg.map decides for one article's holding: a personnel decision
# (elected / relieved) over the wording, "current" over "former" (written both ways, it is current).
_STATED_RANK = {"elected": 2, "relieved": 2, "current": 1, "former": 0}


def _fold(graph, old, new) -> None:
    """Restate ``old`` as ``new``; when ``new`` is already there, it keeps its one-valued properties
    (but an attestation's pg:statedAs is the stronger of the two, see _STATED_RANK)."""
    there = (new, None, None) in graph
    for p, o in sorted(graph.predicate_objects(old)):
        graph.remove((old, p, o))
        if there and p not in _MANY_VALUED and (new, p, None) in graph:
            if p == PG.statedAs:
                current = graph.value(new, p)
                if _STATED_RANK.get(str(o).rsplit("/", 1)[-1], -1) > _STATED_RANK.get(str(current).rsplit("/", 1)[-1], -1):
                    graph.set((new, p, o))
            continue
        graph.add((new, p, o))
    for s, p in list(graph.subject_predicates(old)):
        graph.remove((s, p, old))
        graph.add((s, p, new))


def _rename_in_label(graph, node, names: dict[str, str]) -> None:
    """A relation node's label names its entities ("Phạm Minh Khang – Bí thư – …"): write the curated name."""
    if not names:
        return
    for label in [o for o in graph.objects(node, RDFS.label) if getattr(o, "language", None) == "vi"]:
        text = str(label)
        for old, new in names.items():
            text = text.replace(old, new)
        if text != str(label):
            graph.remove((node, RDFS.label, label))
            graph.add((node, RDFS.label, Literal(text, lang="vi")))


def _article_id(graph) -> str | None:
    articles = sorted(graph.subjects(RDF.type, SCHEMA.NewsArticle))
    return str(articles[0]).rsplit("/", 1)[-1] if len(articles) == 1 else None


_KEY_KIND = {folder: kind for kind, folder in _KIND_DIR.items()}


def _entity_key(node, base: str) -> str:
    """The kg.model entity key of an IRI minted by kg.iri.key_to_iri ("{base}id/person/x" → "person:x");
    an IRI from elsewhere (a split into a full IRI) stands for itself."""
    text = str(node)
    if text.startswith(base + "id/"):
        folder, _, rest = text[len(base) + 3:].partition("/")
        if folder in _KEY_KIND and rest:
            return f"{_KEY_KIND[folder]}:{rest}"
    return text


def _matches(graph, node, when: dict) -> bool:

    articles = sorted(graph.subjects(RDF.type, SCHEMA.NewsArticle))
    if "article" in when:
        names = set()
        for a in articles:
            names.update({str(a), str(a).rsplit("/", 1)[-1]})
            names.update(str(u) for u in graph.objects(a, SCHEMA.url))
        if not names.intersection(when["article"]):
            return False
    if "body" in when:
        bodies = {URIRef(b) for b in when["body"]}
        held = {b for post in graph.objects(node, ORG.holds) for b in graph.objects(post, ORG.postIn)}
        held |= {b for t in graph.subjects(ORG.member, node) for b in graph.objects(t, ORG.organization)}
        if not bodies & held:
            return False
    if "from" in when or "to" in when:
        dates = sorted(str(d)[:10] for a in articles for d in graph.objects(a, SCHEMA.datePublished))
        if not dates:
            return False
        if "from" in when and dates[0] < when["from"]:
            return False
        if "to" in when and dates[0] > when["to"]:
            return False
    return True


# Relation nodes that exist only for the entities they join: retracting the entity retracts them.
_RELATION_CLASSES = ("Tenure", "Attestation", "Participation", "Appointment")


def _apply_retract(graph, args: dict, base: str = DEFAULT_BASE):

    if "node" in args:
        node = URIRef(args["node"])
        if not _present(graph, node):
            return False, []
        neighbours = _retract_node(graph, node)
        return True, neighbours
    subject, predicate = URIRef(args["subject"]), URIRef(args["predicate"])
    obj = _term(args["object"]) if "object" in args else None
    matching = list(graph.triples((subject, predicate, obj)))
    for triple in matching:
        graph.remove(triple)
    if not matching:
        return False, []
    return True, [subject] if (subject, None, None) in graph else []


def _retract_node(graph, node) -> list:
    """Remove ``node`` and, recursively, the relation nodes pointing at it; the other nodes it was
    linked with (kept) are returned, to be marked as curated."""
    relation_types = {PG[c] for c in _RELATION_CLASSES}
    todo, removed, linked = [node], set(), set()
    while todo:
        current = todo.pop()
        if current in removed:
            continue
        removed.add(current)
        for s, p in list(graph.subject_predicates(current)):
            graph.remove((s, p, current))
            if relation_types.intersection(graph.objects(s, RDF.type)):
                todo.append(s)
            else:
                linked.add(s)
        for p, o in list(graph.predicate_objects(current)):
            graph.remove((current, p, o))

    return sorted(n for n in linked - removed if isinstance(n, URIRef) and (n, None, None) in graph)


def _apply_add(graph, args: dict, base: str = DEFAULT_BASE):

    subject = URIRef(args["subject"])
    if (subject, None, None) not in graph:
        return False, []
    graph.add((subject, URIRef(args["predicate"]), _term(args["object"])))
    return True, [subject]


def _apply_label(graph, args: dict, base: str = DEFAULT_BASE):

    node = URIRef(args["iri"])
    if (node, None, None) not in graph:
        return False, []
    _set_label(graph, node, args["label"], args["lang"])
    return True, [node]


def _set_label(graph, node, label: str, lang: str) -> None:

    new = Literal(label, lang=lang)
    for predicate in LABEL_PREDICATES:
        old = [o for o in graph.objects(node, predicate) if getattr(o, "language", None) == lang]
        if predicate != RDFS.label and not old:
            continue  # schema:name / skos:prefLabel only where the node uses them
        for value in old:
            graph.remove((node, predicate, value))
            if value != new:
                graph.add((node, SKOS.altLabel, value))
        graph.add((node, predicate, new))
    graph.remove((node, SKOS.altLabel, new))


_APPLY = {"merge": _apply_merge, "split": _apply_split, "retract": _apply_retract, "add": _apply_add,
          "label": _apply_label}


def _facts_to_retract(graph, decision: Decision) -> list:
    """The triples a ``retract: {subject, predicate[, object]}`` is about to remove, sorted."""
    args = decision.args
    if decision.action != "retract" or "node" in args:
        return []
    obj = _term(args["object"]) if "object" in args else None
    return sorted(graph.triples((URIRef(args["subject"]), URIRef(args["predicate"]), obj)),
                  key=lambda t: t[2].n3())


def _provenance(graph, decision: Decision, touched: list, base: str, retracted: list = ()) -> None:
    """The decision as a prov:Activity in this graph, and pg:curatedBy from each node it touched."""

    xsd = XSD
    activity = URIRef(activity_iri(decision, base))
    agent = URIRef(agent_iri(decision.by, base))
    ended = decision.date if "T" in decision.date else decision.date + "T00:00:00Z"
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal(f"hiệu chỉnh ({decision.action}) của {decision.by}, "
                                             f"{decision.date[:10]}", lang="vi")))
    graph.add((activity, RDFS.comment, Literal(decision.why)))
    graph.add((activity, PROV.endedAtTime, Literal(ended, datatype=URIRef(xsd + "dateTime"))))
    graph.add((activity, PROV.wasAttributedTo, agent))
    graph.add((activity, PG.curationAction, Literal(decision.action)))
    graph.add((agent, RDF.type, PROV.Agent))
    graph.add((agent, RDFS.label, Literal(decision.by)))
    for node in touched:
        if (node, None, None) in graph:
            graph.add((node, PG.curatedBy, activity))
    if decision.action == "add":
        # The added fact itself, as a plain RDF reification (no RDF-star): pages mark that row as curated.
        args = decision.args
        statement = URIRef(f"{activity}/statement")
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, URIRef(args["subject"])))
        graph.add((statement, RDF.predicate, URIRef(args["predicate"])))
        graph.add((statement, RDF.object, _term(args["object"])))
        graph.add((statement, PROV.wasGeneratedBy, activity))
    for n, (subject, predicate, obj) in enumerate(retracted):
        # A retracted fact is gone from the data; its reification keeps a trace that pages show struck through.
        statement = URIRef(f"{activity}/statement" + (f"-{n + 1}" if len(retracted) > 1 else ""))
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, subject))
        graph.add((statement, RDF.predicate, predicate))
        graph.add((statement, RDF.object, obj))
        graph.add((statement, PG.retracted, Literal(True)))
        graph.add((statement, PROV.wasGeneratedBy, activity))


def summary_line(curation: Curation, applied: Iterable[str], source: str) -> str:
    applied = set(applied)
    used = sum(1 for d in curation.decisions if d.id in applied)
    return (f"kg: curation {source}: {len(curation)} decision{'s' * (len(curation) != 1)}, {used} applied, "
            f"{len(curation) - used} dangling")
