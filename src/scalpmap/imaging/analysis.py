"""Analyse one scalp photo: scale, scalp area, impressions or coverage, region and hairline.

``analyse_photo`` is the library's main entry point; the CLI's ``analyse`` command and the web app
call it and serialise its :class:`Analysis` with :mod:`scalpmap.imaging.analysis_json`.

This module holds only the orchestration: it resolves the scale, chooses the mode and hands the
photo to one of two analyses. The parts live in:

- :mod:`scalpmap.imaging.analysis_mode`: the scale (given, marker or iris) and the face check;
- :mod:`scalpmap.imaging.analysis_closeup`: impressions mode on close-ups;
- :mod:`scalpmap.imaging.analysis_whole_head`: coverage mode on whole heads;
- :mod:`scalpmap.imaging.analysis_result`: the :class:`Analysis` both return.

The names callers import from here (``Analysis``, ``InkTone``, ``Mode``, ``DensityGrid``,
``FADED_DARKNESS`` and the rest) are re-exported from those modules.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Polygon

from scalpmap.imaging.analysis_closeup import BLUISH_SHIFT as BLUISH_SHIFT
from scalpmap.imaging.analysis_closeup import FADED_DARKNESS as FADED_DARKNESS
from scalpmap.imaging.analysis_closeup import FIELD_CELL_MM as FIELD_CELL_MM
from scalpmap.imaging.analysis_closeup import MAX_GAP_MM as MAX_GAP_MM
from scalpmap.imaging.analysis_closeup import MIN_REGION_CM2 as MIN_REGION_CM2
from scalpmap.imaging.analysis_closeup import analyse_closeup
from scalpmap.imaging.analysis_closeup import field_to_region_safe as field_to_region_safe
from scalpmap.imaging.analysis_closeup import judge_ink_tone as judge_ink_tone
from scalpmap.imaging.analysis_mode import FACE_CHECK_MM_PER_PX as FACE_CHECK_MM_PER_PX
from scalpmap.imaging.analysis_mode import head_in_view, scale_and_head
from scalpmap.imaging.analysis_result import Analysis as Analysis
from scalpmap.imaging.analysis_result import InkTone as InkTone
from scalpmap.imaging.analysis_result import Progress as Progress
from scalpmap.imaging.dot_scale import WHOLE_HEAD_MM_PER_PX, DotScale
from scalpmap.imaging.dot_scale import Mode as Mode  # re-exported: the analysis's modes
from scalpmap.imaging.dot_scale import choose_mode as choose_mode  # re-exported
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.pigment_field import DensityGrid as DensityGrid
from scalpmap.imaging.validate import check_rgb


def analyse_photo(
    rgb: NDArray[np.uint8],
    *,
    mm_per_px: float | None = None,
    roi: Polygon | None = None,
    marker_side_mm: float | None = None,
    mode: Mode | None = None,
    progress: Progress | None = None,
    head: HeadModel | None = None,
) -> Analysis:
    """Analyse a scalp photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (see :func:`scalpmap.imaging.photo_io.load_photo`).
    mm_per_px : float, optional
        Scale; measured from the printed marker when omitted.
    roi : shapely.Polygon, optional
        Limit the analysis to this area (pixels).
    marker_side_mm : float, optional
        Printed side of the marker's black square; read from the marker's id by default.
    mode : {"impressions", "coverage"}, optional
        Force a mode; chosen from the photo when omitted: impressions where the impressions
        found span at least 2 px (see :mod:`scalpmap.imaging.dot_scale`), coverage on
        whole-head photos and where they do not.
    progress : callable, optional
        Called with the name of each step as it starts.
    head : HeadModel, optional
        The head model to use; on whole-head photos (coverage mode) it is found with
        :func:`scalpmap.imaging.head.find_head` when omitted, and it gives the scale from the
        iris when there is neither a given scale nor a marker. Close-ups never use it.

    Returns
    -------
    Analysis
        The measurements.

    Raises
    ------
    ScaleError
        When there is neither a given scale, nor a marker, nor an iris to measure.
    InputError
        When the photo array or the ROI is malformed.
    UnresolvedImpressionsError
        When impressions mode is asked for but the impressions measure under 2 px.
    """
    check_rgb(rgb)
    step = progress or (lambda _name: None)
    step("scale")
    scale, head = scale_and_head(rgb, mm_per_px, marker_side_mm, head, mode)
    step("scalp area")
    dots: DotScale | None = None
    if mode == "coverage":
        reason = "coverage mode was requested"
    elif mode is None and scale.mm_per_px >= WHOLE_HEAD_MM_PER_PX:
        reason = choose_mode(scale.mm_per_px)[1]
    elif mode is None and (head := head_in_view(rgb, scale, head)) is not None:
        seen = "a face is" if head.has_face else "a head's outline is"
        reason = (
            f"{seen} in the photo, so it is a whole-head view: at {scale.mm_per_px:.3f} mm/px "
            "the pigment's coverage is measured, with the face and the background masked out"
        )
    else:
        found = analyse_closeup(rgb, scale, roi, mode, step)
        if isinstance(found, Analysis):
            return found
        dots, reason = found, choose_mode(scale.mm_per_px, found)[1]
    # The whole-head analysis and the head model are imported only for whole heads: a close-up's
    # process never loads them.
    from scalpmap.imaging.analysis_whole_head import analyse_whole_head_photo
    from scalpmap.imaging.head import find_head

    if head is None:
        head = find_head(rgb)
    whole = analyse_whole_head_photo(rgb, scale, roi, head, reason, step)
    return whole if dots is None else dataclasses.replace(whole, dot_scale=dots)
