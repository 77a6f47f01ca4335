"""Write both reports, HTML and PDF, into a folder atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.reports.html import Audience, render_report_html
from scalpmap.reports.images import prepare_images
from scalpmap.reports.pdf import html_to_pdf

AUDIENCES: tuple[Audience, ...] = ("patient", "facility")
FILE_NAMES = {
    "patient_html": "plan.html",
    "facility_html": "facility.html",
    "patient_pdf": "plan.pdf",
    "facility_pdf": "facility.pdf",
}


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A reader sees the old file or the whole new one, never a partial write, even on a crash.

    Parameters
    ----------
    path : Path
        The file.
    data : bytes
        Its new content.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_reports(
    out_dir: str | Path,
    document: Mapping[str, Any],
    images: Mapping[str, bytes],
    *,
    pdf: bool = True,
    clinic: ClinicIdentity | None = None,
    patient_label: str | None = None,
) -> dict[str, Path]:
    """Write the patient's plan and the facility's summary as HTML (and PDF) files.

    Parameters
    ----------
    out_dir : str or Path
        The folder (created when missing).
    document : mapping
        The plan.json document.
    images : mapping of str to bytes
        The pictures by role (see :func:`scalpmap.reports.html.render_report_html`).
    pdf : bool, optional
        Also print both to PDF.
    clinic : ClinicIdentity, optional
        The clinic's name, logo and contact for the headers and footers.
    patient_label : str, optional
        A patient name or reference for the headers.

    Returns
    -------
    dict of str to Path
        The files written, by role: ``patient_html`` (plan.html), ``facility_html``
        (facility.html) and, with ``pdf``, ``patient_pdf`` (plan.pdf) and ``facility_pdf``
        (facility.pdf). Everything is rendered before anything is written, and each file is
        replaced atomically (see :func:`write_atomic`).
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    prepared = prepare_images(images)
    outputs: dict[str, bytes] = {}
    for audience in AUDIENCES:  # render everything first: a failure writes nothing
        html = render_report_html(
            document,
            prepared,
            audience=audience,
            clinic=clinic,
            patient_label=patient_label,
        )
        outputs[f"{audience}_html"] = html.encode("utf-8")
        if pdf:
            outputs[f"{audience}_pdf"] = html_to_pdf(html)
    written: dict[str, Path] = {}
    for role, data in outputs.items():
        path = folder / FILE_NAMES[role]
        write_atomic(path, data)
        written[role] = path
    return written
