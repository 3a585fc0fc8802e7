"""Twilio webhooks: status callbacks and inbound SMS (built by the SMS issues)."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
