"""The new-referral flow in three screens: who, what and when, where (UX.md)."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clinics.labels import district_choices
from core.api import parse_datetime
from core.db import utcnow
from core.errors import Conflict, DomainError
from core.extensions import db
from core.security import require
from core.web import attach_errors, submit
from notifications.services import looks_like_phone
from referrals import forms
from referrals.routes import bp, local_dt
from referrals.services import clinic_directory, lifecycle, members
from referrals.services.notices import NeedsConfirmation, Notice


def _register_form() -> forms.RegisterMemberForm:
    """The register form with the 64 districts; until one is chosen, her peer educator's own."""
    form = forms.RegisterMemberForm()
    form.district.choices = district_choices(blank="—")
    if "district" not in request.form:
        form.district.data = getattr(current_user, "district", None) or ""
    return form


@bp.get("/referrals/new")
@require("referrals.create")
def new_who():
    """Step 1: who — find her by phone or UIC, or register her."""
    return render_template(
        "referrals/new_who.html",
        find=forms.FindMemberForm(),
        register=_register_form(),
        found=None,
    )


@bp.post("/referrals/new/find")
@require("referrals.create")
def new_find():
    """Step 1: look a member up (the number travels in this POST body only)."""
    find = forms.FindMemberForm()
    register = _register_form()
    found: list = []
    if find.validate_on_submit():
        text = find.lookup.data.strip()
        uic_member = members.find_by_uic(text, current_user)
        if uic_member is not None:
            found = [uic_member]
        elif looks_like_phone(text):
            try:
                found = members.find_by_phone(text, current_user)
            except DomainError as exc:
                find.lookup.errors = [exc.localized()]
            if not found and not find.lookup.errors:
                register.phone.data = text
        for person in found:
            from core import audit

            audit.record(current_user, "member.search_hit", "member", person.id)
        db.session.commit()
    return render_template(
        "referrals/new_who.html", find=find, register=register, found=found, searched=True
    )


@bp.post("/referrals/new/register")
@require("referrals.create")
def new_register():
    """Step 1: register a new member, then step 2."""
    register = _register_form()
    existing_id = None

    def refused(exc: DomainError) -> None:
        nonlocal existing_id
        attach_errors(register, exc, flash_conflict=True)
        if isinstance(exc, Conflict):
            existing_id = exc.extra.get("member_id")
            register.phone.errors = [
                _(
                    "This number is already registered to another member. If they share "
                    "the phone, tick “Shared phone” and register again."
                )
            ]

    person = submit(
        register,
        lambda: members.register_member(
            actor=current_user,
            phone=None if register.no_phone.data else register.phone.data,
            language=register.language.data,
            sms_consent=bool(register.sms_consent.data),
            shared_phone=bool(register.shared_phone.data),
            uic=register.uic.data or None,
            nickname=register.nickname.data or None,
            contact_window=register.contact_window.data or None,
            district=register.district.data or None,
            alert_consent=bool(register.alert_consent.data),
        ),
        done=lambda person: _("Member %(uic)s registered.", uic=person.uic),
        refused=refused,
    )
    if person is not None:
        return redirect(url_for("referrals.new_what", member_id=person.id))
    return render_template(
        "referrals/new_who.html",
        find=forms.FindMemberForm(),
        register=register,
        found=None,
        existing_id=existing_id,
    )


def _service_choices() -> list[tuple[str, str]]:
    bangla = str(getattr(current_user, "language", "en")) == "bn"
    return [
        (s.code, s.name_bn if bangla else s.name_en) for s in clinic_directory.services_catalogue()
    ]


@bp.route("/referrals/new/<int:member_id>/what", methods=["GET", "POST"])
@require("referrals.create")
def new_what(member_id: int):
    """Step 2: what and when — services, the day and time (or none yet), urgency."""
    person = members.get_member(member_id, current_user)
    form = forms.WhatForm()
    form.services.choices = _service_choices()
    follow_up = request.args.get("follow_up", type=int)
    if form.validate_on_submit():
        when = None
        if not form.no_appointment.data:
            if form.day.data is None or form.at.data is None:
                form.day.errors = [_("Choose a day and a time, or tick “No appointment yet”.")]
            else:
                when = local_dt(form.day.data, form.at.data)
                if when <= utcnow():
                    form.day.errors = [_("That time is in the past.")]
        if not form.day.errors:
            db.session.commit()
            args = {"services": form.services.data, "urgency": form.urgency.data}
            if when is not None:
                args["at"] = when.isoformat()
            if follow_up:
                args["follow_up"] = follow_up
            return redirect(url_for("referrals.new_where", member_id=person.id, **args))
    db.session.commit()
    return render_template("referrals/new_what.html", member=person, form=form)


