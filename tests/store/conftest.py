"""Database fixtures for the store tests: each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from scalpmap.store import testing

backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing
db_engine = testing.db_engine
db_session = testing.db_session
db_settings = testing.db_settings
photo_store = testing.photo_store
