"""Speed of a clearance check: how long the clinic waits while a follow-up photo is measured.

The goal: :func:`scalpmap.services.clearance.measure_clearance` answers in under 5 s on a
12-megapixel follow-up. Written to the ``followup-speed`` section of ``docs/benchmarks.md``:

1. A temporary data directory with a SQLite database and photo store is set up through the
   services, as the web app would: a practitioner, a consenting patient and a case; the
   synthetic close-up ``SynthOptions(seed=7, width_px=4000, height_px=3000)`` added as the
   case's photo (PNG, lossless) and analysed (scale from its printed marker); a ``mature``
   plan (age 35, skin type 3) saved from that analysis; a facility, a referral dated
   ``REFERRED_DAYS_AGO`` days ago and a laser session ``LASER_DAYS_AGO`` days ago.
2. A follow-up is made with :func:`scalpmap.tracking.synth_followup.make_followup` from the
   baseline and its stored analysis (``erase_share=0.5, fade_share=0.2, seed=1``: half of the
   plan's removal zone's impressions erased, a fifth faded, then the camera moved and the light
   changed), encoded as JPEG quality 92, as a phone would send it, added to the case and
   attached to the laser session.
3. ``measure_clearance(session, store, laser_id, actor)`` is timed ``RUNS`` times after one
   warm-up (each call replaces the previous check): the whole call, i.e. reading the records,
   decoding both photos, registering, comparing the impressions, drawing and encoding the
   overlay, and saving the check. The check's clearance and registration residual are reported
   with the true clearance (:attr:`FollowupTruth.clearance_percent`).
4. ``progress_report(session, store, case_id, actor, pdf=True)`` (HTML, chart and PDF) is timed
   ``REPORTS`` times.

Everything runs on at most 2 cores, as in ``bench_speed.py``.
"""

from __future__ import annotations

import os

# Limit the thread pools to 2 cores before numpy and OpenCV start them (CORES below).
os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"

import argparse
import datetime as dt
import io
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from scalpmap.config import get_settings
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.plan import PlanOptions
from scalpmap.services import (
    analyses,
    cases,
    patients,
    photos,
    plan_design,
    referrals,
    users,
)
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.clearance import measure_clearance
from scalpmap.services.progress import progress_report
from scalpmap.services.sample_case import add_sample_facility, log_sample_laser_session
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import AnalysisStatus, CaseReason, Role, utcnow
from scalpmap.store.photos import PhotoStore
from scalpmap.tracking.plan_facts import plan_facts
from scalpmap.tracking.synth_followup import FollowupOptions, make_followup

CORES = int(os.environ["OMP_NUM_THREADS"])
cv2.setNumThreads(CORES)

SECTION = "followup-speed"
SEED, WIDTH_PX, HEIGHT_PX = 7, 4000, 3000
AGE, SKIN_TYPE = 35, 3
ERASE_SHARE, FADE_SHARE, FOLLOWUP_SEED = 0.5, 0.2, 1
JPEG_QUALITY = 92
REFERRED_DAYS_AGO, LASER_DAYS_AGO = 60, 30
RUNS = 5
REPORTS = 3
GOAL_S = 5.0


def limit_affinity() -> tuple[int, int]:
    """Restrict this process to ``CORES`` CPUs; return the CPUs usable before and after."""
    if not hasattr(os, "sched_getaffinity"):
        return 0, 0
    available = sorted(os.sched_getaffinity(0))
    if len(available) > CORES:
        os.sched_setaffinity(0, available[:CORES])
    return len(available), len(os.sched_getaffinity(0))


