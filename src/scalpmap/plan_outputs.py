"""Every output of a plan: the simulation, the pictures, plan.json and the two reports.

The command line writes them into a folder (:func:`write_plan_outputs`); the web app stores the
same bytes. Making them (:func:`make_plan_outputs`) never touches the filesystem.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.json_text import dumps_readable
from scalpmap.planning.plan import Plan
from scalpmap.planning.plan_json import plan_to_json
from scalpmap.planning.timeline import render_timeline_png
from scalpmap.reports import (
    encode_jpeg,
    encode_png,
    html_to_pdf,
    render_removal_map,
    render_report_html,
    render_zones,
)
from scalpmap.reports.html import load_templates
from scalpmap.reports.images import MAX_EMBED_WIDTH_PX, downscale
from scalpmap.reports.output import write_atomic
from scalpmap.simulation import (
    check_simulation,
    side_by_side,
    simulate_after_laser,
    simulate_after_touch_up,
)
from scalpmap.simulation.framing import crop, scalp_frame

Progress = Callable[[str], None]

# The pictures, by role, and the file each is written to.
PICTURE_FILES = {
    "zones": "zones.png",
    "removal_map": "removal_map.png",
    "after_laser": "after_laser.png",
    "after_touch_up": "after_touch_up.png",
    "side_by_side": "side_by_side.png",
    "timeline": "timeline.png",
}
REPORT_FILES = {
    "patient_html": "plan.html",
    "facility_html": "facility.html",
    "patient_pdf": "plan.pdf",
    "facility_pdf": "facility.pdf",
}
# The simulation's PNGs are written at most this wide (a 12-megapixel photo's full-size PNGs
# take a second each to compress and tens of MB).
PICTURE_WIDTH_PX = 2400
ENCODING_THREADS = 2
WRITING_THREADS = 4


@dataclass(frozen=True)
class PlanOutputs:
    """What a plan produces, in memory.

    Attributes
    ----------
    document : dict
        plan.json.
    pictures : dict of str to bytes
        PNG files by role (see :data:`PICTURE_FILES`).
    reports : dict of str to bytes
        ``patient_html``, ``facility_html`` and, when made, ``patient_pdf`` and ``facility_pdf``.
    """

    document: dict[str, Any]
    pictures: dict[str, bytes] = field(default_factory=dict)
    reports: dict[str, bytes] = field(default_factory=dict)


def whole_factor_width(cols: int, limit: int) -> int:
    """Return the width of a picture shrunk by the smallest whole factor that fits ``limit``.

    Area averaging by a whole factor is OpenCV's fast path: a 12 MP photo shrinks to 2000 px in
    a few milliseconds, against 0.07 s to 2400 px.

    Parameters
    ----------
    cols : int
        The picture's width in pixels.
    limit : int
        The widest it may be.

    Returns
    -------
    int
        ``ceil(cols / k)`` with ``k = ceil(cols / limit)``; ``cols`` when it fits.

    Examples
    --------
    >>> [whole_factor_width(cols, 2400) for cols in (4000, 4032, 900)]
    [2000, 2016, 900]
    """
    return math.ceil(cols / max(1, math.ceil(cols / limit)))


def _picture(rgb: NDArray[np.uint8]) -> bytes:
    """Return a simulation picture as a PNG file at most :data:`PICTURE_WIDTH_PX` wide."""
    width = whole_factor_width(rgb.shape[1], PICTURE_WIDTH_PX)
    return encode_png(downscale(rgb, width), photographic=True)


def _chart_png(rgb: NDArray[np.uint8]) -> bytes:
    """Return a drawn picture (zones, removal map) as a PNG file."""
    return encode_png(rgb, photographic=True)


def _embed(rgb: NDArray[np.uint8]) -> bytes:
    """Return a photograph downscaled and JPEG-encoded for a report."""
    return encode_jpeg(downscale(rgb, whole_factor_width(rgb.shape[1], MAX_EMBED_WIDTH_PX)))


def _zone_pictures(
    pool: ThreadPoolExecutor, rgb: NDArray[np.uint8], document: dict[str, Any], plan: Plan
) -> tuple[dict[str, Future[bytes]], bytes]:
    """Draw the zones, the removal map and the timeline; queue the maps' encoding on ``pool``.

    Runs on one of the pool's threads while the caller's thread simulates. The three pictures
    are drawn one after the other on this thread (they share Pillow's fonts); encoding them
    (OpenCV releases the GIL) goes to the pool's other thread meanwhile.
    """
    zones_rgb = render_zones(rgb, document)
    queued = {"zones": pool.submit(_chart_png, zones_rgb)}
    removal_rgb = render_removal_map(rgb, document)
    queued["removal_map"] = pool.submit(_chart_png, removal_rgb)
    queued["embed:zones"] = pool.submit(_embed, zones_rgb)
    queued["embed:removal_map"] = pool.submit(_embed, removal_rgb)
    return queued, render_timeline_png(plan.timeline)


def _comparison(panels: list[NDArray[np.uint8]]) -> tuple[bytes, bytes]:
    """Put the panels side by side; return the picture's file and its report picture."""
    comparison = side_by_side(*panels)
    return _picture(comparison), _embed(comparison)


def make_plan_outputs(
    rgb: NDArray[np.uint8],
    plan: Plan,
    *,
    source: str | None = None,
    self_check: bool = False,
    pdf: bool = True,
    patient_label: str | None = None,
    clinic: ClinicIdentity | None = None,
    progress: Progress | None = None,
) -> PlanOutputs:
    """Simulate the result, draw the pictures and write plan.json and the reports, in memory.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo the plan was made on.
    plan : Plan
        The plan.
    source : str, optional
        The photo's file name, recorded in plan.json and the reports.
    self_check : bool, optional
        Re-analyse the simulated pictures and record the checks in plan.json (about twice the
        analysis time).
    pdf : bool, optional
        Also render the two PDFs.
    patient_label : str, optional
        A label shown in the reports' header (plan.json holds no patient name).
    clinic : ClinicIdentity, optional
        The clinic's name, logo and contact for the reports' header (none when not given).
    progress : callable, optional
        Called with the name of each step as it starts: ``simulation``, ``pictures``,
        ``check``, ``reports``, ``pdf``.

    Returns
    -------
    PlanOutputs
        The document, pictures and reports.
    """
    step = progress or (lambda _name: None)
    step("simulation")
    files = dict(PICTURE_FILES)
    if plan.total_removal:
        files.pop("after_touch_up")
    files.update({k: v for k, v in REPORT_FILES.items() if pdf or k.endswith("html")})
    # Both cores: the zone maps and the timeline need only the plan, so one thread draws them
    # and the other encodes them and compiles the report templates while this one simulates;
    # then both encode the simulation's pictures (OpenCV releases the GIL while encoding).
    with ThreadPoolExecutor(max_workers=ENCODING_THREADS) as pool:
        document = plan_to_json(plan, source=source, simulation=None, files=files)
        drawing = pool.submit(_zone_pictures, pool, rgb, document, plan)
        templates = pool.submit(load_templates)
        after_laser = simulate_after_laser(rgb, plan.analysis, plan.zones)
        panels = [rgb, after_laser]
        after_touch_up = None
        if not plan.total_removal:
            after_touch_up, _ = simulate_after_touch_up(
                after_laser, plan.analysis, plan.zones, plan.target
            )
            panels.append(after_touch_up)
        step("check")
        if self_check:
            simulation = check_simulation(
                plan.analysis, plan.zones, after_laser, after_touch_up
            ).to_json()
            document = plan_to_json(plan, source=source, simulation=simulation, files=files)
        step("pictures")
        # Whole heads: the reports' before and after pictures show the scalp, not the room.
        frame = scalp_frame(plan.analysis, plan.zones, plan.target)
        framed = {id(panel): crop(panel, frame) for panel in panels}  # each picture cut once
        comparison = pool.submit(_comparison, [framed[id(panel)] for panel in panels])
        queued = {
            "after_laser": pool.submit(_picture, after_laser),
            "embed:before": pool.submit(_embed, framed[id(rgb)]),
            "embed:after_laser": pool.submit(_embed, framed[id(after_laser)]),
        }
        # Nothing to add (e.g. template keep): the touch-up's picture is the laser's, encoded
        # once.
        same = after_touch_up is after_laser
        if after_touch_up is not None and not same:
            queued["after_touch_up"] = pool.submit(_picture, after_touch_up)
            queued["embed:after_touch_up"] = pool.submit(_embed, framed[id(after_touch_up)])
        maps, timeline_png = drawing.result()
        encoded = {role: future.result() for role, future in {**maps, **queued}.items()}
        encoded["side_by_side"], encoded["embed:side_by_side"] = comparison.result()
        templates.result()
    if same:
        encoded["after_touch_up"] = encoded["after_laser"]
        encoded["embed:after_touch_up"] = encoded["embed:after_laser"]
    step("reports")
    pictures = {role: encoded[role] for role in PICTURE_FILES if role in encoded}
    pictures["timeline"] = timeline_png
    report_images = {
        role.removeprefix("embed:"): data
        for role, data in encoded.items()
        if role.startswith("embed:")
    }
    report_images["timeline"] = timeline_png
    reports: dict[str, bytes] = {}
    for audience in ("patient", "facility"):
        html = render_report_html(
            document,
            report_images,
            audience=audience,
            clinic=clinic,
            patient_label=patient_label,
        )
        reports[f"{audience}_html"] = html.encode("utf-8")
    if pdf:
        step("pdf")
        for audience in ("patient", "facility"):
            reports[f"{audience}_pdf"] = html_to_pdf(reports[f"{audience}_html"].decode("utf-8"))
    return PlanOutputs(document=document, pictures=pictures, reports=reports)


def write_plan_outputs(out_dir: Path, outputs: PlanOutputs) -> dict[str, Path]:
    """Write plan.json, the pictures and the reports into a folder, each file atomically.

    Parameters
    ----------
    out_dir : Path
        The folder; created when missing.
    outputs : PlanOutputs
        What to write.

    Returns
    -------
    dict of str to Path
        The files written, by role (``plan`` for plan.json).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {**PICTURE_FILES, **REPORT_FILES}
    files = {**outputs.pictures, **outputs.reports}
    written = {role: out_dir / names[role] for role in files}
    # Each file waits for its fsync: a few at a time (0.045 -> 0.015 s for a plan's ten files),
    # plan.json last, so that it appears once the files it lists are there.
    with ThreadPoolExecutor(max_workers=WRITING_THREADS) as pool:
        jobs = [pool.submit(write_atomic, written[role], data) for role, data in files.items()]
        plan_json = dumps_readable(outputs.document).encode("utf-8")
        for job in jobs:
            job.result()
    written["plan"] = out_dir / "plan.json"
    write_atomic(written["plan"], plan_json)
    return written
