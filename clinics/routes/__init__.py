"""Pages of the clinics package: the directory, a clinic's page, editing and feedback."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from clinics import services
from clinics.forms import (
    ATTRIBUTE_LABELS,
    DAY_LABELS,
    ActionForm,
    ClinicForm,
    FeedbackForm,
    PartnerClinicForm,
    SearchForm,
    answer,
)
from clinics.hours import DAYS, day_text, parse_day_text
from clinics.labels import district_choices
from clinics.reference import FEEDBACK_QUESTIONS
from core.db import utcnow
from core.errors import DomainError, ValidationFailed
from core.extensions import db
from core.security import ADMIN, CLINIC_PARTNER, require
from core.web import attach_errors, submit

bp = Blueprint("clinics", __name__)

# The admin home's links to this package's pages (clinics.init_app adds them).
ADMIN_LINKS = [
    ("clinics.clinic_create", _l("Add a clinic")),
    ("clinics.unverified", _l("Clinics not verified for 180 days")),
    ("clinics.import_clinics", _l("Import or export the clinic directory")),
    ("clinics.service_admin", _l("Services")),
]


@bp.app_template_global("clinic_is_open")
def clinic_is_open(clinic: Any, now: Any) -> bool:
    """Whether a clinic is open at `now` (for the pages)."""
    return services.is_open_at(clinic, now)


@bp.app_template_global("clinic_verification_due")
def clinic_verification_due(clinic: Any, now: Any) -> bool:
    """Whether a clinic's entry is overdue for verification (flagged to admins)."""
    return services.verification_due(clinic, now)


# Where a service's error about a query parameter is shown on the search form.
_SEARCH_FIELD = {"near": "lat", "within_km": "lat", "page": "q", "per_page": "q"}


def _service_names() -> dict[str, str]:
    from flask_babel import get_locale

    bangla = str(get_locale()) == "bn"
    return {s.code: (s.name_bn if bangla else s.name_en) for s in services.get_services(True)}


def _page_context() -> dict[str, Any]:
    return {
        "service_names": _service_names(),
        "attribute_labels": ATTRIBUTE_LABELS,
        "day_labels": DAY_LABELS,
        "days": DAYS,
        "now": utcnow(),
    }


@bp.get("/clinics")
@require("clinics.read")
def directory():
    """Search the directory: services, district, friendliness, open now or at a time, near me."""
    form = SearchForm(request.args)
    names = _service_names()
    form.service.choices = list(names.items())
    form.district.choices = district_choices(_("Any district"))
    result, status = None, 200
    include_inactive = current_user.role == ADMIN and bool(request.args.get("inactive"))
    try:
        result = services.search_clinics(
            **services.parse_search_args(request.args), include_inactive=include_inactive
        )
    except DomainError as exc:
        attach_errors(form, exc, aliases=_SEARCH_FIELD)
        status = 400
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    return render_template(
        "clinics/directory.html", form=form, result=result, args=args, **_page_context()
    ), status


@bp.get("/clinics/<int:clinic_id>")
@require("clinics.read")
def detail(clinic_id: int):
    """A clinic's page: services, hours and whether it is open now, friendliness, map link."""
    clinic = services.get_clinic(clinic_id)
    may_edit = current_user.role == ADMIN or (
        current_user.role == CLINIC_PARTNER and current_user.clinic_id == clinic.id
    )
    return render_template(
        "clinics/detail.html",
        clinic=clinic,
        feedback=services.feedback_summary(clinic.id),
        verification_due=services.verification_due(clinic),
        open_now=services.is_open_at(clinic, utcnow()),
        may_edit=may_edit,
        action_form=ActionForm(),
        **_page_context(),
    )


def _hours_from_form(form: Any) -> dict:
    raw = {}
    for day in DAYS:
        field = getattr(form, f"hours_{day}")
        try:
            raw[day] = parse_day_text(field.data or "", day, f"hours_{day}")
        except ValidationFailed as exc:
            field.errors = [*list(field.errors or []), exc.localized_fields()[f"hours_{day}"]]
            raise
    return raw


def _fill_hours(form: Any, clinic: Any) -> None:
    for day in DAYS:
        getattr(form, f"hours_{day}").data = day_text((clinic.hours or {}).get(day, []))


def _clinic_data(form: ClinicForm) -> dict[str, Any]:
    return {
        "name": form.name.data,
        "sms_alias": form.sms_alias.data,
        "district": form.district.data,
        "area": form.area.data or "",
        "address": form.address.data or "",
        "latitude": form.latitude.data or None,
        "longitude": form.longitude.data or None,
        "phone": form.phone.data or None,
        "services": form.services.data or [],
        "attributes": form.attributes.data or [],
        "hours": _hours_from_form(form),
        "status": form.status.data,
        "verified": bool(form.verified.data),
    }


