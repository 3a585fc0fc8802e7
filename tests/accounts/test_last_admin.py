"""The service always keeps one admin who can sign in: the pages cannot lock or demote the last one
(only the command line, which needs no sign-in, can still lock her)."""

from accounts.models import User
from core.extensions import db


def _state(user: User) -> tuple:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    return fresh.role, fresh.locked_at


def test_the_only_admin_cannot_lock_herself_on_the_user_page(client, login_as):
    admin = login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/lock", follow_redirects=True)
    assert response.status_code == 200
    assert "only admin who can sign in" in response.get_data(as_text=True)
    assert _state(admin) == ("admin", None)
    assert client.get("/admin/users").status_code == 200  # still signed in


def test_the_only_admin_cannot_be_demoted(client, login_as):
    admin = login_as("admin")
    client.post(
        f"/admin/users/{admin.id}",
        data={"display_name": "A", "role": "viewer", "clinic_id": "0", "language": "en"},
    )
    assert _state(admin)[0] == "admin"


def test_with_a_second_admin_one_may_be_locked(client, login_as, make_user):
    login_as("admin")
    other = make_user("admin")
    assert client.post(f"/admin/users/{other.id}/lock").status_code == 302
    assert _state(other)[1] is not None


def test_the_command_line_can_still_lock_the_last_admin(runner, make_user):
    admin = make_user("admin")
    result = runner.invoke(args=["users", "lock", admin.email])
    assert result.exit_code == 0, result.output
    assert _state(admin)[1] is not None
