"""Bulk work: many small, short-lived objects made and dropped as fast as Python can."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausers = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one bounded piece of bulk work.

    Reading one batch of a roster makes hundreds of thousands of small tuples, lists and dicts,
    all freed by reference counting (they hold no cycles). Each burst of allocations makes the
    collector walk every live object of the process again (the app, SQLAlchemy, the batch):
    a quarter of the time of a 100,000-row export. Pauses may nest or overlap in threads; the
    collector comes back when the last one ends, if it was on when the first began.

    The collector is one per process: in a threaded worker, other requests run without it while
    a batch is read (a second or so), and collect their cycles once it is back. Keep the work
    inside short and bounded; never yield or wait for a client inside.
    """
    global _pausers, _was_enabled
    with _lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()
