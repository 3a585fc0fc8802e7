"""Admin pages of the directory: unverified entries, CSV import and export, the catalogue."""

from __future__ import annotations

import io

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from clinics import services
from clinics.forms import ActionForm, ImportForm, ServiceForm
from clinics.routes import bp
from clinics.services.csvio import export_text, import_csv
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import Text
from core.security import require
from core.web import attach_errors, submit


def _problems(exc: DomainError) -> list[str]:
    """An import's problems, one a line, in the reader's language."""
    rows = exc.params.get("rows")  # clinics.services.csvio gives each problem as a Text
    if isinstance(rows, tuple):
        return [row.localized() for row in rows if isinstance(row, Text)]
    return [exc.localized()]


@bp.get("/admin/clinics/unverified")
@require("clinics.edit")
def unverified():
    """Active clinics not verified for 180 days (or never)."""
    return render_template(
        "clinics/unverified.html",
        clinics=services.unverified_clinics(),
        form=ActionForm(),
        now=utcnow(),
    )


@bp.route("/admin/clinics/import", methods=["GET", "POST"])
@require("clinics.edit")
def import_clinics():
    """Import a directory CSV (all or nothing unless told to skip invalid rows); export link."""
    form = ImportForm()
    errors: list[str] = []
    status = 200
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
            report = import_csv(
                io.StringIO(text, newline=""), current_user, skip_invalid=form.skip_invalid.data
            )
        except UnicodeDecodeError:
            db.session.rollback()
            form.file.errors = [_("The file is not UTF-8 text.")]
            status = 400
        except DomainError as exc:
            db.session.rollback()
            errors = _problems(exc)
            form.file.errors = [exc.localized()]
            status = exc.status
        else:
            db.session.commit()
            flash(
                _(
                    "Imported: %(created)d created, %(updated)d updated, %(skipped)d skipped.",
                    created=report.created,
                    updated=report.updated,
                    skipped=report.skipped,
                ),
                "success",
            )
            errors = [e.text().localized() for e in report.errors]
            if not errors:
                return redirect(url_for("clinics.import_clinics"))
    return render_template("clinics/import.html", form=form, errors=errors), status


@bp.get("/admin/clinics/export.csv")
@require("clinics.edit")
def export_clinics():
    """The whole directory as CSV."""
    return Response(
        export_text(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=clinics.csv"},
    )


@bp.route("/admin/services", methods=["GET", "POST"])
@require("services.edit")
def service_admin():
    """The service catalogue; add a service."""
    form = ServiceForm()
    if submit(
        form,
        lambda: services.create_service(
            form.code.data, form.name_en.data, form.name_bn.data, current_user
        ),
        done=_("Service added."),
        refused=lambda exc: attach_errors(form, exc),
    ):
        return redirect(url_for("clinics.service_admin"))
    return render_template(
        "clinics/services.html",
        form=form,
        catalogue=services.get_services(include_inactive=True),
        action_form=ActionForm(),
    )


@bp.post("/admin/services/<code>/toggle")
@require("services.edit")
def service_toggle(code: str):
    """Switch a service on or off (it stays on the clinics that offer it)."""
    form = ActionForm()
    if form.validate_on_submit():
        catalogue = {s.code: s for s in services.get_services(include_inactive=True)}
        service = catalogue.get(code)
        if service is not None:
            services.update_service(
                code, service.name_en, service.name_bn, not service.active, current_user
            )
            db.session.commit()
    return redirect(url_for("clinics.service_admin"))
