"""Community feedback: peer educators record a member's experience; aggregates from 5 reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from clinics.models import Clinic, ClinicFeedback
from clinics.reference import FEEDBACK_MIN_REPORTS
from core import audit
from core.db import rowcount, utcnow
from core.edge import MAX_INT
from core.errors import Forbidden, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text, as_text
from core.registry import registry
from core.security import Actor, can

MAX_COMMENT = 2000
MAX_WAIT_MINUTES = 24 * 60


def _member_error(actor: Actor, member_id: int | None) -> str | None:
    """Why `member_id` may not be named by the actor, or None (no member, or one in scope).
    Unknown and out-of-scope members get the same answer: scope is not to be probed."""
    if member_id is None:
        return None
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        return N_("Not a member id.")
    # `(actor, member_id) -> bool`: members belong to referrals, which clinics may not import
    # (DESIGN.md), so referrals.init_app fills the registry's hook.
    in_scope = registry().feedback_member_scope
    if not 1 <= member_id <= MAX_INT or in_scope is None or not in_scope(actor, member_id):
        return N_("No such member.")  # no hook: refuse, never guess
    return None


def record_feedback(
    clinic_id: int,
    actor: Actor,
    *,
    visited_on: date,
    respectful: bool,
    refused_service: bool = False,
    refused_service_code: str | None = None,
    waiting_minutes: int | None = None,
    comment: str | None = None,
    member_id: int | None = None,
    now: datetime | None = None,
) -> ClinicFeedback:
    """Record one visit's experience (peer educators and admins); the comment is encrypted."""
    from clinics.services.catalogue import known_service_codes

    if not can(actor, "clinics.feedback"):
        raise Forbidden(N_("Your role may not record feedback."))
    if db.session.get(Clinic, clinic_id) is None:
        raise NotFound(N_("No such clinic."))
    from clinics.services.directory import app_zone

    today = (now or utcnow()).astimezone(app_zone()).date()  # the day as people there count it
    errors: dict[str, str | Text] = {}
    if not isinstance(visited_on, date) or visited_on > today:
        errors["visited_on"] = N_("Must be a date, not in the future.")
    if waiting_minutes is not None and not 0 <= waiting_minutes <= MAX_WAIT_MINUTES:
        errors["waiting_minutes"] = Text(
            N_("Between 0 and %(max)s minutes."), {"max": MAX_WAIT_MINUTES}
        )
    if refused_service_code and refused_service_code not in known_service_codes():
        errors["refused_service_code"] = N_("Unknown service.")
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        errors["comment"] = Text(N_("At most %(count)s characters."), {"count": MAX_COMMENT})
    member_error = _member_error(actor, member_id)
    if member_error:
        errors["member_id"] = member_error
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": first, "problem": as_text(errors[first])},
            fields=errors,
        )
    entry = ClinicFeedback(
        clinic_id=clinic_id,
        recorded_by_id=getattr(actor, "id", None),
        member_id=member_id,
        visited_on=visited_on,
        respectful=bool(respectful),
        refused_service=bool(refused_service or refused_service_code),
        refused_service_code=refused_service_code or None,
        waiting_minutes=waiting_minutes,
        comment=comment,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "clinic.feedback", "clinic", clinic_id, {"feedback_id": entry.id})
    return entry


def feedback_summaries(clinic_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{clinic id: {"count", "respectful_share"}} for clinics with at least 5 reports."""
    if not clinic_ids:
        return {}
    respectful = sa.func.sum(sa.case((ClinicFeedback.respectful.is_(True), 1), else_=0))
    rows = db.session.execute(
        sa.select(ClinicFeedback.clinic_id, sa.func.count(ClinicFeedback.id), respectful)
        .where(ClinicFeedback.clinic_id.in_(clinic_ids))
        .group_by(ClinicFeedback.clinic_id)
    ).all()
    return {
        clinic_id: {"count": count, "respectful_share": round(int(good) / count, 2)}
        for clinic_id, count, good in rows
        if count >= FEEDBACK_MIN_REPORTS
    }


def feedback_summary(clinic_id: int) -> dict[str, Any] | None:
    """One clinic's aggregate, or None below 5 reports."""
    return feedback_summaries([clinic_id]).get(clinic_id)


def list_feedback(clinic_id: int, actor: Actor) -> list[ClinicFeedback]:
    """Every report on a clinic, newest first (admins; the read is audit-logged)."""
    if not can(actor, "clinics.feedback_read"):
        raise Forbidden(N_("Only admins read feedback reports."))
    rows = list(
        db.session.scalars(
            sa.select(ClinicFeedback)
            .where(ClinicFeedback.clinic_id == clinic_id)
            .order_by(ClinicFeedback.visited_on.desc(), ClinicFeedback.id.desc())
        )
    )
    audit.record(actor, "clinic.feedback_read", "clinic", clinic_id, {"count": len(rows)})
    return rows


def erase_member_feedback_text(member_id: int) -> int:
    """Blank the comments recorded about a member (anonymisation); counts stay. Returns how many."""
    result = db.session.execute(
        sa.update(ClinicFeedback)
        .where(ClinicFeedback.member_id == member_id, ClinicFeedback.comment.is_not(None))
        .values(comment=None, member_id=None)
    )
    return rowcount(result) or 0
