"""The clinic partner's pages: today at my clinic, and confirming a visit by its code.

Only the code, services, time and status are shown: nothing about the member.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.security import require
from core.web import attach_errors
from referrals import forms
from referrals.models import Referral
from referrals.routes import bp
from referrals.services import clinic_access, codes, lifecycle
from referrals.services.scope import referrals_query


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    start = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    return start, start + timedelta(days=1)


@bp.get("/clinic/today")
@require("referrals.confirm")
def clinic_today():
    """Expected today by time, upcoming, overdue, waiting without a time, recently confirmed."""
    now = utcnow()
    start, end = _day_bounds(now)
    base = referrals_query(current_user)

    def rows(query):
        return list(db.session.scalars(query.limit(100)).unique())

    scheduled = base.where(Referral.status == "scheduled")
    lists = {
        "today": rows(
            scheduled.where(
                Referral.appointment_at >= start, Referral.appointment_at < end
            ).order_by(Referral.appointment_at)
        ),
        "overdue": rows(
            base.where(
                sa.or_(
                    sa.and_(Referral.status == "scheduled", Referral.appointment_at < start),
                    Referral.status == "missed",
                )
            ).order_by(Referral.appointment_at.desc())
        ),
        "upcoming": rows(
            scheduled.where(Referral.appointment_at >= end).order_by(Referral.appointment_at)
        ),
        "no_time": rows(base.where(Referral.status == "referred").order_by(Referral.created_at)),
        "confirmed": rows(
            base.where(
                Referral.status == "attended", Referral.attended_at >= now - timedelta(days=7)
            ).order_by(Referral.attended_at.desc())
        ),
    }
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
    offered = sorted(clinic_access.offered(item.clinic))
    names = {s.code: s for s in clinic_access.services_catalogue()}
    bangla = str(getattr(current_user, "language", "en")) == "bn"
    form.services_delivered.choices = [
        (c, (names[c].name_bn if bangla else names[c].name_en) if c in names else c)
        for c in offered
    ]
    if not form.is_submitted():
        form.services_delivered.data = [c for c in item.services if c in offered]
    elif form.validate_on_submit():
        try:
            lifecycle.confirm(
                item.code,
                form.services_delivered.data or [],
                linked_to_care=bool(form.linked_to_care.data),
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc, flash_conflict=True)
        else:
            db.session.commit()
            flash(_("Visit confirmed. Thank you."), "success")
            return redirect(url_for("referrals.clinic_today"))
    return render_template(
        "referrals/confirm.html", referral=item, form=form, display=codes.display(item.code)
    )
