"""Alembic environment: runs on the connection given by :mod:`scalpmap.store.migrate`.

Run from the alembic command line (``alembic -x url=sqlite:///... upgrade head``), it connects to
the URL given with ``-x url=`` or ``sqlalchemy.url``, or to the database of the current settings.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from scalpmap.store.models import Base
from scalpmap.store.models.base import UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render the UTC timestamp type as the plain type it stores, so revisions import nothing."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    from scalpmap.config import get_settings
    from scalpmap.store.engine import create_engine_for

    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    engine = create_engine_for(get_settings(database_url=url))
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
_run_online()
