"""Face detection with MediaPipe's BlazeFace models, decoded as MediaPipe's graphs do.

Source: ``mediapipe/modules/face_detection/face_detection.pbtxt`` and its short- and full-range
variants (anchors from ``SsdAnchorsCalculator``, boxes from ``TensorsToDetectionsCalculator``,
weighted non-maximum suppression from ``NonMaxSuppressionCalculator``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import RotatedRect, crop
from scalpmap.imaging.head.runtime import LoadedModel, get_model

# Keypoint order of the detector: the patient's right eye, left eye, nose tip, mouth centre, right
# ear tragion, left ear tragion.
RIGHT_EYE, LEFT_EYE, NOSE_TIP, MOUTH, RIGHT_EAR, LEFT_EAR = range(6)

MIN_SUPPRESSION_IOU = 0.3


@dataclass(frozen=True)
class DetectorSpec:
    """One BlazeFace variant: its model, input size, anchor layout and score threshold."""

    model: str
    input_size: int
    strides: tuple[int, ...]
    interpolated_scale_aspect_ratio: float
    min_score: float


# face_detection_short_range.pbtxt: 128 x 128 input, 896 anchors, scores from 0.5.
SHORT_RANGE = DetectorSpec("face_detection", 128, (8, 16, 16, 16), 1.0, 0.5)


@dataclass(frozen=True)
class FaceDetection:
    """A detected face in photo pixels.

    Attributes
    ----------
    box_xy : ndarray of float, shape (4, 2)
        Corners of the detector's box (it is square in the detector's view, so it may be rotated
        in the photo): top-left, top-right, bottom-right, bottom-left as seen upright.
    keypoints_xy : ndarray of float, shape (6, 2)
        Right eye, left eye, nose tip, mouth, right ear, left ear (the patient's sides).
    score : float
        Detector confidence, 0..1.
    """

    box_xy: NDArray[np.float64]
    keypoints_xy: NDArray[np.float64]
    score: float

    @property
    def size_px(self) -> float:
        """Return the box's side in photo pixels."""
        return float(np.linalg.norm(self.box_xy[1] - self.box_xy[0]))


@functools.cache
def ssd_anchors(spec: DetectorSpec) -> NDArray[np.float64]:
    """Return the detector's anchor centres, ``(n, 2)`` as ``x, y`` in 0..1 of its input.

    With ``fixed_anchor_size: true`` every anchor is 1 x 1, so only centres matter. Layers that
    share a stride share one grid; each grid cell carries one anchor per aspect ratio (here 1) plus
    one interpolated anchor when ``interpolated_scale_aspect_ratio > 0``.

    Parameters
    ----------
    spec : DetectorSpec
        The detector variant.

    Returns
    -------
    ndarray of float, shape (n, 2)
        Anchor centres in the order of the model's outputs.
    """
    centres: list[NDArray[np.float64]] = []
    layer = 0
    strides = spec.strides
    while layer < len(strides):
        last = layer
        per_cell = 0
        while last < len(strides) and strides[last] == strides[layer]:
            per_cell += 1 + (1 if spec.interpolated_scale_aspect_ratio > 0 else 0)
            last += 1
        cells = math.ceil(spec.input_size / strides[layer])
        grid = (np.arange(cells) + 0.5) / cells
        ys, xs = np.meshgrid(grid, grid, indexing="ij")
        cell_centres = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(cell_centres, per_cell, axis=0))
        layer = last
    return np.concatenate(centres, axis=0)


