"""JSON API of members, referrals and follow-ups (CONTRACT.md), over the same services."""

from __future__ import annotations

from flask import jsonify

from core.api import ApiRoutes, api_require, api_user, paged
from core.errors import BadInput, Forbidden
from core.i18n import N_
from core.openapi import endpoint
from core.schemas import ListOf, Paging
from core.web import transactional
from referrals.schemas import (
    Cancel,
    Confirm,
    Member,
    MemberChange,
    MemberCreate,
    MemberFound,
    MemberSearch,
    Referral,
    ReferralCreate,
    ReferralQuery,
    Reschedule,
    Trace,
)
from referrals.services import lifecycle, member_alerts, members, tasks
from referrals.services.serialize import member_json, referral_json

# This package's endpoints (followups.py adds its own); referrals.init_app adds them to the API.
routes = ApiRoutes()


# ---- members -----------------------------------------------------------------------------


@routes.post("/members")
@api_require("members.write")
@transactional
@endpoint(
    "Register a member; 409 phone_registered for a known number unless shared_phone",
    body=MemberCreate,
    response=Member,
    status=201,
    errors=(409,),
    idempotent=True,
)
def api_member_create(body: MemberCreate):
    """Register a member (409 phone_registered for a known number unless shared_phone)."""
    member = members.register_member(actor=api_user(), **body.model_dump())
    return jsonify(member_json(member)), 201


@routes.get("/members")
@api_require("members.read")
@transactional
@endpoint("The caller's members (masked numbers)", query=Paging, response=ListOf[Member])
def api_member_list(query: Paging):
    """The caller's members (masked numbers)."""
    page, per_page = query.page, query.per_page
    rows, total = members.list_members(api_user(), page=page, per_page=per_page)
    return paged([member_json(m) for m in rows], total, page, per_page)


@routes.post("/members/search")
@api_require("members.read")
@transactional
@endpoint(
    "Find by referral code, UIC or phone (in the body: never a phone in a URL)",
    body=MemberSearch,
    response=MemberFound,
)
def api_member_search(body: MemberSearch):
    """Find by referral code, UIC or phone; the term travels in the body, never in a URL."""
    found = tasks.search(body.q, api_user())
    return jsonify(
        {
            "members": [member_json(m) for m in found.members],
            "referral": referral_json(found.referral, api_user()) if found.referral else None,
        }
    )


@routes.get("/members/<int:member_id>")
@api_require("members.read")
@transactional
@endpoint("One member (the read is audit-logged)", response=Member)
def api_member_get(member_id: int):
    """One member; the read is audit-logged."""
    return jsonify(member_json(members.get_member(member_id, api_user())))


@routes.patch("/members/<int:member_id>")
@api_require("members.write")
@transactional
@endpoint(
    "Change language, contact_window ('' clears), nickname, district ('' clears), alert_consent;"
    " peer_educator_id reassigns",
    body=MemberChange,
    response=Member,
)
def api_member_update(member_id: int, body: MemberChange):
    """Language, contact window, nickname, district, alert consent; `peer_educator_id` (admins)
    reassigns."""
    user = api_user()
    member = members.get_member(member_id, user, audit_read=False)
    members.update_preferences(
        member,
        actor=user,
        language=body.language,
        contact_window=body.contact_window,
        nickname=body.nickname,
    )
    if {"district", "alert_consent"} & body.model_fields_set:
        contact = member.contact
        given = body.model_fields_set
        member_alerts.change_alert_fields(
            member,
            actor=user,
            district=body.district if "district" in given else contact.district,
            alert_consent=(
                body.alert_consent if body.alert_consent is not None else contact.alert_consent
            ),
        )
    if "peer_educator_id" in body.model_fields_set:
        if user.role != "admin":
            raise Forbidden(N_("Only an admin reassigns a member."))
        target = body.peer_educator_id
        if target is None:
            raise BadInput(
                N_("peer_educator_id must be a user id."),
                fields={"peer_educator_id": N_("Required.")},
            )
        members.reassign(member, target, actor=user)
    return jsonify(member_json(member))


def _contact_action(action: str):
    def view(member_id: int):
        member = members.get_member(member_id, api_user(), audit_read=False)
        members.change_contact(member, action, actor=api_user())
        return jsonify(member_json(member))

    view.__name__ = f"api_member_{action}"
    view.__doc__ = f"{action.replace('_', ' ')} (the member's peer educator, admin)."
    return view


