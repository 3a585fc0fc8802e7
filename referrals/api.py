"""JSON API of members, referrals and follow-ups (CONTRACT.md), over the same services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import jsonify, request

from core.api import api, api_require, api_user, json_body, page_args, paged
from core.api import parse_datetime as _parse_dt
from core.errors import BadInput, DomainError
from core.extensions import db
from referrals.models import REFERRAL_STATUSES
from referrals.services import lifecycle, members, tasks
from referrals.services.serialize import member_json, referral_json


def _tx(view: Callable) -> Callable:
    """The view owns the transaction: commit on success, roll back everything on a refusal."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            response = view(*args, **kwargs)
        except DomainError:
            db.session.rollback()
            raise
        db.session.commit()
        return response

    return wrapped


def _optional_dt(value, field):
    return None if value in (None, "") else _parse_dt(value, field)


def _int_field(data: dict, name: str):
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(f"{name} must be a whole number.", fields={name: "Not a number."})
    return value


# ---- members -----------------------------------------------------------------------------


@api.post("/members")
@api_require("members.write")
@_tx
def api_member_create():
    """Register a member (409 phone_registered for a known number unless shared_phone)."""
    data = json_body()
    member = members.register_member(
        actor=api_user(),
        phone=data.get("phone"),
        language=data.get("language", "bn"),
        sms_consent=data.get("sms_consent", False),
        shared_phone=data.get("shared_phone", False),
        uic=data.get("uic"),
        nickname=data.get("nickname"),
        contact_window=data.get("contact_window"),
        peer_educator_id=_int_field(data, "peer_educator_id"),
    )
    return jsonify(member_json(member)), 201


@api.get("/members")
@api_require("members.read")
@_tx
def api_member_list():
    """The caller's members (masked numbers)."""
    page, per_page = page_args()
    rows, total = members.list_members(api_user(), page=page, per_page=per_page)
    return paged([member_json(m) for m in rows], total, page, per_page)


@api.post("/members/search")
@api_require("members.read")
@_tx
def api_member_search():
    """Find by referral code, UIC or phone; the term travels in the body, never in a URL."""
    data = json_body()
    found = tasks.search(data.get("q"), api_user())
    return jsonify(
        {
            "members": [member_json(m) for m in found.members],
            "referral": referral_json(found.referral, api_user()) if found.referral else None,
        }
    )


@api.get("/members/<int:member_id>")
@api_require("members.read")
@_tx
def api_member_get(member_id: int):
    """One member; the read is audit-logged."""
    return jsonify(member_json(members.get_member(member_id, api_user())))


