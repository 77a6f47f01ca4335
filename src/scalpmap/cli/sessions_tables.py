"""The rich tables that ``scalpmap sessions`` prints: sessions, their clearance, a follow-up."""

from __future__ import annotations

from rich.table import Table
from sqlalchemy.orm import Session

from scalpmap.services.clearance_progress import list_clearance_checks
from scalpmap.services.session_corrections import void_entry
from scalpmap.services.treatment_sessions import list_laser_sessions, list_smp_sessions
from scalpmap.store.models import ClearanceCheck, Facility, LaserSession

__all__ = ["check_table", "laser_table", "smp_table", "voided_lines"]


def check_table(laser: LaserSession, check: ClearanceCheck) -> Table:
    """Build the table of a measured follow-up: clearance, loss outside, next step."""
    table = Table(title=f"follow-up of laser session {laser.id} ({laser.session_date})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("clearance", f"{check.percent:.1f} %")
    if check.outside_lost_percent is not None:
        flag = " FLAGGED" if check.outside_flagged else ""
        table.add_row("lost outside the zone", f"{check.outside_lost_percent:.1f} %{flag}")
    if check.recommendation is not None:
        when = f" from {check.next_laser_on.isoformat()}" if check.next_laser_on else ""
        table.add_row("next step", check.recommendation.replace("_", " ") + when)
    return table


def laser_table(session: Session, case_id: int) -> tuple[Table, list[str]]:
    """Build the laser sessions' table and the lines saying why a follow-up is not measured."""
    checks = {check.laser_session_id: check for check in list_clearance_checks(session, case_id)}
    table = Table(title=f"laser sessions of case {case_id}")
    for name in ("#", "id", "date", "facility", "laser", "settings", "clearance", "lost outside"):
        right = name in ("#", "id", "clearance", "lost outside")
        table.add_column(name, justify="right" if right else "left", no_wrap=name == "date")
    problems = []
    for number, row in enumerate(list_laser_sessions(session, case_id), start=1):
        place = session.get(Facility, row.facility_id) if row.facility_id else None
        check = checks.get(row.id)
        if check is not None and check.measured and check.percent is not None:
            clearance = f"{check.percent:.1f} %"
        elif check is not None or row.follow_up_photo_id is not None:
            clearance = "not measured"
            reason = check.reason if check is not None else "not measured yet"
            problems.append(f"session {row.id} ({row.session_date}): not measured: {reason}")
        else:
            clearance = "no follow-up"
        outside = "—"
        if check is not None and check.outside_lost_percent is not None:
            outside = f"{check.outside_lost_percent:.1f} %"
            outside += " FLAGGED" if check.outside_flagged else ""
        table.add_row(
            str(number),
            str(row.id),
            row.session_date.isoformat() + (" (corrected)" if row.history else ""),
            place.name if place is not None else "—",
            f"{row.device}, {row.wavelength_nm} nm {row.pulse}",
            f"{row.fluence_j_cm2:g} J/cm², {row.spot_mm:g} mm, {row.passes}×",
            clearance,
            outside,
        )
    return table, problems


def smp_table(session: Session, case_id: int) -> Table:
    """Build the SMP sessions' table."""
    table = Table(title=f"SMP sessions of case {case_id}")
    for name in ("id", "date", "practitioner", "needle", "areas"):
        table.add_column(name, justify="right" if name == "id" else "left")
    for row in list_smp_sessions(session, case_id):
        areas = ", ".join(row.areas)
        day = row.session_date.isoformat() + (" (corrected)" if row.history else "")
        table.add_row(str(row.id), day, row.practitioner_name, row.needle, areas)
    return table


def voided_lines(session: Session, case_id: int) -> list[str]:
    """Say which sessions of the case are void (kept, counted nowhere) and why."""
    lines = []
    for kind, rows in (
        ("laser", list_laser_sessions(session, case_id, include_voided=True)),
        ("SMP", list_smp_sessions(session, case_id, include_voided=True)),
    ):
        for row in rows:
            entry = void_entry(row)
            if entry is not None:
                why = f": {entry.reason}" if entry.reason else ""
                lines.append(f"void: {kind} session {row.id} ({row.session_date}){why}")
    return lines
