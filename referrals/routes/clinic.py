"""The clinic partner's pages: today at my clinic, confirming a visit by its code, and a
referral made for another clinic brought to this one.

Only the code, services, time and status are shown: nothing about the member, and never the
other clinic.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from core.db import utcnow
from core.security import require
from core.web import attach_errors, submit
from referrals import forms
from referrals.routes import bp
from referrals.services import clinic_day, clinic_directory, codes, lifecycle, visit_elsewhere


def _names() -> dict[str, str]:
    """Every service's name in the page's language, by code."""
    bangla = str(get_locale()) == "bn"
    return {
        s.code: s.name_bn if bangla else s.name_en for s in clinic_directory.services_catalogue()
    }


def _service_names(service_codes: list[str]) -> list[tuple[str, str]]:
    """(code, name in the page's language) for each code."""
    names = _names()
    return [(c, names.get(c, c)) for c in service_codes]


def _today_page(form: forms.CodeForm, found: clinic_day.Lookup | None = None) -> str:
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    lists = clinic_day.clinic_day_lists(current_user, utcnow(), zone)
    return render_template(
        "referrals/clinic_today.html",
        lists=lists,
        form=form,
        codes=codes,
        found=found,
        service_names=_names(),
    )


@bp.get("/clinic/today")
@require("referrals.confirm")
def clinic_today():
    """Expected today by time, upcoming, overdue, waiting without a time, recently confirmed."""
    return _today_page(forms.CodeForm())


@bp.post("/clinic/find")
@require("referrals.confirm")
def clinic_find():
    """The code box: a typed (or scanned) code opens the confirmation; a mistyped one stays in
    the box with what is wrong and the expected codes it may have meant."""
    form = forms.CodeForm()
    if not form.validate_on_submit():
        return _today_page(form)
    found = clinic_day.look_up(current_user, form.code.data, utcnow())
    if found.outcome == "here":
        return redirect(url_for("referrals.confirm", code=found.code))
    if found.outcome == "elsewhere":
        return redirect(url_for("referrals.visit_here", code=found.code))
    return _today_page(form, found)


@bp.route("/clinic/confirm/<code>", methods=["GET", "POST"])
@require("referrals.confirm")
def confirm(code: str):
    """Confirm a visit: services given as ticked boxes, linked to care, one button."""
    other = visit_elsewhere.find(code, current_user)
    if other is not None:
        return redirect(url_for("referrals.visit_here", code=other.code))
    item = lifecycle.get_referral(code, current_user)
    if item.code != code:
        return redirect(url_for("referrals.confirm", code=item.code))
    form = forms.ConfirmForm()
    offered = sorted(clinic_directory.offered(item.clinic))
    form.services_delivered.choices = _service_names(offered)
    if not form.is_submitted():
        form.services_delivered.data = [c for c in item.services if c in offered]
    elif submit(
        form,
        lambda: lifecycle.confirm(
            item.code,
            form.services_delivered.data or [],
            linked_to_care=bool(form.linked_to_care.data),
            actor=current_user,
        ),
        done=_("Visit confirmed. Thank you."),
        refused=lambda exc: attach_errors(form, exc, flash_conflict=True),
    ):
        return redirect(url_for("referrals.clinic_today"))
    return render_template(
        "referrals/confirm.html", referral=item, form=form, display=codes.display(item.code)
    )


@bp.route("/clinic/elsewhere/<code>", methods=["GET", "POST"])
@require("referrals.confirm")
def visit_here(code: str):
    """A referral made for another clinic: say so, and record the visit here when this clinic
    offers its services (the referral moves here)."""
    item, offer = visit_elsewhere.get(code, current_user)
    if item.code != code:
        return redirect(url_for("referrals.visit_here", code=item.code))
    form = forms.ConfirmForm()
    form.services_delivered.choices = _service_names(offer.here)
    if not form.is_submitted():
        form.services_delivered.data = list(offer.here)
    elif offer.possible and submit(
        form,
        lambda: visit_elsewhere.record_visit_here(
            item.code,
            form.services_delivered.data or [],
            linked_to_care=bool(form.linked_to_care.data),
            actor=current_user,
        ),
        done=_("Visit recorded at this clinic. Thank you."),
        refused=lambda exc: attach_errors(form, exc, flash_conflict=True),
    ):
        return redirect(url_for("referrals.clinic_today"))
    return render_template(
        "referrals/confirm.html",
        referral=item,
        form=form,
        display=codes.display(item.code),
        elsewhere=offer,
        requested=_service_names(list(item.services or [])),
        not_here=[name for _code, name in _service_names(offer.not_here)],
    )
