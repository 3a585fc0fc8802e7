"""Pages of the referrals package: the peer educator's tasks, search and referrals.

The member pages live in members.py, the new-referral steps in new.py and the clinic partner's
pages in clinic.py; they add their views to this blueprint (referrals.init_app imports them).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.errors import DomainError
from core.extensions import db
from core.security import require
from core.web import attach_errors, fail, submit
from referrals import forms
from referrals.services import codes, followups, lifecycle, tasks
from referrals.services.clinic_directory import hours_text
from referrals.services.notices import NeedsConfirmation

bp = Blueprint("referrals", __name__)
# The admin home's links to this package's pages (referrals.init_app adds them).
ADMIN_LINKS = [("referrals.rules", _l("Follow-up rules"))]


def local_dt(day, at) -> datetime:
    """A date and a time typed in APP_TIMEZONE, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(current_app.config["APP_TIMEZONE"]))


@bp.get("/tasks", endpoint="tasks")
@require("members.read")
def tasks_page():
    """The peer educator's home: missed to trace, follow-ups due, waiting for a time."""
    todo = tasks.task_list(current_user)
    db.session.commit()
    return render_template(
        "referrals/tasks.html", tasks=todo, search=forms.SearchForm(), trace=forms.TraceForm()
    )


@bp.post("/search")
@require("members.read")
def search():
    """Search by code, UIC or phone (a POST: a number never travels in a URL)."""
    form = forms.SearchForm()
    result = tasks.SearchResult()
    if form.validate_on_submit():
        result = tasks.search(form.q.data, current_user)
        db.session.commit()
        if result.referral is not None:
            return redirect(url_for("referrals.referral", code=result.referral.code))
        if len(result.members) == 1:
            return redirect(url_for("referrals.member", member_id=result.members[0].id))
    return render_template("referrals/search.html", form=form, result=result)


@bp.get("/referrals")
@require("referrals.create")
def my_referrals():
    """My members' referrals, newest first."""
    status = request.args.get("status") or None
    page = max(request.args.get("page", 1, type=int), 1)
    try:
        rows, total = lifecycle.list_referrals(current_user, status=status, page=page, per_page=50)
    except DomainError as exc:
        fail(exc)
        rows, total = [], 0
    return render_template(
        "referrals/referrals.html", referrals=rows, total=total, page=page, codes=codes
    )


@bp.get("/referrals/<code>")
@require("referrals.read")
def referral(code: str):
    """One referral: status, events, and what can be done next."""
    if current_user.role == "clinic_partner":
        return redirect(url_for("referrals.confirm", code=code))
    item = lifecycle.read_referral(code, current_user)
    if item.code != code:
        db.session.rollback()
        return redirect(url_for("referrals.referral", code=item.code))
    db.session.commit()  # the audit row of the read
    return _referral_page(item)


def _referral_page(item, *, status: int = 200, asking=(), **form_overrides):
    """The referral page; a refused reschedule or trace shows its form again (with what it
    asks first, `asking`)."""
    page_forms = {
        "reschedule": forms.RescheduleForm(formdata=None),
        "cancel": forms.CancelForm(formdata=None),
        "trace": forms.TraceForm(formdata=None),
        **form_overrides,
    }
    return render_template(
        "referrals/referral.html",
        referral=item,
        codes=codes,
        messages=lifecycle.messaging.messages_for(item),
        asking=list(asking),
        **page_forms,
    ), status


def _new_time(form) -> datetime | None:
    """The day and time of a form, as an aware time; None unless both are given."""
    if form.day.data is None or form.at.data is None:
        return None
    return local_dt(form.day.data, form.at.data)


def _shown_again(code: str, name: str, form, refusal: DomainError):
    """A refused form of the referral page shown again: what it asks first, or its errors."""
    db.session.rollback()
    item = lifecycle.get_referral(code, current_user)
    if isinstance(refusal, NeedsConfirmation):
        return _referral_page(item, status=409, asking=refusal.notices, **{name: form})
    attach_errors(form, refusal, aliases={"appointment_at": "day"})
    return _referral_page(item, status=refusal.status, **{name: form})


