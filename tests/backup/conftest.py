"""Fixtures for the backup tests: a clinic's installation of its own, on SQLite and PostgreSQL.

Unlike the service tests (one rolled-back transaction each), a backup needs a database that
other connections see, so each test gets a fresh database (``temporary_database``) and a data
folder, and writes through the services with real commits.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from scalpmap.config import Settings, get_settings
from scalpmap.services import cases, patients, photos, users
from scalpmap.store import testing
from scalpmap.store.engine import create_engine_for, make_session_factory, writer_engine
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import CaseReason, Role, User
from scalpmap.store.photos import PhotoStore

backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing

_SEEDS = itertools.count(1)


def png_bytes(seed: int, size: int = 48) -> bytes:
    """A small PNG whose content (and so sha256) depends on the seed."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Clinic:
    """A running installation: its settings, database, photo store and a practitioner."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: PhotoStore
    practitioner_id: int

    def add_patient_with_photos(self, count: int, name: str = "Pat Example") -> list[str]:
        """Add a patient, a case and ``count`` new photos; return the photos' sha256."""
        with self.sessions() as session:
            actor = session.get(User, self.practitioner_id)
            assert actor is not None
            patient = patients.create_patient(
                session, patients.PatientCreate(full_name=name), actor
            )
            case = cases.open_case(session, patient.id, CaseReason.REPOSITION, actor)
            added = [
                photos.add_photo(
                    session, self.store, png_bytes(next(_SEEDS)), case_id=case.id, actor=actor
                ).sha256
                for _ in range(count)
            ]
        return added


@pytest.fixture
def clinic(backend: str, tmp_path: Path, cheap_password_hashing: object) -> Iterator[Clinic]:
    """A fresh installation of the backend with one practitioner, one patient and two photos."""
    with testing.temporary_database(backend, tmp_path) as url:
        settings = get_settings(data_dir=tmp_path / "live", database_url=url)
        engine = create_engine_for(settings)
        ensure_schema(engine)
        sessions = make_session_factory(writer_engine(engine))  # as the web app's
        with sessions() as session:
            actor = users.create_user(
                session, "pat@clinic.example", "correct horse battery", Role.PRACTITIONER
            )
        made = Clinic(settings, engine, sessions, PhotoStore(settings.photos_dir), actor.id)
        made.add_patient_with_photos(2)
        try:
            yield made
        finally:
            engine.dispose()


@pytest.fixture
def photo_png():
    """``photo_png(seed)``: a small PNG; the same seed gives the same bytes."""
    return png_bytes


@pytest.fixture
def empty_target_url(backend: str, tmp_path: Path) -> Iterator[str | None]:
    """An empty database to restore into: PostgreSQL's URL, or ``None`` for SQLite's default."""
    if backend == "sqlite":
        yield None
        return
    with testing.temporary_database(backend, tmp_path) as url:
        yield url
