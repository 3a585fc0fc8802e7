"""Admin pages: the SMS log, one message's timeline, and the development console outbox."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from core.audit import record
from core.db import utcnow
from core.edge import parse_id
from core.extensions import db
from core.labels import label
from core.security import require
from notifications import message_log
from notifications.forms import LogFilterForm, SimulateReplyForm
from notifications.inbound import handle_inbound
from notifications.models import Contact, InboundMessage, OutboxMessage
from notifications.routes import KIND_LABELS, bp

CONSOLE_ROWS = 30


def _filters(form: LogFilterForm) -> message_log.LogFilters:
    def number(value: str | None) -> int | None:
        return parse_id(value)  # not isdigit(): "²" is a digit to Python, not to int()

    return message_log.LogFilters(
        status=form.status.data or None,
        kind=form.kind.data or None,
        clinic_id=number(form.clinic_id.data),
        peer_educator_id=number(form.peer_educator_id.data),
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.get("/admin/sms")
@require("messages.admin")
def sms_log():
    """The outbox, newest first, filtered and paged in SQL, with the delivery rate."""
    form = LogFilterForm(formdata=request.args)
    any_choice = [("", _("Any"))]
    form.clinic_id.choices = any_choice + [
        (str(i), name) for i, name in message_log.clinic_choices()
    ]
    form.peer_educator_id.choices = any_choice + [
        (str(i), name) for i, name in message_log.peer_educator_choices()
    ]
    status = 200
    filters = message_log.LogFilters()
    if form.validate():
        filters = _filters(form)
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            form.date_to.errors = [_("Must not be before the first day.")]
            filters, status = message_log.LogFilters(), 400
    else:
        status = 400
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = message_log.message_page(filters, page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return (
        render_template(
            "notifications/sms_log.html",
            form=form,
            rows=rows,
            total=total,
            page=page,
            per_page=message_log.PER_PAGE,
            args=args,
            rate=message_log.delivery_rate(filters),
            kind_labels=KIND_LABELS,
            console=console_enabled(),
        ),
        status,
    )


@bp.get("/admin/sms/<int:message_id>")
@require("messages.admin")
def sms_message(message_id: int):
    """One message: its timeline, the masked number and (admins only) its text."""
    found = message_log.get_message(message_id)
    if found is None:
        abort(404)
    message, masked = found
    record(current_user, "message.read", "outbox_message", message.id)
    db.session.commit()
    return render_template(
        "notifications/sms_message.html",
        message=message,
        masked=masked,
        steps=message_log.timeline(message),
        names=message_log.names_for(message),
        attempts=message_log.attempts_of(message),
        kind_labels=KIND_LABELS,
    )


def console_enabled() -> bool:
    """The console and its reply simulator exist in development only, with the console backend:
    in production a forgotten SMS_BACKEND=console must not let anyone fake a member's reply."""
    config = current_app.config
    return config.get("APP_ENV") != "production" and config.get("SMS_BACKEND") == "console"


def _console_only() -> None:
    if not console_enabled():
        abort(404)


@bp.route("/admin/sms-console", methods=["GET", "POST"])
@require("messages.admin")
def sms_console():
    """Development: what each member would have received, as on her phone; simulate a reply."""
    _console_only()
    form = SimulateReplyForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            return _simulate(form)
        status = 400
    rows = db.session.execute(
        sa.select(OutboxMessage, Contact.phone_masked)
        .join(Contact, Contact.id == OutboxMessage.contact_id)
        .where(OutboxMessage.body.is_not(None))
        .order_by(OutboxMessage.sent_at.desc().nulls_last(), OutboxMessage.id.desc())
        .limit(CONSOLE_ROWS)
    ).all()
    replies = db.session.execute(
        sa.select(InboundMessage, Contact.phone_masked)
        .outerjoin(Contact, Contact.id == InboundMessage.contact_id)
        .order_by(InboundMessage.id.desc())
        .limit(10)
    ).all()
    return (
        render_template(
            "notifications/sms_console.html",
            rows=rows,
            replies=replies,
            form=form,
            kind_labels=KIND_LABELS,
        ),
        status,
    )


def _simulate(form: SimulateReplyForm):
    """A reply from the phone of a message's contact, handled exactly as Twilio's would be."""
    message = db.session.get(OutboxMessage, form.message_id.data)
    contact = db.session.get(Contact, message.contact_id) if message else None
    if contact is None or not contact.phone:
        flash(_("That message's phone number is no longer known."), "error")
        return redirect(url_for("notifications.sms_console"))
    try:
        result = handle_inbound(
            contact.phone, form.body.data, f"console-{uuid.uuid4().hex}", now=utcnow()
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("The reply could not be recorded; try again."), "error")
        return redirect(url_for("notifications.sms_console"))
    keyword = label("reply_keyword", result.keyword)
    if result.reply:
        flash(_("Read as “%(keyword)s”. Answer: %(reply)s", keyword=keyword,
                reply=result.reply), "success")  # fmt: skip
    else:
        flash(_("Read as “%(keyword)s”. No answer is sent.", keyword=keyword), "success")
    return redirect(url_for("notifications.sms_console"))
