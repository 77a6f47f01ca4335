"""The hairline designer's engine: start, update as points move, save as a plan version."""

from __future__ import annotations

import copy
import datetime as dt
import json

import numpy as np
import pytest
from sqlalchemy import func, select

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.photo_io import decode_photo
from scalpmap.imaging.synth import SynthOptions, write_synthetic_photo
from scalpmap.plan_outputs import PlanOutputs
from scalpmap.planning.designer import target_from_hairline
from scalpmap.planning.hairline import HairlineModel
from scalpmap.planning.plan import PlanOptions
from scalpmap.planning.plan_json import plan_to_json, validate_plan_json
from scalpmap.planning.zones import compute_zones
from scalpmap.services import analyses, cases, photos, plan_design, plans
from scalpmap.services.errors import ConflictError, InputError, NotFoundError
from scalpmap.store.models import CaseReason, PlanVersion
from scalpmap.store.photos import sha256_hex

MM = 0.035
TODAY = dt.date(2026, 3, 2)
AGE = 28
OPTIONS = PlanOptions(template="mature", age=AGE, skin_type=3)


@pytest.fixture(scope="module")
def designer_png(tmp_path_factory) -> bytes:
    """A 1200 x 900 close-up without the marker; the pigment lies above the hairline."""
    path = tmp_path_factory.mktemp("designer") / "scalp.png"
    write_synthetic_photo(
        path, SynthOptions(seed=3, width_px=1200, height_px=900, mm_per_px=MM, marker=False)
    )
    return path.read_bytes()


@pytest.fixture(scope="module")
def design(designer_png):
    rgb = decode_photo(designer_png).rgb
    return plan_design.prepare_design(analyse_photo(rgb, mm_per_px=MM))


@pytest.fixture
def stored(db_session, photo_store, case, practitioner, designer_png):
    """A finished analysis of one of the case's photos."""
    photo = photos.add_photo(
        db_session, photo_store, designer_png, case_id=case.id, actor=practitioner, mm_per_px=MM
    )
    row = analyses.request_analysis(db_session, photo.id, practitioner)
    return analyses.run_analysis(db_session, photo_store, row.id)


def moved(hairline: dict, dy_mm: float) -> dict:
    """The hairline JSON with every control point moved down by ``dy_mm`` (up when negative)."""
    edited = copy.deepcopy(hairline)
    for segment in edited["segments"].values():
        segment["points_px"] = [[x, y + dy_mm / MM] for x, y in segment["points_px"]]
    return edited


def summary(state: dict) -> dict:
    return {k: (v["area_cm2"], v["impressions"]) for k, v in state["zones"].items()}


@pytest.mark.parametrize("template", ["keep", "soften", "mature", "remove-all"])
def test_start_design_gives_control_points_zones_and_outlines(design, template):
    state = plan_design.start_design(design, template, age=AGE)
    json.dumps(state, allow_nan=False)
    analysis = design.analysis
    zones = state["zones"]
    total = sum(z["area_cm2"] for z in (zones["removal"], zones["keep"]))
    assert state["template"] == template and len(state["current_hairline"]) >= 2
    assert zones["removal"]["impressions"] + zones["keep"]["impressions"] + zones["touch_up"][
        "impressions"
    ] == (analysis.impressions_in_region)
    if template == "remove-all":
        assert state["hairline"] is None and state["target_lines"] == []
        assert zones["removal"]["area_cm2"] == pytest.approx(analysis.region_area_cm2, abs=1e-3)
        assert zones["keep"]["polygons"] == [] == zones["touch_up"]["polygons"]
        return
    segments = state["hairline"]["segments"]
    assert sum(len(s["points_px"]) for s in segments.values()) >= 3
    assert state["target_lines"] and zones["keep"]["polygons"]
    assert total <= analysis.region_area_cm2 + 1e-3
    if template == "keep":
        assert zones["removal"]["area_cm2"] == 0
    if template == "mature":
        assert zones["removal"]["area_cm2"] > 1.0 and zones["removal"]["polygons"]
    ring = np.asarray(zones["keep"]["polygons"][0][0])
    assert ring.shape[1] == 2 and (ring[0] == ring[-1]).all()


def test_moving_the_points_up_removes_more_and_down_less(design):
    start = plan_design.start_design(design, "mature", age=AGE)
    same = plan_design.update_design(design, start["hairline"])
    assert same["template"] == "custom"
    assert summary(same) == summary(start)
    up = plan_design.update_design(design, moved(start["hairline"], -2.0))
    down = plan_design.update_design(design, moved(start["hairline"], +2.0))
    removal = [s["zones"]["removal"] for s in (up, same, down)]
    assert removal[0]["area_cm2"] > removal[1]["area_cm2"] + 0.1 > removal[2]["area_cm2"] + 0.2
    assert removal[0]["impressions"] > removal[1]["impressions"] > removal[2]["impressions"]
    # The kept pigment lies above the new line: its lower edge follows the line.
    low = [
        max(p[1] for poly in s["zones"]["keep"]["polygons"] for p in poly[0]) for s in (up, down)
    ]
    assert low[0] < low[1]


