"""JSON API of follow-ups and of the messages in the caller's scope (CONTRACT.md)."""

from __future__ import annotations

from datetime import date

from flask import jsonify, request

from core.api import api, api_require, api_user, json_body, page_args, paged
from core.errors import BadInput
from core.extensions import db
from referrals.api import _tx
from referrals.models import FOLLOW_UP_STATUSES
from referrals.services import followups
from referrals.services.serialize import follow_up_json

# ---- follow-ups --------------------------------------------------------------------------


@api.get("/follow-ups")
@api_require("followups.read")
@_tx
def api_follow_ups():
    """The caller's members' follow-ups; query due_before (a date), status."""
    page, per_page = page_args()
    status = request.args.get("status") or None
    if status and status not in FOLLOW_UP_STATUSES:
        raise BadInput("Unknown status.", fields={"status": "due, done or missed."})
    due_before = None
    if request.args.get("due_before"):
        try:
            due_before = date.fromisoformat(request.args["due_before"][:10])
        except ValueError:
            raise BadInput(
                "due_before must be a date.", fields={"due_before": "YYYY-MM-DD."}
            ) from None
    rows, total = followups.list_follow_ups(
        api_user(), status=status, due_before=due_before, page=page, per_page=per_page
    )
    return paged([follow_up_json(f) for f in rows], total, page, per_page)


@api.post("/follow-ups/<int:follow_up_id>/done")
@api_require("members.write")
@_tx
def api_follow_up_done(follow_up_id: int):
    """Mark a follow-up done by a note."""
    data = json_body()
    follow_up = followups.complete_by_note(follow_up_id, data.get("note"), actor=api_user())
    return jsonify(follow_up_json(follow_up))


# ---- messages (CONTRACT.md: admin; a peer educator for her members) -------------------------


@api.get("/messages")
@api_require("messages.read")
@_tx
def referrals_messages_list():
    """Planned and sent messages in scope; query referral (a code), status, kind."""
    import sqlalchemy as sa

    from notifications.models import MESSAGE_KINDS, MESSAGE_STATUSES, OutboxMessage
    from notifications.planning import message_json
    from referrals.models import Member
    from referrals.services import codes
    from referrals.services.scope import members_query

    page, per_page = page_args()
    query = sa.select(OutboxMessage)
    user = api_user()
    if user.role != "admin":
        contact_ids = members_query(user).with_only_columns(Member.contact_id)
        query = query.where(OutboxMessage.contact_id.in_(contact_ids.scalar_subquery()))
    if request.args.get("referral"):
        code = codes.parse(request.args["referral"])
        if code is None:
            raise BadInput("Not a referral code.", fields={"referral": "Not a referral code."})
        query = query.where(OutboxMessage.subject == f"referral:{code}")
    for name, allowed in (("status", MESSAGE_STATUSES), ("kind", MESSAGE_KINDS)):
        value = request.args.get(name)
        if value:
            if value not in allowed:
                raise BadInput(f"Unknown {name}.", fields={name: "Unknown."})
            query = query.where(getattr(OutboxMessage, name) == value)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(OutboxMessage.send_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return paged([message_json(m) for m in rows], total, page, per_page)
