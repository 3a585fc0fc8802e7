"""JSON API of crisis contacts: read (peer educators, admins), add and change (admins)."""

from __future__ import annotations

from flask import jsonify

from core.api import api_require, api_user, paged
from core.openapi import endpoint
from core.schemas import ListOf
from core.web import transactional
from safety.api import routes
from safety.schemas.crisis_contacts import (
    CrisisContact,
    CrisisContactChange,
    CrisisContactCreate,
    CrisisContactQuery,
)
from safety.services import crisis_contacts as service


@routes.get("/crisis-contacts")
@api_require("crisis_contacts.read")
@endpoint(
    "Crisis contacts (peer educator, admin)",
    query=CrisisContactQuery,
    response=ListOf[CrisisContact],
    description="Active contacts by kind, district and name; admins may ask for inactive ones.",
)
def crisis_contacts_list(query: CrisisContactQuery):
    """The crisis contacts, one page at a time."""
    rows = service.list_contacts(
        api_user(), district=query.district, include_inactive=bool(query.include_inactive)
    )
    start = (query.page - 1) * query.per_page
    items = [service.contact_json(c) for c in rows[start : start + query.per_page]]
    return paged(items, len(rows), query.page, query.per_page)


@routes.post("/crisis-contacts")
@api_require("crisis_contacts.edit")
@transactional
@endpoint(
    "Add a crisis contact (admin)", body=CrisisContactCreate, response=CrisisContact, status=201
)
def crisis_contacts_create(body: CrisisContactCreate):
    """Add a crisis contact → 201."""
    contact = service.create_contact(body.model_dump(exclude_unset=True), api_user())
    return jsonify(service.contact_json(contact)), 201


@routes.patch("/crisis-contacts/<int:contact_id>")
@api_require("crisis_contacts.edit")
@transactional
@endpoint("Change a crisis contact (admin)", body=CrisisContactChange, response=CrisisContact)
def crisis_contacts_update(contact_id: int, body: CrisisContactChange):
    """Change a crisis contact's fields; `active: false` takes it off help now."""
    contact = service.update_contact(contact_id, body.model_dump(exclude_unset=True), api_user())
    return jsonify(service.contact_json(contact))
