"""What kind of photo it is: its scale, and whether a face or a head's outline shows a whole head.

:func:`scalpmap.imaging.analysis.analyse_photo` chooses its mode from these and from the
impressions' measured size (:func:`scalpmap.imaging.dot_scale.choose_mode`): coverage on whole
heads (as coarse as :data:`scalpmap.imaging.dot_scale.WHOLE_HEAD_MM_PER_PX` or coarser, or with a
face or a head's outline in view), impressions on close-ups whose impressions can be counted.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import ScaleError
from scalpmap.imaging.dot_scale import Mode
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.person_frame import up_from_person
from scalpmap.imaging.scale import Scale, resolve_scale

FACE_CHECK_MM_PER_PX = 0.06
"""Photos this coarse (mm/px) or coarser, yet finer than a whole head's, are checked for a head."""
WHOLE_HEAD_PHOTO_SHARE = (0.15, 0.95)
"""Without a face, a whole head's person mask covers this share of the photo (min, max)."""
MAX_PERSON_BORDER_SHARE = 0.75
"""... and at most this share of the photo's border (a close-up is skin to its edges)."""
CROWN_BAND_MM = (25.0, 35.0)
"""How far below the top of the person the crown's width is measured (mm)."""
MAX_CROWN_WIDTH_MM = 160.0
"""A head is no wider than this at the crown band (mm)."""
QUARTER_TURNS = {(0.0, -1.0): 0, (1.0, 0.0): 1, (0.0, 1.0): 2, (-1.0, 0.0): 3}
"""Counter-clockwise quarter turns that stand a head upright, by its up direction in the photo."""


def scale_and_head(
    rgb: NDArray[np.uint8],
    mm_per_px: float | None,
    marker_side_mm: float | None,
    head: HeadModel | None,
    mode: Mode | None,
) -> tuple[Scale, HeadModel | None]:
    """Resolve the scale (given, marker, or a face's iris) and find the head when that needs it.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float or None
        The given scale; measured from the printed marker when None.
    marker_side_mm : float or None
        Printed side of the marker's black square; read from the marker's id when None.
    head : HeadModel or None
        The head model, when the caller has one.
    mode : {"impressions", "coverage"} or None
        The mode asked for: impressions mode never falls back to a face's iris.

    Returns
    -------
    scale : Scale
        The photo's scale.
    head : HeadModel or None
        The given head; or, when the scale had to come from the iris, the head found.

    Raises
    ------
    ScaleError
        When there is neither a given scale, nor a marker, nor (outside impressions mode) an
        iris to measure.
    """
    try:
        return resolve_scale(rgb, mm_per_px=mm_per_px, marker_side_mm=marker_side_mm), head
    except ScaleError:
        if mode == "impressions":
            raise
    if head is None:
        from scalpmap.imaging.head import find_head

        head = find_head(rgb)
    scale = resolve_scale(rgb, mm_per_px=mm_per_px, marker_side_mm=marker_side_mm, head=head)
    return scale, head


def head_in_view(rgb: NDArray[np.uint8], scale: Scale, head: HeadModel | None) -> HeadModel | None:
    """Return the head model when a photo finer than the whole-head scale shows a whole head.

    A phone photo of a whole head can be finer than the whole-head scale
    (:data:`scalpmap.imaging.dot_scale.WHOLE_HEAD_MM_PER_PX`), down to about 0.06 mm/px at 12 MP;
    it must be read as a whole head, face and background masked out, not as a close-up. It is
    one when the model finds a face, or, in a side, back or top view whose face it misses, when
    the person's outline stands against a background: the person covers the share
    ``WHOLE_HEAD_PHOTO_SHARE`` of the photo and at most
    ``MAX_PERSON_BORDER_SHARE`` of its border (a close-up is skin to its edges, and the
    segmentation mostly sees no person in it), and the head has background beside it
    (:func:`head_outline_in_frame`). Close-ups finer than ``FACE_CHECK_MM_PER_PX`` never hold
    a head, so no model runs for them.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    scale : Scale
        The photo's scale.
    head : HeadModel or None
        The head model, when the caller has one; found on the photo otherwise.

    Returns
    -------
    HeadModel or None
        The head model when it shows a whole head; None when it does not or the photo is finer
        than ``FACE_CHECK_MM_PER_PX``.
    """
    if scale.mm_per_px < FACE_CHECK_MM_PER_PX:
        return None
    if head is None:
        from scalpmap.imaging.head import find_head

        head = find_head(rgb)
    found = head
    if found.has_face:
        return found
    mask = found.person_mask
    if mask is None or not mask.any():
        return None
    border = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]])
    share = float(mask.mean())
    if not WHOLE_HEAD_PHOTO_SHARE[0] <= share <= WHOLE_HEAD_PHOTO_SHARE[1]:
        return None
    if border.mean() > MAX_PERSON_BORDER_SHARE:
        return None
    upright = np.rot90(mask, QUARTER_TURNS[tuple(up_from_person(found).tolist())])
    return found if head_outline_in_frame(upright, scale.mm_per_px) else None


def head_outline_in_frame(mask: NDArray[np.bool_], mm_per_px: float) -> bool:
    """Tell whether a person's mask shows a whole head: the crown's outline, a head's width.

    ``CROWN_BAND_MM`` below the top of the person a whole head is no wider than
    ``MAX_CROWN_WIDTH_MM`` and has background beside it, on the left or the right (a side view
    may lose the back of the head at the photo's edge). The curve of a scalp in a close-up runs
    across the whole photo there, however the segmentation sees it.

    Parameters
    ----------
    mask : ndarray of bool, shape (rows, cols)
        The person, the photo turned so that the head is upright.
    mm_per_px : float
        Scale.

    Returns
    -------
    bool
        True when most rows of that band are a head's width with background at one end.
    """
    rows_with_person = np.flatnonzero(mask.any(axis=1))
    if not rows_with_person.size:
        return False
    top = int(rows_with_person[0])
    lo, hi = (top + int(round(mm / mm_per_px)) for mm in CROWN_BAND_MM)
    band = mask[lo:hi]
    if not len(band):
        return False
    cols = np.arange(mask.shape[1])
    seen = band.any(axis=1)
    first = np.where(seen, np.argmax(band, axis=1), 0)
    last = np.where(seen, len(cols) - 1 - np.argmax(band[:, ::-1], axis=1), 0)
    width_mm = (last - first + 1) * mm_per_px
    head_like = seen & (width_mm <= MAX_CROWN_WIDTH_MM) & ((first > 0) | (last < len(cols) - 1))
    return bool(head_like.mean() > 0.5)
