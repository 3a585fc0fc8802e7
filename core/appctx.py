"""The application object behind Flask's `current_app` proxy."""

from __future__ import annotations

from typing import cast

from flask import Flask, current_app
from werkzeug.local import LocalProxy


def real_app() -> Flask:
    """The Flask app itself, not the proxy: for a thread, a signal sender or a key kept later."""
    # Flask types current_app as Flask, which hides the proxy's own _get_current_object.
    return cast("LocalProxy[Flask]", current_app)._get_current_object()
