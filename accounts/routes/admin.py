"""The admin's user pages: create, edit, deactivate, reset the password or the second factor,
lock, revoke tokens."""

from __future__ import annotations

from collections.abc import Callable

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import services, tokens, two_factor
from accounts.forms import ActionForm, PasswordForm, UserCreateForm, UserEditForm
from accounts.routes import bp
from clinics.labels import district_choices
from clinics.services import clinic_choices
from core.security import require
from core.web import attach_errors, submit


@bp.get("/admin/users")
@require("users.manage")
def users():
    """Every user, with role and state."""
    return render_template("accounts/users.html", users=services.list_users(), form=ActionForm())


def _clinic_choices() -> list[tuple[int, str]]:
    return [(0, "—"), *clinic_choices()]


def _district_choices() -> list[tuple[str, str]]:
    return district_choices(blank="—")


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require("users.manage")
def user_create():
    """Create a user."""
    form = UserCreateForm()
    form.clinic_id.choices = _clinic_choices()
    form.district.choices = _district_choices()
    if submit(
        form,
        lambda: services.set_district(
            services.create_user(
                email=form.email.data,
                role=form.role.data,
                password=form.password.data,
                display_name=form.display_name.data,
                clinic_id=form.clinic_id.data or None,
                language=form.language.data,
                actor=current_user,
            ),
            form.district.data,
            actor=current_user,
        ),
        done=lambda user: _("User %(email)s created.", email=user.email),
        refused=lambda exc: attach_errors(form, exc),
    ):
        return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require("users.manage")
def user_edit(user_id: int):
    """Edit a user's name, role, clinic and language; deactivate, lock, reset, revoke tokens."""
    user = services.get_user(user_id)
    form = UserEditForm(obj=user)
    form.clinic_id.choices = _clinic_choices()
    form.district.choices = _district_choices()
    if request.method == "GET":
        form.clinic_id.data = user.clinic_id or 0
        form.district.data = user.district or ""
    if submit(
        form,
        lambda: services.set_district(
            services.update_user(
                user,
                actor=current_user,
                display_name=form.display_name.data,
                role=form.role.data,
                clinic_id=form.clinic_id.data or None,
                language=form.language.data,
            ),
            form.district.data,
            actor=current_user,
        ),
        done=_("Saved."),
        refused=lambda exc: attach_errors(form, exc),
    ):
        return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_form.html",
        form=form,
        user=user,
        tokens=tokens.list_tokens(user),
        password_form=PasswordForm(prefix="pw"),
        action_form=ActionForm(),
    )


def _user_action(user_id: int, action: Callable, done: str):
    """One button on the user page: validate the CSRF token, act, commit, say `done`."""
    user = services.get_user(user_id)
    submit(ActionForm(), lambda: action(user), done=done)
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/active")
@require("users.manage")
def user_set_active(user_id: int):
    """Deactivate or reactivate a user; deactivation ends their sessions and API tokens."""
    active = request.form.get("active") == "1"
    return _user_action(
        user_id, lambda user: services.set_active(user, active, actor=current_user), _("Saved.")
    )


@bp.post("/admin/users/<int:user_id>/tokens/revoke")
@require("users.manage")
def user_revoke_tokens(user_id: int):
    """Revoke every API token of a user (audited)."""
    return _user_action(
        user_id,
        lambda user: tokens.revoke_tokens(user, actor=current_user, reason="requested"),
        _("The user's API tokens are revoked."),
    )


@bp.post("/admin/users/<int:user_id>/lock")
@require("users.manage")
def user_lock(user_id: int):
    """Lock a user out (the seized-phone lock): sessions and tokens end."""
    return _user_action(
        user_id,
        lambda user: services.lock_user(user, actor=current_user),
        _("Account locked; its sessions and API tokens have ended."),
    )


@bp.post("/admin/users/<int:user_id>/unlock")
@require("users.manage")
def user_unlock(user_id: int):
    """Lift the lock."""
    return _user_action(
        user_id,
        lambda user: services.unlock_user(user, actor=current_user),
        _("Account unlocked."),
    )


@bp.post("/admin/users/<int:user_id>/two-factor/reset")
@require("users.manage")
def user_reset_two_factor(user_id: int):
    """Remove a user's second factor (a lost phone): their sessions end; they enrol again."""
    return _user_action(
        user_id,
        lambda user: two_factor.reset(user, actor=current_user),
        _("Two-factor sign-in reset; the user's sessions have ended."),
    )


@bp.post("/admin/users/<int:user_id>/password")
@require("users.manage")
def user_reset_password(user_id: int):
    """Set a new password for a user; their sessions and API tokens end."""
    user = services.get_user(user_id)
    form = PasswordForm(prefix="pw")
    submit(
        form,
        lambda: services.reset_password(user, form.password.data, actor=current_user),
        done=_("Password reset; the user's sessions and API tokens have ended."),
        invalid=_("Enter a password."),
    )
    return redirect(url_for("accounts.user_edit", user_id=user.id))
