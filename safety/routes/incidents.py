"""The peer educator's incident pages: record what happened, her incidents, one incident, close.

The rules are safety.services.incidents' (who may record and read, what is valid, the audit of
every read); these views validate a form, call one service, commit and redirect.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clinics.labels import district_choices
from core.db import utcnow
from core.errors import DomainError, ValidationFailed
from core.extensions import db
from core.i18n import N_
from core.security import ADMIN, require
from core.web import attach_errors, submit
from safety import forms
from safety.models import Incident, IncidentReferral
from safety.routes import bp
from safety.services import incidents

# A service's field (CONTRACT.md's names) → the form field that shows its error.
FIELD_OF = {
    "consent": "consent_advocacy",
    "consent.advocacy": "consent_advocacy",
    "consent.alert": "consent_alert",
    "consent.legal": "consent_legal",
}


def local_today() -> date:
    """Today in APP_TIMEZONE (the day a peer educator calls today)."""
    return utcnow().astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"])).date()


def _member() -> Any:
    """The member of `?member=<id>` (the peer educator's own, admin: any), or None."""
    member_id = request.args.get("member", type=int)
    if member_id is None:
        return None
    from referrals.services import members

    return members.get_member(member_id, current_user, audit_read=False)


def _default_district(member: Any) -> str | None:
    """Her district when her contact has one, else the peer educator's."""
    contact = getattr(member, "contact", None)
    return getattr(contact, "district", None) or getattr(current_user, "district", None)


def incident_data(form: forms.IncidentForm, member: Any) -> dict[str, Any]:
    """The form as record_incident takes it (CONTRACT.md's incident body)."""
    occurred: date | None = form.occurred_on.data
    return {
        "member_id": member.id if member is not None else None,
        "occurred_on": occurred.isoformat() if occurred else None,
        "district": form.district.data,
        "area": (form.area.data or "").strip() or None,
        "place_type": form.place_type.data,
        "perpetrators": list(form.perpetrators.data or []),
        "violations": list(form.violations.data or []),
        "needs_help_now": form.needs_help_now.data == "yes",
        "description": (form.description.data or "").strip() or None,
        "consent": {
            "advocacy": bool(form.consent_advocacy.data),
            "alert": bool(form.consent_alert.data),
            "legal": bool(form.consent_legal.data),
        },
    }


def _refused(form: forms.IncidentForm, exc: DomainError) -> None:
    """A refusal shown on the form; what is about her (the member) said at the top."""
    attach_errors(form, exc, aliases=FIELD_OF)
    about_her = exc.localized_fields().get("member_id")
    if about_her:
        flash(about_her, "error")


def _record(form: forms.IncidentForm, member: Any) -> Incident:
    """Record the form's incident; from the home page (no `?member=`) she may be named by her
    UIC among the peer educator's members."""
    typed = (form.uic.data or "").strip()
    if member is None and typed:
        from referrals.services import members

        member = members.find_by_uic(typed, current_user)
        if member is None:
            message = N_("None of your members has this UIC. Leave it empty if she is not one.")
            raise ValidationFailed(message, fields={"uic": message})
    return incidents.record_incident(incident_data(form, member), current_user)


@bp.route("/incidents/new", methods=["GET", "POST"], endpoint="incident_new")
@require("incidents.record")
def incident_new():
    """Something happened to her: the short form; then help now, or the incident."""
    member = _member()
    defaults = {"occurred_on": local_today(), "district": _default_district(member) or ""}
    form = forms.IncidentForm(**(defaults if request.method == "GET" else {}))
    form.district.choices = district_choices(_("Choose a district"))
    created = submit(
        form,
        lambda: _record(form, member),
        done=_("Saved. What she told you is kept private."),
        refused=lambda exc: _refused(form, exc),
    )
    if created is not None:
        if created.needs_help_now:
            return redirect(url_for("safety.incident_help", incident_id=created.id))
        return redirect(url_for("safety.incident_view", incident_id=created.id))
    db.session.commit()
    return render_template(
        "safety/incident_new.html",
        form=form,
        member=member,
        sentences=forms.CONSENT_SENTENCES,
        today=local_today(),
    )


@bp.get("/incidents", endpoint="incidents")
@require("incidents.record")
def incident_list():
    """Her incidents (admin: every one): open first, then closed, newest first in each."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    open_rows, open_total = incidents.list_incidents(current_user, status="open", per_page=100)
    closed_rows, closed_total = incidents.list_incidents(
        current_user, status="closed", page=page, per_page=50
    )
    db.session.commit()  # the audit rows of the reads
    return render_template(
        "safety/incidents.html",
        open_rows=open_rows,
        open_total=open_total,
        closed_rows=closed_rows,
        closed_total=closed_total,
        page=page,
        pages=max((closed_total + 49) // 50, 1),
    )


def linked_referrals(incident: Incident) -> list[Any]:
    """The urgent referrals made from this incident's help now, newest first."""
    from referrals.models import Referral

    query = (
        sa.select(Referral)
        .join(IncidentReferral, IncidentReferral.referral_id == Referral.id)
        .where(IncidentReferral.incident_id == incident.id)
        .order_by(IncidentReferral.created_at.desc(), Referral.id.desc())
    )
    return list(db.session.scalars(query))


@bp.get("/incidents/<int:incident_id>", endpoint="incident_view")
@require("incidents.record")
def incident_view(incident_id: int):
    """One incident in words: when, where, who, what, the consents, its urgent referrals."""
    incident = incidents.get_incident(incident_id, current_user)
    db.session.commit()  # the audit row of the read
    return render_template(
        "safety/incident.html",
        incident=incident,
        referrals=linked_referrals(incident),
        show_description=incidents.may_read_description(incident, current_user),
        close_form=forms.CloseIncidentForm(),
        is_admin=current_user.role == ADMIN,
    )


@bp.post("/incidents/<int:incident_id>/close", endpoint="incident_close")
@require("incidents.record")
def incident_close(incident_id: int):
    """Close an incident: she needs no more help for it (it leaves the task list)."""
    form = forms.CloseIncidentForm()
    incident = incidents.get_incident(incident_id, current_user, audit_read=False)
    submit(
        form,
        lambda: incidents.close_incident(incident, current_user, now=utcnow()),
        done=_("Closed."),
    )
    return redirect(url_for("safety.incident_view", incident_id=incident_id))
