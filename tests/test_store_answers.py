"""Kept answers (kg.store.answers): a shipped CQ that declares ``#@keep-per`` is answered from rows
kept beside the embedded store, and every kind of write leaves them equal to a fresh evaluation
of the CQ itself: a first load, new articles, an article reloaded with other facts, a graph
dropped, a SPARQL update, a chunked stream."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus_support import generate_articles

import kg.store.answers as answers
from kg.cli import main
from kg.corpus import export_corpus
from kg.store import cq_names, cq_query, load_graphs, load_stream, open_store, units_from_graphs
from kg.store.embedded import run_query

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "seed.txt"
APPOINTMENTS = ROOT / "data" / "articles" / "appointments" / "lang-son.txt"  # the seed has no personnel decision
KEPT = [name for name in cq_names() if answers.declared_key(cq_query(name))]


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> dict[str, list[str]]:
    """N-Quads lines of the seed and 30 generated articles, by graph (in export order)."""
    folder = tmp_path_factory.mktemp("corpus")
    articles = [SEED, *generate_articles(folder, 30, seed=5)]
    summary = export_corpus(articles, output=folder / "all.nq.gz", jobs=1, progress=False)
    assert summary.failed == 0
    by_graph: dict[str, list[str]] = {}
    for shard in summary.outputs:
        for line in gzip.decompress(Path(shard).read_bytes()).decode("utf-8").splitlines():
            if line.strip():
                by_graph.setdefault(line.rsplit(" ", 2)[-2], []).append(line)
    return by_graph


@pytest.fixture(scope="module")
def with_appointments(tmp_path_factory, graphs) -> dict[str, list[str]]:
    """``graphs`` and an article with personnel decisions (the others have none: appointments.rq)."""
    folder = tmp_path_factory.mktemp("appointments")
    summary = export_corpus([APPOINTMENTS], output=folder / "one.nq.gz", jobs=1, progress=False)
    assert summary.failed == 0
    found = dict(graphs)
    for shard in summary.outputs:
        for line in gzip.decompress(Path(shard).read_bytes()).decode("utf-8").splitlines():
            if line.strip():
                found.setdefault(line.rsplit(" ", 2)[-2], []).append(line)
    return found


def nquads(graphs: dict, names) -> str:
    return "\n".join(line for name in names for line in graphs[name]) + "\n"


def fresh(store, name: str):
    """The CQ evaluated by the engine (kg.store.ordering's sort), not from kept rows."""
    plan = answers.shipped_plan
    try:
        answers.shipped_plan = lambda sparql: None
        return run_query(store._store, cq_query(name), [], str(store.location))
    finally:
        answers.shipped_plan = plan


def loaded(tmp_path, graphs, names=None) -> Path:
    """A store folder holding ``names`` (default: every article)."""
    location = tmp_path / "store"
    with open_store(location) as store:
        load_graphs(store, [(None, nquads(graphs, sorted(graphs) if names is None else names))])
    return location


def kept_names(location) -> list[str]:
    """The CQs whose rows the store's kept-answers database holds."""
    db = sqlite3.connect(answers.database_of(location))
    try:
        return sorted(name for (name,) in db.execute("SELECT name FROM kept"))
    finally:
        db.close()


def counting_evaluations(monkeypatch) -> list:
    """Every evaluation of a CQ by the engine from now on (the kept rows need none)."""
    evaluations = []
    real = answers.evaluate
    monkeypatch.setattr(answers, "evaluate", lambda *a, **k: evaluations.append(a) or real(*a, **k))
    return evaluations


def assert_kept_equal_fresh(store) -> None:
    for name in KEPT:
        kept = store.query(cq_query(name))
        engine = fresh(store, name)
        assert kept.variables == engine.variables, name
        assert kept.rows == engine.rows, name


def test_the_four_big_cqs_and_two_more_keep_their_answers():
    assert {"people", "roles", "holders", "timeline", "appointments", "meetings"} <= set(KEPT)
    for name in KEPT:
        plan = answers.shipped_plan(cq_query(name))
        assert plan is not None and plan.patterns, name  # the analysis follows every kept CQ


def test_first_query_keeps_rows_then_reads_them(tmp_path, graphs, monkeypatch):
    location = loaded(tmp_path, graphs)
    with open_store(location) as store:
        assert_kept_equal_fresh(store)
    assert kept_names(location) == sorted(KEPT)
    evaluations = counting_evaluations(monkeypatch)
    with open_store(location, read_only=True) as store:
        people = store.query(cq_query("people"))
    assert not evaluations, "a second run reads the kept rows"
    assert len(people.rows) > 20


def in_batches(monkeypatch, size: int = 7) -> None:
    """Every whole evaluation from now on in batches of ``size`` keys (the test corpus has ~100)."""
    monkeypatch.setattr(answers, "ONE_QUERY_TRIPLES", 0)
    monkeypatch.setattr(answers, "BATCH_KEYS", size)


def iri(key: str) -> str:
    return key.strip("<>")


def merged(batches) -> dict:
    rows: dict = {}
    for batch in batches:
        assert not rows.keys() & batch.keys(), "a key in two batches"
        rows.update(batch)
    return rows


@pytest.mark.parametrize("name", KEPT)
def test_a_whole_evaluation_in_batches_gives_the_rows_of_one_query(tmp_path, with_appointments, monkeypatch, name):
    """Memory bounded by a batch (kg.store.answers.whole_rows): every key's rows, in the same order,
    as the keyed form evaluated in one query over the whole store."""
    plan = answers.shipped_plan(cq_query(name))
    with open_store(loaded(tmp_path, with_appointments)) as store:
        columns, one = answers.evaluate(plan, store._store)
        keys = answers.whole_keys(plan, store._store)
        size = max(1, len(keys) // 3)
        in_batches(monkeypatch, size)
        batched_columns, batches = answers.whole_rows(plan, store._store, len(store._store))
        batches = list(batches)
    assert len(one) >= 4 and len(batches) == -(-len(keys) // size) >= 3, "several batches, every key listed"
    assert [str(k) for k in keys] == sorted(str(k) for k in keys)
    assert one.keys() <= {str(k) for k in keys}
    assert batched_columns == columns
    rows = merged(batches)
    assert sorted(rows) == sorted(one) and rows == one  # the same rows in the same order within each key
    spans = [(min(b, key=iri), max(b, key=iri)) for b in batches if b]
    assert all(last < following for (_, last), (following, _) in zip(spans, spans[1:], strict=False)), "keys in IRI order"


def test_kept_rows_made_in_batches_are_those_of_one_query(tmp_path, with_appointments, monkeypatch):
    """The first query's rows, evaluated in batches, go through a TEMP table into the kept one; while
    the batches run, the database is not locked (another process may write its own CQ's rows)."""
    location = loaded(tmp_path, with_appointments)
    in_batches(monkeypatch, 5)
    (answers.folder_of(location)).mkdir(exist_ok=True)  # the journal of changes may be there (kg.store.changes)
    answers._open(answers.database_of(location)).close()
    locked, staged = [], []
    real_evaluate, real_insert = answers.evaluate, answers._insert

    def evaluate(plan, store, keys=None):
        other = sqlite3.connect(answers.database_of(location), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once while a writer holds the database
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            locked.append(plan.name)
        finally:
            other.close()
        return real_evaluate(plan, store, keys)

    monkeypatch.setattr(answers, "evaluate", evaluate)
    monkeypatch.setattr(answers, "_insert", lambda db, table, *a: staged.append(table) or real_insert(db, table, *a))
    with open_store(location) as store:
        assert_kept_equal_fresh(store)
    assert kept_names(location) == sorted(KEPT)
    assert not locked and "temp.staged_rows" in staged and not any(t.startswith('"cq_') for t in staged)
    db = sqlite3.connect(answers.database_of(location))
    assert db.execute('SELECT COUNT(*) FROM "cq_people"').fetchone()[0] > 20
    db.close()


def test_a_plan_without_an_anchor_or_with_blank_node_keys_is_evaluated_in_one_query(monkeypatch):
    """No pattern every row has at the key (each is in a UNION branch), or a key that is a blank
    node: the keys cannot be listed, so the whole keyed form runs once, as before."""
    import pyoxigraph as ox

    org, name = "http://www.w3.org/ns/org#", ox.NamedNode("http://schema.org/name")
    store = ox.Store()
    for i in range(5):
        tenure, person, role = (ox.NamedNode(f"urn:x:{kind}{i}") for kind in ("t", "p", "r"))
        store.add(ox.Quad(tenure, ox.NamedNode(org + "member"), person))
        store.add(ox.Quad(tenure, ox.NamedNode(org + "role"), role))
        store.add(ox.Quad(person, name, ox.Literal(f"P{i}")))
        store.add(ox.Quad(role, name, ox.Literal(f"R{i}")))
    text = PREFIXES + "#@keep-per ?t\nSELECT DISTINCT ?n ?m WHERE { { ?t org:member ?p . ?p schema:name ?n } " \
        "UNION { ?t org:role ?r . ?r schema:name ?m } } ORDER BY ?n ?m"
    plan = answers.plan_for(text, "test")
    assert plan.patterns and plan._analysis[1] is None
    in_batches(monkeypatch, 2)
    queries = []
    real = answers._rows
    monkeypatch.setattr(answers, "_rows", lambda plan, st: queries.append(st) or real(plan, st))
    columns, batches = answers.whole_rows(plan, store, len(store))
    assert answers.whole_keys(plan, store) is None
    assert queries == [store] and len(batches) == 1 and len(batches[0]) == 5

    people = answers.shipped_plan(cq_query("people"))
    assert len(list(answers.whole_rows(people, store, len(store))[1])) == 3  # five tenures listed, in batches of two
    appointments = answers.shipped_plan(cq_query("appointments"))
    queries.clear()
    columns, batches = answers.whole_rows(appointments, store, len(store))  # no pg:appointee at all: no row, no query
    assert list(batches) == [] and store not in queries and columns == answers.evaluate(appointments, store)[0]
    monkeypatch.setattr(answers, "ONE_QUERY_TRIPLES", len(store) + 1)  # a store below it: one query
    assert isinstance(answers.whole_rows(people, store, len(store))[1], list)
    assert not isinstance(answers.whole_rows(people, store, len(store) + 1)[1], list)
    store.add(ox.Quad(ox.BlankNode("b"), ox.NamedNode(org + "member"), ox.NamedNode("urn:x:p0")))
    assert answers.whole_keys(people, store) is None
    assert len(answers.whole_rows(people, store, len(store))[1]) == 1


@pytest.mark.parametrize(("share", "batched"), [(1.0, False), (0.0, False), (0.0, True)],
                         ids=["affected-keys", "whole", "whole-in-batches"])
def test_every_kind_of_write_keeps_them_equal_to_a_fresh_evaluation(tmp_path, graphs, monkeypatch, share, batched):
    monkeypatch.setattr(answers, "FULL_SHARE", share)  # 0: every write evaluates the whole CQ again
    if batched:
        in_batches(monkeypatch)
    names = sorted(graphs)
    first, later = names[:20], names[20:]
    location = tmp_path / "store"
    with open_store(location) as store:
        load_graphs(store, [(None, nquads(graphs, first))])
        for name in KEPT:
            store.query(cq_query(name))  # kept from here on
        whole: list = []
        real = answers.whole_rows
        monkeypatch.setattr(answers, "whole_rows", lambda plan, st, n: whole.append(plan.name) or real(plan, st, n))

        load_graphs(store, [(None, nquads(graphs, later[:5]))])  # new articles
        assert bool(whole) == (share == 0.0), "new articles re-evaluate the keys they reach, not the whole CQ"
        assert_kept_equal_fresh(store)

        # an article reloaded with other facts: its members gone, a name spelt otherwise
        changed = [line.replace('"@vi', ' Mới"@vi', 1) if "schema.org/name" in line else line
                   for line in graphs[first[3]] if "org#member>" not in line]
        load_graphs(store, [(first[3].strip("<>"), "\n".join(changed) + "\n")])
        assert_kept_equal_fresh(store)

        store.drop([first[5].strip("<>")])
        assert_kept_equal_fresh(store)
        assert bool(whole) == (share == 0.0)

        store.query("INSERT DATA { <urn:x:a> <http://schema.org/name> \"X\" }", update=True)
        assert not answers.database_of(location).exists()
        assert_kept_equal_fresh(store)
    monkeypatch.undo()
    load_stream(location, units_from_graphs([(None, nquads(graphs, later[5:]))]), chunk=3)
    with open_store(location) as store:
        assert_kept_equal_fresh(store)


def test_a_reload_that_changes_nothing_keeps_the_rows(tmp_path, graphs):
    with open_store(loaded(tmp_path, graphs)) as store:
        before = store.query(cq_query("timeline")).rows
        load_graphs(store, [(None, nquads(graphs, sorted(graphs)[:4]))])
        assert store.query(cq_query("timeline")).rows == before


def test_rows_of_another_version_or_a_damaged_file_are_not_used(tmp_path, graphs):
    location = loaded(tmp_path, graphs)
    with open_store(location) as store:
        right = store.query(cq_query("people")).rows
    db = sqlite3.connect(answers.database_of(location), isolation_level=None)
    db.execute("UPDATE kept SET token = '999-1-1'")  # rows of a store version that is not this one
    db.execute('DELETE FROM "cq_people" WHERE rowid % 2 = 0')
    db.close()
    with open_store(location, read_only=True) as store:
        assert store.query(cq_query("people")).rows == right
    answers.database_of(location).write_bytes(b"not a database" * 100)
    with open_store(location, read_only=True) as store:
        assert store.query(cq_query("people")).rows == right
        assert store.query(cq_query("people")).rows == right
    db = sqlite3.connect(answers.database_of(location))  # made anew
    assert [name for (name,) in db.execute("SELECT name FROM kept")] == ["people"]
    db.close()


def test_a_query_that_differs_by_one_character_runs_as_written(tmp_path, graphs):
    with open_store(loaded(tmp_path, graphs)) as store:
        text = cq_query("people")
        assert answers.shipped_plan(text) is not None
        assert answers.shipped_plan(text + " ") is None
        assert store.query(text + " ").rows == store.query(text).rows


def test_kg_query_prints_the_same_bytes_every_run(tmp_path, graphs):
    location = loaded(tmp_path, graphs)
    runs = [CliRunner().invoke(main, ["query", "--store", str(location), "--cq", "timeline", "--format", "csv"])
            for _ in range(2)]
    assert runs[0].exit_code == 0 and runs[0].output == runs[1].output
    assert answers.folder_of(location).is_dir()



def test_a_big_kg_load_keeps_every_answer_so_the_first_query_reads_them(tmp_path, graphs, monkeypatch):
    """After a load big enough to prepare (kg.publish.prepare), every kept CQ's answer is there for
    the new store version: the first `kg query --cq` evaluates nothing and prints what the engine
    gives. `--no-prepare` leaves them to the first query."""
    from kg.publish import prepare

    monkeypatch.setenv("KG_SERVE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(prepare, "PREPARE_TRIPLES", 0)  # the test corpus counts as big here
    files = []
    for i, names in enumerate((sorted(graphs)[:20], sorted(graphs)[20:])):
        files.append(tmp_path / f"part{i}.nq")
        files[-1].write_text(nquads(graphs, names), encoding="utf-8")
    location = tmp_path / "store"
    result = CliRunner().invoke(main, ["load", "--no-validate", "--store", str(location), str(files[0])])
    assert result.exit_code == 0, result.output
    assert kept_names(location) == sorted(KEPT)

    real = answers.evaluate
    evaluations = counting_evaluations(monkeypatch)
    for name in KEPT:
        run = CliRunner().invoke(main, ["query", "--store", str(location), "--cq", name, "--format", "csv"])
        assert run.exit_code == 0, run.output
        with open_store(location, read_only=True) as store:
            engine = fresh(store, name)
        assert run.output.count("\n") == len(engine.rows) + 1, name  # a header, then every row
    assert not evaluations, "the first queries read the rows the load kept"
    with open_store(location, read_only=True) as store:
        assert_kept_equal_fresh(store)

    monkeypatch.setattr(answers, "evaluate", real)
    result = CliRunner().invoke(main, ["load", "--no-validate", "--no-prepare", "--store", str(location),
                                       str(files[1])])
    assert result.exit_code == 0, result.output
    with open_store(location, read_only=True) as store:
        token = answers.token_of(store.kept_counts())
        assert_kept_equal_fresh(store)  # the upkeep followed the second load (it did not prepare)
    db = sqlite3.connect(answers.database_of(location))
    assert {t for (t,) in db.execute("SELECT token FROM kept")} == {token}
    db.close()



def test_a_store_written_with_kept_answers_is_closed_when_its_load_ends(tmp_path, graphs):
    """The upkeep's first analysis of a CQ (rdflib's parser) leaves reference cycles for the GC;
    they must not hold the store being written: the next writer in the same process opens it at
    once, with no garbage collection in between (a library user's second load)."""
    import gc

    names = sorted(graphs)
    location = loaded(tmp_path, graphs, names[:10])
    with open_store(location, read_only=True) as store:
        store.query(cq_query("people"))  # kept, without the analysis the upkeep needs
    gc.collect()
    gc.disable()
    try:
        for name in names[10:13]:
            with open_store(location) as store:
                load_graphs(store, [(None, nquads(graphs, [name]))])
    finally:
        gc.enable()
    with open_store(location) as store:
        assert_kept_equal_fresh(store)


def test_no_prepare_after_a_first_load_leaves_the_answers_to_the_first_query(tmp_path, graphs, monkeypatch):
    from kg.publish import prepare

    monkeypatch.setenv("KG_SERVE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(prepare, "PREPARE_TRIPLES", 0)
    part = tmp_path / "all.nq"
    part.write_text(nquads(graphs, sorted(graphs)), encoding="utf-8")
    location = tmp_path / "store"
    result = CliRunner().invoke(main, ["load", "--no-validate", "--no-prepare", "--store", str(location), str(part)])
    assert result.exit_code == 0, result.output
    assert not answers.database_of(location).exists()


# --- the analysis: which shapes are kept, which keys a change reaches ---------------------------------

PREFIXES = "PREFIX org: <http://www.w3.org/ns/org#>\nPREFIX schema: <http://schema.org/>\n"


@pytest.mark.parametrize("body", [
    "SELECT DISTINCT ?n WHERE { ?t org:member ?p . ?p schema:name ?n MINUS { ?p a org:Post } } ORDER BY ?n",
    "SELECT DISTINCT ?n WHERE { ?t org:member ?p . ?p ?any ?n } ORDER BY ?n",
    "SELECT ?p (COUNT(?t) AS ?n) WHERE { ?t org:member ?p } GROUP BY ?p ORDER BY ?p",
    "SELECT DISTINCT ?n WHERE { ?t org:member ?p . ?x schema:name ?n } ORDER BY ?n",
    "SELECT DISTINCT ?n WHERE { ?t org:member ?p . ?p (schema:name|schema:alternateName) ?n } ORDER BY ?n",
    # ?x in two sibling OPTIONALs: a match may bind it through the one the walk does not take first
    "SELECT DISTINCT ?n ?m WHERE { ?t org:member ?p OPTIONAL { ?t org:role ?x . ?x schema:name ?n } "
    "OPTIONAL { ?t org:organization ?x . ?x schema:name ?m } } ORDER BY ?n ?m",
])
def test_shapes_the_upkeep_cannot_follow_are_refused(body):
    plan = answers.plan_for(PREFIXES + "#@keep-per ?t\n" + body, "test")
    with pytest.raises(answers.NotKept):
        _ = plan.patterns


def test_a_sub_select_that_only_tests_existence_is_not_followed_to_its_hub():
    plan = answers.plan_for(cq_query("people"), "people")
    (anyone,) = [p for p in plan.patterns["http://www.w3.org/ns/org#organization"] if p.exists]
    assert anyone.exists == "object"
    name, steps = anyone.path
    assert name == anyone.object and [s.predicate for s in steps] == ["http://www.w3.org/ns/org#organization"]


def test_a_sequence_path_is_followed_step_by_step():
    plan = answers.plan_for(cq_query("timeline"), "timeline")
    (date,) = [p for p in plan.patterns["http://www.w3.org/2006/time#inXSDDate"] if "begin" in (p.object or "")]
    name, steps = date.path  # from the interval's beginning (the nearer end) back to the tenure
    assert name == date.subject
    assert [(s.predicate.rsplit("#", 1)[1], s.forward) for s in steps] == [("hasBeginning", False),
                                                                          ("memberDuring", False)]


def test_the_analysis_kept_in_the_database_is_the_one_made(tmp_path, graphs):
    location = loaded(tmp_path, graphs, sorted(graphs)[:10])
    with open_store(location) as store:
        store.query(cq_query("timeline"))
        load_graphs(store, [(None, nquads(graphs, sorted(graphs)[10:12]))])  # the upkeep keeps the analysis
    db = answers._open(answers.database_of(location))
    made = answers.plan_for(cq_query("timeline"), "timeline")
    read = answers.Plan(made.name, made.key, made.keyed, made.distinct, made.order)
    assert db.execute("SELECT COUNT(*) FROM plans WHERE keyed = ?", (made.fingerprint,)).fetchone()[0] == 1
    answers._analysis_from(db, read)
    db.close()
    assert "_analysis" in read.__dict__
    assert read.patterns == made.patterns and read._analysis[1] == made._analysis[1]


def test_a_query_worker_answers_from_the_kept_rows_too(tmp_path, graphs):
    """kg serve's /sparql and `kg query --timeout` run queries in a worker process (kg.store.worker)."""
    location = loaded(tmp_path, graphs)
    with open_store(location, read_only=True) as store:
        plain = fresh(store, "people")
        first = store.query(cq_query("people"), timeout=60)  # evaluates and keeps, in the worker
        again = store.query(cq_query("people"), timeout=60)
    assert first.rows == plain.rows == again.rows and not first.partial
    db = sqlite3.connect(answers.database_of(location))
    assert [name for (name,) in db.execute("SELECT name FROM kept")] == ["people"]
    db.close()


def test_kg_serves_sparql_for_a_shipped_cq_from_the_kept_rows(tmp_path, graphs):
    """kg serve's /sparql (kg.publish.sparql, query workers): the people CQ's rows are the kept ones,
    kept by the endpoint's first answer; the same bindings as the engine's, in the same order."""
    import json

    from kg.publish.sparql import SparqlService
    from kg.store.base import term_from_json

    location = loaded(tmp_path, graphs)
    with open_store(location, read_only=True) as store:
        plain = fresh(store, "people")
        service = SparqlService(store._store, location=str(location), timeout=60)
        try:
            answers_given = [service._run_in_worker(cq_query("people"), "application/sparql-results+json", None, None)
                             for _ in range(2)]
        finally:
            service.close()
    for answer in answers_given:
        assert answer.status == 200, answer.body[:200]
        document = json.loads(answer.body)
        variables = document["head"]["vars"]
        rows = [tuple(term_from_json(b[v]) if v in b else None for v in variables)
                for b in document["results"]["bindings"]]
        assert variables == plain.variables and rows == plain.rows
    db = sqlite3.connect(answers.database_of(location))
    assert [name for (name,) in db.execute("SELECT name FROM kept")] == ["people"]
    db.close()