def _step2_args() -> tuple[list[str], datetime | None, str]:
    services = [s for s in request.args.getlist("services") if s]
    at_text = request.args.get("at")
    try:
        when = parse_datetime(at_text, "at") if at_text else None
    except DomainError:
        when = None
    urgency = request.args.get("urgency", "routine")
    return services, when, urgency


def _near() -> tuple[float, float] | None:
    """The `near=lat,lon` of "use my location", if it parses."""
    try:
        lat, lon = (float(x) for x in request.args.get("near", "").split(","))
    except ValueError:
        return None
    return lat, lon


def _district(near: tuple[float, float] | None) -> str | None:
    """The district chosen in the filter ("" is every district); before any choice, her own
    district, unless her location already orders the list by distance."""
    if "district" in request.args:
        return request.args["district"] or None
    return None if near is not None else getattr(current_user, "district", None)


@bp.route("/referrals/new/<int:member_id>/where", methods=["GET", "POST"])
@require("referrals.create")
def new_where(member_id: int):
    """Step 3: where — clinics offering the services and open then, near her first; a note;
    confirm (asking first when the clinic is closed then or the same referral is open)."""
    person = members.get_member(member_id, current_user, audit_read=False)
    services, when, urgency = _step2_args()
    if not services:
        return redirect(url_for("referrals.new_what", member_id=member_id))
    near = _near()
    district = _district(near)
    try:
        hits = clinic_directory.find_clinics(services, district=district, near=near)
    except DomainError as exc:
        flash(exc.localized(), "error")
        hits = []
    rows = [(h, when is None or clinic_directory.is_open_at(h.clinic, when)) for h in hits]
    rows.sort(key=lambda pair: not pair[1])  # open then first; the search's order otherwise
    form = forms.WhereForm()
    form.clinic_id.choices = [(h.clinic.id, h.clinic.name) for h, _open in rows]
    asking: list[Notice] = []

    def refused(exc: DomainError) -> None:
        if isinstance(exc, NeedsConfirmation):
            asking.extend(exc.notices)
        else:
            attach_errors(form, exc, flash_conflict=True)

    created = submit(
        form,
        lambda: lifecycle.create_referral(
            actor=current_user,
            member_id=person.id,
            clinic_id=form.clinic_id.data,
            services=services,
            urgency=urgency,
            appointment_at=when,
            notes=form.notes.data or None,
            from_follow_up_id=request.args.get("follow_up", type=int),
            ask=True,
            accepted=form.accept.data or (),
        ),
        done=None,  # the slip is the answer
        refused=refused,
    )
    if created is not None:
        item, _notices = created
        if not person.contact.phone_index:
            flash(_("She has no phone: no SMS will be sent. Give her the slip."), "warning")
        return redirect(url_for("referrals.slip", code=item.code))
    if asking:
        return render_template(
            "referrals/new_confirm.html",
            member=person,
            form=form,
            asking=asking,
            accepted=[*(form.accept.data or ()), *(n.code for n in asking)],
            clinic=next(h.clinic for h, _open in rows if h.clinic.id == form.clinic_id.data),
            when=when,
            services=services,
        ), 409
    return render_template(
        "referrals/new_where.html",
        member=person,
        form=form,
        rows=rows,
        when=when,
        services=services,
        districts=clinic_directory.districts(),
        district=district or "",
        near=near,
        all_districts_url=url_for(
            "referrals.new_where",
            member_id=member_id,
            **{key: request.args.getlist(key) for key in request.args if key != "district"},
            district="",
        ),
        attribute_labels=clinic_directory.attribute_labels(),
    )
