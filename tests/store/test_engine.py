"""Engines: SQLite in WAL mode with foreign keys; PostgreSQL through psycopg 3."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from scalpmap.config import get_settings
from scalpmap.errors import InputError
from scalpmap.store.engine import create_engine_for, safe_url


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path):
    settings = get_settings(data_dir=tmp_path / "nested" / "dir", sqlite_busy_timeout_ms=1234)
    engine = create_engine_for(settings)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert (settings.data_dir / "scalpmap.db").exists()
    finally:
        engine.dispose()


def test_plain_postgresql_url_uses_psycopg_and_hides_the_password(tmp_path):
    url = "postgresql://clinic:s3cret@db.example/scalpmap"
    engine = create_engine_for(get_settings(data_dir=tmp_path, database_url=url))
    assert engine.dialect.driver == "psycopg"
    assert "s3cret" not in safe_url(engine)


def test_malformed_url_is_a_user_error(tmp_path):
    with pytest.raises(InputError, match="SCALPMAP_DATABASE_URL"):
        create_engine_for(get_settings(data_dir=tmp_path, database_url="not a url"))
