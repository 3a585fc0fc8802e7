"""API endpoints about the caller."""

from typing import Literal

from flask import jsonify

from core.api import ApiRoutes, api_user
from core.openapi import endpoint
from core.schemas import Id, Out

routes = ApiRoutes()


class Me(Out):
    """The token's user."""

    id: Id
    email: str
    display_name: str
    role: Literal["admin", "peer_educator", "clinic_partner", "viewer"]
    clinic_id: Id | None
    language: Literal["bn", "en"]


@routes.get("/me")
@endpoint("The caller's own account", response=Me)
def me():
    """The token's user: id, role, clinic, language."""
    user = api_user()
    return jsonify(
        {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role,
            "clinic_id": user.clinic_id,
            "language": user.language,
        }
    )
