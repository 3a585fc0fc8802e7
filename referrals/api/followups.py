"""JSON API of follow-ups and of the messages in the caller's scope (CONTRACT.md)."""

from __future__ import annotations

from flask import jsonify

from core.api import api_require, api_user, paged
from core.errors import BadInput
from core.extensions import db
from core.openapi import endpoint
from core.schemas import ListOf
from core.web import transactional
from referrals.api import routes
from referrals.schemas import FollowUp, FollowUpDone, FollowUpQuery, Message, MessageQuery
from referrals.services import followups
from referrals.services.serialize import follow_up_json

# ---- follow-ups --------------------------------------------------------------------------


@routes.get("/follow-ups")
@api_require("followups.read")
@transactional
@endpoint("Follow-ups of the caller's members", query=FollowUpQuery, response=ListOf[FollowUp])
def api_follow_ups(query: FollowUpQuery):
    """The caller's members' follow-ups; query due_before (a date), status."""
    page, per_page = query.page, query.per_page
    rows, total = followups.list_follow_ups(
        api_user(), status=query.status, due_before=query.due_before, page=page, per_page=per_page
    )
    return paged([follow_up_json(f) for f in rows], total, page, per_page)


@routes.post("/follow-ups/<int:follow_up_id>/done")
@api_require("members.write")
@transactional
@endpoint("Mark a follow-up done by a note", body=FollowUpDone, response=FollowUp, errors=(409,))
def api_follow_up_done(follow_up_id: int, body: FollowUpDone):
    """Mark a follow-up done by a note."""
    follow_up = followups.complete_by_note(follow_up_id, body.note, actor=api_user())
    return jsonify(follow_up_json(follow_up))


# ---- messages (CONTRACT.md: admin; a peer educator for her members) -------------------------


@routes.get("/messages")
@api_require("messages.read")
@transactional
@endpoint(
    "Messages in scope (admin; a peer educator: her members')",
    query=MessageQuery,
    response=ListOf[Message],
)
def referrals_messages_list(query: MessageQuery):
    """Planned and sent messages in scope; query referral (a code), status, kind."""
    import sqlalchemy as sa

    from notifications.models import OutboxMessage
    from notifications.planning import message_json
    from referrals.models import Member
    from referrals.services import codes
    from referrals.services.scope import members_query

    page, per_page = query.page, query.per_page
    select = sa.select(OutboxMessage)
    user = api_user()
    if user.role != "admin":
        contact_ids = members_query(user).with_only_columns(Member.contact_id)
        select = select.where(OutboxMessage.contact_id.in_(contact_ids.scalar_subquery()))
    if query.referral:
        code = codes.parse(query.referral)
        if code is None:
            raise BadInput("Not a referral code.", fields={"referral": "Not a referral code."})
        select = select.where(OutboxMessage.subject == f"referral:{code}")
    if query.status:
        select = select.where(OutboxMessage.status == query.status)
    if query.kind:
        select = select.where(OutboxMessage.kind == query.kind)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(select.subquery())) or 0
    rows = db.session.scalars(
        select.order_by(OutboxMessage.send_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return paged([message_json(m) for m in rows], total, page, per_page)
