"""The safety pages: one blueprint; each module adds its pages (incidents and help now, crisis
contacts, alerts) when init_app imports it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("safety", __name__, url_prefix="/safety")
