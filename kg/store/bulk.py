"""Loads into an empty embedded store at bulk speed, still all or nothing.

Oxigraph's bulk loader (``Store.bulk_extend``) writes sorted files straight into RocksDB, several
times faster than a transaction, but it is not atomic: a crash half-way leaves half the data. So a
load into an empty store goes into a fresh store in a sibling folder, and only a complete one takes
the place of the empty one (two renames in the same parent folder). A failure removes the fresh
folder and leaves the empty store as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError

if TYPE_CHECKING:
    from kg.store.sources import GraphUnit

# Below this a transaction is as quick as building a second store and swapping folders.
BULK_MIN_QUADS = 50_000


def bulk_into_fresh_store(location: Path, units: Sequence[GraphUnit]) -> None:
    """Write ``units`` (and their union as the default graph) into a fresh store, then swap it in."""
    import pyoxigraph as ox

    fresh = location.with_name(f".{location.name}.bulk-{os.getpid()}")
    retired = location.with_name(f".{location.name}.old-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        store = ox.Store(str(fresh))
        store.bulk_extend(_quads(units))
        store.flush()
        del store  # closes RocksDB before the folder moves
        os.rename(location, retired)
        try:
            os.rename(fresh, location)
        except OSError:
            os.rename(retired, location)
            raise
    except OSError as err:
        shutil.rmtree(fresh, ignore_errors=True)
        raise KgError(f"{location}: cannot write to the store ({err})") from None
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _quads(units: Sequence[GraphUnit]):
    """Every unit's quads in its graph, each with its copy in the default graph.

    A triple several articles share is handed over once per article: the bulk loader writes each
    key once (RocksDB keys are the quads), so the default graph holds it once without kg keeping
    a set of every triple in Python.
    """
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    for unit in units:
        graph = ox.NamedNode(unit.graph)
        for t in unit.triples:
            yield ox.Quad(t.subject, t.predicate, t.object, graph)
            yield ox.Quad(t.subject, t.predicate, t.object, default)