def decode(
    raw_boxes: NDArray[np.float32], raw_scores: NDArray[np.float32], spec: DetectorSpec
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Decode the model's outputs into boxes, keypoints and scores in 0..1 of its input.

    Parameters
    ----------
    raw_boxes : ndarray of float32, shape (n, 16)
        ``x, y, w, h`` offsets and six keypoints, in input pixels relative to each anchor.
    raw_scores : ndarray of float32, shape (n,)
        Logits.
    spec : DetectorSpec
        The detector variant.

    Returns
    -------
    boxes : ndarray of float, shape (m, 4)
        ``xmin, ymin, xmax, ymax`` of the detections above the score threshold.
    keypoints : ndarray of float, shape (m, 6, 2)
        Their keypoints.
    scores : ndarray of float, shape (m,)
        Their sigmoid scores.
    """
    anchors = ssd_anchors(spec)
    scale = float(spec.input_size)
    scores = 1.0 / (1.0 + np.exp(-np.clip(raw_scores.astype(np.float64), -100.0, 100.0)))
    keep = scores >= spec.min_score
    raw = raw_boxes[keep].astype(np.float64)
    anchor = anchors[keep]
    centre = raw[:, 0:2] / scale + anchor
    size = raw[:, 2:4] / scale
    boxes = np.concatenate([centre - size / 2.0, centre + size / 2.0], axis=1)
    keypoints = raw[:, 4:16].reshape(-1, 6, 2) / scale + anchor[:, None, :]
    return boxes, keypoints, scores[keep]


def weighted_nms(
    boxes: NDArray[np.float64], keypoints: NDArray[np.float64], scores: NDArray[np.float64]
) -> list[tuple[NDArray[np.float64], NDArray[np.float64], float]]:
    """Merge overlapping detections by their score-weighted mean (MediaPipe's ``WEIGHTED`` NMS).

    Parameters
    ----------
    boxes : ndarray of float, shape (m, 4)
        ``xmin, ymin, xmax, ymax``.
    keypoints : ndarray of float, shape (m, 6, 2)
        Keypoints of each box.
    scores : ndarray of float, shape (m,)
        Scores.

    Returns
    -------
    list of (box, keypoints, score)
        One entry per face, best first; the score is that of the best box in its cluster.
    """
    order = np.argsort(-scores, kind="stable")
    remaining = list(order)
    merged: list[tuple[NDArray[np.float64], NDArray[np.float64], float]] = []
    while remaining:
        best = remaining[0]
        ious = _iou(boxes[best], boxes[remaining])
        members = [
            index for index, iou in zip(remaining, ious, strict=True) if iou > MIN_SUPPRESSION_IOU
        ]
        if not members:
            members = [best]
        weights = scores[members]
        total = float(weights.sum())
        box = (boxes[members] * weights[:, None]).sum(axis=0) / total
        points = (keypoints[members] * weights[:, None, None]).sum(axis=0) / total
        merged.append((box, points, float(scores[best])))
        remaining = [index for index in remaining if index not in set(members)]
    return merged


def _iou(box: NDArray[np.float64], others: NDArray[np.float64]) -> NDArray[np.float64]:
    low = np.maximum(box[:2], others[:, :2])
    high = np.minimum(box[2:], others[:, 2:])
    inter = np.prod(np.clip(high - low, 0.0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(others[:, 2:] - others[:, :2], axis=1)
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def detect_faces(
    rgb: NDArray[np.uint8],
    *,
    turn_deg: int = 0,
    extend_below: float = 0.0,
    spec: DetectorSpec = SHORT_RANGE,
    model: LoadedModel | None = None,
) -> list[FaceDetection]:
    """Detect faces, showing the detector the photo turned clockwise by ``turn_deg``.

    The photo is letterboxed to the detector's square input (black bars, aspect kept), as
    MediaPipe does; the results come back in the photo's own pixels whatever ``turn_deg`` is.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (a reduced copy is enough: the detector sees 128 x 128 pixels).
    turn_deg : {0, 90, 180, 270}
        How far to turn the photo clockwise before detection.
    extend_below : float
        Room added below the photo's bottom edge (as seen turned), as a share of its longer side.
    spec : DetectorSpec
        The detector variant (short range by default).
    model : LoadedModel, optional
        The loaded model to run; by default the packaged file named by ``spec``.

    Returns
    -------
    list of FaceDetection
        Faces, best score first; empty when none.
    """
    rows, cols = rgb.shape[:2]
    side = float(max(rows, cols))
    # Showing the photo turned clockwise by t means the crop's u axis points along -t in the photo;
    # its v axis (down in the detector's view) is then (sin t, cos t) in the photo.
    turn = math.radians(turn_deg)
    shift = side * extend_below / 2.0
    letterbox = RotatedRect(
        cols / 2.0 + shift * math.sin(turn),
        rows / 2.0 + shift * math.cos(turn),
        side * (1.0 + extend_below),
        side * (1.0 + extend_below),
        -turn,
    )
    tensor = crop(rgb, letterbox, spec.input_size, spec.input_size, replicate_border=False)
    if model is None:
        model = get_model(spec.model)
    outputs = model.run(tensor[None].astype(np.float32) / 127.5 - 1.0)
    regressors, classificators = sorted(outputs, key=lambda out: out.shape[-1], reverse=True)
    boxes, keypoints, scores = decode(regressors[0], classificators[0, :, 0], spec)
    faces = []
    for box, points, score in weighted_nms(boxes, keypoints, scores):
        xmin, ymin, xmax, ymax = box
        corners = np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])
        faces.append(
            FaceDetection(
                box_xy=letterbox.to_image(corners),
                keypoints_xy=letterbox.to_image(points),
                score=score,
            )
        )
    return faces
