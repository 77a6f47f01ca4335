"""Persistence of the clinic app: SQLAlchemy models, Alembic migrations and the photo store."""
