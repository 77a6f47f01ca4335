"""Faults of the procrastinate queue with real worker processes on the real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import time
from functools import partial

import pytest

from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.store.models import AnalysisStatus
from scalpmap.store.photos import PhotoStore

from .conftest import (
    analyses_of_photo,
    analysis_row,
    finished,
    jobs_settled,
    queue_rows,
    wait_for,
)


@pytest.fixture(scope="module")
def slow_photo() -> bytes:
    """A 12 MP close-up with the marker: its analysis takes seconds, long enough to kill it."""
    data, _truth = generate_scalp_jpeg(
        SynthOptions(seed=9, width_px=4000, height_px=3000, mm_per_px=0.03)
    )
    return data


@pytest.fixture(scope="module")
def small_photo() -> bytes:
    data, _truth = generate_scalp_jpeg(
        SynthOptions(seed=5, width_px=900, height_px=700, mm_per_px=0.035)
    )
    return data


def status_of(settings, analysis_id):
    return analysis_row(settings, analysis_id).status


def test_a_worker_killed_mid_analysis_is_replaced_and_the_analysis_ends_done_once(
    queue_settings, queue_photo, workers, slow_photo
):
    analysis_id = queue_photo(slow_photo)
    first = workers.start()
    wait_for(
        "the first worker starts the analysis",
        lambda: status_of(queue_settings, analysis_id) == AnalysisStatus.RUNNING,
        timeout_s=120,
    )
    os.kill(first.pid, signal.SIGKILL)  # the worker alone, as the kernel's OOM killer would
    first.wait(timeout=10)
    killed_at = time.monotonic()
    assert status_of(queue_settings, analysis_id) == AnalysisStatus.RUNNING

    workers.start()
    row = wait_for(
        "the second worker finishes the analysis",
        lambda: finished(queue_settings, analysis_id),
        timeout_s=240,
        every_s=0.2,
    )
    assert row.status == AnalysisStatus.DONE, row.error_message
    assert row.document["summary"]["count"] > 0
    assert PhotoStore(queue_settings.photos_dir).exists(row.overlay_sha256)
    assert len(analyses_of_photo(queue_settings, analysis_id)) == 1

    wait_for("the job ends", partial(jobs_settled, queue_settings), 30, 0.1)
    jobs = queue_rows(
        queue_settings,
        "SELECT id, status, attempts FROM procrastinate_jobs WHERE lock = %s",
        f"analysis:{analysis_id}",
    )
    # one job, which ended at its second attempt (the first died with its worker)
    assert [(status, attempts) for _id, status, attempts in jobs] == [("succeeded", 2)]
    events = queue_rows(
        queue_settings,
        "SELECT type FROM procrastinate_events WHERE job_id = %s ORDER BY id",
        jobs[0][0],
    )
    kinds = [kind for (kind,) in events]
    assert kinds.count("started") == 2, kinds  # run by the killed worker, then again
    assert kinds.count("succeeded") == 1, kinds
    assert f"analysis {analysis_id} done" not in workers.log(0)
    assert workers.log(1).count(f"analysis {analysis_id} done") == 1
    assert "lost its worker" in workers.log(1)
    print(f"retried and done {time.monotonic() - killed_at:.1f} s after the kill")


def test_a_corrupt_photo_fails_for_good_with_its_reason_and_is_not_retried(
    queue_settings, queue_photo, workers, small_photo
):
    analysis_id = queue_photo(small_photo)
    store = PhotoStore(queue_settings.photos_dir)
    row = analysis_row(queue_settings, analysis_id)
    photo_path = _photo_path(queue_settings, row.photo_id, store)
    photo_path.chmod(0o600)
    photo_path.write_bytes(small_photo[: len(small_photo) // 3])  # damaged on disk

    workers.start()
    row = wait_for(
        "the analysis ends",
        lambda: finished(queue_settings, analysis_id),
        timeout_s=120,
        every_s=0.2,
    )
    assert row.status == AnalysisStatus.FAILED
    assert row.error_message and "\n" not in row.error_message
    assert "truncated" in row.error_message or "damaged" in row.error_message, row.error_message

    time.sleep(3)  # a watch cycle of the worker: nothing queues it again
    jobs = queue_rows(
        queue_settings,
        "SELECT status, attempts FROM procrastinate_jobs WHERE lock = %s",
        f"analysis:{analysis_id}",
    )
    assert jobs == [("succeeded", 1)]  # ended at its first attempt; the reason is on the row
    assert analysis_row(queue_settings, analysis_id).status == AnalysisStatus.FAILED


def _photo_path(settings, photo_id, store):
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.models import Photo

    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            photo = session.get(Photo, photo_id)
            assert photo is not None
            return store.path_for(photo.sha256)
    finally:
        engine.dispose()


def test_no_job_is_lost_when_the_database_drops_every_connection(
    queue_settings, queue_photo, workers, small_photo, slow_photo
):
    """As when PostgreSQL restarts mid-analysis: jobs queued before and after all end done."""
    before = [queue_photo(slow_photo), queue_photo(small_photo)]
    worker = workers.start()
    wait_for(
        "the worker analyses the first photo",
        lambda: status_of(queue_settings, before[0]) == AnalysisStatus.RUNNING,
        timeout_s=120,
    )
    dropped = queue_rows(
        queue_settings,
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )[0][0]
    assert dropped > 0  # the worker's connections are gone
    after = [queue_photo(small_photo) for _ in range(2)]
    for analysis_id in before + after:
        row = wait_for(
            f"analysis {analysis_id} ends", partial(finished, queue_settings, analysis_id), 180, 0.2
        )
        assert row.status == AnalysisStatus.DONE, row.error_message
    assert worker.poll() is None  # the same worker, still running
    wait_for("the jobs end", partial(jobs_settled, queue_settings), 30, 0.1)
    jobs = queue_rows(queue_settings, "SELECT status FROM procrastinate_jobs ORDER BY id")
    assert jobs == [("succeeded",)] * 4
