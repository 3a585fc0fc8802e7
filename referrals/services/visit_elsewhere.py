"""A referral made for another clinic, brought to this clinic's desk (she went to the wrong
place): what can be done here, and recording the visit here.

The clinic partner learns only what the confirmation page shows (code, status, time, services),
never the other clinic or anything about the member. Recording the visit moves the referral to
this clinic (a `clinic_changed` event in its history, which her peer educator reads, and an
audit row naming both clinics), then confirms it as any visit is confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from clinics.models import Clinic
from core import audit
from core.db import rowcount, utcnow
from core.errors import Conflict, NotFound, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import CLINIC_PARTNER, Actor
from referrals.models import Referral
from referrals.services import clinic_directory, codes, lifecycle, machine

# The event that records a move (stored in `to_status`, with the status it had in
# `from_status`): the event table has no kind column, and the status does not change.
CLINIC_CHANGED = "clinic_changed"
OPEN_STATUSES = ("referred", "scheduled", "missed")


@dataclass(frozen=True)
class Offer:
    """What this clinic can do for the referral: the requested services it offers (`here`),
    those it does not (`not_here`), and whether the referral is still open."""

    here: list[str]
    not_here: list[str]
    open: bool

    @property
    def possible(self) -> bool:
        """Whether the visit can be recorded here."""
        return self.open and bool(self.here)


def find(code_text: object, actor: Actor) -> Referral | None:
    """The referral of another clinic with this code, for a clinic partner; else None."""
    if getattr(actor, "role", None) != CLINIC_PARTNER or actor.clinic_id is None:
        return None
    code = codes.parse(code_text if isinstance(code_text, str) else None)
    if code is None:
        return None
    query = sa.select(Referral).where(Referral.code == code, Referral.clinic_id != actor.clinic_id)
    return db.session.scalar(query)


def offer(referral: Referral, clinic: Clinic) -> Offer:
    """The requested services this clinic offers and those it does not."""
    offered = clinic_directory.offered(clinic)
    requested = list(referral.services or [])
    return Offer(
        here=[s for s in requested if s in offered],
        not_here=[s for s in requested if s not in offered],
        open=referral.status in OPEN_STATUSES,
    )


def get(code_text: object, actor: Actor) -> tuple[Referral, Offer]:
    """Another clinic's referral and what this clinic can do for it; NotFound otherwise."""
    referral = find(code_text, actor)
    if referral is None:
        raise NotFound(N_("No referral has that code."), fields={"code": N_("Not found.")})
    return referral, offer(referral, clinic_directory.get_clinic(actor.clinic_id))


def _delivered(value: object, allowed: list[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(
            N_("Services must be a list of codes."),
            fields={"services_delivered": N_("A list.")},
        )
    chosen = list(dict.fromkeys(value))
    if not chosen:
        raise ValidationFailed(
            N_("Choose at least one service."), fields={"services_delivered": N_("Required.")}
        )
    if any(s not in allowed for s in chosen):
        raise ValidationFailed(
            N_("Only the services of this referral that this clinic offers can be recorded."),
            fields={"services_delivered": N_("Not offered here.")},
        )
    return chosen


def move(referral: Referral, clinic: Clinic, *, actor: Actor, channel: str, now: datetime) -> None:
    """Move an open referral to `clinic`, with its event and an audit row; a concurrent change
    (moved or confirmed elsewhere just now) is a 409."""
    old_clinic_id, status = referral.clinic_id, referral.status
    result = db.session.execute(
        sa.update(Referral)
        .where(
            Referral.id == referral.id,
            Referral.clinic_id == old_clinic_id,
            Referral.status == status,
        )
        .values(clinic_id=clinic.id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise Conflict(
            N_("This referral was changed by someone else just now; reload and try again."),
            code="conflict",
        )
    set_committed_value(referral, "clinic_id", clinic.id)
    set_committed_value(referral, "clinic", clinic)
    machine.record_event(referral, status, CLINIC_CHANGED, actor=actor, channel=channel, now=now)
    audit.record(
        actor,
        "referral.move",
        "referral",
        referral.code,
        {"from_clinic_id": old_clinic_id, "to_clinic_id": clinic.id},
    )
    db.session.flush()


def record_visit_here(
    code_text: object,
    services_delivered: object,
    *,
    actor: Actor,
    linked_to_care: object = None,
    channel: str = "web",
    now: datetime | None = None,
) -> Referral:
    """Record at this clinic the visit of a referral made for another: it moves here, then the
    visit is confirmed (pending messages cancelled, follow-ups planned)."""
    now = now or utcnow()
    referral, what = get(code_text, actor)
    if not what.open:
        raise Conflict(N_("This referral cannot be confirmed any more."), code="invalid_transition")
    if not what.here:
        raise Conflict(
            N_("This clinic offers none of the services of this referral."),
            code="not_offered_here",
        )
    delivered = _delivered(services_delivered, what.here)
    clinic = clinic_directory.get_clinic(actor.clinic_id)
    move(referral, clinic, actor=actor, channel=channel, now=now)
    return lifecycle.confirm(
        referral.code,
        delivered,
        actor=actor,  # type: ignore[arg-type]  # lifecycle.confirm still names User
        linked_to_care=linked_to_care,
        channel=channel,
        now=now,
    )
