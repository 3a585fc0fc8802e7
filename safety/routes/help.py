"""Help now: the places open near her for care after violence, legal aid or counselling, and the
crisis contacts with a tap-to-call link; one tap makes an urgent referral from an incident.

The lists and the referral are safety.services.help's (it audits what it shows); "use my location"
is a GET with `near=lat,lon` (static/js/near.js fills it; without JavaScript, the district).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clinics.hours import DAYS, day_text
from clinics.labels import district_choices
from clinics.reference import DISTRICTS
from core.db import utcnow
from core.extensions import db
from core.security import require
from core.web import attach_errors, submit
from safety import forms
from safety.models import HELP_SERVICES
from safety.routes import bp
from safety.services import help as help_service
from safety.services import incidents


def _near() -> tuple[float, float] | None:
    """The `near=lat,lon` of "use my location", if it parses into a place on Earth."""
    try:
        lat, lon = (float(x) for x in request.args.get("near", "").split(","))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _district(default: str | None) -> str | None:
    """`?district=` when it names a district ("" is none: nearest anywhere), else `default`."""
    if "district" in request.args:
        chosen = request.args["district"]
        return chosen if chosen in DISTRICTS else None
    return default


def hours_today(clinic: Any) -> str:
    """The clinic's hours today ("09:00-17:00"; empty when closed today), in APP_TIMEZONE."""
    today = utcnow().astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"])).weekday()
    return day_text((clinic.hours or {}).get(DAYS[today]) or [])


def referral_form(clinic: Any, *, formdata: Any = None) -> forms.UrgentReferralForm:
    """The one-tap urgent referral to a place: its services, those that help after violence
    ticked first (each place's form has its own prefix, so field ids stay unique)."""
    form = forms.UrgentReferralForm(formdata=formdata, prefix=f"place{clinic.id}")
    codes = list(clinic.service_codes)
    helping = [c for c in HELP_SERVICES if c in codes]
    from core.labels import label

    form.services.choices = [(c, label("service", c)) for c in helping] + [
        (c, label("service", c)) for c in codes if c not in helping
    ]
    if formdata is None:
        form.services.data = helping
    return form


def _page(
    incident: Any,
    *,
    district: str | None,
    failed: tuple[int, forms.UrgentReferralForm] | None = None,
    status: int = 200,
):
    """The help-now page (from an incident, or without one), its lists from the service."""
    near = _near()
    found = help_service.help_for(
        incident, current_user, district=district, near=near, now=utcnow()
    )
    places = []
    for clinic, km, open_now in found.places:
        form = failed[1] if failed is not None and failed[0] == clinic.id else None
        places.append(
            {
                "clinic": clinic,
                "distance_km": km,
                "open_now": open_now,
                "hours_today": hours_today(clinic),
                "form": form or referral_form(clinic),
            }
        )
    db.session.commit()  # the audit row of what was shown
    return render_template(
        "safety/help.html",
        incident=incident,
        places=places,
        contacts=found.contacts,
        district=district or "",
        near=near,
        districts=district_choices(_("Nearest anywhere")),
    ), status


@bp.get("/incidents/<int:incident_id>/help", endpoint="incident_help")
@require("incidents.record")
def incident_help(incident_id: int):
    """Help now for an incident: places near her, open now first; contacts; urgent referral."""
    incident = incidents.get_incident(incident_id, current_user, audit_read=False)
    return _page(incident, district=_district(None if _near() else incident.district))


@bp.get("/help", endpoint="help_now")
@require("incidents.record")
def help_now():
    """Help now without an incident (one tap from home): her district or her location."""
    default = None if _near() else getattr(current_user, "district", None)
    return _page(None, district=_district(default))


@bp.post("/incidents/<int:incident_id>/help/<int:clinic_id>", endpoint="incident_refer")
@require("incidents.record")
def incident_refer(incident_id: int, clinic_id: int):
    """One tap: an urgent referral to this place, linked to the incident; then the slip."""
    incident = incidents.get_incident(incident_id, current_user, audit_read=False)
    from referrals.services.clinic_directory import get_clinic

    clinic = get_clinic(clinic_id)
    form = referral_form(clinic, formdata=request.form)
    made = submit(
        form,
        lambda: help_service.urgent_referral(
            incident,
            clinic_id=clinic.id,
            services=list(form.services.data or []),
            actor=current_user,
            now=utcnow(),
        ),
        done=None,  # the slip is the answer
        refused=lambda exc: attach_errors(form, exc),
    )
    if made is not None:
        return redirect(url_for("referrals.slip", code=made.code))
    incident = incidents.get_incident(incident_id, current_user, audit_read=False)
    return _page(
        incident, district=_district(incident.district), failed=(clinic.id, form), status=422
    )
