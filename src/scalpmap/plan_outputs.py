"""Every output of a plan: the simulation, the pictures, plan.json and the two reports.

The command line writes them into a folder (:func:`write_plan_outputs`); the web app stores the
same bytes. Making them (:func:`make_plan_outputs`) never touches the filesystem.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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


def _zone_maps(
    rgb: NDArray[np.uint8], document: dict[str, Any]
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Draw the zones (patient) and the removal map (facility) from plan.json."""
    return render_zones(rgb, document), render_removal_map(rgb, document)


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
    # Both cores: the zone maps need only the plan, so a thread draws them (one after the
    # other: they share Pillow's fonts) while the simulation runs; then two threads encode the
    # files and the report pictures (OpenCV releases the GIL while encoding) while the timeline
    # chart is drawn.
    with ThreadPoolExecutor(max_workers=ENCODING_THREADS) as pool:
        document = plan_to_json(plan, source=source, simulation=None, files=files)
        maps_job = pool.submit(_zone_maps, rgb, document)
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
        comparison = side_by_side(*(crop(panel, frame) for panel in panels))
        zones_rgb, removal_rgb = maps_job.result()
        jobs: dict[str, tuple[Callable[[NDArray[np.uint8]], bytes], NDArray[np.uint8]]] = {
            "zones": (_chart_png, zones_rgb),
            "removal_map": (_chart_png, removal_rgb),
            "after_laser": (_picture, after_laser),
            "side_by_side": (_picture, comparison),
            "embed:before": (_embed, crop(rgb, frame)),
            "embed:after_laser": (_embed, crop(after_laser, frame)),
            "embed:zones": (_embed, zones_rgb),
            "embed:removal_map": (_embed, removal_rgb),
            "embed:side_by_side": (_embed, comparison),
        }
        # Nothing to add (e.g. template keep): the touch-up's picture is the laser's, encoded
        # once.
        same = after_touch_up is after_laser
        if after_touch_up is not None and not same:
            jobs["after_touch_up"] = (_picture, after_touch_up)
            jobs["embed:after_touch_up"] = (_embed, crop(after_touch_up, frame))
        futures = {role: pool.submit(encode, picture) for role, (encode, picture) in jobs.items()}
        timeline_png = render_timeline_png(plan.timeline)
        encoded = {role: future.result() for role, future in futures.items()}
    if same:
        encoded["after_touch_up"] = encoded["after_laser"]
        encoded["embed:after_touch_up"] = encoded["embed:after_laser"]
    step("reports")
    pictures = {role: data for role, data in encoded.items() if not role.startswith("embed:")}
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
    written: dict[str, Path] = {}
    names = {**PICTURE_FILES, **REPORT_FILES}
    for role, data in (*outputs.pictures.items(), *outputs.reports.items()):
        path = out_dir / names[role]
        write_atomic(path, data)
        written[role] = path
    plan_path = out_dir / "plan.json"
    write_atomic(plan_path, dumps_readable(outputs.document).encode("utf-8"))
    written["plan"] = plan_path
    return written
