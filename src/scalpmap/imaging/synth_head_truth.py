"""The truth of a synthetic whole head beyond the SMP: view, hairlines, brows, face, beard, ears."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon


@dataclass(frozen=True)
class HeadTruth:
    """What a whole-head photo shows besides the SMP, in pixels.

    Attributes
    ----------
    view : str
        ``front``, ``left-three-quarter``, ``right-three-quarter``, ``left-side``, ``right-side``
        or ``top``, named as :class:`scalpmap.imaging.head.HeadModel` names them (by the
        patient's own cheek that faces the camera).
    yaw_deg, pitch_deg, roll_deg : float
        Head turn (positive towards the patient's own left), the camera's downward look and the
        head's tilt in the picture (positive clockwise: the patient's left eye lower).
    frontal_hairline_xy : ndarray of float, shape (M, 2)
        The frontal part of the hairline, between the temple peaks, left to right.
    brow_line_xy : ndarray of float, shape (K, 2)
        The brows' upper edge extended across the face, left to right.
    below_brows : Polygon or MultiPolygon
        The face below the brow line, the ears and the neck, without the pigmented region:
        where no pigment may be found.
    beard : Polygon or MultiPolygon
        Beard and moustache (empty without).
    ears : Polygon or MultiPolygon
        The visible ears.
    landmarks : dict of str to ndarray
        ``glabella``, ``left_iris_center``, ``right_iris_center``, the four canthi and
        ``nose_tip`` as ``(1, 2)`` arrays, where visible.
    beard_style : str
        ``none``, ``stubble``, ``full`` or ``goatee``.
    moustache : bool
        Whether a moustache was drawn.
    glasses : bool
        Whether spectacles were drawn.
    natural_hair : Polygon or MultiPolygon
        Shaved natural hair growing inside the region on the sides and back (empty without).
    """

    view: str
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    frontal_hairline_xy: NDArray[np.float64]
    brow_line_xy: NDArray[np.float64]
    below_brows: Polygon | MultiPolygon
    beard: Polygon | MultiPolygon
    ears: Polygon | MultiPolygon
    landmarks: dict[str, NDArray[np.float64]]
    beard_style: str
    moustache: bool
    glasses: bool = False
    natural_hair: Polygon | MultiPolygon = Polygon()

    def to_json(self) -> dict[str, Any]:
        """Return the head's truth as JSON-serialisable values.

        Returns
        -------
        dict
            The ``head`` block of the truth file.
        """
        return {
            "view": self.view,
            "yaw_deg": round(self.yaw_deg, 2),
            "pitch_deg": round(self.pitch_deg, 2),
            "roll_deg": round(self.roll_deg, 2),
            "frontal_hairline": np.round(self.frontal_hairline_xy, 2).tolist(),
            "brow_line": np.round(self.brow_line_xy, 2).tolist(),
            "below_brows": _polygons_json(self.below_brows),
            "glasses": self.glasses,
            "natural_hair": _polygons_json(self.natural_hair),
            "beard": {"style": self.beard_style, "moustache": self.moustache}
            | {"polygons": _polygons_json(self.beard)},
            "ears": _polygons_json(self.ears),
            "landmarks": {k: np.round(v, 2).tolist() for k, v in self.landmarks.items()},
        }


def _polygons_json(geometry: Polygon | MultiPolygon) -> list[list[list[float]]]:
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if not g.is_empty]
    return [np.round(p.exterior.coords, 1).tolist() for p in parts]
