"""Further checks of the head model for ``evaluate_head.py``: turned copies, portraits, detector.

- **Turned copies.** Every upright real photo where the head model found a face with both eyes
  showing is turned by 90, 180 and 270 degrees in its pixels; the head model must find the face
  again, with the matching turn, and never with another.
- **Public-domain portraits** shipped inside installed packages (no download): the astronaut
  Eileen Collins (NASA, ``skimage.data.astronaut``) and Grace Hopper (US Navy, matplotlib's sample
  data), both with open eyes, each at three sizes and four turns. They widen the iris-scale check,
  which the real photos mostly cannot feed (seen from above, the eyes look down).
- **The detector alone.** Its best score on each photo's upright views (the same views the head
  model uses): on photos without a face, and on the upright faces the head model misses. A
  fallback from the detector's keypoints alone could only help if the second were clearly above
  the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head import HeadModel, find_head
from scalpmap.imaging.head.detector_views import VIEWS, DetectorViews
from scalpmap.imaging.head.face_detection import detect_faces
from scalpmap.imaging.head.find import working_copy

PORTRAIT_SCALES = (0.5, 1.0, 2.0)
TURNS = (0, 1, 2, 3)  # quarter turns anticlockwise (np.rot90); the face then needs k * 90 clockwise


@dataclass(frozen=True)
class Portrait:
    """A public-domain portrait from an installed package."""

    name: str
    source: str
    load: Callable[[], NDArray[np.uint8]]


def _astronaut() -> NDArray[np.uint8]:
    from skimage import data

    return np.ascontiguousarray(data.astronaut(), dtype=np.uint8)


def _grace_hopper() -> NDArray[np.uint8]:
    from matplotlib import cbook

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f"cannot read {path}")
    return np.ascontiguousarray(bgr[:, :, ::-1])


PORTRAITS = (
    Portrait(
        "astronaut", "Eileen Collins, NASA (public domain), skimage.data.astronaut", _astronaut
    ),
    Portrait(
        "grace_hopper",
        "Grace Hopper, US Navy (public domain), matplotlib sample data",
        _grace_hopper,
    ),
)


def turned(rgb: NDArray[np.uint8], quarter_turns: int) -> NDArray[np.uint8]:
    """Return the photo turned anticlockwise by ``quarter_turns`` quarters (np.rot90)."""
    return np.ascontiguousarray(np.rot90(rgb, k=quarter_turns))


def expected_rotation(quarter_turns: int) -> int:
    """Return the clockwise turn that stands a photo turned by :func:`turned` upright again."""
    return (90 * quarter_turns) % 360


def turned_copies(
    photos: list[tuple[str, NDArray[np.uint8]]],
) -> list[dict[str, Any]]:
    """Run the head model on each photo turned by 90, 180 and 270 degrees.

    Parameters
    ----------
    photos : list of (name, rgb)
        Upright photos on which the head model found the face.

    Returns
    -------
    list of dict
        One row per copy: ``photo``, ``turn``, ``expected``, ``found`` (a face with landmarks),
        ``rotation_deg``.
    """
    rows = []
    for name, rgb in photos:
        for quarter_turns in (1, 2, 3):
            head = find_head(turned(rgb, quarter_turns))
            rows.append(
                {
                    "photo": name,
                    "turn": 90 * quarter_turns,
                    "expected": expected_rotation(quarter_turns),
                    "found": head.has_face,
                    "rotation_deg": head.rotation_deg,
                }
            )
    return rows


def _variants(rgb: NDArray[np.uint8]) -> Iterator[tuple[float, int, NDArray[np.uint8]]]:
    for scale in PORTRAIT_SCALES:
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        sized = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=interpolation)
        for quarter_turns in TURNS:
            yield scale, quarter_turns, turned(np.asarray(sized, dtype=np.uint8), quarter_turns)


def portrait_rows(ipd_mm: Callable[[HeadModel], float | None]) -> list[dict[str, Any]]:
    """Run the head model on every size and turn of the public-domain portraits.

    Parameters
    ----------
    ipd_mm : callable
        The interpupillary distance in mm with the iris scale, or None without an iris scale.

    Returns
    -------
    list of dict
        One row per variant: ``portrait``, ``scale``, ``turn``, ``found``, ``turn_right``,
        ``view``, ``ipd_mm``, ``notes``.
    """
    rows = []
    for portrait in PORTRAITS:
        for scale, quarter_turns, rgb in _variants(portrait.load()):
            head = find_head(rgb)
            rows.append(
                {
                    "portrait": portrait.name,
                    "scale": scale,
                    "turn": 90 * quarter_turns,
                    "found": head.has_face,
                    "turn_right": head.rotation_deg == expected_rotation(quarter_turns),
                    "view": head.view,
                    "ipd_mm": ipd_mm(head) if head.view == "front" else None,
                    "notes": list(head.notes),
                }
            )
    return rows


def best_detector_score(rgb: NDArray[np.uint8]) -> float:
    """Return the detector's best score over the photo's upright views (0 when it sees nothing).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.

    Returns
    -------
    float
        The best score, whatever the threshold the head model applies.
    """
    working, _to_photo = working_copy(rgb)
    views = DetectorViews(working)
    scores = [
        face.score
        for stretch, extend in VIEWS
        for face in detect_faces(views.small(0, stretch), extend_below=extend)
    ]
    return max(scores, default=0.0)
