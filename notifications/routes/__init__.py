"""Pages of the notifications package: the SMS template editor (here), the SMS log and the
development console (`log.py`, which notifications.init_app imports)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.errors import DomainError
from core.extensions import db
from core.security import require
from notifications.forms import ResetForm, TemplateForm
from notifications.labels import KIND_LABELS
from notifications.texts import store
from notifications.texts.catalog import LANGUAGES, TEMPLATE_KINDS, VARIANTS, variant_placeholders

bp = Blueprint("notifications", __name__)

# The admin home's links to this package's pages (notifications.init_app adds them).
ADMIN_LINKS = [
    ("notifications.templates", _l("SMS templates")),
    ("notifications.sms_log", _l("SMS log")),
    ("notifications.sms_gateways", _l("SMS gateways")),
]

VARIANT_LABELS = {
    "appointment": _l("With an appointment"),
    "no_appointment": _l("Without an appointment"),
    "follow_up": _l("Follow-up"),
    "shared_appointment": _l("Shared phone, with an appointment"),
    "shared_no_appointment": _l("Shared phone, without an appointment"),
    "shared_follow_up": _l("Shared phone, follow-up"),
}
LANGUAGE_LABELS = {"bn": "বাংলা", "en": "English"}


def _known(kind: str, variant: str) -> None:
    """404 for a kind or variant in the URL that has no text."""
    if kind not in TEMPLATE_KINDS or variant not in VARIANTS[kind]:
        abort(404)


@bp.get("/admin/sms-templates")
@require("templates.edit")
def templates():
    """Every kind × its variants × {bn, en}: default or changed by an admin."""
    custom = store.overrides()
    rows = [
        (kind, variant, {lang: (kind, variant, lang) in custom for lang in LANGUAGES})
        for kind in TEMPLATE_KINDS
        for variant in VARIANTS[kind]
    ]
    return render_template(
        "notifications/templates.html",
        rows=rows,
        kind_labels=KIND_LABELS,
        variant_labels=VARIANT_LABELS,
        language_labels=LANGUAGE_LABELS,
    )


def _sources(form: TemplateForm) -> dict[str, str]:
    return {
        "bn": (form.source_bn.data or "").replace("\r\n", "\n").strip(),
        "en": (form.source_en.data or "").replace("\r\n", "\n").strip(),
    }


def _save(kind: str, variant: str, sources: dict[str, str]) -> list[str]:
    """Save the languages whose text changed; returns them (raises DomainError on a refusal)."""
    changed = []
    for lang, source in sources.items():
        if source != store.effective_template(kind, lang, variant):
            store.save_template(kind, lang, variant, source, current_user)
            changed.append(lang)
    return changed


@bp.route("/admin/sms-templates/<kind>/<variant>", methods=["GET", "POST"])
@require("templates.edit")
def template_edit(kind: str, variant: str):
    """Edit both languages of one text; Preview re-renders the page (no JavaScript, no save)."""
    _known(kind, variant)
    form = TemplateForm()
    status = 200
    if request.method == "GET":
        form.source_bn.data = store.effective_template(kind, "bn", variant)
        form.source_en.data = store.effective_template(kind, "en", variant)
    elif not form.validate_on_submit():
        status = 400
    sources = _sources(form)
    checks = {lang: store.check_template(kind, lang, variant, sources[lang]) for lang in LANGUAGES}
    if request.method == "POST" and status == 200 and form.save.data:
        if all(check.ok for check in checks.values()):
            try:
                changed = _save(kind, variant, sources)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.localized(), "error")
                status = 422
            else:
                db.session.commit()
                flash(_("Saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("notifications.template_edit", kind=kind, variant=variant))
        else:
            status = 422
            flash(_("Not saved: fix the problems shown below."), "error")
            for lang, check in checks.items():
                getattr(form, f"source_{lang}").errors = [p.localized() for p in check.problems]
    custom = store.overrides()
    return (
        render_template(
            "notifications/template_edit.html",
            form=form,
            reset_form=ResetForm(),
            kind=kind,
            variant=variant,
            checks=checks,
            customised={lang: (kind, variant, lang) in custom for lang in LANGUAGES},
            placeholders=", ".join("{" + name + "}" for name in variant_placeholders(variant)),
            kind_label=KIND_LABELS[kind],
            variant_label=VARIANT_LABELS[variant],
            language_labels=LANGUAGE_LABELS,
            max_segments=store.MAX_SEGMENTS,
        ),
        status,
    )


@bp.post("/admin/sms-templates/<kind>/<variant>/reset")
@require("templates.edit")
def template_reset(kind: str, variant: str):
    """Back to the default text of one language."""
    _known(kind, variant)
    form = ResetForm()
    if not form.validate_on_submit() or form.lang.data not in LANGUAGES:
        abort(400)
    removed = store.reset_template(kind, form.lang.data, variant, current_user)
    db.session.commit()
    flash(_("Back to the default text.") if removed else _("It was the default text."), "success")
    return redirect(url_for("notifications.template_edit", kind=kind, variant=variant))
