"""The console gateway (development): nothing leaves the machine."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from core.logging import mask_phone
from notifications.engine.gateways.base import LookupResult, SendResult

log = logging.getLogger(__name__)


class ConsoleGateway:
    """Development: logs the masked number and the kind; the outbox row keeps the text."""

    name = "console"

    def send(
        self,
        to: str,
        body: str,
        callback_url: str | None,
        *,
        kind: str = "",
        reference: str | None = None,
        valid_for: int | None = None,
    ) -> SendResult:
        """Pretend to send: nothing leaves the machine."""
        log.info("console SMS to %s (%s, %d characters)", mask_phone(to), kind or "sms", len(body))
        return SendResult("sent", sid=reference or f"console-{uuid.uuid4().hex}", status="sent")

    def lookup(
        self,
        to: str,
        body: str,
        since: datetime,
        until: datetime,
        *,
        reference: str | None = None,
        provider_id: str | None = None,
    ) -> LookupResult:
        """The console never leaves a send unknown; nothing to find."""
        return LookupResult("not_found")

    def delete(self, sid: str) -> bool:
        """Nothing is kept anywhere but in the outbox."""
        return True
