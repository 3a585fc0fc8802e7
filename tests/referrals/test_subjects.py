"""A referral's outbox subject is built and parsed in referrals.services.messaging only; its type
tells notifications which message-JSON field (`referral_code`) it fills."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from notifications import services as notifications
from referrals.services import messaging

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Dhaka"))


def test_subject_round_trip():
    assert messaging.code_of(messaging.subject_for("K7P2QX9M")) == "K7P2QX9M"
    assert messaging.subject_for("K7P2QX9M") == "referral:K7P2QX9M"  # stored rows keep this form
    for other in ("followup:3", "", None, "referrals:K7P"):
        assert messaging.code_of(other) is None


@pytest.mark.parametrize(
    ("subject", "params", "code"),
    [
        ("referral:K7P2QX9M", {}, "K7P2QX9M"),  # from the subject
        ("referral:K7P2QX9M", {"code": "AB1-CD2"}, "AB1CD2"),  # the code it carries comes first
        ("followup:12", {"code": "K7P-2QX-9MA"}, "K7P2QX9MA"),  # a follow-up: its referral's
        ("followup:12", {}, None),
    ],
)
def test_message_json_shows_the_referral_code(app, subject, params, code):
    contact = notifications.create_contact(
        phone="01712345678", language="bn", sms_consent=True, actor_id=None, now=NOW
    )
    row = notifications.plan_message(
        contact=contact,
        kind="referral_created",
        subject=subject,
        params=params,
        target_at=None,
        now=NOW,
        peer_educator_id=None,
        clinic_id=None,
    )
    assert notifications.message_json(row)["referral_code"] == code
