"""Typed pieces shared by the API's request and response models (pydantic v2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

MAX_ID = 2_147_483_647  # the databases' INTEGER: a larger id is stored nowhere
MAX_PAGE = 100_000  # far beyond any list here; keeps OFFSET within every database's integer


def _name(info: ValidationInfo) -> str:
    # A field named after a keyword ("from") is declared with a trailing "_" and that alias.
    return (info.field_name or "").removesuffix("_")


def _datetime(value: Any, info: ValidationInfo) -> Any:
    """ISO 8601 text through core.api.parse_datetime (offset-less is APP_TIMEZONE's time)."""
    from core.api import parse_datetime

    return value if isinstance(value, datetime) else parse_datetime(value, _name(info))


def _date(value: Any, info: ValidationInfo) -> Any:
    """YYYY-MM-DD through core.edge.parse_date: 400 when it does not parse, 422 out of range."""
    from core.edge import parse_date

    return value if isinstance(value, date) else parse_date(value, _name(info))


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A time as people type it: ISO 8601, with or without an offset.
DateTimeIn = Annotated[datetime, BeforeValidator(_datetime)]
DateIn = Annotated[date, BeforeValidator(_date)]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description="1-based")]
PerPage = Annotated[int, Field(ge=1, le=100, description="at most 100")]


def text(max_length: int, **extra: Any) -> Any:
    """A string field of at most `max_length` characters (the database column's size)."""
    return Field(max_length=max_length, **extra)


class Body(BaseModel):
    """A JSON request body: JSON's own types (no "1" for 1, no "yes" for true); unknown keys
    are ignored (integrations may send more)."""

    model_config = ConfigDict(strict=True, populate_by_name=True)


class Query(BaseModel):
    """A query string: text converted to the declared types."""

    model_config = ConfigDict(populate_by_name=True)


class Out(BaseModel):
    """A response object; more keys may be added (CONTRACT.md)."""

    model_config = ConfigDict(populate_by_name=True)


class ErrorDetail(Out):
    """CONTRACT.md's error: a stable code, a message, invalid fields by name."""

    code: str
    message: str
    fields: dict[str, str] | None = Field(default=None, description="invalid fields by name")


class Error(Out):
    """Every 4xx of the API."""

    error: ErrorDetail


T = TypeVar("T")


class ListOf(Out, Generic[T]):
    """The list envelope of CONTRACT.md."""

    items: list[T]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)


class Paging(Query):
    """`page` and `per_page` of every list."""

    page: Page = 1
    per_page: PerPage = 20
