"""analysis.json of a whole head: head, excluded area, warnings, patches and hairline segments."""

from __future__ import annotations

import copy
from functools import cache

import numpy as np
import pytest
import shapely

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.analysis_json import analysis_to_json, validate_analysis_json
from scalpmap.imaging.face_exclusion import SIDEBURN_MM
from scalpmap.imaging.hairline_segments import SEGMENT_NAMES
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo

NEW_KEYS = ("head", "excluded_area", "warnings")


@cache
def _document() -> dict:
    options = SynthOptions(
        seed=12,
        view="front",
        width_px=1200,
        height_px=900,
        mm_per_px=0.2,
        marker=False,
        fitzpatrick=3,
        ink="black",
        beard="full",
        moustache=True,
    )
    photo, _ = generate_scalp_photo(options)
    return analysis_to_json(analyse_photo(photo, mm_per_px=0.2), source="head.jpg")


@pytest.fixture
def doc() -> dict:
    return copy.deepcopy(_document())


def test_a_whole_head_document_has_the_head_and_what_was_left_out(doc):
    validate_analysis_json(doc)
    head = doc["head"]
    assert head["view"] == "front" and head["source"].startswith("mediapipe")
    assert {"left_brow", "right_brow", "glabella", "face_oval"} <= set(head["landmarks"])
    assert len(head["face_box"]) == 4
    excluded = doc["excluded_area"]
    assert excluded["brow_line_source"] == "landmarks"
    assert len(excluded["brow_line"]) == 2 and excluded["polygons"]
    # The brows lie below the brow line, in the excluded part.
    brow_y = max(y for _, y in excluded["brow_line"])
    assert min(y for _, y in head["landmarks"]["left_brow"]) >= min(
        y for _, y in excluded["brow_line"]
    )
    # Nothing on the face: only the sideburns, beside it, come down below the brow line, and
    # no further than mid-ear height.
    region = shapely.unary_union([shapely.Polygon(ring) for ring in doc["region"]["polygons"]])
    for name in ("left_eye", "right_eye", "nose_tip", "mouth", "left_brow", "right_brow"):
        assert not region.intersects(shapely.MultiPoint(head["landmarks"][name])), name
    sideburn_px = SIDEBURN_MM / doc["scale"]["mm_per_px"]
    assert max(y for ring in doc["region"]["polygons"] for _, y in ring) <= brow_y + sideburn_px
    assert set(doc["hairline"]["segments"]) == set(SEGMENT_NAMES)
    assert len(doc["hairline"]["segments"]["frontal"]) >= 2
    patches = doc["region"]["patches"]
    assert patches and sum(p["area_cm2"] for p in patches) <= doc["region"]["area_cm2"] * 1.01
    assert doc["warnings"] == []


def test_the_head_and_its_extras_round_trip(doc):
    rebuilt = analysis_from_json(doc)
    assert rebuilt.head is not None and rebuilt.head.view == "front"
    assert rebuilt.head.person_mask is None  # an image: not written
    again = analysis_to_json(rebuilt, source="head.jpg")
    for key in NEW_KEYS:
        assert again[key] == doc[key], key
    assert again["hairline"]["segments"] == doc["hairline"]["segments"]
    # Points are written to 0.01 px and the length to 0.01 mm: rounding alone moves it a little.
    assert again["hairline"]["length_mm"] == pytest.approx(doc["hairline"]["length_mm"], rel=1e-3)
    assert [p["area_cm2"] for p in again["region"]["patches"]] == pytest.approx(
        [p["area_cm2"] for p in doc["region"]["patches"]], abs=2e-3
    )
    assert np.allclose(rebuilt.brow_line_xy, doc["excluded_area"]["brow_line"])


def test_a_document_written_before_the_head_model_still_loads(doc):
    for key in NEW_KEYS:
        del doc[key]
    del doc["region"]["patches"]
    del doc["hairline"]["segments"]
    validate_analysis_json(doc)
    rebuilt = analysis_from_json(doc)
    assert rebuilt.head is None and rebuilt.brow_line_source == "none"
    assert rebuilt.patches == () and rebuilt.excluded_area.is_empty
    assert rebuilt.region.area > 0


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("head", "view"), "sideways"),
        (("excluded_area", "brow_line_source"), "guessed"),
        (("hairline", "segments", "crown"), []),
        (("warnings",), "upside down"),
    ],
)
def test_a_malformed_head_part_is_refused_in_one_line(doc, path, value):
    from scalpmap.errors import InputError

    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InputError) as raised:
        analysis_from_json(doc)
    assert "\n" not in str(raised.value) and "analysis.json" in str(raised.value)
