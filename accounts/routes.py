"""Sign-in, own account, and the admin's user pages."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from accounts import services
from accounts.forms import ActionForm, LoginForm, PasswordForm, UserCreateForm, UserEditForm
from core.audit import AuditEvent
from core.errors import DomainError
from core.extensions import db, limiter
from core.security import require

bp = Blueprint("accounts", __name__)


def _failed_sign_in(response) -> bool:
    """Only failures count against the limits: a successful sign-in redirects."""
    return response.status_code != 302


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5/minute", key_func=_account_key, methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit("100/hour", methods=["POST"], deduct_when=_failed_sign_in)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session at every sign-in
            session.permanent = True
            login_user(user, remember=False)
            session["seen"] = int(time.time())
            if lang:
                session["lang"] = lang
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        db.session.rollback()
        flash(_("Email or password is not right, or the account is deactivated."), "error")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("core.home")


@bp.post("/logout")
def logout():
    """Sign out (a POST, so a link on another site cannot sign anyone out)."""
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """One's own account: change the password (ends other sessions)."""
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(current_user, form.password.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            login_user(current_user, remember=False)  # this session carries the new version
            flash(_("Password changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


@bp.get("/admin")
@require("users.manage")
def admin_home():
    """The admin's home: links to every admin page."""
    return render_template("accounts/admin_home.html")


@bp.get("/admin/users")
@require("users.manage")
def users():
    """Every user, with role and state."""
    return render_template("accounts/users.html", users=services.list_users(), form=ActionForm())


def _clinic_choices() -> list[tuple[int, str]]:
    from clinics.models import Clinic

    rows = db.session.execute(sa.select(Clinic.id, Clinic.name).order_by(Clinic.name)).all()
    return [(0, "—"), *[(row.id, row.name) for row in rows]]


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require("users.manage")
def user_create():
    """Create a user."""
    form = UserCreateForm()
    form.clinic_id.choices = _clinic_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                role=form.role.data,
                password=form.password.data,
                display_name=form.display_name.data,
                clinic_id=form.clinic_id.data or None,
                language=form.language.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            _attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


def _attach_errors(form, exc: DomainError) -> None:
    placed = False
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require("users.manage")
def user_edit(user_id: int):
    """Edit a user's name, role, clinic and language; deactivate; reset the password."""
    user = services.get_user(user_id)
    form = UserEditForm(obj=user)
    form.clinic_id.choices = _clinic_choices()
    if request.method == "GET":
        form.clinic_id.data = user.clinic_id or 0
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                actor=current_user,
                display_name=form.display_name.data,
                role=form.role.data,
                clinic_id=form.clinic_id.data or None,
                language=form.language.data,
            )
        except DomainError as exc:
            db.session.rollback()
            _attach_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("accounts.users"))
    return render_template(
        "accounts/user_form.html",
        form=form,
        user=user,
        password_form=PasswordForm(prefix="pw"),
        action_form=ActionForm(),
    )


@bp.post("/admin/users/<int:user_id>/active")
@require("users.manage")
def user_set_active(user_id: int):
    """Deactivate or reactivate a user; deactivation ends their sessions."""
    form = ActionForm()
    user = services.get_user(user_id)
    if form.validate_on_submit():
        try:
            services.set_active(user, request.form.get("active") == "1", actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/password")
@require("users.manage")
def user_reset_password(user_id: int):
    """Set a new password for a user; their sessions end."""
    user = services.get_user(user_id)
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash(_("Password reset; the user's sessions have ended."), "success")
    else:
        flash(_("Enter a password."), "error")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.get("/admin/audit")
@require("audit.read")
def audit_log():
    """The audit log, newest first, filterable by entity and actor."""
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    entity_type = request.args.get("entity_type")
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    entity_id = request.args.get("entity_id")
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    actor = request.args.get("actor_id", type=int)
    if actor:
        query = query.where(AuditEvent.actor_id == actor)
    page = max(request.args.get("page", 1, type=int), 1)
    events = db.session.scalars(query.limit(50).offset((page - 1) * 50)).all()
    names = dict(db.session.execute(sa.select(services.User.id, services.User.email)).all())
    return render_template("accounts/audit.html", events=events, names=names, page=page)
