"""``scalpmap reanalyse`` and ``scalpmap jobs status`` on the queue, with real workers."""

from __future__ import annotations

from functools import partial

from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.store.models import AnalysisStatus

from .conftest import (
    analyses_of_photo,
    finished,
    jobs_settled,
    queue_rows,
    wait_for,
    worker_env,
)


def test_reanalyse_queues_every_photo_once_and_follows_the_workers(
    queue_settings, queue_photo, workers, monkeypatch
):
    data, _ = generate_scalp_jpeg(
        SynthOptions(seed=5, width_px=900, height_px=700, mm_per_px=0.035)
    )
    first = [queue_photo(data) for _ in range(2)]
    workers.start("--concurrency", "2")
    for analysis_id in first:
        wait_for("the first analyses", partial(finished, queue_settings, analysis_id), 120, 0.2)
    for name, value in worker_env(queue_settings).items():
        if name.startswith("SCALPMAP_"):
            monkeypatch.setenv(name, value)

    result = CliRunner().invoke(app, ["reanalyse"])
    assert result.exit_code == 0, result.output
    assert "queued 2 analysis(es) for the workers" in result.output
    assert "2 photo(s) analysed again: 2 done, 0 failed" in result.output
    for analysis_id in first:
        statuses = [row.status for row in analyses_of_photo(queue_settings, analysis_id)]
        assert statuses == [AnalysisStatus.DONE, AnalysisStatus.DONE]  # the old one kept
    assert queue_rows(queue_settings, "SELECT count(*) FROM procrastinate_jobs")[0][0] == 4

    workers.stop_all()  # nothing runs the next ones: they stay queued
    result = CliRunner().invoke(app, ["reanalyse", "--no-wait"])
    assert "queued 2 analysis(es) for the workers" in result.output
    again = CliRunner().invoke(app, ["reanalyse", "--no-wait"])
    assert again.exit_code == 0, again.output
    assert "2 photo(s) left alone: their analysis is under way" in again.output
    assert "no photo to analyse again" in again.output
    assert queue_rows(queue_settings, "SELECT count(*) FROM procrastinate_jobs")[0][0] == 6


def test_jobs_status_shows_the_queue_the_workers_and_the_analyses(
    queue_settings, queue_photo, workers, monkeypatch
):
    data, _ = generate_scalp_jpeg(
        SynthOptions(seed=5, width_px=900, height_px=700, mm_per_px=0.035)
    )
    for name, value in worker_env(queue_settings).items():
        if name.startswith("SCALPMAP_"):
            monkeypatch.setenv(name, value)
    first = queue_photo(data)
    waiting = CliRunner().invoke(app, ["jobs", "status"])
    assert waiting.exit_code == 0, waiting.output
    assert "jobs: 1 waiting, 0 running, 0 ended, 0 failed after their retries" in waiting.output
    assert "the oldest has waited" in waiting.output
    assert "workers: none running" in waiting.output
    assert "analyses: 1 pending, 0 running, 0 done, 0 failed" in waiting.output

    workers.start()
    wait_for("the analysis", partial(finished, queue_settings, first), 120, 0.2)
    wait_for("the job ends", partial(jobs_settled, queue_settings), 30, 0.1)
    after = CliRunner().invoke(app, ["jobs", "status"])
    assert "jobs: 0 waiting, 0 running, 1 ended" in after.output
    assert "workers: 1 (last heartbeat: #" in after.output
    assert "analyses: 0 pending, 0 running, 1 done, 0 failed" in after.output


def test_jobs_status_says_when_the_queue_does_not_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALPMAP_JOBS", "procrastinate")
    monkeypatch.setenv("SCALPMAP_JOBS_URL", "postgresql://postgres@127.0.0.1:1/queue")
    monkeypatch.delenv("SCALPMAP_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["jobs", "status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "the job queue's database is not answering" in result.output
    assert "Traceback" not in result.output
