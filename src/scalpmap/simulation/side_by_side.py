"""Pictures side by side with captions: before, after the laser and after the touch-up."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.imaging.validate import check_rgb

CAPTIONS = ("Before", "After laser", "After touch-up")
GAP_FRACTION = 0.01
CAPTION_FRACTION = 0.06
MIN_CAPTION_PX = 18
TEXT_RGB = (20, 20, 20)


def side_by_side(
    before: NDArray[np.uint8],
    after_laser: NDArray[np.uint8],
    after_touch_up: NDArray[np.uint8] | None = None,
    *,
    max_width: int = 2400,
) -> NDArray[np.uint8]:
    """Put the pictures side by side, each captioned on a white strip above it.

    Parameters
    ----------
    before, after_laser : ndarray of uint8, shape (rows, cols, 3)
        The photo and the picture after the laser.
    after_touch_up : ndarray of uint8, shape (rows, cols, 3), optional
        The picture after the touch-up; two panels without it (e.g. a total removal).
    max_width : int, optional
        Width of the result at most, in pixels; the pictures are shrunk (area averaging) to fit
        and never enlarged.

    Returns
    -------
    ndarray of uint8, shape (rows', cols', 3)
        The panels, RGB, ``cols' <= max_width``.

    Raises
    ------
    InputError
        When a picture is not a uint8 RGB array, the sizes differ, or ``max_width`` is too small.

    Examples
    --------
    >>> import numpy as np
    >>> photo = np.full((300, 400, 3), 128, np.uint8)
    >>> side_by_side(photo, photo, photo, max_width=600).shape[1] <= 600
    True
    """
    pictures = [before, after_laser] + ([] if after_touch_up is None else [after_touch_up])
    panels = len(pictures)
    for picture in pictures:
        check_rgb(picture)
    if len({p.shape for p in pictures}) != 1:
        shapes = ", ".join(f"{p.shape[1]}x{p.shape[0]}" for p in pictures)
        raise InputError(f"the pictures must have one size, got {shapes} px")
    if not isinstance(max_width, int) or max_width < 150:
        raise InputError(f"max width must be an integer of at least 150 px, got {max_width!r}")
    rows, cols = before.shape[:2]
    gap = max(2, int(round(GAP_FRACTION * cols)))
    scale = min(1.0, (max_width - (panels - 1) * gap) / (panels * cols))
    width = max(1, int(cols * scale))
    height = max(1, int(round(rows * width / cols)))
    gap = min(gap, (max_width - panels * width) // (panels - 1))
    strip = max(MIN_CAPTION_PX, int(round(CAPTION_FRACTION * height)))
    canvas = np.full((strip + height, panels * width + (panels - 1) * gap, 3), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    thickness = max(1, strip // 16)
    shrunk: dict[int, NDArray[np.uint8]] = {}  # a picture given twice is shrunk once
    for i, (picture, caption) in enumerate(zip(pictures, CAPTIONS[:panels], strict=True)):
        small = shrunk.get(id(picture), picture)
        if small is picture and (width, height) != (cols, rows):
            small = np.asarray(
                cv2.resize(picture, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8
            )
            shrunk[id(picture)] = small
        x = i * (width + gap)
        canvas[strip:, x : x + width] = small
        font_scale = cv2.getFontScaleFromHeight(font, int(strip * 0.55), thickness)
        (text_w, text_h), _ = cv2.getTextSize(caption, font, font_scale, thickness)
        if text_w > width - 4:  # a narrow panel: shrink the caption to fit
            font_scale *= (width - 4) / text_w
            (text_w, text_h), _ = cv2.getTextSize(caption, font, font_scale, thickness)
        origin = (x + max(2, (width - text_w) // 2), (strip + text_h) // 2)
        cv2.putText(canvas, caption, origin, font, font_scale, TEXT_RGB, thickness, cv2.LINE_AA)
    return canvas
