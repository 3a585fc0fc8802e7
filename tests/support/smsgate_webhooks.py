"""SMSGate webhooks in tests: the app's settings for an SMSGateFake, and signed event POSTs.

app_config.update(webhook_config(fake))          # before the app is built
fake.deliver = wire(fake, client)                # the fake's webhooks reach our test client
post_event(client, fake, "sms:received", {...})  # one signed POST, built as the phone does
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.support.sms import PUBLIC
from tests.support.smsgate_fake import SMSGateFake, flask_deliverer, smsgate_config

WEBHOOK_URL = f"{PUBLIC}/webhooks/smsgate"
EVENTS = ("sms:sent", "sms:delivered", "sms:failed", "sms:received", "system:ping")


def webhook_config(fake: SMSGateFake) -> dict[str, Any]:
    """App config that sends through `fake` and takes its signed webhooks."""
    return {
        **smsgate_config(fake),
        "PUBLIC_BASE_URL": PUBLIC,
        "SMS_SEND_TIMEOUT": 2,
        "SMS_MAX_PER_CONTACT_PER_DAY": 0,
        "SMSGATE_MIN_INTERVAL": 0,
    }


def wire(fake: SMSGateFake, client: Any) -> None:
    """Deliver the fake's webhooks to `client`, registered for every event at our URL."""
    fake.deliver = flask_deliverer(client)
    for event in EVENTS:
        fake.add_webhook(WEBHOOK_URL, event)


def event_body(event: str, payload: dict[str, Any], event_id: str) -> bytes:
    """A webhook body as the phone sends it, with a chosen event id."""
    body = {"deviceId": "dev1", "event": event, "id": event_id, "payload": payload,
            "webhookId": "wh1"}  # fmt: skip
    return json.dumps(body, ensure_ascii=False).encode()


def post_event(
    client: Any,
    fake: SMSGateFake,
    event: str,
    payload: dict[str, Any],
    *,
    event_id: str = "ev-1",
    timestamp: int | None = None,
    key: str | None = None,
) -> Any:
    """POST one event signed by `fake` (or with `key`, at `timestamp`) to our endpoint."""
    body = event_body(event, payload, event_id)
    headers = fake.sign(body, timestamp=timestamp or int(time.time()), key=key)
    return post_raw(client, body, headers)


def post_raw(client: Any, body: bytes, headers: dict[str, str]) -> Any:
    """POST these exact bytes and headers to /webhooks/smsgate."""
    others = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return client.post("/webhooks/smsgate", data=body, headers=others,
                       content_type="application/json")  # fmt: skip
