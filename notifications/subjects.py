"""Subject types: how another package's messages show in CONTRACT.md's message object.

A message's `subject` is opaque to notifications (e.g. "referral:K7P2QX9M"): the package that
plans messages for a subject builds and parses it. That package registers a `SubjectType` at
`init_app`, naming the message-JSON field it fills (e.g. `referral_code`) and the function that
reads the field's value from a message's subject and parameters; and, for the message list's
filter, the query parameter that names one subject (e.g. `referral`) and how its value becomes the
subject (`subject_of_query`, which raises core.errors.BadInput when the value names none). The
registry is kept per app (`app.extensions`), so two apps in one process (tests) do not share it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

_KEY = "notifications.subject_types"


@dataclass(frozen=True)
class SubjectType:
    """A kind of subject: the message-JSON field it fills, and how the field's value is read."""

    name: str  # e.g. "referral"; one registration per name
    json_field: str  # e.g. "referral_code"; always present in the message object (None if unknown)
    # (subject, params) → the field's value for this message, or None.
    value_of: Callable[[str, Mapping[str, Any]], Any]
    query_param: str | None = None  # e.g. "referral": the list filter's parameter
    # The parameter's value → the subject it names (raises BadInput when it names none).
    subject_of_query: Callable[[str], str] | None = None


def register_subject_type(app: Flask, subject_type: SubjectType) -> None:
    """Add a subject type to this app; registering the same name again replaces it."""
    types: dict[str, SubjectType] = app.extensions.setdefault(_KEY, {})
    types[subject_type.name] = subject_type


def subject_types(app: Flask | None = None) -> list[SubjectType]:
    """The subject types registered on this app (the current one by default), in order."""
    target = app or current_app
    return list(target.extensions.get(_KEY, {}).values())


def message_fields(subject: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The fields the registered subject types add to a message's JSON object."""
    fields: dict[str, Any] = {}
    for subject_type in subject_types():
        value = subject_type.value_of(subject, params or {})
        if fields.get(subject_type.json_field) is None:  # two types of one field: the first value
            fields[subject_type.json_field] = value
    return fields


def subject_filter(values: Mapping[str, Any]) -> str | None:
    """The subject a list's filters name (the first registered type whose parameter is set and
    not empty), or None when none is set."""
    for subject_type in subject_types():
        param, parse = subject_type.query_param, subject_type.subject_of_query
        if param and parse and values.get(param):
            return parse(str(values[param]))
    return None
