"""Migrations: upgrade head on an empty database, then `alembic check` finds nothing to add."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from scalpmap.config import get_settings
from scalpmap.store.engine import create_engine_for
from scalpmap.store.migrate import (
    alembic_config,
    check,
    current_revision,
    ensure_schema,
    head_revision,
    upgrade,
)
from scalpmap.store.models import Base
from scalpmap.store.testing import temporary_database

TABLES = {
    "users",
    "facilities",
    "api_tokens",
    "patients",
    "cases",
    "photos",
    "analyses",
    "plans",
    "enquiries",
    "audit_log",
    "referrals",
    "laser_sessions",
    "smp_sessions",
    "clearance_checks",
}


def test_upgrade_head_then_check_on_an_empty_database(backend, tmp_path):
    with temporary_database(backend, tmp_path) as url:
        settings = get_settings(data_dir=tmp_path, database_url=url, secret_key="k")
        engine = create_engine_for(settings)
        try:
            assert current_revision(engine) is None
            assert upgrade(settings) == head_revision()
            assert current_revision(engine) == head_revision()
            check(engine)  # raises when the models and the migrations differ
            tables = set(inspect(engine).get_table_names())
            assert TABLES <= tables and TABLES == set(Base.metadata.tables)
            assert ensure_schema(engine) == head_revision()  # second start: nothing to do
            with engine.connect() as connection:
                command.downgrade(alembic_config(connection), "base")
                connection.commit()
            assert current_revision(engine) is None
            assert not TABLES & set(inspect(engine).get_table_names())
            ensure_schema(engine)
            check(engine)
        finally:
            engine.dispose()


def test_constraints_are_named_by_convention(db_engine):
    inspector = inspect(db_engine)
    uniques = {c["name"] for c in inspector.get_unique_constraints("plans")}
    assert "uq_plans_case_id_version" in uniques
    foreign = {c["name"] for c in inspector.get_foreign_keys("cases")}
    assert foreign == {"fk_cases_patient_id_patients", "fk_cases_practitioner_id_users"}


def test_workers_starting_together_migrate_once(backend, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    with temporary_database(backend, tmp_path) as url:
        settings = get_settings(data_dir=tmp_path, database_url=url, secret_key="k")
        engines = [create_engine_for(settings) for _ in range(3)]
        try:
            with ThreadPoolExecutor(len(engines)) as pool:
                revisions = list(pool.map(ensure_schema, engines))
            assert revisions == [head_revision()] * len(engines)
            check(engines[0])
        finally:
            for engine in engines:
                engine.dispose()