@bp.post("/referrals/<code>/reschedule")
@require("referrals.manage")
def reschedule(code: str):
    """Set or move the appointment; a time when the clinic is closed is asked first."""
    form = forms.RescheduleForm()
    refusal: list[DomainError] = []
    result = submit(
        form,
        lambda: lifecycle.reschedule(
            code,
            _new_time(form),
            actor=current_user,
            ask=True,
            accepted=form.accept.data or (),
        ),
        done=_("New time saved; she will get an SMS."),
        invalid=_("Choose a day and a time."),
        refused=refusal.append,
    )
    if refusal:
        return _shown_again(code, "reschedule", form, refusal[0])
    if result and not result[0].member.contact.phone_index:
        flash(_("She has no phone: no SMS will be sent."), "warning")
    return redirect(url_for("referrals.referral", code=codes.normalise(code)))


@bp.post("/referrals/<code>/cancel")
@require("referrals.manage")
def cancel(code: str):
    """Cancel with a reason."""
    form = forms.CancelForm()
    submit(
        form,
        lambda: lifecycle.cancel(code, form.reason.data, actor=current_user),
        done=_("Referral cancelled."),
        invalid=_("Give a reason."),
    )
    return redirect(url_for("referrals.referral", code=codes.normalise(code)))


@bp.post("/referrals/<code>/trace")
@require("referrals.manage")
def trace(code: str):
    """Record the outcome of tracing a missed appointment (two taps; "rescheduled" takes the new
    day and time in the same form, asked first when the clinic is closed then)."""
    form = forms.TraceForm()
    refusal: list[DomainError] = []
    rescheduled = form.outcome.data == "rescheduled"
    done = _("New time saved; she will get an SMS.") if rescheduled else _("Saved.")
    submit(
        form,
        lambda: lifecycle.record_trace(
            code,
            form.outcome.data,
            appointment_at=_new_time(form),
            actor=current_user,
            ask=True,
            accepted=form.accept.data or (),
        ),
        done=done,
        refused=refusal.append,
    )
    if refusal:
        return _shown_again(code, "trace", form, refusal[0])
    return redirect(url_for("referrals.tasks"))


@bp.get("/referrals/<code>/slip")
@require("referrals.read")
def slip(code: str):
    """The printable slip: the code, the QR of the confirmation link; no personal data."""
    import segno

    item = lifecycle.get_referral(code, current_user)
    base = current_app.config.get("PUBLIC_BASE_URL")
    path = url_for("referrals.confirm", code=item.code)
    link = (base + path) if base else url_for("referrals.confirm", code=item.code, _external=True)
    qr = segno.make(link, error="m").svg_inline(scale=4, omitsize=True)
    return render_template(
        "referrals/slip.html",
        referral=item,
        display=codes.display(item.code),
        qr_svg=qr,
        hours=hours_text(item.clinic),
    )


@bp.post("/follow-ups/<int:follow_up_id>/done")
@require("members.write")
def follow_up_done(follow_up_id: int):
    """A follow-up done by a note."""
    form = forms.FollowUpDoneForm()
    target = request.form.get("next") or url_for("referrals.tasks")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("referrals.tasks")
    submit(
        form,
        lambda: followups.complete_by_note(follow_up_id, form.note.data, actor=current_user),
        done=_("Follow-up done."),
        invalid=_("Write a short note."),
    )
    return redirect(target)


@bp.route("/admin/follow-up-rules", methods=["GET", "POST"])
@require("followups.rules")
def rules():
    """Admins edit the follow-up rule of each service."""
    form = forms.RuleForm()
    if request.method == "POST":
        submit(
            form,
            lambda: followups.save_rule(
                actor=current_user,
                service_code=form.service_code.data,
                first_after_days=form.first_after_days.data,
                repeat_every_days=form.repeat_every_days.data,
                active=form.active.data,
            ),
            done=_("Saved."),
            invalid=_("Days: 1 to 730."),
        )
        return redirect(url_for("referrals.rules"))
    from referrals.services.clinic_directory import services_catalogue

    existing = {r.service_code: r for r in followups.list_rules()}
    rows = []
    for service in services_catalogue():
        rule = existing.get(service.code)
        rows.append(
            (
                service,
                forms.RuleForm(
                    service_code=service.code,
                    first_after_days=rule.first_after_days if rule else None,
                    repeat_every_days=rule.repeat_every_days if rule else None,
                    active=rule.active if rule else True,
                ),
                rule,
            )
        )
    return render_template("referrals/rules.html", rows=rows)
