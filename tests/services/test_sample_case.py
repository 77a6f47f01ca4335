"""The sample case: a planned case whose follow-ups have a known clearance."""

from __future__ import annotations

import numpy as np
import pytest

from scalpmap.reports.images import encode_png
from scalpmap.services import plans
from scalpmap.services.errors import ConflictError
from scalpmap.services.sample_case import (
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up,
)
from scalpmap.store.models import Patient


def test_a_follow_up_knows_its_true_clearance(db_session, photo_store, practitioner):
    sample = plan_sample_case(
        db_session, photo_store, practitioner, photo_png=sample_baseline_png(), consent=True
    )
    plan = plans.get_plan(db_session, sample.case_id, practitioner)
    assert plan.id == sample.plan_id and plan.analysis_id == sample.analysis_id
    patient = db_session.get(Patient, sample.patient_id)
    assert patient.full_name == "Sam Example" and patient.consent_given_at is not None
    assert sample.baseline_rgb.shape == (900, 1200, 3)
    picture, truth = sample_follow_up(sample, erase_share=0.4, seed=1)
    assert picture.shape == sample.baseline_rgb.shape
    assert truth.clearance_percent == pytest.approx(40, abs=3)


def test_a_photo_that_cannot_be_analysed_is_refused(db_session, photo_store, practitioner):
    skin = encode_png(np.full((600, 800, 3), (196, 160, 140), np.uint8))
    with pytest.raises(ConflictError, match="could not be analysed"):
        plan_sample_case(db_session, photo_store, practitioner, photo_png=skin)
