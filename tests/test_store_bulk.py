"""kg load's N-Quads fast path (kg.store.bulk: Oxigraph's parser alone, into a fresh store) writes
exactly what the Python path writes, stays all or nothing, names the file and line of a syntax
error, validates what kg export did not vouch for, and never drops a line it cannot place."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus_support import generate_articles

import kg.store.bulk as bulk
import kg.store.sources as sources
from kg.cli import main
from kg.corpus import export_corpus
from kg.store import counts


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> list[Path]:
    return generate_articles(tmp_path_factory.mktemp("corpus"), 12, seed=11)


@pytest.fixture(scope="module")
def shard(tmp_path_factory, articles) -> Path:
    """A validated kg export of 12 generated articles as one N-Quads shard (with its record)."""
    out = tmp_path_factory.mktemp("export") / "corpus.nq.gz"
    summary = export_corpus(articles, output=out, jobs=1, progress=False)
    return Path(summary.outputs[0])


@pytest.fixture
def fast_calls(monkeypatch) -> list:
    """The sources each fast load was given (empty: the Python path did the work)."""
    calls: list = []
    real = bulk._load_nquads

    def recording(store, sources_):
        calls.append([s.name for s in sources_])
        return real(store, sources_)

    monkeypatch.setattr(bulk, "_load_nquads", recording)
    return calls


@pytest.fixture
def validated(monkeypatch) -> list:
    calls: list = []
    real = sources._validate
    monkeypatch.setattr(sources, "_validate", lambda unit, path: calls.append(str(path)) or real(unit, path))
    return calls


def kg(*args: str):
    return CliRunner().invoke(main, list(args))


def python_path(monkeypatch):
    """Every file through the Python path (iter_units), as before the fast path."""
    monkeypatch.setattr(bulk, "split_fast", lambda paths, **kw: ([], [Path(p) for p in paths]))


def contents(location: Path) -> tuple[list[str], dict]:
    """Every quad but the counts' record (a fresh blank node each time), sorted; and the kept counts."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(location))
    quads = sorted(f"{q.graph_name} | {q}" for q in store if not counts.is_stats_graph(q.graph_name))
    kept = counts.read(store)
    assert kept is not None
    return quads, kept.whole()


def _write(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode("utf-8")) if path.suffix == ".gz" else text.encode("utf-8"))
    return path


def test_fast_path_writes_exactly_what_the_python_path_writes(shard, tmp_path, monkeypatch, fast_calls):
    fast = kg("load", "--no-validate", "--store", str(tmp_path / "fast"), str(shard))
    assert fast.exit_code == 0, fast.output
    assert fast_calls == [[str(shard)]]
    with monkeypatch.context() as patched:
        python_path(patched)
        slow = kg("load", "--no-validate", "--store", str(tmp_path / "slow"), str(shard))
    assert slow.exit_code == 0, slow.output
    assert len(fast_calls) == 1
    fast_quads, fast_counts = contents(tmp_path / "fast")
    slow_quads, slow_counts = contents(tmp_path / "slow")
    assert fast_quads == slow_quads
    assert any(q.startswith("DEFAULT |") for q in fast_quads) and any(q.startswith("<") for q in fast_quads)
    fast_counts.pop("seq"), slow_counts.pop("seq")
    assert fast_counts == slow_counts and len(fast_counts["graphs"]) == 12
    # kg load's line counts the same graphs and triples either way
    assert fast.output.split(" into ")[0] == slow.output.split(" into ")[0]


def test_two_shards_in_one_fast_load_share_the_union(shard, tmp_path, monkeypatch, fast_calls):
    text = gzip.decompress(shard.read_bytes()).decode("utf-8")
    lines = text.splitlines(keepends=True)
    half = len(lines) // 2
    first = _write(tmp_path / "a.nq.gz", "".join(lines[:half]))
    second = _write(tmp_path / "b.nq", "".join(lines[half:]).rstrip("\n"))  # no final newline
    result = kg("load", "--no-validate", "--store", str(tmp_path / "two"), str(first), str(second))
    assert result.exit_code == 0, result.output and fast_calls == [[str(first), str(second)]]
    kg("load", "--no-validate", "--store", str(tmp_path / "one"), str(shard))
    assert contents(tmp_path / "two")[0] == contents(tmp_path / "one")[0]


