"""The webhooks' one blueprint, under /webhooks (each provider's module adds its routes)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
