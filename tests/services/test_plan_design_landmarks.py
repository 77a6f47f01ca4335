"""The plan designer with facial landmarks: detected in the analysis, moved and saved as given."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest

from scalpmap.planning.plan import PlanOptions
from scalpmap.planning.plan_json import validate_plan_json
from scalpmap.services import analyses, photos, plan_design
from scalpmap.services.errors import InputError

TODAY = dt.date(2026, 3, 2)


# --- facial landmarks: detected in the stored analysis, moved by the practitioner -----------

NAMES = ("glabella", "left_canthus", "right_canthus")


@pytest.fixture
def stored_face(db_session, photo_store, case, practitioner, face_photo):
    """A finished analysis of a whole-head front photo with a face."""
    path, truth = face_photo
    photo = photos.add_photo(
        db_session, photo_store, path.read_bytes(), case_id=case.id, actor=practitioner,
        mm_per_px=truth.mm_per_px,
    )  # fmt: skip
    row = analyses.request_analysis(db_session, photo.id, practitioner)
    done = analyses.run_analysis(db_session, photo_store, row.id)
    assert done.document is not None, done.error
    return done


def test_a_stored_face_gives_the_designer_its_landmarks_and_the_rules_guides(
    db_session, stored_face, face_photo
):
    design = plan_design.DesignCache().design(db_session, stored_face.id)
    assert set(design.detected) == set(NAMES)
    state = plan_design.start_design(design, "mature")  # no age: the landmarks are enough
    json.dumps(state, allow_nan=False)
    marks, guides = state["landmarks"], state["guides"]
    assert marks["sources"] == dict.fromkeys(NAMES, "detected")
    assert marks["left_canthus"][0] < marks["glabella"][0] < marks["right_canthus"][0]
    mm = state["mm_per_px"]
    g, top = np.asarray(marks["glabella"]), np.asarray(guides["midfrontal_xy"])
    assert np.linalg.norm(top - g) * mm == pytest.approx(80.0, abs=0.1)
    assert guides["up"][1] < -0.9  # an upright face: up is up the photo
    for side in ("left", "right"):
        start = np.asarray(guides[f"{side}_vertical"][0])
        assert np.allclose(start, marks[f"{side}_canthus"], atol=0.1)
    assert any("8 cm above the glabella" in note for note in state["notes"])
    # The mature line crosses the glabella's vertical about 8 cm above it (the line is clipped
    # to the head, so it may come in pieces).
    line = np.vstack([np.asarray(piece) for piece in state["target_lines"]])
    near = line[np.argmin(np.abs(line[:, 0] - g[0]))]
    assert (g[1] - near[1]) * mm == pytest.approx(80.0, abs=3.0)
    assert state["scale"] == {"source": "given", "uncertainty_percent": None}


def test_a_moved_glabella_moves_the_mature_line_and_is_marked_given(db_session, stored_face):
    design = plan_design.DesignCache().design(db_session, stored_face.id)
    gx, gy = design.detected["glabella"]
    higher = [gx, gy - 10.0 / design.analysis.scale.mm_per_px]  # 1 cm up
    marks = plan_design.design_landmarks(design, {"glabella": higher})
    before = plan_design.start_design(design, "mature")
    after = plan_design.start_design(design, "mature", landmarks=marks)
    assert after["landmarks"]["sources"] == {
        "glabella": "given", "left_canthus": "detected", "right_canthus": "detected"
    }  # fmt: skip
    assert after["landmarks"]["glabella"] == pytest.approx(higher, abs=0.01)

    def top(state):  # the line is clipped to the head: it may come in pieces
        line = np.vstack([np.asarray(piece) for piece in state["target_lines"]])
        return line[np.argmin(np.abs(line[:, 0] - gx)), 1]

    mm = design.analysis.scale.mm_per_px
    assert (top(before) - top(after)) * mm == pytest.approx(10.0, abs=2.0)
    assert after["zones"]["removal"]["area_cm2"] > before["zones"]["removal"]["area_cm2"]


def test_a_saved_plan_records_each_landmark_as_detected_or_given(
    db_session, photo_store, stored_face, case, practitioner
):
    cache = plan_design.DesignCache()
    design = cache.design(db_session, stored_face.id)
    options = PlanOptions(template="mature", skin_type=3)  # no age
    lx, ly = design.detected["left_canthus"]
    saved = plan_design.save_design(
        db_session, photo_store, stored_face.id, case_id=case.id, actor=practitioner,
        options=options, landmarks={"left_canthus": [lx - 15.0, ly]}, cache=cache, today=TODAY,
    )  # fmt: skip
    document = saved.document
    validate_plan_json(document)
    recorded = document["options"]["landmarks"]
    assert recorded["sources"] == {
        "glabella": "detected", "left_canthus": "given", "right_canthus": "detected"
    }  # fmt: skip
    assert recorded["left_canthus"] == [lx - 15.0, ly]
    assert recorded["glabella"] == pytest.approx(list(design.detected["glabella"]), abs=0.01)
    assert document["target"]["height_above_glabella_cm"] == pytest.approx(8.0, abs=0.2)
    plain = plan_design.save_design(
        db_session, photo_store, stored_face.id, case_id=case.id, actor=practitioner,
        options=options, cache=cache, today=TODAY,
    )  # fmt: skip
    assert plain.document["options"]["landmarks"]["sources"] == dict.fromkeys(NAMES, "detected")


BAD_LANDMARKS = [
    ({"glabella": [1e6, 10.0]}, "far outside the photo"),
    ({"glabella": "12"}, "must be [x, y]"),
    ({"glabella": [float("nan"), 1.0]}, "finite"),
    ({"nose": [10.0, 10.0]}, "unknown landmark"),
    ({"glabella": [5.0, 5.0], "left_canthus": [50.0, 5.0]}, "between the two lateral canthi"),
]


def test_bad_given_landmarks_are_refused_in_one_line(db_session, stored_face):
    design = plan_design.DesignCache().design(db_session, stored_face.id)
    for given, fragment in BAD_LANDMARKS:
        with pytest.raises(InputError, match=re.escape(fragment)) as error:
            plan_design.design_landmarks(design, given)
        assert "\n" not in str(error.value)
