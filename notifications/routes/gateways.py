"""Admin page of the SMS gateways: each one's health, today's count against its limit, its price,
and a test SMS to a number typed in (sent through that gateway directly; the number is not kept)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.forms import Form
from core.security import require
from core.templating import localtime
from notifications import gateway_status
from notifications.engine.pause import LIMIT_CODE, DispatchState, current_pause
from notifications.routes import bp

HEALTH_LABELS = {
    "ok": _l("working"),
    "failing": _l("failing: left alone for a while"),
    "silent": _l("the phone has not been heard from"),
}
OUTCOME_LABELS = {
    "sent": _l("The gateway accepted the test SMS."),
    "not_sent": _l("The gateway could not be reached."),
    "transient": _l("The gateway is busy or failing; try again later."),
    "permanent": _l("The gateway refused the number or the text."),
    "unknown": _l("The gateway did not answer in time; the SMS may still arrive."),
    "account": _l("The gateway refused our account (credentials or funds)."),
}


def pause_words(row: DispatchState | None) -> str | None:
    """Why sending is paused, in words (None when it is not)."""
    if row is None or row.paused_until is None:
        return None
    until = localtime(row.paused_until, "medium")
    if row.error_code == LIMIT_CODE:
        return _("Sending is paused until %(when)s: every SMS gateway is at its daily limit.",
                 when=until)  # fmt: skip
    return _("Sending is paused until %(when)s: the SMS provider refused our account.", when=until)


@bp.app_context_processor
def _dispatch_notice() -> dict:
    """`dispatch_notice()` for the admin home: the pause in words, read only when asked."""
    return {"dispatch_notice": lambda: pause_words(current_pause(utcnow()))}


class TestSmsForm(Form):
    """A number to send one test SMS to, through one gateway."""

    gateway = HiddenField(validators=[DataRequired()])
    phone = StringField(_l("Phone number"), validators=[DataRequired(), Length(max=32)])
    submit = SubmitField(_l("Send a test SMS"))


@bp.get("/admin/sms-gateways")
@require("messages.admin")
def sms_gateways():
    """Each configured gateway, in routing order, with a test-SMS form."""
    return _page(TestSmsForm(), 200)


def _page(form: TestSmsForm, status: int):
    now = utcnow()
    views = gateway_status.overview(now)
    db.session.commit()  # the state rows of new gateways
    return (
        render_template(
            "notifications/sms_gateways.html",
            gateways=views,
            form=form,
            pause=pause_words(current_pause(now)),
            health_labels=HEALTH_LABELS,
        ),
        status,
    )


@bp.post("/admin/sms-gateways/test")
@require("messages.admin")
def sms_gateway_test():
    """Send the test SMS; the number goes to the gateway only (not stored, logged or audited)."""
    form = TestSmsForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        result = gateway_status.send_test(form.gateway.data, form.phone.data, current_user)
    except DomainError as error:
        if error.status == 404:
            abort(404)
        db.session.rollback()
        form.phone.errors = list(error.localized_fields().values()) or [error.localized()]
        return _page(form, 400)
    db.session.commit()
    flash(str(OUTCOME_LABELS[result.outcome]), "success" if result.outcome == "sent" else "error")
    return redirect(url_for("notifications.sms_gateways"))
