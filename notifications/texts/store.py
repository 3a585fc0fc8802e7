"""SMS templates: the admin's overrides of the file defaults (one row per kind, language and
shared-phone variant), saved only when `template_checks.check_template` finds nothing wrong.
The dispatcher reads texts through `effective_template`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.audit import record
from core.db import utcnow
from core.errors import ValidationFailed
from core.extensions import db
from core.security import Actor
from notifications.models import SmsTemplate
from notifications.texts.catalog import load_default_template
from notifications.texts.checks import (
    MAX_SEGMENTS,
    MAX_SOURCE_LENGTH,
    Check,
    check_template,
    check_variant,
    price_per_segment,
)

__all__ = [
    "MAX_SEGMENTS",
    "MAX_SOURCE_LENGTH",
    "VARIANTS",
    "Check",
    "check_template",
    "effective_template",
    "overrides",
    "price_per_segment",
    "reset_template",
    "save_template",
]

VARIANTS: dict[str, bool] = {"normal": False, "shared": True}


def _row(kind: str, lang: str, shared_phone: bool) -> SmsTemplate | None:
    return db.session.scalar(
        sa.select(SmsTemplate).where(
            SmsTemplate.kind == kind,
            SmsTemplate.lang == lang,
            SmsTemplate.shared_phone == bool(shared_phone),
        )
    )


def effective_template(kind: str, lang: str, shared_phone: bool) -> str:
    """The text in force: the admin's override when there is one, else the file default."""
    check_variant(kind, lang)
    row = _row(kind, lang, shared_phone)
    if row is not None:
        return row.source
    return load_default_template(kind, lang, shared_phone)  # type: ignore[arg-type]


def overrides() -> set[tuple[str, str, bool]]:
    """Every (kind, lang, shared_phone) that has an admin's override."""
    rows = db.session.execute(
        sa.select(SmsTemplate.kind, SmsTemplate.lang, SmsTemplate.shared_phone)
    ).all()
    return {(kind, lang, bool(shared)) for kind, lang, shared in rows}


# -- changes ----------------------------------------------------------------------------------


def _variant_id(kind: str, lang: str, shared_phone: bool) -> str:
    return f"{kind}.{lang}.{'shared' if shared_phone else 'normal'}"


def save_template(
    kind: str,
    lang: str,
    shared_phone: bool,
    source: str,
    actor: Actor | None,
    *,
    now: datetime | None = None,
) -> SmsTemplate:
    """Store the admin's text for this variant (flushes); ValidationFailed with every reason."""
    check_variant(kind, lang)
    source = (source or "").replace("\r\n", "\n").strip()
    check = check_template(kind, lang, shared_phone, source)
    if not check.ok:
        raise ValidationFailed(
            "The template cannot be saved: " + "; ".join(check.problems) + ".",
            fields={"source": "; ".join(check.problems)},
        )
    now = now or utcnow()
    row = _row(kind, lang, shared_phone)
    if row is None:
        row = SmsTemplate(kind=kind, lang=lang, shared_phone=bool(shared_phone), source=source)
        db.session.add(row)
    row.source, row.updated_at = source, now
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(actor, "sms_template.save", "sms_template", _variant_id(kind, lang, shared_phone),
           {"segments": check.worst_segments})  # fmt: skip
    return row


def reset_template(kind: str, lang: str, shared_phone: bool, actor: Actor | None) -> bool:
    """Back to the file default (flushes); True when there was an override to remove."""
    check_variant(kind, lang)
    row = _row(kind, lang, shared_phone)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    record(actor, "sms_template.reset", "sms_template", _variant_id(kind, lang, shared_phone))
    return True
