"""Coverage mode on a whole-head photo: the pigment's coverage, region and hairline.

:func:`analyse_whole_head_photo` is the whole-head branch of
:func:`scalpmap.imaging.analysis.analyse_photo`. It runs
:func:`scalpmap.imaging.whole_head.analyse_whole_head` without the printed sticker and wraps its
result in an :class:`Analysis`, with the head model's notes the user should see as warnings.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Polygon

from scalpmap.imaging.analysis_result import Analysis, Progress
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.marker import QUIET_ZONE_MODULES
from scalpmap.imaging.pigment_field import DENSITY_CELL_MM, DensityGrid
from scalpmap.imaging.roi import roi_mask
from scalpmap.imaging.scale import Scale
from scalpmap.imaging.whole_head import analyse_whole_head


def analyse_whole_head_photo(
    rgb: NDArray[np.uint8],
    scale: Scale,
    roi: Polygon | None,
    head: HeadModel | None,
    reason: str,
    step: Progress,
) -> Analysis:
    """Coverage mode on a whole-head photo (see :mod:`scalpmap.imaging.whole_head`).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    scale : Scale
        The photo's scale.
    roi : shapely.Polygon or None
        Limit the analysis to this area (pixels).
    head : HeadModel or None
        The head model: view, landmarks, the person's mask.
    reason : str
        Why coverage mode was chosen, in words.
    step : callable
        Called with the name of each step as it starts.

    Returns
    -------
    Analysis
        The coverage analysis, with the head's hairline segments, patches and excluded area.

    Raises
    ------
    InputError
        When the ROI lies outside the photo.
    """
    if roi is not None:
        roi_mask(roi, rgb.shape[:2])  # refuses an ROI outside the photo
    step("coverage")
    found = analyse_whole_head(
        rgb, mm_per_px=scale.mm_per_px, head=head, roi=roi, sticker=_sticker(scale)
    )
    step("region")
    step("hairline")
    rows, cols = rgb.shape[:2]
    density_cell = max(1, int(round(DENSITY_CELL_MM / scale.mm_per_px)))
    grid = np.full((-(-rows // density_cell), -(-cols // density_cell)), np.nan)
    brow = found.brow_line
    return Analysis(
        shape=(int(rows), int(cols)),
        scale=scale,
        mode="coverage",
        mode_reason=reason,
        impressions=Impressions.empty(),
        region=found.region,
        hairline_xy=found.hairline_xy,
        density=DensityGrid(
            cell_mm=density_cell * scale.mm_per_px, cell_px=float(density_cell), per_cm2=grid
        ),
        coverage_percent=found.coverage_percent,
        analysed_area=found.analysed_area,
        ink_tone="unknown",
        pigment_field=found.field,
        head=head,
        hairline_segments=found.hairline_segments,
        patches=found.patches,
        excluded_area=found.excluded_area,
        brow_line_xy=brow.ends_xy((rows, cols)) if brow is not None else np.zeros((0, 2)),
        brow_line_source=brow.source if brow is not None else "none",
        warnings=_head_warnings(head) + found.warnings,
    )


def _sticker(scale: Scale) -> Polygon | None:
    """Outline the printed sticker (marker, quiet zone and half a module of blur), or None."""
    if len(scale.marker_corners_xy) != 4:
        return None
    grow = 1 + 2 * (QUIET_ZONE_MODULES + 0.5) / 6
    centre = scale.marker_corners_xy.mean(axis=0)
    return Polygon(centre + (scale.marker_corners_xy - centre) * grow)


def _head_warnings(head: HeadModel | None) -> tuple[str, ...]:
    """Pick the head model's notes that the user should see as warnings."""
    if head is None:
        return ()
    words = ("upside down", "skipped", "faces", "sideways", "on its side")
    return tuple(note for note in head.notes if any(w in note for w in words))
