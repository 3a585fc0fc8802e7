"""API endpoints about the caller."""

from flask import jsonify

from core.api import api, api_user, document


@api.get("/me")
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


document(
    "/me",
    "get",
    {"summary": "The caller's own account", "responses": {"200": {"description": "user"}}},
)
