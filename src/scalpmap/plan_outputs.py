"""Every output of a plan: the simulation, the pictures, plan.json and the two reports.

The command line writes them into a folder (:func:`write_plan_outputs`); the web app stores the
same bytes. Making them (:func:`make_plan_outputs`) never touches the filesystem.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import json
import numpy as np
from numpy.typing import NDArray

from scalpmap.planning.plan import Plan
from scalpmap.planning.plan_json import plan_to_json
from scalpmap.planning.timeline import render_timeline_png
from scalpmap.reports import encode_png, html_to_pdf, render_removal_map, render_report_html
from scalpmap.reports import render_zones
from scalpmap.simulation import (
    check_simulation,
    side_by_side,
    simulate_after_laser,
    simulate_after_touch_up,
)

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
# Report pictures are downscaled to this width (the PNG files keep the photo's size).
REPORT_WIDTH_PX = 1400


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


def _report_picture(rgb: NDArray[np.uint8]) -> bytes:
    """Return a picture downscaled for a report, as PNG."""
    import cv2

    rows, cols = rgb.shape[:2]
    if cols > REPORT_WIDTH_PX:
        size = (REPORT_WIDTH_PX, max(1, round(rows * REPORT_WIDTH_PX / cols)))
        rgb = np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))
    return encode_png(rgb)


def make_plan_outputs(
    rgb: NDArray[np.uint8],
    plan: Plan,
    *,
    source: str | None = None,
    self_check: bool = False,
    pdf: bool = True,
    patient_label: str | None = None,
    clinic_name: str = "scalpmap clinic",
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
    clinic_name : str, optional
        The clinic's name in the reports' header.
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
    after_laser = simulate_after_laser(rgb, plan.analysis, plan.zones)
    panels = [rgb, after_laser]
    after_touch_up = None
    if not plan.total_removal:
        after_touch_up, _ = simulate_after_touch_up(
            after_laser, plan.analysis, plan.zones, plan.target
        )
        panels.append(after_touch_up)
    step("check")
    simulation: dict[str, Any] | None = None
    if self_check:
        simulation = check_simulation(
            plan.analysis, plan.zones, after_laser, after_touch_up
        ).to_json()
    step("pictures")
    files = {role: name for role, name in PICTURE_FILES.items()}
    if after_touch_up is None:
        files.pop("after_touch_up")
    files.update(REPORT_FILES if pdf else {k: REPORT_FILES[k] for k in REPORT_FILES if "html" in k})
    document = plan_to_json(plan, source=source, simulation=simulation, files=files)
    pictures = {
        "zones": encode_png(render_zones(rgb, document)),
        "removal_map": encode_png(render_removal_map(rgb, document)),
        "after_laser": encode_png(after_laser),
        "side_by_side": encode_png(side_by_side(*panels)),
        "timeline": render_timeline_png(plan.timeline),
    }
    if after_touch_up is not None:
        pictures["after_touch_up"] = encode_png(after_touch_up)
    step("reports")
    report_images = {
        "before": _report_picture(rgb),
        "after_laser": _report_picture(after_laser),
        "timeline": pictures["timeline"],
        "zones": pictures["zones"],
        "removal_map": pictures["removal_map"],
        "side_by_side": pictures["side_by_side"],
    }
    if after_touch_up is not None:
        report_images["after_touch_up"] = _report_picture(after_touch_up)
    reports: dict[str, bytes] = {}
    for audience in ("patient", "facility"):
        html = render_report_html(
            document,
            report_images,
            audience=audience,
            clinic_name=clinic_name,
            patient_label=patient_label,
        )
        reports[f"{audience}_html"] = html.encode("utf-8")
    if pdf:
        step("pdf")
        for audience in ("patient", "facility"):
            reports[f"{audience}_pdf"] = html_to_pdf(reports[f"{audience}_html"].decode("utf-8"))
    return PlanOutputs(document=document, pictures=pictures, reports=reports)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a file through a temporary name in the same folder, then rename it into place."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        _write_atomic(path, data)
        written[role] = path
    plan_path = out_dir / "plan.json"
    _write_atomic(plan_path, json.dumps(outputs.document, indent=1).encode("utf-8"))
    written["plan"] = plan_path
    return written
