"""Fixtures for the service tests: a rolled-back session on each backend, staff and photos."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy.orm import Session

from scalpmap.imaging.synth import SynthOptions, write_synthetic_photo
from scalpmap.services import cases, patients, users
from scalpmap.store import testing
from scalpmap.store.models import Case, CaseReason, Patient, Role, User

backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing
db_engine = testing.db_engine
db_session = testing.db_session
db_settings = testing.db_settings
photo_store = testing.photo_store

PASSWORD = "correct horse battery"


def png_bytes(seed: int, size: int = 64) -> bytes:
    """A small PNG photo whose content (and so sha256) depends on the seed."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def scalp_png(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A small synthetic scalp close-up without the marker (analyse it with mm_per_px=0.035)."""
    path = tmp_path_factory.mktemp("scalp") / "scalp.png"
    options = SynthOptions(seed=3, width_px=800, height_px=600, mm_per_px=0.035, marker=False)
    write_synthetic_photo(path, options)
    return path.read_bytes()


@pytest.fixture
def photo_bytes():
    """``photo_bytes(seed)``: a small PNG; the same seed gives the same bytes."""
    return png_bytes


@pytest.fixture
def make_user(db_session: Session, cheap_password_hashing):
    counter = iter(range(1, 1000))

    def make(role: Role = Role.PRACTITIONER, email: str | None = None) -> User:
        address = email or f"staff{next(counter)}@clinic.example"
        return users.create_user(db_session, address, PASSWORD, role)

    return make


@pytest.fixture
def practitioner(make_user) -> User:
    return make_user(Role.PRACTITIONER)


@pytest.fixture
def patient(db_session: Session, practitioner: User) -> Patient:
    data = patients.PatientCreate(full_name="Sam Example", fitzpatrick_type=3)
    return patients.create_patient(db_session, data, practitioner)


@pytest.fixture
def case(db_session: Session, patient: Patient, practitioner: User) -> Case:
    return cases.open_case(db_session, patient.id, CaseReason.REPOSITION, practitioner)
