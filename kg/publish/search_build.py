"""Build a store's search index in a child process (``kg serve`` on a big store, first start on a
new store version): the label scans, folding and sorting (16-30 s of CPU at 20,000 articles) then
run at low priority on another core instead of holding the server's interpreter lock while pages
are asked for; the server reads the file the child writes (kg.publish.catalogue.SearchIndex).

    python -m kg.publish.search_build STORE_FOLDER INDEX_FILE VERSION_JSON

The child writes nothing when the store's version changed while it read it (a ``kg load`` ran):
an index is only ever filed under the version it was built from. Exit status 0 when written.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

NICENESS = 10


def main(argv: list[str]) -> int:
    from kg.publish.catalogue import Catalogue
    from kg.publish.server import open_read_only
    from kg.publish.site import expand
    from kg.store.changes import store_generation

    location, path, version = argv[0], Path(argv[1]), json.loads(argv[2])
    with contextlib.suppress(OSError):  # may not lower priority: still correct, only less polite
        os.nice(NICENESS)
    if list(store_generation(location)) != version:
        return 3
    # the index kept for an earlier version patched when the store says what changed since (kg.store.changes)
    index = Catalogue(open_read_only(location), version=version, location=location).build_search(expand, path)
    if list(store_generation(location)) != version:
        return 3
    index.write(path, version)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