def test_a_vouched_shard_goes_fast_without_validation(shard, tmp_path, fast_calls, validated):
    result = kg("load", "--store", str(tmp_path / "s"), str(shard))
    assert result.exit_code == 0, result.output
    assert "validated 0 files, 1 already validated by kg export" in result.output
    assert fast_calls == [[str(shard)]] and validated == []


def test_a_shard_not_vouched_for_is_validated_on_the_python_path(shard, tmp_path, fast_calls, validated):
    edited = tmp_path / shard.name
    edited.write_bytes(gzip.compress(gzip.decompress(shard.read_bytes())))  # same quads, other bytes
    Path(f"{edited}.kg-validation.json").write_bytes(Path(f"{shard}.kg-validation.json").read_bytes())
    result = kg("load", "--store", str(tmp_path / "s"), str(edited))
    assert result.exit_code == 0, result.output
    assert "validated 1 file" in result.output and "already" not in result.output
    assert fast_calls == [] and len(validated) == 12
    result = kg("load", "--revalidate", "--store", str(tmp_path / "r"), str(shard))
    assert result.exit_code == 0 and fast_calls == [] and len(validated) == 24


def test_a_file_changed_after_it_was_hashed_is_refused(shard, tmp_path, monkeypatch):
    real = bulk.NQuadsSource.file
    monkeypatch.setattr(bulk.NQuadsSource, "file", classmethod(lambda cls, path, sha256=None: real(path, sha256 and "0" * 64)))
    result = kg("load", "--store", str(tmp_path / "s"), str(shard))
    assert result.exit_code != 0 and "changed while it was loaded" in result.output
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("second", [False, True])
def test_a_syntax_error_mid_file_names_file_and_line_and_writes_nothing(shard, tmp_path, second):
    lines = gzip.decompress(shard.read_bytes()).decode("utf-8").splitlines(keepends=True)
    lines[40] = lines[40].replace("> <", "> <not an IRI", 1)
    broken = _write(tmp_path / "broken.nq.gz", "".join(lines))
    files = [str(shard), str(broken)] if second else [str(broken)]
    location = tmp_path / "store"
    from kg.store import EmbeddedStore

    EmbeddedStore(location).close()  # an empty store: the bulk path, into a fresh one
    result = kg("load", "--no-validate", "--store", str(location), *files)
    assert result.exit_code != 0
    assert result.output.startswith(f"kg: error: {broken}: line 41, column ") and "syntax error" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert (location / "CURRENT").is_file()  # still the empty store (RocksDB's marker), not removed
    assert [p.name for p in tmp_path.iterdir() if ".bulk-" in p.name or ".old-" in p.name] == []
    assert kg("stats", "--store", str(location), "--format", "json").exit_code == 0
    from kg.store import open_store

    with open_store(location) as store:
        assert store.stats()["triples"] == 0


def test_an_invalid_graph_iri_reads_as_on_the_python_path(shard, tmp_path, monkeypatch):
    line = '<https://w3id.org/pgkg/id/x> <http://schema.org/name> "x" <graph with spaces> .\n'
    bad = _write(tmp_path / "bad.nq", line)
    fast = kg("load", "--no-validate", "--store", str(tmp_path / "f"), str(bad))
    python_path(monkeypatch)
    slow = kg("load", "--no-validate", "--store", str(tmp_path / "s"), str(bad))
    assert fast.exit_code == slow.exit_code != 0
    assert fast.output == slow.output and fast.output.startswith(f"kg: error: {bad}: line 1, column ")


