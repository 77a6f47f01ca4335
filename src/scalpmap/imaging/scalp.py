"""Find the head in a photo: skin against the background.

Skin of every Fitzpatrick type shares a narrow band of chroma (YCrCb's Cr and Cb; Chai & Ngan,
IEEE TCSVT 1999), whatever its lightness. The head is the largest skin-coloured area, with its
holes (ink, eyebrows, eyes) filled. Anything else (a wall, a door, clothes) is background. When the
automatic choice is wrong, the user passes a region of interest instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.validate import check_rgb

WORK_SIDE_PX = 400
SKIN_CR = (133, 180)
SKIN_CB = (70, 135)
CHROMA_TOLERANCE = 14.0


@dataclass(frozen=True)
class ScalpMask:
    """Where the head is, at a coarse resolution.

    Attributes
    ----------
    small : ndarray of bool, shape (r, c)
        True on the head.
    scale : float
        Photo pixels per mask pixel.
    shape : tuple of int
        The photo's ``(rows, cols)``.
    """

    small: NDArray[np.bool_]
    scale: float
    shape: tuple[int, int]

    @property
    def covers_frame(self) -> bool:
        """Whether the head fills (almost) the whole photo, so there is no silhouette."""
        return bool(self.small.mean() > 0.995)

    def full(self) -> NDArray[np.bool_]:
        """Return the mask at the photo's resolution.

        Returns
        -------
        ndarray of bool, shape (rows, cols)
            True on the head.
        """
        rows, cols = self.shape
        up = cv2.resize(self.small.astype(np.uint8), (cols, rows), interpolation=cv2.INTER_NEAREST)
        return up.astype(bool)


def _fill_holes(mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Fill every hole of a binary mask (0/255)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(mask)
    cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    return filled


def find_scalp(rgb: NDArray[np.uint8]) -> ScalpMask:
    """Segment the head (skin) from the background.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.

    Returns
    -------
    ScalpMask
        The head's mask; the whole frame when no skin-coloured area stands out.

    Examples
    --------
    >>> import numpy as np
    >>> photo = np.full((100, 100, 3), (90, 110, 140), np.uint8)  # a blue wall
    >>> photo[30:, 20:80] = (200, 150, 120)  # skin
    >>> mask = find_scalp(photo).full()
    >>> bool(mask[60, 50]), bool(mask[10, 10])
    (True, False)
    """
    check_rgb(rgb)
    rows, cols = rgb.shape[:2]
    scale = max(1.0, max(rows, cols) / WORK_SIDE_PX)
    size = (max(1, round(cols / scale)), max(1, round(rows / scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    ycrcb = cv2.cvtColor(small, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    cr, cb = ycrcb[..., 1], ycrcb[..., 2]
    loose = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1])
    if loose.mean() < 0.02:
        return ScalpMask(np.ones(small.shape[:2], bool), scale, (rows, cols))
    centre_cr, centre_cb = float(np.median(cr[loose])), float(np.median(cb[loose]))
    near = (np.abs(cr - centre_cr) < CHROMA_TOLERANCE) & (np.abs(cb - centre_cb) < CHROMA_TOLERANCE)
    skin = near & (cr >= SKIN_CR[0] - 2)
    mask = skin.astype(np.uint8) * 255
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return ScalpMask(np.ones(small.shape[:2], bool), scale, (rows, cols))
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = 1 + np.flatnonzero(areas >= 0.2 * areas.max())
    head = np.isin(labels, keep).astype(np.uint8) * 255
    closed = cv2.morphologyEx(head, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    head = _fill_holes(np.asarray(closed, dtype=np.uint8))
    if head.mean() / 255 > 0.97:
        head[:] = 255
    return ScalpMask(head > 0, scale, (rows, cols))
