"""The declarative base, the UTC time column type and small column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; constraint names are fixed so migrations diff the same everywhere."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores aware datetimes as UTC and returns them aware in UTC on every database.

    SQLite keeps no offset, so an aware time stored as-is would come back naive and hours off;
    naive input is refused so that such a mistake cannot reach the database.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(*values: str, name: str) -> sa.Enum:
    """A portable enum stored as a string with a CHECK constraint (no native database enum)."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def rowcount(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched.

    Session.execute is typed as returning a plain Result; for a DML statement it is a CursorResult,
    which carries the count.
    """
    return cast(sa.CursorResult[Any], result).rowcount
