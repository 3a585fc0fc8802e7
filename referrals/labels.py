"""The referrals' words for their codes (core.labels): referral and follow-up statuses, urgency,
the channel an event came through, and the outcomes of tracing a missed appointment."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.labels import register_labels

REFERRAL_STATUS_LABELS = {
    "referred": _l("waiting for a time"),
    "scheduled": _l("scheduled"),
    "attended": _l("attended"),
    "missed": _l("missed"),
    "cancelled": _l("cancelled"),
    "expired": _l("expired"),
}
URGENCY_LABELS = {"routine": _l("Routine"), "urgent": _l("Urgent")}
EVENT_CHANNEL_LABELS = {
    "web": _l("on the web page"),
    "api": _l("through the API"),
    "sms": _l("by SMS"),
    "system": _l("automatically"),
}
TRACE_OUTCOME_LABELS = {
    "reached": _l("Reached"),
    "rescheduled": _l("Rescheduled"),
    "unreachable": _l("Unreachable"),
    "declined": _l("Declined"),
}
FOLLOW_UP_STATUS_LABELS = {"due": _l("not done yet"), "done": _l("done"), "missed": _l("missed")}


def register_referral_labels(app: Flask) -> None:
    """Referral statuses, urgency, event channels, trace outcomes, follow-up statuses."""
    register_labels(app, "referral_status", REFERRAL_STATUS_LABELS)
    register_labels(app, "urgency", URGENCY_LABELS)
    register_labels(app, "event_channel", EVENT_CHANNEL_LABELS)
    register_labels(app, "trace_outcome", TRACE_OUTCOME_LABELS)
    register_labels(app, "follow_up_status", FOLLOW_UP_STATUS_LABELS)
