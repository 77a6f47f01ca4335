"""Find the head in a photo (first version: no face found yet; the models follow shortly)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.model import HeadModel


def find_head(rgb: NDArray[np.uint8]) -> HeadModel:
    """Find the face, its landmarks, the head's view and the person's mask.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo, upright as stored (EXIF applied).

    Returns
    -------
    HeadModel
        The head model; ``landmarks`` is empty when no face was found.
    """
    return HeadModel(
        view="unknown",
        yaw_deg=None,
        roll_deg=None,
        rotation_deg=0,
        face_box=None,
        notes=("the head model is not wired in yet",),
    )
