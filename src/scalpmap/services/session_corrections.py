"""Correct or void a logged session, keeping what it said before.

A correction is checked as a new session would be (:mod:`scalpmap.services.session_checks`,
a same-day session other than itself needs confirming), then changes the session in place; the
old and new value of each changed field go into the session's ``history`` with who, when and
why. Voiding marks a session logged by mistake (``voided_at``, and why in ``history``): it is
kept and shown struck through on the case page, but counts nowhere else (progress report,
clearance chart, calendar, due dates, the dashboard) and takes no follow-up photo.

The audit log records each correction and voiding with the names of the changed fields and the
history entry's position (never the values: they are health data, kept with the session).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.services.session_checks import (
    LaserSessionIn,
    SessionKind,
    SmpSessionIn,
    check_laser,
    check_smp,
)
from scalpmap.store.models import Case, LaserSession, SmpSession, User, utcnow

__all__ = [
    "MAX_REASON",
    "HistoryEntry",
    "correct_laser_session",
    "correct_smp_session",
    "history_of",
    "void_entry",
    "laser_values",
    "smp_values",
    "void_session",
]

MAX_REASON = 500
"""Longest reason for a correction or a voiding, characters."""
_NAMES = {"laser": "laser session", "smp": "SMP session"}


@dataclass(frozen=True)
class HistoryEntry:
    """One correction or voiding of a session, as the case page shows it.

    Attributes
    ----------
    action : {"correct", "void"}
        What was done.
    at : datetime.datetime
        When (UTC).
    by : int or None
        Who (a user's id); ``None`` for the command line.
    reason : str or None
        Why.
    changes : dict
        Field → ``(old, new)``, as stored (dates as ``YYYY-MM-DD``); empty for a voiding.
    """

    action: str
    at: dt.datetime
    by: int | None
    reason: str | None
    changes: dict[str, tuple[Any, Any]]


def laser_values(row: LaserSession) -> LaserSessionIn:
    """Return a logged laser session's values as an input (the start of a correction)."""
    fields = LaserSessionIn.model_fields
    return LaserSessionIn.model_validate({name: getattr(row, name) for name in fields})


def smp_values(row: SmpSession) -> SmpSessionIn:
    """Return a logged SMP session's values as an input (the start of a correction)."""
    fields = SmpSessionIn.model_fields
    return SmpSessionIn.model_validate({name: getattr(row, name) for name in fields})


def _reason(text: str | None, *, required: bool) -> str | None:
    value = " ".join((text or "").split())
    if required and not value:
        raise InputError("Why it is void is empty: say why, e.g. logged twice", "reason")
    if len(value) > MAX_REASON:
        raise InputError(
            f"the reason is too long: at most {MAX_REASON} characters (got {len(value)})",
            "reason",
        )
    return value or None


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # an enum
        return value.value
    return list(value) if isinstance(value, tuple | list) else value


def _changes(row: LaserSession | SmpSession, data: BaseModel) -> dict[str, dict[str, Any]]:
    changes = {}
    for name, new in data.model_dump().items():
        old = getattr(row, name)
        if _json(old) != _json(new):
            changes[name] = {"from": _json(old), "to": _json(new)}
    return changes


def _entry(action: str, actor: User | None, reason: str | None, **more: Any) -> dict[str, Any]:
    return {
        "action": action,
        "at": utcnow().isoformat(),
        "by": actor.id if actor is not None else None,
        "reason": reason,
        **more,
    }


def _apply(
    session: Session,
    row: LaserSession | SmpSession,
    kind: SessionKind,
    data: BaseModel,
    actor: User | None,
    reason: str | None,
    extra: dict[str, Any],
) -> None:
    changes = _changes(row, data)
    if not changes:
        raise InputError(
            f"nothing to correct: {_NAMES[kind]} {row.id} already has these values; change a "
            "field first"
        )
    case = get_or_raise(session, Case, row.case_id, "case")
    with atomic(session):
        for name in changes:
            setattr(row, name, getattr(data, name))
        for name, value in extra.items():
            setattr(row, name, value)
        history = list(row.history or [])
        history.append(_entry("correct", actor, reason, changes=changes))
        row.history = history
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            f"{kind}_session",
            row.id,
            patient_id=case.patient_id,
            details={"fields": sorted(changes), "correction": len(history)},
        )


def _open(session: Session, kind: SessionKind, session_id: int) -> LaserSession | SmpSession:
    model: type[LaserSession] | type[SmpSession] = LaserSession if kind == "laser" else SmpSession
    row = get_or_raise(session, model, session_id, _NAMES[kind])
    if row.voided_at is not None:
        raise InputError(f"{_NAMES[kind]} {row.id} is void: a void session is not corrected")
    return row


