"""What the first use of a new store version computes, computed by ``kg load`` instead.

After a load the store is a new version: the first ``kg query --cq`` of each CQ that keeps its
answer (kg.store.answers) would evaluate it whole (5-11 s at 20,000 articles, 27-70 s at
100,000), and kg serve would build its search index (68 s at 100,000 articles, answering 503
meanwhile), sort every index by label and count the index members on its first start. The
loading process does both at its end, once the store is complete and closed: the kept answers in
the store's own kg-answers/ folder, the rest into the cache folder and under the store version kg
serve then looks for (kg.publish.catalogue: kept_counts_file, its ``.search`` beside it), with the
same code the first query or kg serve would run, so they read them back. VoID's things count and
examples are kept in the store itself by the load (kg.store.counts), atomically with the data.

It changes nothing in the store (read-only) and never fails a load: the load is complete before
this runs, and on any error the first query or kg serve simply computes the same. Small stores
(under PREPARE_TRIPLES) are left to their first use, which takes a second or two, and so is a
load that wrote little of the store (a reload of a few articles: PREPARE_WRITTEN), whose 0.2 s
would become 15 s at 20,000 articles; the kept answers follow such a load themselves (their
upkeep, kg.store.answers.Keeper.finish). ``kg load --no-prepare`` leaves it all to first use.
"""

from __future__ import annotations

import sys
from pathlib import Path

PREPARE_TRIPLES = 1_000_000  # the size from which kg serve builds the search index in a child (~1,500 articles)
# the share of the store's bytes a load must have written: preparing costs about a twentieth of a
# bulk load's CPU (15 s at 20,000 articles), which a reload of a few articles (0.2 s) should not pay
PREPARE_WRITTEN = 0.25


def before_load(location: str | Path | None) -> int:
    """When the load starts (ns): what ``after_load`` counts as written since (the store's files)."""
    import time

    return time.time_ns()


def after_load(location: str | Path | None, since: int | None = None) -> bool:
    """Prepare the CQs' kept answers and kg serve's kept data for the embedded store at ``location``
    (None: the default store) as it is now; True when written. ``since`` (before_load): only when the load wrote at
    least PREPARE_WRITTEN of the store's bytes (a bulk load into a fresh store: all of them); a
    small reload leaves the work to kg serve. Quiet: a line on stderr only when something failed."""
    try:
        if since is not None and _written_share(location, since) < PREPARE_WRITTEN:
            return False
        return _prepare(location)
    except Exception as err:  # noqa: BLE001 -- the load is done; kg serve computes the same later
        print(f"kg load: the store is loaded; the CQs' kept answers or kg serve's search index were not prepared "
              f"({type(err).__name__}: {err}); the first query and kg serve's first start make them", file=sys.stderr)
        return False


def _written_share(location: str | Path | None, since: int) -> float:
    """The share of the store folder's bytes in files written after ``since`` (ns)."""
    import os

    from kg.store import default_location

    folder = Path(location) if location else default_location()
    written = total = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0.0
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                total += info.st_size
                written += info.st_size if info.st_mtime_ns >= since else 0
        except OSError:
            continue
    return written / total if total else 0.0


def _prepare(location: str | Path | None) -> bool:
    import json
    import os

    from kg.publish.catalogue import kept_counts_file, kept_search_file, preparing_file
    from kg.publish.server import open_read_only
    from kg.publish.site import Site, expand
    from kg.store import counts as kept
    from kg.store import default_location
    from kg.store.changes import store_generation

    folder = Path(location) if location else default_location()
    if not (folder / "CURRENT").is_file():  # no store (the load wrote elsewhere, or nothing)
        return False
    store = open_read_only(folder)
    found = kept.read(store)
    if found is None or found.triples < PREPARE_TRIPLES:
        return False
    version = list(store_generation(str(folder)))
    _keep_answers(folder, found)
    site = Site(store)
    site.keep_counts(kept_counts_file(folder), version)  # no location: the index is built here, not in a child
    site.catalogue.hold_writes()
    # what kg serve's warm-up computes (kg.publish.app.LinkedDataApp._warm_up), in its order
    site.triple_count(), site.graph_count()
    for index in site.indexes:
        len(index["members"]), index["members"][:1]
    from kg.publish import dataset

    dataset.void_triples(site)
    site.catalogue.flush_kept()
    # a kg serve following this store waits for this index rather than build it too (wait_for_preparer)
    index_file = kept_search_file(kept_counts_file(folder))
    marker = preparing_file(index_file)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"version": version, "pid": os.getpid()}), encoding="utf-8")
        site.catalogue.search_index(expand)
    finally:
        marker.unlink(missing_ok=True)
    del site, store
    return list(store_generation(str(folder))) == version  # else a writer came in between: kept for nothing


def _keep_answers(folder: Path, counts) -> None:
    """Every shipped CQ's kept answer for this store version (kg.store.answers), each evaluated in
    a child process of its own, one after the other: the query engine's memory for one answer
    (3.1 GB for the timeline CQ at 100,000 articles) goes back to the system when its child ends.
    Evaluated in this process one after the other they peaked at 5.3 GB (memory the allocator
    kept), two at once at 6.8 GB. On a store of 20 M triples or more each runs in batches of keys
    (kg.store.answers.whole_rows: 445 MB at most at 100,000 articles). A child that fails leaves its
    CQ to the first query."""
    import multiprocessing

    from kg.store import answers

    keeper = answers.Keeper(folder)
    try:
        token = answers.token_of(counts)
        wanted = [plan.name for plan in answers.shipped_plans() if keeper.kept_token(plan) != token]
    finally:
        keeper.close()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no store handle or thread inherited
    for name in wanted:
        child = context.Process(target=_keep_one, args=(str(folder), name), name=f"kg-keep-{name}")
        child.start()
        child.join()


def _keep_one(folder: str, name: str) -> None:
    """In a child process: the CQ ``name``'s kept answer for the store at ``folder`` as it is now."""
    from kg.publish.server import open_read_only
    from kg.store import answers
    from kg.store import counts as kept

    keeper = answers.Keeper(folder)
    try:
        store = open_read_only(folder)
        for plan in answers.shipped_plans():
            if plan.name == name:
                keeper.keep(store, plan, kept.read(store))
    except Exception as err:  # noqa: BLE001 -- the load is done: one line, and the first query makes it
        print(f"kg load: the store is loaded; the kept answer of CQ {name} was not made ({type(err).__name__}: "
              f"{err}); its first query makes it", file=sys.stderr)
    finally:
        keeper.close()
