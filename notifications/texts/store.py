"""SMS texts: the admin's overrides of the file defaults (one row per kind, variant and
language), saved only when `checks.check_template` finds nothing wrong. The dispatcher reads
texts through `effective_template`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from core.audit import record
from core.db import utcnow
from core.errors import ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import Actor
from notifications.models import SmsTemplate
from notifications.texts.catalog import VARIANTS, load_default_template
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


def _row(kind: str, lang: str, variant: str) -> SmsTemplate | None:
    return db.session.scalar(
        sa.select(SmsTemplate).where(
            SmsTemplate.kind == kind, SmsTemplate.lang == lang, SmsTemplate.variant == variant
        )
    )


def effective_template(kind: str, lang: str, variant: str) -> str:
    """The text in force: the admin's override when there is one, else the file default."""
    check_variant(kind, lang, variant)
    row = _row(kind, lang, variant)
    if row is not None:
        return row.source
    return load_default_template(kind, lang, variant)  # type: ignore[arg-type]


def overrides() -> set[tuple[str, str, str]]:
    """Every (kind, variant, lang) that has an admin's override."""
    rows = db.session.execute(sa.select(SmsTemplate.kind, SmsTemplate.variant, SmsTemplate.lang))
    return {(kind, variant, lang) for kind, variant, lang in rows}


# -- changes ----------------------------------------------------------------------------------


def save_template(
    kind: str,
    lang: str,
    variant: str,
    source: str,
    actor: Actor | None,
    *,
    now: datetime | None = None,
) -> SmsTemplate:
    """Store the admin's text for this variant (flushes); ValidationFailed with every reason."""
    check_variant(kind, lang, variant)
    source = (source or "").replace("\r\n", "\n").strip()
    check = check_template(kind, lang, variant, source)
    if not check.ok:
        reasons = " ".join(problem.english() for problem in check.problems)
        raise ValidationFailed(
            N_("The text cannot be saved: %(reasons)s"),
            params={"reasons": reasons},
            fields={"source": check.problems[0]},
        )
    now = now or utcnow()
    row = _row(kind, lang, variant)
    if row is None:
        row = SmsTemplate(kind=kind, lang=lang, variant=variant, source=source)
        db.session.add(row)
    row.source, row.updated_at = source, now
    row.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    record(actor, "sms_template.save", "sms_template", f"{kind}.{variant}.{lang}",
           {"segments": check.worst_segments})  # fmt: skip
    return row


def reset_template(kind: str, lang: str, variant: str, actor: Actor | None) -> bool:
    """Back to the file default (flushes); True when there was an override to remove."""
    check_variant(kind, lang, variant)
    row = _row(kind, lang, variant)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    record(actor, "sms_template.reset", "sms_template", f"{kind}.{variant}.{lang}")
    return True