def test_the_fast_update_equals_target_from_hairline(design):
    start = plan_design.start_design(design, "soften")
    edited = moved(start["hairline"], 1.0)
    edited["segments"]["frontal"]["points_px"][3][1] -= 40
    state = plan_design.update_design(design, edited)
    target = target_from_hairline(design.analysis, HairlineModel.from_json(edited))
    zones = compute_zones(design.analysis, target)
    for name in ("removal", "keep", "touch_up"):
        zone = getattr(zones, name)
        assert state["zones"][name]["area_cm2"] == round(zone.area_cm2, 4)
        assert state["zones"][name]["impressions"] == zone.impressions
    assert state["notes"] == [*target.notes, *zones.notes]
    # An Analysis instead of a prepared Design gives the same state (prepared on each call).
    assert plan_design.update_design(design.analysis, edited) == state


def _far(hairline):
    edited = copy.deepcopy(hairline)
    edited["segments"]["frontal"]["points_px"][0] = [1e7, 10.0]
    return edited


def _nan(hairline):
    edited = copy.deepcopy(hairline)
    edited["segments"]["frontal"]["points_px"][0] = [float("nan"), 10.0]
    return edited


def _single(hairline):
    return {"segments": {"frontal": {"points_px": [[100.0, 100.0]]}}}


def _many(hairline):
    xs = np.linspace(0, 1199, 600)
    return {"segments": {"frontal": {"points_px": [[x, 300.0] for x in xs]}}}


def _off_photo(hairline):
    return {"segments": {"frontal": {"points_px": [[0.0, -600.0], [1199.0, -600.0]]}}}


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda h: [1, 2], "JSON object with 'segments'"),
        (lambda h: {"points": []}, "'segments' object"),
        (lambda h: {**h, "format": "other/1"}, "format must be"),
        (lambda h: {"segments": {"crown": [[0, 0], [5, 5]]}}, "unknown hairline segment"),
        (lambda h: {"segments": {"frontal": {"points_px": "abc"}}}, "list of \\[x, y\\] points"),
        (lambda h: {**h, "feather_mm": "wide"}, "feather_mm must be a number"),
        (_nan, "not a finite number"),
        (_far, "far outside the photo"),
        (_single, "at least 2 distinct control points"),
        (_many, "at most 500 control points"),
        (_off_photo, "lies outside the photo"),
    ],
)
def test_a_bad_hairline_is_refused_with_one_line(design, make, fragment):
    hairline = plan_design.start_design(design, "mature", age=AGE)["hairline"]
    with pytest.raises(InputError, match=fragment) as caught:
        plan_design.update_design(design, make(hairline))
    assert "\n" not in str(caught.value)


def test_the_cache_rebuilds_an_analysis_once_and_keeps_a_bounded_number(
    db_session, photo_store, stored, practitioner
):
    cache = plan_design.DesignCache(designs=1, photos=1)
    first = cache.design(db_session, stored.id)
    assert cache.design(db_session, stored.id) is first
    assert first.case_id == stored.photo.case_id and first.analysis_id == stored.id
    rgb = cache.photo(photo_store, first)
    assert cache.photo(photo_store, first) is rgb and rgb.shape[:2] == first.analysis.shape
    assert not rgb.flags.writeable
    again = analyses.request_analysis(db_session, stored.photo_id, practitioner)
    with pytest.raises(ConflictError, match="not done"):
        cache.design(db_session, again.id)
    analyses.run_analysis(db_session, photo_store, again.id)
    assert cache.design(db_session, again.id) is not first
    assert cache.design(db_session, stored.id) is not first  # evicted: only one is kept
    with pytest.raises(NotFoundError):
        cache.design(db_session, 999_999)


def _files(store) -> list:
    return sorted(p for p in store.root.rglob("*") if p.is_file())


