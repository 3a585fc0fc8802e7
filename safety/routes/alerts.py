"""Safety alert pages (admins): the list (drafts waiting for a second admin first), the draft form
from an incident, one alert with Approve (never for the admin who drafted it) and Withdraw.
The rules are safety.services.alerts'."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clinics.labels import district_choices
from core.db import utcnow
from core.extensions import db
from core.security import require
from core.templating import number
from core.web import attach_errors, submit
from safety.admin_forms import ActionForm, AlertForm
from safety.models import Incident
from safety.routes import bp
from safety.services import alerts as service

# A service's field → the form field that shows its error.
FIELD_OF = {"expires_at": "expires_in"}


def _names(alerts: list[Any]) -> dict[int, str]:
    """The display names of the admins who drafted, approved or withdrew these alerts."""
    from accounts.models import User

    ids = {a.drafted_by_id for a in alerts} | {a.approved_by_id for a in alerts}
    ids |= {a.withdrawn_by_id for a in alerts}
    ids.discard(None)
    rows = db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


@bp.get("/alerts")
@require("alerts.manage")
def alerts():
    """Every alert: drafts waiting for a second admin first, then the newest."""
    rows, total = service.list_alerts(current_user, per_page=100)
    return render_template("safety/alerts.html", alerts=rows, total=total, names=_names(rows))


def _incident() -> Incident | None:
    """The incident of `?incident=<id>` (admins see every one; the read is audited when the form
    is shown), None when none is named."""
    from safety.services.incidents import get_incident

    incident_id = request.args.get("incident", type=int)
    if incident_id is None:
        return None
    incident = get_incident(incident_id, current_user, audit_read=request.method == "GET")
    if request.method == "GET":
        db.session.commit()  # the audit row of the read
    return incident


def _district_options(form: AlertForm, incident: Incident) -> None:
    """Every district, the incident's first and ticked on a new form."""
    pairs = district_choices()
    form.districts.choices = sorted(pairs, key=lambda pair: pair[0] != incident.district)
    if request.method == "GET":
        form.districts.data = [incident.district]


def _sizes(form: AlertForm) -> dict[str, dict[str, int]]:
    """Characters and SMS segments of each text as typed (shown under its box)."""
    return {
        lang: {"characters": len(text), "segments": service.sms_segments(text)}
        for lang, text in (("bn", form.text_bn.data or ""), ("en", form.text_en.data or ""))
    }


@bp.route("/alerts/new", methods=["GET", "POST"])
@require("alerts.manage")
def alert_new():
    """Draft an alert from an incident whose alert consent was given."""
    incident = _incident()
    if incident is None or not incident.consent_alert:
        status = 200 if incident is None else 422
        return render_template("safety/alert_new.html", incident=incident, form=None), status
    form = AlertForm()
    _district_options(form, incident)

    def draft() -> Any:
        data = {
            "incident_id": incident.id,
            "districts": form.districts.data,
            "text_en": form.text_en.data,
            "text_bn": form.text_bn.data,
            "expires_at": utcnow() + timedelta(hours=form.expires_in.data),
        }
        return service.draft_alert(data, current_user, utcnow())

    alert = submit(
        form,
        draft,
        done=_("Alert drafted. Another admin must approve it before it is sent."),
        refused=lambda exc: attach_errors(form, exc, aliases=FIELD_OF),
    )
    if alert is not None:
        return redirect(url_for("safety.alert_view", alert_id=alert.id))
    return render_template(
        "safety/alert_new.html", incident=incident, form=form, sizes=_sizes(form)
    )


@bp.get("/alerts/<int:alert_id>")
@require("alerts.manage")
def alert_view(alert_id: int):
    """One alert: its texts, districts, expiry and who did what; Approve and Withdraw."""
    alert = service.get_alert(alert_id, current_user)
    refusal = service.approval_refusal(alert, current_user, utcnow())
    return render_template(
        "safety/alert.html",
        alert=alert,
        names=_names([alert]),
        refusal=None if refusal is None else refusal.localized(),
        live=alert.status in service.LIVE,
        form=ActionForm(),
        sizes={
            "bn": service.sms_segments(alert.text_bn),
            "en": service.sms_segments(alert.text_en),
        },
    )


@bp.post("/alerts/<int:alert_id>/approve")
@require("alerts.manage")
def alert_approve(alert_id: int):
    """A second admin approves the draft: its messages are planned."""
    form = ActionForm()
    submit(
        form,
        lambda: service.approve_alert(alert_id, current_user, utcnow()),
        done=lambda alert: _("Approved: %(n)s messages planned.", n=number(alert.recipients or 0)),
    )
    return redirect(url_for("safety.alert_view", alert_id=alert_id))


@bp.post("/alerts/<int:alert_id>/withdraw")
@require("alerts.manage")
def alert_withdraw(alert_id: int):
    """Withdraw the alert: nothing more is sent."""
    form = ActionForm()
    submit(
        form,
        lambda: service.withdraw_alert(alert_id, current_user, utcnow()),
        done=_("Alert withdrawn: nothing more will be sent."),
    )
    return redirect(url_for("safety.alert_view", alert_id=alert_id))
