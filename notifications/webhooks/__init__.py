"""Webhooks from the SMS gateways: Twilio's (twilio.py) and SMSGate's (smsgate.py), one blueprint.

Every request is checked against its provider's signature before anything acts on it; every
handler is idempotent, as providers send a webhook again when they miss our answer. No CSRF token
(notifications.init_app exempts the blueprint): the signature stands in for it.
"""

from __future__ import annotations

from notifications.webhooks import smsgate, twilio  # noqa: F401 - their routes join bp
from notifications.webhooks.blueprint import bp

__all__ = ["bp"]
