"""Messages written once in English and shown in the reader's language.

A service marks each message with `N_` (a no-op that `pybabel extract -k N_` finds) and raises it
with its parameters; the English rendering goes to the API, logs and the CLI, and an edge that
shows it to a person renders it through the catalogues (`Text.localized`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from flask import has_request_context


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated later, where a person reads it."""
    return msgid


@dataclass(frozen=True)
class Text:
    """A msgid with its parameters (a parameter may itself be a Text, e.g. a status's word)."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def english(self) -> str:
        """The English rendering (the API's `message`, logs, the command line)."""
        return _format(self.msgid, {k: _value(v, localized=False) for k, v in self.params.items()})

    def localized(self) -> str:
        """The rendering in the request's language (English outside a request)."""
        if not has_request_context():
            return self.english()
        from flask_babel import gettext

        values = {k: _value(v, localized=True) for k, v in self.params.items()}
        return _format(gettext(self.msgid), values)

    def __str__(self) -> str:
        """English, so that a Text in a log line or an f-string reads as before."""
        return self.english()


@dataclass(frozen=True)
class Words:
    """Codes of a vocabulary (core.labels: a status, services...) shown as their words."""

    kind: str
    codes: tuple[str, ...]

    def render(self, *, localized: bool) -> str:
        """The words joined by commas, in English or the reader's language."""
        try:
            from core.labels import labels

            if localized or not has_request_context():
                return labels(self.codes, self.kind)
            from flask_babel import force_locale

            with force_locale("en"):
                return labels(self.codes, self.kind)
        except (ImportError, KeyError, RuntimeError):  # no such vocabulary, or no app
            return ", ".join(self.codes)


class Digits(str):
    """A parameter written with digits that follow the page's script (a time like "09:00");
    plain text parameters (codes, names) keep theirs."""

    __slots__ = ()


def words(kind: str, *codes: str) -> Words:
    """`Words` of one vocabulary, e.g. `words("service", *missing)`."""
    return Words(kind, tuple(codes))


def as_text(value: str | Text, params: Mapping[str, object] | None = None) -> Text:
    """A field message as a Text: a Text stays itself, a msgid takes the error's parameters."""
    return value if isinstance(value, Text) else Text(str(value), dict(params or {}))


def _format(template: str, values: Mapping[str, str]) -> str:
    """`template % values`; a text that is not a format (e.g. a library's message) is kept."""
    if not values:
        return template
    try:
        return template % values
    except (KeyError, ValueError, TypeError):
        return template


def _value(value: object, *, localized: bool) -> str:
    """A parameter as text: a Text rendered likewise; a number in the page's digits."""
    if isinstance(value, Text):
        return value.localized() if localized else value.english()
    if isinstance(value, Words):
        return value.render(localized=localized)
    if isinstance(value, Digits):
        text = str(value)
    elif isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    else:
        text = f"{value:g}" if isinstance(value, float) else str(value)
    if localized and _locale() == "bn":
        from core.templating import to_bangla_digits

        return to_bangla_digits(text)
    return text


def _locale() -> str:
    """The request's language code."""
    from flask_babel import get_locale

    return str(get_locale() or "en")
