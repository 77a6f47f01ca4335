"""All models, imported here so that ``Base.metadata`` knows every table."""

from __future__ import annotations

from scalpmap.store.models.audit import AuditEvent
from scalpmap.store.models.base import Base, utcnow
from scalpmap.store.models.cases import Case, CaseReason, CaseStage
from scalpmap.store.models.clearance import ClearanceCheck
from scalpmap.store.models.clinic import CLINIC_SETTINGS_ID, ClinicSettings
from scalpmap.store.models.enquiries import Enquiry, EnquiryStatus
from scalpmap.store.models.facilities import Facility
from scalpmap.store.models.jobs import Job, JobKind, JobStatus
from scalpmap.store.models.patients import Patient
from scalpmap.store.models.photos import (
    AnalysisStatus,
    Photo,
    PhotoAnalysis,
    PhotoView,
    ScaleSource,
)
from scalpmap.store.models.plans import PlanVersion
from scalpmap.store.models.referrals import Referral, ReferralStatus
from scalpmap.store.models.treatment_sessions import LaserSession, PulseClass, SmpSession
from scalpmap.store.models.users import ApiToken, Role, SignInSession, User

__all__ = [
    "CLINIC_SETTINGS_ID",
    "AnalysisStatus",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Case",
    "CaseReason",
    "CaseStage",
    "ClearanceCheck",
    "ClinicSettings",
    "Enquiry",
    "EnquiryStatus",
    "Facility",
    "Job",
    "JobKind",
    "JobStatus",
    "LaserSession",
    "Patient",
    "Photo",
    "PhotoAnalysis",
    "PhotoView",
    "PlanVersion",
    "PulseClass",
    "Referral",
    "ReferralStatus",
    "Role",
    "ScaleSource",
    "SignInSession",
    "SmpSession",
    "User",
    "utcnow",
]
