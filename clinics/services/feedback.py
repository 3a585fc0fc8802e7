"""Community feedback: peer educators record a member's experience; aggregates from 5 reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from clinics.models import Clinic, ClinicFeedback
from clinics.reference import FEEDBACK_MIN_REPORTS, FEEDBACK_QUESTIONS
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
    answers: dict[str, bool | None] | None = None,
) -> ClinicFeedback:
    """Record one visit's experience (peer educators and admins); the comment is encrypted.
    `answers`: the optional questions (FEEDBACK_QUESTIONS), each yes, no or None (not asked)."""
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
    answers = answers or {}
    for name in set(answers) - set(FEEDBACK_QUESTIONS):
        errors[name] = N_("Unknown question.")
    for name, value in answers.items():
        if value is not None and not isinstance(value, bool):
            errors[name] = N_("Yes, no or not asked.")
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
        **{name: answers.get(name) for name in FEEDBACK_QUESTIONS},
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "clinic.feedback", "clinic", clinic_id, {"feedback_id": entry.id})
    return entry


def _yes(column: Any) -> Any:
    return sa.func.sum(sa.case((column.is_(True), 1), else_=0))


def feedback_summaries(clinic_ids: list[int]) -> dict[int, dict[str, Any]]:
    """{clinic id: {"count", "respectful_share", "<question>_share"...}} for clinics with at
    least 5 reports; a question's share is of the reports that asked it, null below 5 of them."""
    if not clinic_ids:
        return {}
    columns = [getattr(ClinicFeedback, name) for name in FEEDBACK_QUESTIONS]
    rows = db.session.execute(
        sa.select(
            ClinicFeedback.clinic_id,
            sa.func.count(ClinicFeedback.id),
            _yes(ClinicFeedback.respectful),
            *(part for column in columns for part in (sa.func.count(column), _yes(column))),
        )
        .where(ClinicFeedback.clinic_id.in_(clinic_ids))
        .group_by(ClinicFeedback.clinic_id)
    ).all()
    summaries = {
        clinic_id: summarise(count, good, answers) for clinic_id, count, good, *answers in rows
    }
    return {clinic_id: summary for clinic_id, summary in summaries.items() if summary}


def question_counts(clinic_id: Any) -> list[Any]:
    """Per optional question, how many reports on `clinic_id` asked it and how many said yes
    (scalar subqueries, in the order `summarise` reads them)."""
    counts: list[Any] = []
    for name in FEEDBACK_QUESTIONS:
        column = getattr(ClinicFeedback, name)
        for condition in (column.is_not(None), column.is_(True)):
            query = sa.select(sa.func.count()).where(ClinicFeedback.clinic_id == clinic_id)
            counts.append(query.where(condition).scalar_subquery().label(f"{name}_{len(counts)}"))
    return counts


def summarise(count: int, respectful: int, answers: list[Any]) -> dict[str, Any] | None:
    """A clinic's feedback as the directory shows it, or None below 5 reports: the count, the
    share found respectful, and per optional question the share of yes among the reports that
    asked it (null below 5 of them). `answers`: asked and yes per question, in order."""
    if count < FEEDBACK_MIN_REPORTS:
        return None
    summary: dict[str, Any] = {
        "count": count,
        "respectful_share": round(int(respectful) / count, 2),
    }
    for i, name in enumerate(FEEDBACK_QUESTIONS):
        asked, yes = int(answers[2 * i] or 0), int(answers[2 * i + 1] or 0)
        enough = asked >= FEEDBACK_MIN_REPORTS
        summary[f"{name}_share"] = round(yes / asked, 2) if enough else None
    return summary


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