def encode(rgb: NDArray[np.uint8], fmt: str) -> bytes:
    """Encode a picture as lossless PNG (``"png"``) or JPEG quality ``JPEG_QUALITY``."""
    buffer = io.BytesIO()
    if fmt == "png":
        Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    else:
        Image.fromarray(rgb).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def run(data_dir: Path) -> dict[str, Any]:
    """Set up the case in ``data_dir``, then time the clearance checks and the reports."""
    settings = get_settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bench.db'}")
    engine = create_engine_for(settings)
    ensure_schema(engine)
    store = PhotoStore(settings.photos_dir)
    today = utcnow().date()
    referred = today - dt.timedelta(days=REFERRED_DAYS_AGO)
    options = SynthOptions(seed=SEED, width_px=WIDTH_PX, height_px=HEIGHT_PX)
    rgb, synth_truth = generate_scalp_photo(options)
    try:
        with make_session_factory(engine)() as session:
            actor = users.create_user(
                session, "bench@clinic.example", "benchmark password", Role.PRACTITIONER
            )
            details = patients.PatientCreate(full_name="Bench Patient", fitzpatrick_type=SKIN_TYPE)
            person = patients.create_patient(session, details, actor)
            patients.record_consent(session, person.id, "treatment and referral", actor)
            case = cases.open_case(session, person.id, CaseReason.REPOSITION, actor)
            baseline_bytes = encode(rgb, "png")
            photo = photos.add_photo(session, store, baseline_bytes, case_id=case.id, actor=actor)
            started = time.perf_counter()
            row = analyses.run_analysis(
                session, store, analyses.request_analysis(session, photo.id, actor).id
            )
            scale_source = "the printed marker"
            if row.status != AnalysisStatus.DONE:  # no marker found: the generator's scale
                print(f"analysis without a scale ({row.error_message}); given the true scale")
                pending = analyses.request_analysis(
                    session, photo.id, actor, mm_per_px=synth_truth.mm_per_px
                )
                row = analyses.run_analysis(session, store, pending.id)
                scale_source = "the generator (no marker found)"
            analysis_s = time.perf_counter() - started
            assert row.status == AnalysisStatus.DONE and row.document is not None, row.error_message
            plan = plan_design.save_design(
                session,
                store,
                row.id,
                case_id=case.id,
                actor=actor,
                options=PlanOptions(template="mature", age=AGE, skin_type=SKIN_TYPE),
                today=referred - dt.timedelta(days=7),
            )
            facility = add_sample_facility(session, actor, name="Bench Laser")
            referrals.create_referral(session, case.id, facility.id, actor, referred_on=referred)
            laser = log_sample_laser_session(
                session,
                case.id,
                actor,
                session_date=today - dt.timedelta(days=LASER_DAYS_AGO),
                facility_id=facility.id,
            )
            baseline = analysis_from_json(row.document)
            removal = plan_facts(plan.document).removal
            follow = FollowupOptions(
                seed=FOLLOWUP_SEED, erase_share=ERASE_SHARE, fade_share=FADE_SHARE
            )
            picture, truth = make_followup(rgb, baseline, removal, follow)
            follow_bytes = encode(picture, "jpeg")
            follow_photo = photos.add_photo(
                session, store, follow_bytes, case_id=case.id, actor=actor
            )
            ts.attach_follow_up_photo(session, "laser", laser.id, follow_photo.id, actor)

            measure_clearance(session, store, laser.id, actor)  # warm-up
            times = []
            for number in range(1, RUNS + 1):
                started = time.perf_counter()
                check = measure_clearance(session, store, laser.id, actor)
                times.append(time.perf_counter() - started)
                print(f"check {number}: {times[-1]:.2f} s, {check.percent} % clear")
            report_times = []
            for _ in range(REPORTS):
                started = time.perf_counter()
                report = progress_report(session, store, case.id, actor, pdf=True)
                report_times.append(time.perf_counter() - started)
            print(f"progress report: median {statistics.median(report_times):.2f} s")
            return {
                "times": times,
                "report_times": report_times,
                "report_pdf_bytes": len(report.pdf or b""),
                "analysis_s": analysis_s,
                "mm_per_px": baseline.scale.mm_per_px,
                "scale_source": scale_source,
                "impressions": baseline.impressions.count,
                "removal_in_view": int((truth.in_removal & truth.in_view).sum()),
                "baseline_bytes": len(baseline_bytes),
                "follow_bytes": len(follow_bytes),
                "measured": check.measured,
                "reason": check.reason,
                "percent": check.percent,
                "residual_mm": check.residual_mm,
                "recommendation": check.recommendation,
                "next_laser_on": check.next_laser_on,
                "true_percent": truth.clearance_percent,
            }
    finally:
        engine.dispose()


def advice(facts: dict[str, Any]) -> str:
    """Return the check's advice in a few words, e.g. "another laser session from 2027-01-01"."""
    if facts["recommendation"] is None:
        return f"none ({facts['reason']})"
    when = facts["next_laser_on"]
    words = str(facts["recommendation"]).replace("_", " ")
    return f"{words} from {when.isoformat()}" if when is not None else words