@api.patch("/members/<int:member_id>")
@api_require("members.write")
@_tx
def api_member_update(member_id: int):
    """Language, contact window, nickname; `peer_educator_id` (admins) reassigns."""
    data = json_body()
    user = api_user()
    member = members.get_member(member_id, user, audit_read=False)
    for name in ("language", "contact_window", "nickname"):
        if name in data and data[name] is not None and not isinstance(data[name], str):
            raise BadInput(f"{name} must be text.", fields={name: "Must be text."})
    members.update_preferences(
        member,
        actor=user,
        language=data.get("language"),
        contact_window=data.get("contact_window") if "contact_window" in data else None,
        nickname=data.get("nickname"),
    )
    if "peer_educator_id" in data:
        if user.role != "admin":
            from core.errors import Forbidden

            raise Forbidden("Only an admin reassigns a member.")
        target = _int_field(data, "peer_educator_id")
        if target is None:
            raise BadInput(
                "peer_educator_id must be a user id.", fields={"peer_educator_id": "Required."}
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


for _path, _action in (
    ("opt-out", "opt_out"),
    ("opt-in", "opt_in"),
    ("safety-hold", "safety_hold"),
    ("safety-release", "safety_release"),
):
    api.add_url_rule(
        f"/members/<int:member_id>/{_path}",
        endpoint=f"member_{_action}",
        view_func=api_require("members.write")(_tx(_contact_action(_action))),
        methods=["POST"],
    )


@api.post("/members/<int:member_id>/anonymise")
@api_require("members.write")
@_tx
def api_member_anonymise(member_id: int):
    """Erase her phone, nickname, notes, message bodies and feedback text; counts stay."""
    member = members.get_member(member_id, api_user(), audit_read=False)
    members.anonymise(member, actor=api_user())
    return jsonify(member_json(member))


# ---- referrals ---------------------------------------------------------------------------


@api.post("/referrals")
@api_require("referrals.create")
@_tx
def api_referral_create():
    """Create a referral; 201 with its planned messages."""
    data = json_body()
    referral, warnings = lifecycle.create_referral(
        actor=api_user(),
        member_id=data.get("member_id"),
        clinic_id=data.get("clinic_id"),
        services=data.get("services"),
        urgency=data.get("urgency", "routine"),
        appointment_at=_optional_dt(data.get("appointment_at"), "appointment_at"),
        notes=data.get("notes"),
        from_follow_up_id=_int_field(data, "from_follow_up_id"),
        channel="api",
    )
    return jsonify(referral_json(referral, api_user(), warnings)), 201


@api.get("/referrals")
@api_require("referrals.read")
@_tx
def api_referral_list():
    """Referrals in the caller's scope; query status, clinic_id, from, to."""
    page, per_page = page_args()
    status = request.args.get("status") or None
    if status and status not in REFERRAL_STATUSES:
        raise BadInput("Unknown status.", fields={"status": "Unknown."})
    clinic_id = request.args.get("clinic_id") or None
    if clinic_id is not None and not clinic_id.isdigit():
        raise BadInput("clinic_id must be a number.", fields={"clinic_id": "Not a number."})
    rows, total = lifecycle.list_referrals(
        api_user(),
        status=status,
        clinic_id=int(clinic_id) if clinic_id else None,
        start=_optional_dt(request.args.get("from"), "from"),
        end=_optional_dt(request.args.get("to"), "to"),
        page=page,
        per_page=per_page,
    )
    return paged([referral_json(r, api_user()) for r in rows], total, page, per_page)


@api.get("/referrals/<code>")
@api_require("referrals.read")
@_tx
def api_referral_get(code: str):
    """One referral by its code (any case, spaces or hyphens)."""
    return jsonify(referral_json(lifecycle.read_referral(code, api_user()), api_user()))


@api.post("/referrals/<code>/reschedule")
@api_require("referrals.manage")
@_tx
def api_referral_reschedule(code: str):
    """Set or move the appointment."""
    data = json_body()
    when = _parse_dt(data.get("appointment_at"), "appointment_at")
    referral, warnings = lifecycle.reschedule(code, when, actor=api_user(), channel="api")
    return jsonify(referral_json(referral, api_user(), warnings))


@api.post("/referrals/<code>/cancel")
@api_require("referrals.manage")
@_tx
def api_referral_cancel(code: str):
    """Cancel with a reason."""
    data = json_body()
    referral = lifecycle.cancel(code, data.get("reason"), actor=api_user(), channel="api")
    return jsonify(referral_json(referral, api_user()))


@api.post("/referrals/<code>/confirm")
@api_require("referrals.confirm")
@_tx
def api_referral_confirm(code: str):
    """The clinic confirms the visit (a second confirmation is 409)."""
    data = json_body()
    referral = lifecycle.confirm(
        code,
        data.get("services_delivered"),
        linked_to_care=data.get("linked_to_care"),
        actor=api_user(),
        channel="api",
    )
    return jsonify(referral_json(referral, api_user()))


@api.post("/referrals/<code>/trace")
@api_require("referrals.manage")
@_tx
def api_referral_trace(code: str):
    """The outcome of tracing a missed appointment."""
    data = json_body()
    referral = lifecycle.record_trace(code, data.get("outcome"), actor=api_user())
    return jsonify(referral_json(referral, api_user()))


from referrals import api_followups, openapi_spec  # noqa: E402,F401 - more endpoints, docs
