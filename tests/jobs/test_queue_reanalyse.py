"""``scalpmap reanalyse`` on the queue: queued in one go, run by the workers, progress followed."""

from __future__ import annotations

from functools import partial

from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.store.models import AnalysisStatus

from .conftest import analyses_of_photo, finished, queue_rows, wait_for, worker_env


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
