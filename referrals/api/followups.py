"""JSON API of follow-ups (CONTRACT.md); the message list is notifications' (notifications.api)."""

from __future__ import annotations

from flask import jsonify

from core.api import api_require, api_user, paged
from core.openapi import endpoint
from core.schemas import ListOf
from core.web import transactional
from referrals.api import routes
from referrals.schemas import FollowUp, FollowUpDone, FollowUpQuery
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
