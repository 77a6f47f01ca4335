"""Bulk work inside the web server without stopping it: the cyclic garbage collector paused.

Checking and importing a 40,000-row file makes hundreds of thousands of small objects that all
live until the import ends. CPython's collector then runs full collections over all of them;
each one stops every thread of the process (the server's event loop included) for up to a
second or two on a busy machine, so ``/healthz`` and every page would stall meanwhile. Inside
:func:`collection_paused` the automatic collections are off; reference counting still frees
almost everything, and the collector is switched back on as soon as the last bulk job leaves
(jobs in several threads are counted, so one finishing does not switch it on under another).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collection_paused"]

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the automatic garbage collection while a bulk job runs in this process.

    Yields
    ------
    None
        Inside the block no automatic collection runs.

    Examples
    --------
    >>> import gc
    >>> with collection_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()