def _hours_error_fields(exc: DomainError) -> DomainError:
    """A service's `hours` error is shown on the first day it names."""
    text = exc.field_texts.get("hours")
    day = exc.params.get("day_code")  # clinics.hours names the day a problem is about
    if text is not None and day in DAYS:
        exc.field_texts = {**exc.field_texts, f"hours_{day}": text}
    return exc


@bp.route("/clinics/new", methods=["GET", "POST"])
@require("clinics.edit")
def clinic_create():
    """Add a clinic (admins)."""
    form = ClinicForm()
    form.services.choices = list(_service_names().items())
    if request.method == "GET":
        form.verified.data = True
    clinic = submit(
        form,
        lambda: services.create_clinic(_clinic_data(form), current_user),
        done=_("Clinic added."),
        refused=lambda exc: attach_errors(form, _hours_error_fields(exc)),
    )
    if clinic is not None:
        return redirect(url_for("clinics.detail", clinic_id=clinic.id))
    return render_template("clinics/edit.html", form=form, clinic=None, days=DAYS)


@bp.route("/clinics/<int:clinic_id>/edit", methods=["GET", "POST"])
@require("clinics.edit_own")
def clinic_edit(clinic_id: int):
    """Admins edit the whole entry; a clinic partner its own clinic's hours and phone."""
    if current_user.role == CLINIC_PARTNER and current_user.clinic_id != clinic_id:
        abort(404)
    clinic = services.get_clinic(clinic_id)
    admin = current_user.role == ADMIN
    form = ClinicForm(obj=clinic) if admin else PartnerClinicForm(obj=clinic)
    if admin:
        form.services.choices = list(_service_names().items())
    if request.method == "GET":
        _fill_hours(form, clinic)
        if admin:
            form.services.data = clinic.service_codes
            form.attributes.data = clinic.attributes
            form.latitude.data = "" if clinic.latitude is None else str(clinic.latitude)
            form.longitude.data = "" if clinic.longitude is None else str(clinic.longitude)

    def save() -> Any:
        if admin:
            data = _clinic_data(form)
        else:
            data = {"phone": form.phone.data or None, "hours": _hours_from_form(form)}
        return services.update_clinic(clinic_id, data, current_user)

    if submit(
        form,
        save,
        done=_("Saved."),
        refused=lambda exc: attach_errors(form, _hours_error_fields(exc)),
    ):
        return redirect(url_for("clinics.detail", clinic_id=clinic_id))
    return render_template("clinics/edit.html", form=form, clinic=clinic, days=DAYS)


@bp.post("/clinics/<int:clinic_id>/verify")
@require("clinics.edit")
def verify(clinic_id: int):
    """Mark the entry as checked today."""
    form = ActionForm()
    if form.validate_on_submit():
        services.verify_clinic(clinic_id, current_user)
        db.session.commit()
        flash(_("Marked as verified today."), "success")
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("clinics.detail", clinic_id=clinic_id)
    return redirect(target)


@bp.route("/clinics/<int:clinic_id>/feedback/new", methods=["GET", "POST"])
@require("clinics.feedback")
def feedback_new(clinic_id: int):
    """Record a member's experience of a visit."""
    clinic = services.get_clinic(clinic_id)
    form = FeedbackForm()
    names = _service_names()
    form.refused_service_code.choices = [("", "—"), *names.items()]
    if request.method == "GET":
        form.visited_on.data = utcnow().astimezone(services.app_zone()).date()
    if submit(
        form,
        lambda: services.record_feedback(
            clinic_id,
            current_user,
            visited_on=form.visited_on.data,
            respectful=form.respectful.data == "yes",
            refused_service=bool(form.refused_service.data),
            refused_service_code=form.refused_service_code.data or None,
            waiting_minutes=form.waiting_minutes.data,
            comment=form.comment.data,
            answers={name: answer(form[name].data) for name in FEEDBACK_QUESTIONS},
        ),
        done=_("Thank you: the feedback is saved."),
        refused=lambda exc: attach_errors(form, exc),
    ):
        return redirect(url_for("clinics.detail", clinic_id=clinic_id))
    return render_template("clinics/feedback_form.html", form=form, clinic=clinic)


@bp.get("/clinics/<int:clinic_id>/feedback")
@require("clinics.feedback_read")
def feedback_list(clinic_id: int):
    """The reports on a clinic (admins)."""
    clinic = services.get_clinic(clinic_id)
    rows = services.list_feedback(clinic_id, current_user)
    db.session.commit()  # the audit row of this read
    return render_template(
        "clinics/feedback_list.html",
        clinic=clinic,
        rows=rows,
        summary=services.feedback_summary(clinic_id),
        service_names=_service_names(),
    )
