"""Bulk jobs pause the garbage collector until the last of them ends."""

from __future__ import annotations

import gc
import threading

import pytest

from scalpmap.services._bulk import collection_paused


def test_the_collector_is_back_only_when_the_last_job_ends() -> None:
    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_job() -> None:
        with collection_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=other_job)
    worker.start()
    inside.wait(10)
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other job still runs
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_an_error_inside_still_switches_it_back() -> None:
    with pytest.raises(ValueError), collection_paused():
        raise ValueError("bad row")
    assert gc.isenabled()
