"""Both eyes: which are open, their iris centres and the visible iris diameter.

The visible iris is measured across, horizontally (the "horizontal visible iris diameter" of the
eye literature), because the lids hide its top and bottom. An eye counts as open when its lids are
apart by at least :data:`MIN_EYE_OPENING` of its width and the iris the model finds has a plausible
size for that eye (:data:`IRIS_TO_EYE_WIDTH`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid, RotatedRect
from scalpmap.imaging.head.iris import IRIS_INPUT_SIZE, IrisResult, eye_roi, run_iris
from scalpmap.imaging.head.landmarks import (
    LEFT_EYE_INNER,
    LEFT_EYE_LOWER,
    LEFT_EYE_OUTER,
    LEFT_EYE_UPPER,
    RIGHT_EYE_INNER,
    RIGHT_EYE_LOWER,
    RIGHT_EYE_OUTER,
    RIGHT_EYE_UPPER,
)

# An eye crop at least this many pixels across in the working copy is measured there.
MIN_WORKING_EYE_CROP_PX = 2 * IRIS_INPUT_SIZE
# Lid gap over eye width below which an eye is taken as closed or looking down.
MIN_EYE_OPENING = 0.18
# The visible iris spans about 0.4 of the eye's corner-to-corner width (11.7 mm of a 28-30 mm eye).
# When the lids hide the iris (eyes looking down), the iris model still draws a circle, but a
# smaller one: 0.25-0.34 of the eye's width on the real photos of benchmarks/evaluate_head.py,
# against 0.36-0.42 for open eyes. Outside this range the iris is taken as not seen.
IRIS_TO_EYE_WIDTH = (0.35, 0.55)


@dataclass(frozen=True)
class EyeIris:
    """One eye's iris, when measured.

    Attributes
    ----------
    side : {"left", "right"}
        The patient's eye.
    center_xy : ndarray of float, shape (2,)
        Iris centre in photo pixels.
    diameter_px : float
        Horizontal visible iris diameter in photo pixels.
    """

    side: str
    center_xy: NDArray[np.float64]
    diameter_px: float


@dataclass(frozen=True)
class EyesResult:
    """The irises measured, and why an eye was left out.

    Attributes
    ----------
    irises : tuple of EyeIris
        The open eyes' irises (0, 1 or 2).
    skipped : tuple of str
        Reasons in words, e.g. ``"right eye closed or looking down"``.
    """

    irises: tuple[EyeIris, ...]
    skipped: tuple[str, ...]


def _iris_at_best_source(
    rgb: NDArray[np.uint8],
    roi: RotatedRect,
    mirrored: bool,
    working: ImagePyramid | None,
    to_photo: NDArray[np.float64] | None,
) -> IrisResult:
    """Run the iris model on the working copy when the eye is large enough there, else the photo."""
    if working is not None and to_photo is not None:
        scaled = RotatedRect(
            roi.x_center / to_photo[0],
            roi.y_center / to_photo[1],
            roi.width / to_photo[0],
            roi.height / to_photo[1],
            roi.rotation,
        )
        if scaled.width >= MIN_WORKING_EYE_CROP_PX:
            iris = run_iris(working, scaled, mirrored=mirrored)
            return IrisResult(
                center_xy=iris.center_xy * to_photo,
                boundary_xy=iris.boundary_xy * to_photo,
                diameter_px=iris.diameter_px * float(np.mean(to_photo)),
            )
    return run_iris(rgb, roi, mirrored=mirrored)


def horizontal_diameter(iris: IrisResult) -> float:
    """Return the distance between the iris's two side points (boundary points 0 and 2).

    Parameters
    ----------
    iris : IrisResult
        The iris model's answer.

    Returns
    -------
    float
        Pixels.
    """
    return float(np.linalg.norm(iris.boundary_xy[0] - iris.boundary_xy[2]))


def measure_eyes(
    rgb: NDArray[np.uint8],
    points_xy: NDArray[np.float64],
    *,
    working: ImagePyramid | None = None,
    to_photo: NDArray[np.float64] | None = None,
) -> EyesResult:
    """Run the iris model on each open eye.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo at full resolution.
    points_xy : ndarray of float, shape (468, 2)
        The face mesh in the same photo's pixels.
    working : ImagePyramid, optional
        A reduced copy of the photo; an eye that spans at least :data:`MIN_WORKING_EYE_CROP_PX`
        there is measured on it (faster; the model sees 64 pixels anyway).
    to_photo : ndarray of float, shape (2,), optional
        Multiply ``working`` pixels by this to get photo pixels (needed with ``working``).

    Returns
    -------
    EyesResult
        The irises of the open eyes and the reasons for the others.
    """
    irises: list[EyeIris] = []
    skipped: list[str] = []
    # (side, outer, inner, upper, lower); the model wants the image-left eye unmirrored. In an
    # upright front view the patient's right eye is on the image's left.
    eyes = (
        ("right", RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_EYE_UPPER, RIGHT_EYE_LOWER, False),
        ("left", LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_EYE_UPPER, LEFT_EYE_LOWER, True),
    )
    for side, outer, inner, upper, lower, mirrored in eyes:
        width = float(np.linalg.norm(points_xy[outer] - points_xy[inner]))
        opening = float(np.linalg.norm(points_xy[upper] - points_xy[lower]))
        if width <= 0 or opening / width < MIN_EYE_OPENING:
            skipped.append(f"{side} eye closed or looking down")
            continue
        # Corners in the order the model expects: image-left corner first for an upright face.
        first, second = (points_xy[outer], points_xy[inner])
        if mirrored:
            first, second = points_xy[inner], points_xy[outer]
        iris = _iris_at_best_source(rgb, eye_roi(first, second), mirrored, working, to_photo)
        diameter = horizontal_diameter(iris)
        low, high = IRIS_TO_EYE_WIDTH
        if not low * width <= diameter <= high * width:
            skipped.append(
                f"{side} iris hidden (eye looking down or closed: the model's iris spans "
                f"{diameter / width:.2f} of the eye's width)"
            )
            continue
        irises.append(EyeIris(side=side, center_xy=iris.center_xy, diameter_px=diameter))
    return EyesResult(irises=tuple(irises), skipped=tuple(skipped))
