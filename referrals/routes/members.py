"""The member pages: my members, her page (audited read), SMS controls, rights, reassignment."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts.services import active_peer_educators
from clinics.labels import district_choices
from core.edge import parse_id
from core.extensions import db
from core.security import require
from core.web import submit
from notifications.services import messages_for_contact, window_text
from referrals import forms
from referrals.routes import bp
from referrals.services import codes, followups, lifecycle, member_alerts, members


@bp.get("/members", endpoint="members")
@require("members.read")
def members_list():
    """My members (admin: all), masked numbers only."""
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = members.list_members(current_user, page=page)
    db.session.commit()
    return render_template("referrals/members.html", members=rows, total=total, page=page)


@bp.get("/members/<int:member_id>")
@require("members.read")
def member(member_id: int):
    """Her referrals, the messages sent to her, follow-ups and the controls."""
    person = members.get_member(member_id, current_user)
    referrals, _total = lifecycle.list_referrals(current_user, member_id=person.id, per_page=100)
    messages = messages_for_contact(person.contact_id, limit=50)
    follow_ups, _ = followups.list_follow_ups(current_user, member_id=person.id)
    prefs = forms.PreferencesForm(
        language=person.contact.language,
        contact_window=window_text(person.contact) or "",
    )
    alerts = forms.AlertPreferencesForm(
        district=person.contact.district or "", alert_consent=person.contact.alert_consent
    )
    alerts.district.choices = district_choices(blank="—")
    reassign = None
    if current_user.role == "admin":
        reassign = forms.ReassignForm(peer_educator_id=person.peer_educator_id)
        reassign.peer_educator_id.choices = [
            (u.id, u.display_name) for u in active_peer_educators()
        ]
    db.session.commit()  # the audit row of the read
    return render_template(
        "referrals/member.html",
        member=person,
        referrals=referrals,
        messages=messages,
        follow_ups=follow_ups,
        action=forms.ActionForm(),
        prefs=prefs,
        alerts=alerts,
        alert_consent_by=member_alerts.consent_given_by(person),
        anonymise=forms.AnonymiseForm(),
        reassign=reassign,
        done_form=forms.FollowUpDoneForm(),
        codes=codes,
    )


@bp.post("/members/<int:member_id>/contact/<action>")
@require("members.write")
def member_contact(member_id: int, action: str):
    """Opt out / opt in / safety hold / release."""
    submit(
        forms.ActionForm(),
        lambda: members.change_contact(
            members.get_member(member_id, current_user, audit_read=False),
            action.replace("-", "_"),
            actor=current_user,
        ),
        done=_("Saved."),
    )
    return redirect(url_for("referrals.member", member_id=member_id))


@bp.post("/members/<int:member_id>/preferences")
@require("members.write")
def member_preferences(member_id: int):
    """SMS language and contact window (re-plans her pending messages)."""
    form = forms.PreferencesForm()
    submit(
        form,
        lambda: members.update_preferences(
            members.get_member(member_id, current_user, audit_read=False),
            actor=current_user,
            language=form.language.data,
            contact_window=form.contact_window.data or "",
        ),
        done=_("Saved."),
        invalid=_("Check the form."),
    )
    return redirect(url_for("referrals.member", member_id=member_id))


@bp.post("/members/<int:member_id>/alerts")
@require("members.write")
def member_alerts_change(member_id: int):
    """Where she works and her consent to safety alerts (asked aloud)."""
    form = forms.AlertPreferencesForm()
    form.district.choices = district_choices(blank="—")
    submit(
        form,
        lambda: member_alerts.change_alert_fields(
            members.get_member(member_id, current_user, audit_read=False),
            actor=current_user,
            district=form.district.data or None,
            alert_consent=bool(form.alert_consent.data),
        ),
        done=_("Saved."),
        invalid=_("Check the form."),
    )
    return redirect(url_for("referrals.member", member_id=member_id))


@bp.post("/members/<int:member_id>/anonymise")
@require("members.write")
def member_anonymise(member_id: int):
    """Erase her data on request (the tick box confirms)."""
    form = forms.AnonymiseForm()
    submit(
        form,
        lambda: members.anonymise(
            members.get_member(member_id, current_user, audit_read=False), actor=current_user
        ),
        done=_("Her data was erased."),
        invalid=_("Tick the box to confirm."),
    )
    return redirect(url_for("referrals.member", member_id=member_id))


@bp.post("/members/<int:member_id>/reassign")
@require("members.reassign")
def member_reassign(member_id: int):
    """Admins hand a member to another peer educator."""
    form = forms.ReassignForm()
    chosen = request.form.get("peer_educator_id", "")
    chosen_id = parse_id(chosen)  # ASCII digits an id column holds, else no choice at all
    form.peer_educator_id.choices = [(chosen_id, "")] if chosen_id is not None else []

    def reassign() -> None:
        person = members.get_member(member_id, current_user, audit_read=False)
        members.reassign(person, form.peer_educator_id.data, actor=current_user)

    submit(form, reassign, done=_("Saved."))
    return redirect(url_for("referrals.member", member_id=member_id))
