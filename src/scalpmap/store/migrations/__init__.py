"""Alembic migrations of the clinic database (run through :mod:`scalpmap.store.migrate`)."""
