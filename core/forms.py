"""The base of every page form: WTForms' own messages ("This field is required.", "Not a valid
integer value.", ...) in the reader's language, through our catalogue (WTForms ships no Bangla)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, g, has_request_context
from flask_babel import get_locale, get_translations
from flask_wtf import FlaskForm

from core.templating import to_bangla_digits

_INTEGER_PLACEHOLDER = re.compile(r"%\((\w+)\)d")


class _PageDigits(str):
    """A translated WTForms message whose `%` formatting writes numbers in Bangla digits
    (WTForms formats its messages after translating them: "%(max)d" -> "৮০")."""

    __slots__ = ()

    def __mod__(self, values: Any) -> str:
        """Format as str does, numbers in Bangla digits."""
        if not isinstance(values, Mapping):
            return str.__mod__(self, values)
        shown = {
            key: to_bangla_digits(str(value))
            if isinstance(value, int | float) and not isinstance(value, bool)
            else value
            for key, value in values.items()
        }
        return str.__mod__(_INTEGER_PLACEHOLDER.sub(r"%(\1)s", self), shown)


def _in_page_digits(text: str) -> str:
    """The message, formatting its numbers in Bangla digits on a Bangla page."""
    return _PageDigits(text) if str(get_locale() or "en") == "bn" else text


class Translations:
    """WTForms' translations interface (gettext, ngettext) over the app's Babel catalogue."""

    def gettext(self, string: str) -> str:
        """The message in the request's language."""
        return _in_page_digits(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural message in the request's language."""
        return _in_page_digits(get_translations().ungettext(singular, plural, n))


TRANSLATIONS = Translations()


class Form(FlaskForm):
    """Every page form's base: a FlaskForm (CSRF) whose built-in messages are translated, and
    which the page's error summary (base.html) finds."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_request_context():
            g.setdefault("page_forms", []).append(self)

    class Meta:
        """WTForms' meta options: our catalogue instead of WTForms' own (it has no Bangla)."""

        def get_translations(self, form: Any) -> Translations:
            """The translations WTForms' validators and fields use."""
            return TRANSLATIONS


def form_problems() -> list[tuple[str, str, str]]:
    """(field id, label, message) of every error of the forms this request built, in page
    order: base.html lists them at the top of the page, each a link to its field, so a phone
    user sees what to fix without scrolling to find it. Errors a service attached after
    validation (core.web.attach_errors) are there too, as it runs before the page renders."""
    found: list[tuple[str, str, str]] = []
    for form in g.get("page_forms", []):
        for field in form:
            for message in field.errors if isinstance(field.errors, list) else []:
                found.append((field.id, str(field.label.text), str(message)))
    return found


def register_form_helpers(app: Flask) -> None:
    """Templates call form_problems() (base.html's error summary)."""
    app.jinja_env.globals["form_problems"] = form_problems
