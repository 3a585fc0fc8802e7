"""The clinic partner's pages: today at my clinic, and confirming a visit by its code.

Only the code, services, time and status are shown: nothing about the member.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.db import utcnow
from core.security import require
from core.web import attach_errors, submit
from referrals import forms
from referrals.routes import bp
from referrals.services import clinic_day, clinic_directory, codes, lifecycle


@bp.get("/clinic/today")
@require("referrals.confirm")
def clinic_today():
    """Expected today by time, upcoming, overdue, waiting without a time, recently confirmed."""
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    lists = clinic_day.clinic_day_lists(current_user, utcnow(), zone)
    return render_template(
        "referrals/clinic_today.html", lists=lists, form=forms.CodeForm(), codes=codes
    )


@bp.post("/clinic/find")
@require("referrals.confirm")
def clinic_find():
    """The code box: a typed (or scanned) code opens the confirmation."""
    form = forms.CodeForm()
    if form.validate_on_submit():
        code = codes.parse(form.code.data)
        if code is None:
            flash(_("That code is not right: check each symbol."), "error")
        else:
            return redirect(url_for("referrals.confirm", code=code))
    return redirect(url_for("referrals.clinic_today"))


@bp.route("/clinic/confirm/<code>", methods=["GET", "POST"])
@require("referrals.confirm")
def confirm(code: str):
    """Confirm a visit: services given as ticked boxes, linked to care, one button."""
    item = lifecycle.get_referral(code, current_user)
    if item.code != code:
        return redirect(url_for("referrals.confirm", code=item.code))
    form = forms.ConfirmForm()
    offered = sorted(clinic_directory.offered(item.clinic))
    names = {s.code: s for s in clinic_directory.services_catalogue()}
    bangla = str(getattr(current_user, "language", "en")) == "bn"
    form.services_delivered.choices = [
        (c, (names[c].name_bn if bangla else names[c].name_en) if c in names else c)
        for c in offered
    ]
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
