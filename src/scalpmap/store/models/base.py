"""The declarative base, constraint naming and portable column types shared by all models."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import DateTime, Dialect, Enum, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ENUM_LENGTH",
    "NAMING_CONVENTION",
    "Base",
    "UTCDateTime",
    "str_enum",
    "utcnow",
]

ENUM_LENGTH = 32
"""Width of every enum column, so that adding a value needs no column change."""

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware in UTC.

    Returns
    -------
    datetime.datetime
        Now, in UTC.
    """
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no time zone, so values are converted to UTC on the way in and marked as UTC on
    the way out. Naive values are refused: they are a bug waiting to happen.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert to UTC before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value, e.g. utcnow()")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        """Mark as UTC when read back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def str_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """Build a portable enum column type: a VARCHAR with a CHECK constraint, storing the values.

    Parameters
    ----------
    enum_class : type of enum.StrEnum
        The Python enum.
    name : str
        Name of the CHECK constraint (prefixed by the table name through the naming convention).

    Returns
    -------
    sqlalchemy.Enum
        The column type.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=ENUM_LENGTH,
        values_callable=_values,
    )


def _values(enum_class: Any) -> list[str]:
    return [member.value for member in enum_class]


class Base(DeclarativeBase):
    """Base of all models; its metadata names every constraint by the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}