@pytest.mark.parametrize("obj", ['"a literal"', "<https://w3id.org/pgkg/id/thing>"])
def test_a_line_without_a_graph_is_not_lost(shard, tmp_path, fast_calls, obj):
    """A triple in the default graph belongs to its article's graph (the Python path's rule): the
    fast path cannot place it, so the load starts again on the Python path."""
    text = gzip.decompress(shard.read_bytes()).decode("utf-8")
    mixed = _write(tmp_path / "mixed.nq", f"<https://w3id.org/pgkg/id/article/solo> "
                   f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/NewsArticle> .\n"
                   f"<https://w3id.org/pgkg/id/article/solo> <http://schema.org/comment> {obj} .\n" + text[:2000].rsplit("\n", 1)[0] + "\n")
    result = kg("load", "--no-validate", "--store", str(tmp_path / "s"), str(mixed))
    assert result.exit_code == 0, result.output
    assert len(fast_calls) == 1  # tried, then the Python path
    quads, kept = contents(tmp_path / "s")
    solo = "https://w3id.org/pgkg/graph/solo"
    assert sum(1 for q in quads if "http://schema.org/comment" in q) == 2  # its article's graph and the union
    assert any(solo in q and "http://schema.org/comment" in q for q in quads)
    assert solo in kept["graphs"]


def test_blank_nodes_and_a_dumps_counts_graph_take_the_python_path(tmp_path, fast_calls, monkeypatch):
    article = "<https://w3id.org/pgkg/id/article/b1>"
    graph = "<https://w3id.org/pgkg/graph/b1>"
    body = (f"{article} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/NewsArticle> {graph} .\n"
            f"{article} <http://schema.org/about> _:topic {graph} .\n"
            f'_:topic <http://schema.org/name> "a topic" {graph} .\n')
    blank = _write(tmp_path / "blank.nq", body)
    assert kg("load", "--no-validate", "--store", str(tmp_path / "f"), str(blank)).exit_code == 0
    assert len(fast_calls) == 1
    with monkeypatch.context() as patched:
        python_path(patched)
        assert kg("load", "--no-validate", "--store", str(tmp_path / "s"), str(blank)).exit_code == 0
    assert contents(tmp_path / "f") == contents(tmp_path / "s")  # the label stays the same in both copies

    record = json.dumps({"seq": 1, "triples": 99}).replace('"', '\\"')
    dump = _write(tmp_path / "dump.nq", body.replace("_:topic", "<https://w3id.org/pgkg/id/topic>")
                  + f'<https://w3id.org/pgkg/id/r> <{counts.RECORD}> "{record}" <{counts.STATS_GRAPH}> .\n')
    assert kg("load", "--no-validate", "--store", str(tmp_path / "d"), str(dump)).exit_code == 0
    quads, kept = contents(tmp_path / "d")
    assert kept["triples"] == 3 and list(kept["graphs"]) == ["https://w3id.org/pgkg/graph/b1"]


def test_mixed_formats_load_fast_and_slow_files_into_one_store(shard, tmp_path, fast_calls, validated):
    seed = tmp_path / "seed.ttl"
    result = kg("export", str(Path(__file__).resolve().parent.parent / "data" / "articles" / "seed.txt"),
                "-o", str(seed), "-q")
    assert result.exit_code == 0, result.output
    result = kg("load", "--store", str(tmp_path / "s"), str(shard), str(seed))
    assert result.exit_code == 0, result.output
    assert fast_calls == [[str(shard)]] and validated == []
    assert "loaded 13 graphs" in result.output and "2 already validated by kg export" in result.output
    assert len(contents(tmp_path / "s")[1]["graphs"]) == 13


