"""The SMS package's words for its codes (core.labels): message kinds, statuses, the reasons a
message was cancelled or skipped, template variants and reply keywords."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.labels import register_labels

KIND_LABELS = {
    "referral_created": _l("Referral made"),
    "appointment_changed": _l("Appointment changed"),
    "reminder_24h": _l("Reminder the day before"),
    "reminder_2h": _l("Reminder 2 hours before"),
    "missed_appointment": _l("Missed appointment"),
    "follow_up_due": _l("Follow-up due"),
    "safety_alert": _l("Safety alert"),
}
MESSAGE_STATUS_LABELS = {
    "pending": _l("waiting to go"),
    "sending": _l("being sent"),
    "unknown": _l("not confirmed yet"),
    "sent": _l("sent"),
    "delivered": _l("delivered"),
    "undelivered": _l("not delivered"),
    "failed": _l("failed"),
    "cancelled": _l("cancelled"),
    "skipped": _l("not sent"),
}
# The fixed reasons the engine and the referrals write on a row (free text otherwise stays as is).
MESSAGE_REASON_LABELS = {
    "no phone number": _l("no phone number"),
    "no SMS consent": _l("no consent to SMS"),
    "opted out": _l("she stopped SMS"),
    "safety hold": _l("safety hold"),
    "number unusable": _l("the number cannot receive SMS"),
    "outside the contact window before the appointment": _l(
        "no allowed hour left before the appointment"
    ),
    "appointment changed": _l("the appointment changed"),
    "appointment missed": _l("the appointment was missed"),
    "follow-up done": _l("the follow-up is done"),
    "follow-up missed": _l("the follow-up was missed"),
    "referral cancelled": _l("the referral was cancelled"),
    "referral expired": _l("the referral expired"),
    "visit confirmed": _l("the visit is confirmed"),
    "transient error": _l("a passing error at the provider"),
    "rejected by the provider": _l("refused by the provider"),
    "the rendered text is empty": _l("the text came out empty"),
    "superseded": _l("a later message about the same visit was due too"),
    # Safety alerts (notifications.engine.alerts)
    "no alert consent": _l("she has not agreed to safety alerts"),
    "alert consent withdrawn": _l("she withdrew her consent to safety alerts"),
    "shared phone": _l("shared phone"),
    "not in the alert's districts": _l("she no longer works in the alert's districts"),
    "the alert expired": _l("the alert expired"),
    "no allowed hour left before the alert expires": _l(
        "no allowed hour left before the alert expires"
    ),
    "withdrawn": _l("the alert was withdrawn"),
    "expired": _l("the alert expired"),  # safety.services.alerts' expiry job
}
# The steps of a message's timeline (the SMS log): planning and claiming, then its statuses.
MESSAGE_STEP_LABELS = {
    "planned": _l("planned"),
    "claimed": _l("taken for sending"),
    **MESSAGE_STATUS_LABELS,
}
REPLY_KEYWORD_LABELS = {
    "yes": _l("yes, she will come"),
    "no": _l("no, another day"),
    "stop": _l("stop SMS"),
    "start": _l("start SMS again"),
    "help": _l("help"),
    "other": _l("other reply"),
}


GATEWAY_LABELS = {
    "smsgate": _l("Phone with a local SIM"),
    "twilio": _l("Twilio"),
    "console": _l("Console (development)"),
}


def register_notification_labels(app: Flask) -> None:
    """Message kinds, statuses and reasons, template variants, reply keywords."""
    from notifications.routes import VARIANT_LABELS

    register_labels(app, "message_kind", KIND_LABELS)
    register_labels(app, "message_status", MESSAGE_STATUS_LABELS)
    register_labels(app, "message_reason", MESSAGE_REASON_LABELS)
    register_labels(app, "message_step", MESSAGE_STEP_LABELS)
    register_labels(app, "template_variant", VARIANT_LABELS)
    register_labels(app, "reply_keyword", REPLY_KEYWORD_LABELS)
    register_labels(app, "sms_gateway", GATEWAY_LABELS)