def correct_laser_session(
    session: Session,
    laser_id: int,
    data: LaserSessionIn,
    actor: User | None,
    *,
    reason: str | None = None,
    confirm_duplicate: bool = False,
) -> LaserSession:
    """Correct a logged laser session; its old values stay in its history.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    laser_id : int
        The laser session.
    data : LaserSessionIn
        All its values as they should be (:func:`laser_values` gives the current ones).
    actor : User or None
        Who corrects it.
    reason : str, optional
        Why.
    confirm_duplicate : bool, optional
        Move it to a day that already has another laser session of the case (a session whose
        day does not change is not asked about again).

    Returns
    -------
    LaserSession
        The corrected session (re-linked to the referral of its facility).

    Raises
    ------
    NotFoundError
        When there is no such session or facility.
    InputError
        When it is void, nothing changes, or a value is refused as when logging.
    DuplicateSessionError
        When the new day has another laser session, unless ``confirm_duplicate``.
    """
    row = _open(session, "laser", laser_id)
    assert isinstance(row, LaserSession)
    case = get_or_raise(session, Case, row.case_id, "case")
    why = _reason(reason, required=False)
    same_day = data.session_date == row.session_date  # already there: nothing new to confirm
    confirmed = confirm_duplicate or same_day
    referral = check_laser(session, case, data, confirmed=confirmed, other_than=row.id)
    extra = {"referral_id": referral.id if referral is not None else None}
    _apply(session, row, "laser", data, actor, why, extra)
    return row


def correct_smp_session(
    session: Session,
    smp_id: int,
    data: SmpSessionIn,
    actor: User | None,
    *,
    reason: str | None = None,
    confirm_duplicate: bool = False,
) -> SmpSession:
    """Correct a logged SMP session; its old values stay in its history.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    smp_id : int
        The SMP session.
    data : SmpSessionIn
        All its values as they should be (:func:`smp_values` gives the current ones).
    actor : User or None
        Who corrects it.
    reason : str, optional
        Why.
    confirm_duplicate : bool, optional
        Move it to a day that already has another SMP session of the case (a session whose day
        does not change is not asked about again).

    Returns
    -------
    SmpSession
        The corrected session.

    Raises
    ------
    NotFoundError
        When there is no such session or practitioner.
    InputError
        When it is void, nothing changes, or the date is in the future.
    DuplicateSessionError
        When the new day has another SMP session, unless ``confirm_duplicate``.
    """
    row = _open(session, "smp", smp_id)
    assert isinstance(row, SmpSession)
    case = get_or_raise(session, Case, row.case_id, "case")
    why = _reason(reason, required=False)
    confirmed = confirm_duplicate or data.session_date == row.session_date
    check_smp(session, case, data, confirmed=confirmed, other_than=row.id)
    _apply(session, row, "smp", data, actor, why, {})
    return row


def void_session(
    session: Session, kind: SessionKind, session_id: int, reason: str, actor: User | None
) -> LaserSession | SmpSession:
    """Void a session logged by mistake: kept with why, counted nowhere.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    kind : {"laser", "smp"}
        Which log.
    session_id : int
        The session.
    reason : str
        Why it is void, e.g. ``"logged twice"`` (required).
    actor : User or None
        Who voids it.

    Returns
    -------
    LaserSession or SmpSession
        The voided session.

    Raises
    ------
    NotFoundError
        When there is no such session.
    InputError
        When it is void already, or no reason is given. The case's stage is left as it is
        (move it back on the case page if the voided session had moved it on).
    """
    why = _reason(reason, required=True)
    model: type[LaserSession] | type[SmpSession] = LaserSession if kind == "laser" else SmpSession
    row = get_or_raise(session, model, session_id, _NAMES[kind])
    if row.voided_at is not None:
        raise InputError(f"{_NAMES[kind]} {row.id} is void already")
    case = get_or_raise(session, Case, row.case_id, "case")
    with atomic(session):
        row.voided_at = utcnow()
        history = list(row.history or [])
        history.append(_entry("void", actor, why))
        row.history = history
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            f"{kind}_session",
            row.id,
            patient_id=case.patient_id,
            details={"fields": ["voided_at"], "voided": True},
        )
    return row


def history_of(row: LaserSession | SmpSession) -> list[HistoryEntry]:
    """Return a session's corrections and voiding, oldest first.

    Parameters
    ----------
    row : LaserSession or SmpSession
        The session.

    Returns
    -------
    list of HistoryEntry
        Its history (empty for a session never corrected).
    """
    entries = []
    for item in row.history or []:
        changes = {
            name: (change.get("from"), change.get("to"))
            for name, change in (item.get("changes") or {}).items()
        }
        entries.append(
            HistoryEntry(
                action=str(item.get("action")),
                at=dt.datetime.fromisoformat(str(item.get("at"))),
                by=item.get("by"),
                reason=item.get("reason"),
                changes=changes,
            )
        )
    return entries


def void_entry(row: LaserSession | SmpSession) -> HistoryEntry | None:
    """Return the voiding of a session (when, who, why), or ``None`` when it counts."""
    if row.voided_at is None:
        return None
    voids = [entry for entry in history_of(row) if entry.action == "void"]
    return voids[-1] if voids else HistoryEntry("void", row.voided_at, None, None, {})