@pytest.mark.parametrize("fmt", ["turtle", "nquads"])
def test_export_load_goes_fast_and_writes_what_kg_load_writes(articles, shard, tmp_path, fast_calls, fmt):
    summary = export_corpus(articles, out_dir=tmp_path / "out", jobs=1, progress=False, fmt=fmt, load=True,
                            store=str(tmp_path / "exported"))
    assert summary.loaded == 12 and len(fast_calls) == 1 and len(fast_calls[0]) == 12
    assert kg("load", "--no-validate", "--store", str(tmp_path / "loaded"), str(shard)).exit_code == 0
    assert contents(tmp_path / "exported")[0] == contents(tmp_path / "loaded")[0]
    exported, loaded = contents(tmp_path / "exported")[1], contents(tmp_path / "loaded")[1]
    assert {k: v for k, v in exported.items() if k != "seq"} == {k: v for k, v in loaded.items() if k != "seq"}


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this platform")
def test_the_bulk_loader_runs_on_as_many_cpus_as_kg_bulk_threads_says(shard, tmp_path, monkeypatch):
    """Oxigraph starts a loader thread (and a batch in memory) per CPU the caller may use: kg narrows
    that to $KG_BULK_THREADS (default 1) for the load, then gives the process its CPUs back."""
    before = os.sched_getaffinity(0)
    seen = []
    real = bulk._load_nquads
    monkeypatch.setattr(bulk, "_load_nquads", lambda store, sources: seen.append(os.sched_getaffinity(0))
                        or real(store, sources))
    for threads, location in (("1", "one"), ("64", "all")):
        monkeypatch.setenv("KG_BULK_THREADS", threads)
        result = kg("load", "--no-validate", "--store", str(tmp_path / location), str(shard))
        assert result.exit_code == 0, result.output
    assert len(seen[0]) == 1 and seen[1] == before
    assert os.sched_getaffinity(0) == before
    assert contents(tmp_path / "one")[0] == contents(tmp_path / "all")[0]