for _path, _action, _summary in (
    ("opt-out", "opt_out", "Opt out of SMS (pending messages cancelled)"),
    ("opt-in", "opt_in", "Opt in again (consent recorded)"),
    ("safety-hold", "safety_hold", "Safety hold: every pending message cancelled"),
    ("safety-release", "safety_release", "Release the safety hold"),
):
    routes.add_url_rule(
        f"/members/<int:member_id>/{_path}",
        endpoint=f"member_{_action}",
        view_func=api_require("members.write")(
            transactional(
                endpoint(_summary, response=Member, errors=(409,))(_contact_action(_action))
            )
        ),
        methods=["POST"],
    )


@routes.post("/members/<int:member_id>/anonymise")
@api_require("members.write")
@transactional
@endpoint("Anonymise on her request", response=Member, errors=(409,))
def api_member_anonymise(member_id: int):
    """Erase her phone, nickname, notes, message bodies and feedback text; counts stay."""
    member = members.get_member(member_id, api_user(), audit_read=False)
    members.anonymise(member, actor=api_user())
    return jsonify(member_json(member))


# ---- referrals ---------------------------------------------------------------------------


@routes.post("/referrals")
@api_require("referrals.create")
@transactional
@endpoint(
    "Create a referral; 201 with its planned messages and any warnings (clinic_closed, "
    "duplicate_referral): the API never asks, it goes ahead and says so",
    body=ReferralCreate,
    response=Referral,
    status=201,
    errors=(409,),
    idempotent=True,
)
def api_referral_create(body: ReferralCreate):
    """Create a referral; 201 with its planned messages."""
    referral, notices = lifecycle.create_referral(
        actor=api_user(), channel="api", **body.model_dump()
    )
    return jsonify(referral_json(referral, api_user(), [n.json() for n in notices])), 201


@routes.get("/referrals")
@api_require("referrals.read")
@transactional
@endpoint("Referrals in the caller's scope", query=ReferralQuery, response=ListOf[Referral])
def api_referral_list(query: ReferralQuery):
    """Referrals in the caller's scope; query status, clinic_id, from, to."""
    page, per_page = query.page, query.per_page
    rows, total = lifecycle.list_referrals(
        api_user(),
        status=query.status,
        clinic_id=query.clinic_id,
        start=query.from_,
        end=query.to,
        page=page,
        per_page=per_page,
    )
    return paged([referral_json(r, api_user()) for r in rows], total, page, per_page)


@routes.get("/referrals/<code>")
@api_require("referrals.read")
@transactional
@endpoint("One referral (its code matched ignoring case, spaces, hyphens)", response=Referral)
def api_referral_get(code: str):
    """One referral by its code (any case, spaces or hyphens)."""
    return jsonify(referral_json(lifecycle.read_referral(code, api_user()), api_user()))


@routes.post("/referrals/<code>/reschedule")
@api_require("referrals.manage")
@transactional
@endpoint(
    "Set or move the appointment; a time when the clinic is closed is a warning clinic_closed",
    body=Reschedule,
    response=Referral,
    errors=(409,),
)
def api_referral_reschedule(code: str, body: Reschedule):
    """Set or move the appointment."""
    referral, notices = lifecycle.reschedule(
        code, body.appointment_at, actor=api_user(), channel="api"
    )
    return jsonify(referral_json(referral, api_user(), [n.json() for n in notices]))


@routes.post("/referrals/<code>/cancel")
@api_require("referrals.manage")
@transactional
@endpoint("Cancel with a reason", body=Cancel, response=Referral, errors=(409,))
def api_referral_cancel(code: str, body: Cancel):
    """Cancel with a reason."""
    referral = lifecycle.cancel(code, body.reason, actor=api_user(), channel="api")
    return jsonify(referral_json(referral, api_user()))


@routes.post("/referrals/<code>/confirm")
@api_require("referrals.confirm")
@transactional
@endpoint(
    "The clinic confirms the visit (status attended)",
    body=Confirm,
    response=Referral,
    errors=(409,),
)
def api_referral_confirm(code: str, body: Confirm):
    """The clinic confirms the visit (a second confirmation is 409)."""
    referral = lifecycle.confirm(
        code,
        body.services_delivered,
        linked_to_care=body.linked_to_care,
        actor=api_user(),
        channel="api",
    )
    return jsonify(referral_json(referral, api_user()))


@routes.post("/referrals/<code>/trace")
@api_require("referrals.manage")
@transactional
@endpoint(
    "The outcome of tracing a missed appointment; rescheduled takes appointment_at",
    body=Trace,
    response=Referral,
    errors=(409,),
)
def api_referral_trace(code: str, body: Trace):
    """The outcome of tracing a missed appointment (rescheduled: with the new time)."""
    referral, notices = lifecycle.record_trace(
        code, body.outcome, appointment_at=body.appointment_at, actor=api_user(), channel="api"
    )
    return jsonify(referral_json(referral, api_user(), [n.json() for n in notices]))
