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
    "jobs",
    "plans",
    "enquiries",
    "audit_log",
    "referrals",
    "laser_sessions",
    "smp_sessions",
    "clearance_checks",
    "sign_in_sessions",
    "clinic_settings",
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


def test_0005_revokes_the_tokens_of_deactivated_users(backend, tmp_path):
    from sqlalchemy import text

    with temporary_database(backend, tmp_path) as url:
        settings = get_settings(data_dir=tmp_path, database_url=url, secret_key="k")
        engine = create_engine_for(settings)
        try:
            with engine.connect() as connection:
                command.upgrade(alembic_config(connection), "0004_clearance_checks")
                connection.commit()
            with engine.begin() as connection:
                for user_id, active in ((1, True), (2, False)):
                    connection.execute(
                        text(
                            "INSERT INTO users (id, email, password_hash, role, is_active,"
                            " created_at) VALUES (:id, :email, 'h', 'practitioner', :active,"
                            " CURRENT_TIMESTAMP)"
                        ),
                        {"id": user_id, "email": f"u{user_id}@clinic.example", "active": active},
                    )
                    connection.execute(
                        text(
                            "INSERT INTO api_tokens (user_id, name, token_sha256, prefix,"
                            " created_at) VALUES (:id, 'old', :sha, 'smp_x', CURRENT_TIMESTAMP)"
                        ),
                        {"id": user_id, "sha": str(user_id) * 64},
                    )
            upgrade(settings)
            check(engine)
            with engine.connect() as connection:
                rows = connection.execute(
                    text(
                        "SELECT user_id, revoked_at, revoke_reason FROM api_tokens ORDER BY user_id"
                    )
                ).all()
                flags = connection.execute(
                    text("SELECT must_change_password FROM users ORDER BY id")
                ).scalars()
                assert [bool(flag) for flag in flags] == [False, False]
            assert rows[0].revoked_at is None and rows[0].revoke_reason is None
            assert rows[1].revoked_at is not None and rows[1].revoke_reason == "account deactivated"
        finally:
            engine.dispose()
