"""Two-factor sign-in pages: the code step of signing in, enrolment, turning it off, new
recovery codes; and the guard that keeps an admin or clinic partner without a second factor on
the enrolment page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from accounts import signin
from accounts import two_factor as mfa
from accounts.forms import CodeForm, EnrolForm
from accounts.routes import bp
from core.errors import DomainError
from core.extensions import db
from core.security import require
from core.templating import in_page_digits
from core.web import attach_errors

# What a signed-in user who must enrol may still reach: enrolment, leaving, the language switch,
# the lock page and static files. The API takes Bearer tokens only and is not guarded here.
OPEN_BEFORE_ENROLMENT = frozenset(
    {
        "accounts.two_factor",
        "accounts.logout",
        "accounts.quick_exit",
        "accounts.lock_page",
        "core.set_language",
        "static",
    }
)


@bp.before_app_request
def enrolment_first():
    """A signed-in admin or clinic partner without a second factor reaches only enrolment."""
    if request.path.startswith(("/api/", "/webhooks/")):
        return None
    if request.endpoint in OPEN_BEFORE_ENROLMENT or not current_user.is_authenticated:
        return None
    if mfa.required_for(current_user) and not current_user.two_factor_on:
        return redirect(url_for("accounts.two_factor"))
    return None


def _codes_left_message(left: int) -> str:
    return in_page_digits(
        ngettext(
            "You signed in with a recovery code; %(num)d recovery code is left.",
            "You signed in with a recovery code; %(num)d recovery codes are left.",
            left,
        )
    )


@bp.route("/login/code", methods=["GET", "POST"])
@signin.account_limit
@signin.address_limit
def login_code():
    """The second step of signing in: a code from her app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    user = signin.pending_user()
    if user is None:
        flash(_("Sign in again: enter your email and password."), "info")
        return redirect(url_for("accounts.login", next=request.args.get("next")))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            how = mfa.check_code(user, form.code.data)
        except DomainError as exc:
            db.session.rollback()
            attach_errors(form, exc)
            return render_template("accounts/login_code.html", form=form), 401
        left = mfa.recovery_codes_left(user) if how == "recovery" else None
        response = signin.complete(user)
        if left is not None:
            flash(_codes_left_message(left), "warning")
        return response
    status = 401 if request.method == "POST" else 200
    return render_template("accounts/login_code.html", form=form), status


def _qr_svg(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, omitsize=True)


def _enrol_page(form: EnrolForm, status: int = 200):
    user = current_user._get_current_object()
    secret = mfa.begin_enrolment(user)
    db.session.commit()
    uri = mfa.provisioning_uri(user)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    page = render_template(
        "accounts/two_factor_enrol.html",
        form=form,
        secret=grouped,
        qr_svg=_qr_svg(uri),
        required=mfa.required_for(user),
    )
    return page, status


def _status_page(status: int = 200, **forms: CodeForm):
    user = current_user._get_current_object()
    page = render_template(
        "accounts/two_factor.html",
        new_form=forms.get("new_form") or CodeForm(prefix="new", formdata=None),
        off_form=forms.get("off_form") or CodeForm(prefix="off", formdata=None),
        codes_left=mfa.recovery_codes_left(user),
        required=mfa.required_for(user),
    )
    return page, status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@require("users.self")
def two_factor():
    """Enrol (a QR code and the secret, then the first code), or see that it is on."""
    user = current_user._get_current_object()
    if user.two_factor_on:
        return _status_page()
    form = EnrolForm()
    if not form.validate_on_submit():
        return _enrol_page(form, 400 if request.method == "POST" else 200)
    try:
        codes = mfa.confirm_enrolment(user, form.code.data)
    except DomainError as exc:
        db.session.rollback()
        attach_errors(form, exc)
        return _enrol_page(form, 400)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes, enrolled=True)


@bp.post("/account/two-factor/off")
@require("users.self")
@signin.account_limit
@signin.address_limit
def two_factor_off():
    """Turn two-factor sign-in off with a current code (peer educators and viewers only); a
    wrong code counts toward the sign-in limits."""
    user = current_user._get_current_object()
    if not user.two_factor_on:
        return redirect(url_for("accounts.two_factor"))
    form = CodeForm(prefix="off")
    if not form.validate_on_submit():
        return _status_page(400, off_form=form)
    try:
        mfa.turn_off(user, form.code.data)
    except DomainError as exc:
        db.session.rollback()
        attach_errors(form, exc)
        return _status_page(400, off_form=form)
    db.session.commit()
    flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("accounts.two_factor"))


@bp.post("/account/two-factor/recovery-codes")
@require("users.self")
@signin.account_limit
@signin.address_limit
def new_recovery_codes():
    """Ten new recovery codes for a current code (the old ones stop working)."""
    user = current_user._get_current_object()
    if not user.two_factor_on:
        return redirect(url_for("accounts.two_factor"))
    form = CodeForm(prefix="new")
    if not form.validate_on_submit():
        return _status_page(400, new_form=form)
    try:
        codes = mfa.new_recovery_codes(user, form.code.data)
    except DomainError as exc:
        db.session.rollback()
        attach_errors(form, exc)
        return _status_page(400, new_form=form)
    db.session.commit()
    return render_template("accounts/recovery_codes.html", codes=codes, enrolled=False)
