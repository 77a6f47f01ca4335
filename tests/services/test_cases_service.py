"""Cases: opened for a patient and moved through the workflow stages, audited."""

from __future__ import annotations

import pytest

from scalpmap.services import audit, cases
from scalpmap.services.errors import InputError, NotFoundError
from scalpmap.store.models import CaseReason, CaseStage


def test_case_moves_forward_and_only_back_when_allowed(db_session, patient, practitioner):
    case = cases.open_case(db_session, patient.id, CaseReason.POOR_WORK, practitioner, title="redo")
    assert case.stage == CaseStage.ENQUIRY and case.reason == CaseReason.POOR_WORK
    cases.set_stage(db_session, case.id, CaseStage.ASSESSMENT, practitioner)
    cases.set_stage(db_session, case.id, CaseStage.LASER, practitioner)  # in-house laser
    with pytest.raises(InputError, match="cannot go back"):
        cases.set_stage(db_session, case.id, CaseStage.PLANNED, practitioner)
    cases.set_stage(db_session, case.id, "planned", practitioner, allow_backwards=True)
    assert cases.get_case(db_session, case.id, practitioner).stage == CaseStage.PLANNED
    assert cases.list_cases(db_session, patient.id) == [case]
    events = audit.list_events(db_session, patient_id=patient.id, limit=5)
    assert [(e.action, e.entity) for e in events][:4] == [
        ("view", "case"),
        ("update", "case"),
        ("update", "case"),
        ("update", "case"),
    ]
    assert events[1].details == {"fields": ["stage"], "from": "laser", "to": "planned"}


def test_missing_patient_or_case(db_session, practitioner):
    with pytest.raises(NotFoundError):
        cases.open_case(db_session, 999_999, CaseReason.FADED, practitioner)
    with pytest.raises(NotFoundError):
        cases.set_stage(db_session, 999_999, CaseStage.COMPLETE, practitioner)
