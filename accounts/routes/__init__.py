"""Sign-in, sign-out and one's own account (password, API tokens); the audit log.

The admin's user pages live in admin.py and add their views to this blueprint (accounts.init_app
imports it).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from accounts import services, sessions, signin, tokens
from accounts import two_factor as mfa
from accounts.audit_log import audit_page, user_emails
from accounts.forms import ROLE_CHOICES, ActionForm, DistrictForm, LoginForm, OwnPasswordForm
from clinics.labels import district_choices
from core.errors import DomainError
from core.extensions import csrf, db
from core.security import require
from core.web import submit

bp = Blueprint("accounts", __name__)
ROLE_LABELS = dict(ROLE_CHOICES)


@bp.before_app_request
def load_user_first() -> None:
    """Load the signed-in user before any view runs, so the user loader's short transaction
    (ending a stale session, noting activity) never holds a view's changes."""
    if request.endpoint != "static":
        current_user._get_current_object()


@bp.app_context_processor
def role_labels() -> dict:
    """Roles are codes; pages show their labels."""
    return {"role_label": lambda role: ROLE_LABELS.get(role, role)}


@bp.route("/login", methods=["GET", "POST"])
@signin.account_limit
@signin.address_limit
def login():
    """Sign in with email and password (then a code, when she has a second factor)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            return signin.password_passed(user)
        db.session.rollback()
        flash(_("Email or password is not right, or the account is deactivated."), "error")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out (a POST, so a link on another site cannot sign anyone out); the session ends
    server-side, so a copy of the cookie opens nothing afterwards."""
    sessions.sign_out()
    db.session.commit()
    return redirect(url_for("accounts.login"))


@bp.post("/exit")
@csrf.exempt
def quick_exit():
    """Quick exit: the session ends at once and the browser lands on a neutral page
    (QUICK_EXIT_URL). Nothing may stand in the way of leaving, so no CSRF or one-time token is
    asked: a forged exit can only sign someone out. Clear-Site-Data wipes this site's cookies and
    cached pages from the browser, so "back" shows nothing of hers."""
    if current_user.is_authenticated:
        sessions.sign_out()
        db.session.commit()
    session.clear()
    response = redirect(current_app.config["QUICK_EXIT_URL"], code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """One's own account: change the password (ends the other sessions), see and revoke tokens;
    links to two-factor sign-in, the lock phrase and (peer educators) a colleague's lock."""
    form = OwnPasswordForm()
    user = current_user._get_current_object()  # Flask-Login must be given the user, not its proxy

    def refused(exc: DomainError) -> None:
        if "current_password" in exc.fields:
            form.current_password.errors.append(_("The current password is not right."))
        else:
            form.password.errors.append(exc.localized())

    if submit(
        form,
        lambda: services.change_own_password(
            user,
            form.current_password.data,
            form.password.data,
            keep_session=sessions.current_session_id(),
        ),
        done=_("Password changed; your other sessions have ended."),
        refused=refused,
    ):
        login_user(user, remember=False)  # this session carries the new session version
        return redirect(url_for("accounts.account"))
    district = DistrictForm(formdata=None, district=current_user.district or "")
    district.district.choices = district_choices(blank="—")
    return render_template(
        "accounts/account.html",
        form=form,
        district_form=district,
        tokens=tokens.list_tokens(current_user),
        action_form=ActionForm(),
        codes_left=mfa.recovery_codes_left(user) if user.two_factor_on else 0,
    )


@bp.post("/account/district")
@require("users.self")
def own_district():
    """One's own district (a new referral's clinic search starts there)."""
    form = DistrictForm()
    form.district.choices = district_choices(blank="—")
    user = current_user._get_current_object()
    submit(
        form,
        lambda: services.set_district(user, form.district.data, actor=user),
        done=_("Saved."),
        invalid=_("Choose one of the districts."),
    )
    return redirect(url_for("accounts.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@require("users.self")
def revoke_own_token(token_id: int):
    """Revoke one of one's own API tokens."""
    if ActionForm().validate_on_submit():
        user = current_user._get_current_object()
        tokens.revoke_token(user, token_id, actor=user)  # NotFound for another user's token
        db.session.commit()
        flash(_("Token revoked."), "success")
    return redirect(url_for("accounts.account"))


@bp.get("/admin")
@require("users.manage")
def admin_home():
    """The admin's home: links to every admin page."""
    return render_template("accounts/admin_home.html")


@bp.get("/admin/audit")
@require("audit.read")
def audit_log():
    """The audit log, newest first, filterable by entity and actor."""
    page = max(request.args.get("page", 1, type=int), 1)
    events = audit_page(
        entity_type=request.args.get("entity_type") or None,
        entity_id=request.args.get("entity_id") or None,
        actor_id=request.args.get("actor_id", type=int),
        page=page,
    )
    names = user_emails()
    return render_template("accounts/audit.html", events=events, names=names, page=page)
