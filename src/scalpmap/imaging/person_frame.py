"""The person in a whole-head photo: their mask at the analysis' grid, and which way is up.

The head model's person mask (:mod:`scalpmap.imaging.head.segmentation`) keeps the wall and the
clothes out of a whole-head analysis; without a face, it also tells which way the head is up:
away from where the body leaves the photo.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head import HeadModel

PERSON_MARGIN_MM = 2.0
BODY_EDGE_SHARE = 0.25
BODY_EDGE_MARGIN = 0.15


def up_from_person(head: HeadModel | None) -> NDArray[np.float64]:
    """Find the head's up direction without a face: away from where the body leaves the photo.

    A person photographed from the front, the side or the back leaves the frame through their
    neck and shoulders, at the bottom of an upright photo; a photo stored upside down or on its
    side shows that edge elsewhere. When no edge stands out (a top view filling the frame, no
    mask), the photo is taken as upright.

    Parameters
    ----------
    head : HeadModel or None
        The head model; its ``person_mask`` is used.

    Returns
    -------
    ndarray of float, shape (2,)
        Unit vector towards the top of the head, in the image.

    Examples
    --------
    >>> import numpy as np
    >>> from scalpmap.imaging.head import HeadModel
    >>> mask = np.zeros((100, 80), bool)
    >>> mask[:60, 20:60] = True  # a head and neck leaving the photo at the top
    >>> head = HeadModel(view="unknown", yaw_deg=None, roll_deg=None, rotation_deg=0,
    ...                  face_box=None, person_mask=mask)
    >>> up_from_person(head).tolist()
    [0.0, 1.0]
    """
    upright = np.array([0.0, -1.0])
    if head is None or head.person_mask is None or not head.person_mask.any():
        return upright
    mask = head.person_mask
    edges = {
        (0.0, -1.0): float(mask[-1, :].mean()),  # the body leaves at the bottom: upright
        (0.0, 1.0): float(mask[0, :].mean()),
        (1.0, 0.0): float(mask[:, 0].mean()),
        (-1.0, 0.0): float(mask[:, -1].mean()),
    }
    ranked = sorted(edges.items(), key=lambda item: item[1], reverse=True)
    (best, share), (_, runner_up) = ranked[0], ranked[1]
    if share < BODY_EDGE_SHARE or share - runner_up < BODY_EDGE_MARGIN:
        return upright
    return np.array(best)


def person_mask_at(
    head: HeadModel | None, shape: tuple[int, int], mm_per_px: float
) -> NDArray[np.bool_] | None:
    """Resize the person's mask to ``shape`` and grow it by a few millimetres (None without).

    The segmentation's edge can fall a little inside the head's silhouette on bare skin; the
    margin keeps the scalp's edge in, while the wall further out stays excluded.

    Parameters
    ----------
    head : HeadModel or None
        The head model.
    shape : tuple of int
        ``(rows, cols)`` wanted.
    mm_per_px : float
        Scale of the wanted grid.

    Returns
    -------
    ndarray of bool or None
        True on the person; None when the model has no mask.
    """
    if head is None or head.person_mask is None or not head.person_mask.any():
        return None
    rows, cols = shape
    small = cv2.resize(
        head.person_mask.astype(np.uint8), (cols, rows), interpolation=cv2.INTER_AREA
    )
    grow = max(1, int(round(PERSON_MARGIN_MM / mm_per_px)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    return np.asarray(cv2.dilate(small, kernel) > 0, dtype=bool)
