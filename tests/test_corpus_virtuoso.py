"""docs/corpus.md's recipe from shards to Virtuoso's bulk loader, run as written against a real
Virtuoso 7: ``kg export DIR -o corpus.nq.gz`` shards, ld_dir + rdf_loader_run through isql, and
every article's graph holding exactly the triples its shard block has."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest_servers import start_virtuoso, stop

from kg.cli import main

pytestmark = [pytest.mark.virtuoso, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "corpus.md"
GRAPHS = "https://w3id.org/pgkg/graph/"


def documented_recipe() -> str:
    """The ```sql block of the Virtuoso section of docs/corpus.md (the test runs what users read)."""
    section = DOC.read_text(encoding="utf-8").split("### Shards into Virtuoso's bulk loader", 1)[1]
    block = re.search(r"```sql\n(.*?)```", section, re.S)
    assert block, "docs/corpus.md lost its Virtuoso recipe"
    return "\n".join(line.strip() for line in block.group(1).splitlines()) + "\n"


def isql_binary() -> str:
    found = shutil.which("isql-vt") or shutil.which("isql")
    if not found:
        pytest.skip("Virtuoso's isql is not installed (virtuoso-opensource ships isql-vt)")
    return found


def quads_per_graph(folder: Path) -> Counter:
    counts: Counter = Counter()
    for shard in sorted(folder.glob("corpus-*.nq.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as handle:
            for line in handle:
                counts[line.rstrip(" .\n").rsplit(" ", 1)[1].strip("<>")] += 1
    return counts


def sparql(endpoint: str, query: str) -> list[dict]:
    url = f"{endpoint}?{urllib.parse.urlencode({'query': query, 'format': 'application/sparql-results+json'})}"
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.load(answer)["results"]["bindings"]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    folder = tmp_path_factory.mktemp("virtuoso-bulk")
    server = start_virtuoso(folder, max_rows=10000)
    yield folder, server
    stop(server.process)


def test_documented_recipe_loads_kg_shards_into_virtuoso(virtuoso, tmp_path):
    folder, server = virtuoso
    sys.path.insert(0, str(ROOT / "bench"))
    from generate_corpus import generate_corpus

    generate_corpus(tmp_path / "corpus", 8, seed=7, bad=1)
    shutil.copy(ROOT / "data" / "articles" / "seed.txt", tmp_path / "corpus" / "seed.txt")
    # The shard folder inside the server's working folder: the packaged ini's DirsAllowed has "."
    # (its copy in this test's folder), so Virtuoso may read it.
    shards = folder / "shards"
    result = CliRunner().invoke(main, ["export", "-q", str(tmp_path / "corpus"), "-o", str(shards / "corpus.nq.gz"),
                                       "--shard-size", "2000", "--jobs", "1"])
    assert result.exit_code == 1, result.output  # the broken file is reported and left out
    expected = quads_per_graph(shards)
    assert len(expected) == 9 and len(list(shards.glob("corpus-*.nq.gz"))) > 2

    script = tmp_path / "load.sql"
    script.write_text(documented_recipe().replace("'/data/out'", f"'{shards}'"), encoding="utf-8")
    ini = (folder / "virtuoso.ini").read_text()
    sql_port = re.search(r"(?ms)^\[Parameters\].*?^ServerPort\s*=\s*(\S+)", ini).group(1)
    run = subprocess.run([isql_binary(), sql_port, server.user, server.password, str(script)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "Error" not in run.stdout + run.stderr, run.stdout + run.stderr

    loaded = sparql(server.url, f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                                f"FILTER(STRSTARTS(STR(?g), \"{GRAPHS}\")) }} GROUP BY ?g")
    assert {row["g"]["value"]: int(row["n"]["value"]) for row in loaded} == dict(expected)
    assert "0 Rows." in run.stdout, run.stdout  # the recipe's last query: no shard failed
