"""Safety alerts in the outbox: what a `safety_alert` row carries, and the dispatcher's last look.

An alert row's params hold the alert's text in each language (not personal data: every recipient
gets the same words), the districts it is for and its expiry; the text is chosen in her language
when the row is sent, like every other kind's. Just before a send the row is checked against her
contact again: alert consent withdrawn, a shared phone, a district no longer among the alert's, or
the alert expired → the row is settled without sending (a safety hold is the general check's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from notifications.models import Contact, OutboxMessage

ALERT_KIND = "safety_alert"
# The fixed reasons written on an alert row (notifications.labels has their words).
NO_ALERT_CONSENT = "no alert consent"
SHARED_PHONE = "shared phone"
OTHER_DISTRICT = "not in the alert's districts"
EXPIRED = "the alert expired"
NO_HOUR_BEFORE_EXPIRY = "no allowed hour left before the alert expires"
WITHDRAWN = "withdrawn"
CONSENT_WITHDRAWN = "alert consent withdrawn"


def alert_params(
    texts: Mapping[str, str], districts: Sequence[str], expires_at: datetime
) -> dict[str, Any]:
    """The params of one alert row: its texts by language, districts and expiry (ISO, UTC)."""
    return {
        "texts": {lang: str(texts[lang]) for lang in ("bn", "en")},
        "districts": list(districts),
        "expires_at": expires_at.isoformat(),
    }


def expiry(row: OutboxMessage) -> datetime | None:
    """When the alert of this row expires (None when the row does not say: treated as expired)."""
    raw = (row.params or {}).get("expires_at")
    try:
        when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    return when if when is not None and when.utcoffset() is not None else None


def recheck(row: OutboxMessage, contact: Contact, now: datetime) -> tuple[str, str] | None:
    """(status, reason) when an alert row may not go to her now, else None."""
    if not contact.alert_consent:
        return "cancelled", NO_ALERT_CONSENT
    if contact.shared_phone:
        return "cancelled", SHARED_PHONE
    if contact.district not in ((row.params or {}).get("districts") or ()):
        return "cancelled", OTHER_DISTRICT
    expires = expiry(row)
    if expires is None or expires <= now:
        return "skipped", EXPIRED
    return None


def alert_text(row: OutboxMessage, lang: str) -> str:
    """The alert's text in her language (empty when the row has none)."""
    texts = (row.params or {}).get("texts") or {}
    return str(texts.get(lang) or "").strip() if isinstance(texts, dict) else ""
