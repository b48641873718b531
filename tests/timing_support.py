"""CPU seconds of a call, for the tests that check a recogniser runs in linear time."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def best_cpu_seconds(call: Callable, *, repeat: int = 2, fresh: Callable[[], tuple] | None = None) -> float:
    """The least CPU time of ``repeat`` runs of ``call`` (given ``fresh()``'s arguments, made anew
    before each run and not timed). The cyclic collector is off while a run is timed: a full
    collection walks every object the test session holds, which has nothing to do with the input's
    size (it once made a doubled input look 3.8 times as slow)."""
    best = float("inf")
    for _ in range(repeat):
        args = fresh() if fresh is not None else ()
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            call(*args)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best
