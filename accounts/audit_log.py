"""The audit log as the admin reads it: a page of events, newest first, and who did them."""

from __future__ import annotations

import sqlalchemy as sa

from accounts.models import User
from core.audit import AuditEvent
from core.extensions import db

PAGE_SIZE = 50


def audit_page(
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor_id: int | None = None,
    page: int = 1,
) -> list[AuditEvent]:
    """One page of audit events, newest first, narrowed by entity and actor when given."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    return list(db.session.scalars(query.limit(PAGE_SIZE).offset(offset)).all())


def user_emails() -> dict[int, str]:
    """Every user's email by id (the log names its actors by email)."""
    return {row.id: row.email for row in db.session.execute(sa.select(User.id, User.email))}
