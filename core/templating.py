"""Jinja helpers shared by every page."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import format_datetime

BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def to_bangla_digits(text: str) -> str:
    """Latin digits to Bangla digits (Babel's `bn` locale formats with Latin digits)."""
    return text.translate(BANGLA_DIGITS)


def register_template_helpers(app: Flask) -> None:
    """Filters: local time formatting; digits in the page's script."""

    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        from flask_babel import get_locale

        text = format_datetime(value, fmt)
        return to_bangla_digits(text) if str(get_locale()) == "bn" else text
