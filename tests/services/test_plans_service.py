"""Plans: each save is a new version; old versions are kept."""

from __future__ import annotations

import math

import pytest

from scalpmap.services import audit, plans
from scalpmap.services.errors import InputError, NotFoundError


def test_each_save_is_a_new_version_and_old_ones_are_kept(db_session, case, practitioner):
    with pytest.raises(NotFoundError, match="has no plan"):
        plans.get_plan(db_session, case.id, practitioner)
    docs = [
        {"target": {"template": name}, "zones": {"removal_cm2": i}}
        for i, name in enumerate(["soften", "mature", "custom"])
    ]
    saved = [
        plans.save_plan(db_session, case.id, doc, practitioner, note=f"edit {i}")
        for i, doc in enumerate(docs)
    ]
    assert [p.version for p in saved] == [1, 2, 3]
    assert plans.get_plan(db_session, case.id, practitioner).document == docs[2]
    assert plans.get_plan(db_session, case.id, practitioner, version=1).document == docs[0]
    assert [p.version for p in plans.list_plan_versions(db_session, case.id)] == [1, 2, 3]
    with pytest.raises(NotFoundError, match="no plan version 9"):
        plans.get_plan(db_session, case.id, practitioner, version=9)
    events = audit.list_events(db_session, patient_id=case.patient_id, limit=5)
    assert [(e.action, e.entity, e.details["version"]) for e in events] == [
        ("view", "plan", 1),
        ("view", "plan", 3),
        ("create", "plan", 3),
        ("create", "plan", 2),
        ("create", "plan", 1),
    ]


def test_versions_count_per_case(db_session, case, patient, practitioner):
    from scalpmap.services import cases
    from scalpmap.store.models import CaseReason

    other = cases.open_case(db_session, patient.id, CaseReason.TOTAL_REMOVAL, practitioner)
    plans.save_plan(db_session, case.id, {"a": 1}, practitioner)
    assert plans.save_plan(db_session, other.id, {"b": 1}, practitioner).version == 1


def test_document_must_be_finite_json(db_session, case, practitioner):
    with pytest.raises(InputError):
        plans.save_plan(db_session, case.id, {"area": math.nan}, practitioner)
    with pytest.raises(InputError):
        plans.save_plan(db_session, case.id, {"when": object()}, practitioner)
    with pytest.raises(InputError):
        plans.save_plan(db_session, case.id, [1, 2], practitioner)
    with pytest.raises(NotFoundError):
        plans.save_plan(db_session, case.id, {}, practitioner, analysis_id=999_999)
    assert plans.list_plan_versions(db_session, case.id) == []