def test_save_makes_versions_with_retrievable_files(
    db_session, photo_store, stored, case, practitioner
):
    cache = plan_design.DesignCache()
    first = plan_design.save_design(
        db_session, photo_store, stored.id, case_id=case.id, actor=practitioner,
        options=OPTIONS, cache=cache, today=TODAY,
    )  # fmt: skip
    design = cache.design(db_session, stored.id)
    start = plan_design.start_design(design, "mature", age=AGE)
    second = plan_design.save_design(
        db_session, photo_store, stored.id, case_id=case.id, actor=practitioner,
        options=OPTIONS, hairline_json=moved(start["hairline"], 1.0), note="lower",
        cache=cache, today=TODAY,
    )  # fmt: skip
    assert (first.version, second.version) == (1, 2) and second.note == "lower"
    assert second.analysis_id == stored.id
    versions = plans.list_plan_versions(db_session, case.id)
    assert [v.version for v in versions] == [1, 2]
    for version in versions:
        validate_plan_json(version.document)
    doc1, doc2 = first.document, second.document
    assert doc1["target"]["template"] == "mature" and doc2["target"]["template"] == "custom"
    assert doc2["options"]["template"] == "mature"
    assert doc2["zones"]["removal"]["area_cm2"] < doc1["zones"]["removal"]["area_cm2"]
    assert set(doc2["files"]) >= {"zones", "removal_map", "patient_pdf", "facility_html"}
    outputs = plan_design.load_plan_outputs(db_session, second.id, photo_store)
    assert outputs.keys() == doc2["files"].keys()
    for role, item in outputs.items():
        assert sha256_hex(item.data) == doc2["files"][role] == item.sha256
        assert item.filename == plan_design.FILE_NAMES[role]
    assert (
        outputs["zones"].data.startswith(b"\x89PNG") and outputs["zones"].media_type == "image/png"
    )
    assert outputs["patient_pdf"].data.startswith(b"%PDF")
    assert outputs["patient_pdf"].media_type == "application/pdf"
    only = plan_design.load_plan_outputs(db_session, first.id, photo_store, roles=["timeline"])
    assert list(only) == ["timeline"]
    with pytest.raises(NotFoundError, match="no nonsense file"):
        plan_design.load_plan_outputs(db_session, first.id, photo_store, roles=["nonsense"])
    with pytest.raises(NotFoundError, match="no plan version"):
        plan_design.load_plan_outputs(db_session, 999_999, photo_store)


def _plan_rows(session) -> int:
    return session.scalar(select(func.count()).select_from(PlanVersion))


def test_a_failure_while_making_the_outputs_leaves_nothing(
    db_session, photo_store, stored, case, practitioner, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(plan_design, "make_plan_outputs", broken)
    before, rows = _files(photo_store), _plan_rows(db_session)
    with pytest.raises(RuntimeError, match="renderer crashed"):
        plan_design.save_design(
            db_session, photo_store, stored.id, case_id=case.id, actor=practitioner,
            options=OPTIONS, cache=plan_design.DesignCache(), today=TODAY,
        )  # fmt: skip
    assert _files(photo_store) == before and _plan_rows(db_session) == rows


def test_a_failure_while_saving_removes_the_staged_files(
    db_session, photo_store, stored, case, practitioner, monkeypatch
):
    def quick(rgb, plan, **kwargs):
        files = {"zones": "zones.png", "patient_html": "plan.html"}
        document = plan_to_json(plan, files=files)
        return PlanOutputs(document, {"zones": b"\x89PNG quick"}, {"patient_html": b"<p>"})

    def refused(*args, **kwargs):
        raise ConflictError("too many concurrent saves")

    monkeypatch.setattr(plan_design, "make_plan_outputs", quick)
    monkeypatch.setattr(plans, "save_plan", refused)
    before, rows = _files(photo_store), _plan_rows(db_session)
    with pytest.raises(ConflictError):
        plan_design.save_design(
            db_session, photo_store, stored.id, case_id=case.id, actor=practitioner,
            options=OPTIONS, cache=plan_design.DesignCache(), today=TODAY,
        )  # fmt: skip
    assert _files(photo_store) == before and _plan_rows(db_session) == rows


def test_an_analysis_of_another_case_is_refused(
    db_session, photo_store, stored, patient, practitioner
):
    other = cases.open_case(db_session, patient.id, CaseReason.TOTAL_REMOVAL, practitioner)
    with pytest.raises(InputError, match="not of a photo of case"):
        plan_design.save_design(
            db_session, photo_store, stored.id, case_id=other.id, actor=practitioner,
            options=OPTIONS, cache=plan_design.DesignCache(), today=TODAY,
        )  # fmt: skip


def test_a_close_up_without_a_face_has_no_landmarks(design):
    state = plan_design.start_design(design, "mature", age=AGE)
    assert state["landmarks"] is None and state["guides"] is None
    assert design.detected == {}
    with pytest.raises(InputError, match="missing --left-canthus"):
        plan_design.design_landmarks(design, {"glabella": [600.0, 800.0]})