def render(facts: dict[str, Any]) -> str:
    """Render the report section."""
    seconds = np.asarray(facts["times"])
    median, p95 = float(np.median(seconds)), float(np.percentile(seconds, 95))
    percent, true = facts["percent"], facts["true_percent"]
    measured = "not measured" if percent is None else f"{percent:.1f} %"
    truth = "n/a" if true is None else f"{true:.1f} %"
    residual = "n/a" if facts["residual_mm"] is None else f"{facts['residual_mm']:.3f} mm"
    header = ["Step", "Runs", "Median", "p95", "max", f"Goal: p95 < {GOAL_S:g} s"]
    rows = [
        [
            "`measure_clearance` (12 MP follow-up)",
            str(len(seconds)),
            f"{median:.2f} s",
            f"{p95:.2f} s",
            f"{seconds.max():.2f} s",
            "pass" if p95 < GOAL_S else "**FAIL**",
        ],
        [
            "`progress_report(..., pdf=True)`",
            str(len(facts["report_times"])),
            f"{statistics.median(facts['report_times']):.2f} s",
            "",
            f"{max(facts['report_times']):.2f} s",
            "",
        ],
    ]
    check = markdown_table(
        ["Check", "Measured clearance", "True clearance", "Registration residual", "Advice"],
        [
            [
                "follow-up of the laser session",
                measured,
                truth,
                residual,
                advice(facts),
            ]
        ],
    )
    return "\n".join(
        [
            "## Clearance check: time to measure a follow-up photo",
            "",
            "Reproduce with:",
            "",
            "```sh",
            ".venv/bin/python benchmarks/bench_followup.py",
            "```",
            "",
            "How long the clinic waits when a laser session's follow-up photo is measured. In a "
            "temporary SQLite data directory a case is set up through the services: the "
            f"synthetic close-up `SynthOptions(seed={SEED}, width_px={WIDTH_PX}, "
            f"height_px={HEIGHT_PX})` ({WIDTH_PX * HEIGHT_PX / 1e6:.0f} megapixels, "
            f"{facts['baseline_bytes'] / 2**20:.1f} MiB PNG) as the baseline photo, analysed "
            f"({facts['mm_per_px']:.4f} mm/px, scale from {facts['scale_source']}, "
            f"{facts['impressions']:,} impressions, {facts['analysis_s']:.1f} s), a saved "
            f"`mature` plan (age {AGE}, skin type {SKIN_TYPE}), a referral "
            f"{REFERRED_DAYS_AGO} days ago and a laser session {LASER_DAYS_AGO} days ago. Its "
            "follow-up is `make_followup(erase_share="
            f"{ERASE_SHARE:g}, fade_share={FADE_SHARE:g}, seed={FOLLOWUP_SEED})` of the "
            "baseline (half of the removal zone's impressions erased, a fifth faded, the camera "
            f"moved and the light changed), sent as JPEG quality {JPEG_QUALITY} "
            f"({facts['follow_bytes'] / 2**20:.1f} MiB) and attached to the session. "
            f"*measure_clearance*: the whole service call, {RUNS} runs after one warm-up, each "
            "replacing the previous check: reading the records, decoding both photos, "
            "registering, comparing the impressions, drawing the overlay and saving the check. "
            f"*progress_report*: the case's HTML report, chart and PDF, {REPORTS} runs.",
            "",
            f"- Finished {facts['finished']}; load average (1 min) {facts['load'][0]:.2f} before, "
            f"{facts['load'][1]:.2f} after.",
            *machine_lines(),
            f"- Limited to {CORES} cores: `OMP_NUM_THREADS={CORES}` (and the BLAS equivalents), "
            f"`cv2.setNumThreads({CORES})`; CPU affinity {facts['affinity'][0]} CPUs available, "
            f"{facts['affinity'][1]} used.",
            "",
            markdown_table(header, rows),
            "",
            "What the last check found. *True clearance*: the erased and below-threshold faded "
            f"share of the {facts['removal_in_view']:,} removal-zone impressions in the "
            "follow-up's view, from `make_followup`'s truth. *Registration residual*: the RMS "
            "distance, in baseline mm, of the impressions paired after registration.",
            "",
            check,
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update")
    args = parser.parse_args(argv)
    affinity = limit_affinity()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="scalpmap-bench-") as data_dir:
        facts = run(Path(data_dir))
    facts["finished"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts["load"] = (load_before, os.getloadavg()[0])
    facts["affinity"] = affinity
    replace_section(Path(args.out), SECTION, render(facts))
    print(f"report section '{SECTION}' written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