def test_a_bad_kg_bulk_threads_is_one_clear_error_and_writes_nothing(shard, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_BULK_THREADS", "many")
    result = kg("load", "--no-validate", "--store", str(tmp_path / "s"), str(shard))
    assert result.exit_code == 2
    assert "KG_BULK_THREADS='many'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


# --- the counts read off the lines (bulk.LineTally) ----------------------------------------------

@pytest.fixture
def no_count_by_query():
    """Counting the fresh store by query (or scanning it for things) fails the test, until the
    test calls what this gives (to recount the store itself)."""
    def refuse(*args, **kwargs):
        raise AssertionError("counted by query")

    patch = pytest.MonkeyPatch()
    patch.setattr(bulk, "_counts_by_query", refuse)
    patch.setattr(counts, "things_by_scan", refuse)
    yield patch.undo
    patch.undo()


def fast_load(location: Path, *texts: str) -> dict:
    """``texts`` as N-Quads kg wrote (trusted) through the fast path; the counts it kept, less seq."""
    sources = [bulk.NQuadsSource(f"part{i}.nq", data=text.encode("utf-8")) for i, text in enumerate(texts)]
    bulk.bulk_into_fresh_store(location, (), fast=sources)
    return contents(location)[1]


def recount(location: Path) -> dict:
    """What counting the store by query gives (kg stats on a store that keeps nothing)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(location))
    whole = counts.count_by_query(store).whole()
    whole.pop("seq")
    return whole


def test_a_vouched_shard_is_counted_from_its_lines_with_the_figures_a_query_gives(shard, tmp_path, no_count_by_query):
    result = kg("load", "--no-prepare", "--store", str(tmp_path / "s"), str(shard))
    assert result.exit_code == 0, result.output
    kept = contents(tmp_path / "s")[1]
    kept.pop("seq")
    no_count_by_query()
    assert kept == recount(tmp_path / "s")
    assert len(kept["graphs"]) == 12 and kept["things_set"] > 12 and kept["examples_set"]
    assert all(article.startswith("https://w3id.org/pgkg/id/article/") for _, article in kept["graphs"].values())


ART = "https://w3id.org/pgkg/id/article/"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def article_lines(name: str, *extra: str) -> list[str]:
    graph = f"<https://w3id.org/pgkg/graph/{name}>"
    return [f"<{ART}{name}> {TYPE} <http://schema.org/NewsArticle> {graph} .\n",
            *(f"{line} {graph} .\n" for line in extra)]


def test_things_and_articles_are_told_from_a_line_s_subject_not_from_a_literal(tmp_path, no_count_by_query):
    """A literal may hold text that looks like a label line; only a line's own subject and predicate count
    (a thing: typed without fragment, or labelled with a literal; the smallest article of a graph)."""
    fake = f'> {LABEL} \\"not a thing\\" .'
    lines = article_lines(
        "a1",
        f'<{ART}a1> <http://schema.org/text> "x <https://w3id.org/pgkg/id/ghost{fake}"',
        f"<{ART}a0> {TYPE} <http://schema.org/NewsArticle>",  # a second article, smaller: the graph's one
        f"<https://w3id.org/pgkg/id/person/p1> {TYPE} <http://xmlns.com/foaf/0.1/Person>",
        f"<https://w3id.org/pgkg/id/person/p1#m> {TYPE} <http://xmlns.com/foaf/0.1/Person>",  # a fragment, typed
        f'<https://w3id.org/pgkg/id/org/o1#x> {LABEL} "labelled, with a fragment"',
        f"<https://w3id.org/pgkg/id/org/o2> {LABEL} <https://w3id.org/pgkg/id/org/o1>",  # not a literal
        f'<http://example.org/elsewhere> {LABEL} "outside kg\'s IRIs"',
        f'<https://w3id.org/pgkg/id/bad%20seg/x> {LABEL} "not a page\'s path"',
    )
    kept = fast_load(tmp_path / "s", "".join(sorted(lines)))
    kept.pop("seq")
    no_count_by_query()
    assert kept == recount(tmp_path / "s")
    assert kept["graphs"] == {"https://w3id.org/pgkg/graph/a1": [len(lines), f"{ART}a0"]}
    assert kept["things_set"] == 4  # a0, a1, p1, o1#x


@pytest.mark.parametrize("case", ["a graph in two runs", "one graph's file twice", "an escaped IRI",
                                  "a graph without article"])
def test_what_the_lines_cannot_count_exactly_is_counted_by_query(tmp_path, monkeypatch, case):
    one, two = article_lines("g1", f'<{ART}g1> {LABEL} "one"'), article_lines("g2", f'<{ART}g2> {LABEL} "two"')
    if case == "a graph in two runs":  # the same triple twice in its graph: one triple, two lines
        texts = ("".join(one + two), "".join(one))
    elif case == "one graph's file twice":  # the second source goes on with the graph the first ended with
        texts = ("".join(one), "".join(one))
    elif case == "an escaped IRI":
        texts = ("".join(one + two).replace(f"<{ART}g2> {LABEL}", f"<{ART}g\\u0032> {LABEL}"),)
    else:
        texts = ("".join(one + two + ['<https://w3id.org/pgkg/id/x> <http://schema.org/name> "x" '
                                      '<https://w3id.org/pgkg/graph/none> .\n']),)
    queried = []
    real = bulk._counts_by_query
    monkeypatch.setattr(bulk, "_counts_by_query", lambda store: queried.append(1) or real(store))
    kept = fast_load(tmp_path / "s", *texts)
    kept.pop("seq")
    assert queried == [1]
    assert kept == recount(tmp_path / "s")
    if case in ("a graph in two runs", "one graph's file twice"):
        assert kept["graphs"]["https://w3id.org/pgkg/graph/g1"][0] == 2


def test_a_run_that_goes_on_into_the_next_block_is_one_graph(tmp_path, monkeypatch, no_count_by_query):
    monkeypatch.setattr(bulk, "_BLOCK", 97)  # blocks end mid-line, mid-graph
    lines = [line for n in range(6) for line in article_lines(
        f"r{n}", *(f'<https://w3id.org/pgkg/id/person/p{n}-{k}> {LABEL} "person {k}"' for k in range(9)))]
    path = _write(tmp_path / "r.nq", "".join(lines))
    bulk.bulk_into_fresh_store(tmp_path / "s", (), fast=[bulk.NQuadsSource(str(path), path=path, trusted=True)])
    kept = contents(tmp_path / "s")[1]
    kept.pop("seq")
    no_count_by_query()
    assert kept == recount(tmp_path / "s")
    assert all(n == 10 for n, _ in kept["graphs"].values()) and kept["things_set"] == 60
