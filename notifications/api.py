"""JSON API of the messages in the caller's scope (CONTRACT.md: admin; a peer educator for her
members). Whose messages a caller sees comes from the contact-scope hook (notifications.scope),
the `referral` filter from the subject type that owns it (notifications.subjects)."""

from __future__ import annotations

from flask import jsonify

from core.api import ApiRoutes, api_require, api_user, paged
from core.db import utcnow
from core.openapi import endpoint
from core.schemas import ListOf
from core.web import transactional
from notifications import gateway_status
from notifications.schemas import Gateway, Message, MessageQuery
from notifications.scope import contact_ids_for
from notifications.services import list_messages
from notifications.subjects import subject_filter

# This package's endpoints; notifications.init_app adds them to the API.
routes = ApiRoutes()


@routes.get("/messages")
@api_require("messages.read")
@transactional
@endpoint(
    "Messages in scope (admin; a peer educator: her members')",
    query=MessageQuery,
    response=ListOf[Message],
)
# The name keeps the endpoint `api.referrals_messages_list` and its operationId from before the
# endpoint moved here from referrals: integrations may call it by that id.
def referrals_messages_list(query: MessageQuery):
    """Planned and sent messages in scope; query referral (a code), status, kind."""
    page, per_page = query.page, query.per_page
    rows, total = list_messages(
        contact_ids=contact_ids_for(api_user()),
        subject=subject_filter(query.model_dump()),
        status=query.status,
        kind=query.kind,
        page=page,
        per_page=per_page,
    )
    return paged(rows, total, page, per_page)


@routes.get("/gateways")
@api_require("messages.admin")
@transactional
@endpoint("The SMS gateways in routing order (admin)", response=list[Gateway])
def gateways_list():
    """Each gateway: health, last ping, success and error, today's count, limit and price."""
    return jsonify([view.as_json() for view in gateway_status.overview(utcnow())])
