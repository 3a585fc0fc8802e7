"""The DHIS2 admin page (/admin/dhis2): the mapping admins edit, and the push of one month (a
dry run first, its import summary shown, then the real push on confirmation).

reports.routes adds these views to the reports blueprint (`add_to`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from clinics.models import Clinic, Service
from clinics.reference import DISTRICTS
from core.extensions import db
from core.labels import label
from core.security import require
from core.web import attach_errors, submit
from reports import dhis2_mapping, dhis2_push
from reports.dhis2_forms import Entry, PushForm, mapping_form

MEASURE_LABELS = {
    "referred": _l("Referred"),
    "attended": _l("Attended"),
    "linked_to_care": _l("Linked to care"),
}
SECTIONS = {
    "data_set": _l("Data set"),
    "data_element": _l("Data elements, one per measure"),
    "category_option_combo": _l("Category option combos, one per service"),
    "district": _l("Organisation units of the districts"),
    "clinic": _l("Organisation units of the clinics (before their district's)"),
}
STATUS_WORDS = {
    "SUCCESS": _l("DHIS2 took every value."),
    "WARNING": _l("DHIS2 took the figures, with warnings."),
    "ERROR": _l("DHIS2 refused the figures."),
    "not_configured": _l("The DHIS2 address is not set. Ask the person who runs the server."),
    "unreachable": _l("DHIS2 could not be reached. Check the address and the connection."),
    "timeout": _l("DHIS2 did not answer in time. Try again later."),
    "unauthorized": _l("DHIS2 refused the user name or password set on the server."),
    "server_error": _l("DHIS2 had an error of its own. Try again later."),
    "rejected": _l("DHIS2 refused the request."),
    "bad_answer": _l("DHIS2's answer could not be read."),
}
# A dry run stores nothing: its summary says what DHIS2 would do.
DRY_RUN_WORDS = {
    "SUCCESS": _l("DHIS2 would take every value."),
    "WARNING": _l("DHIS2 would take the figures, with warnings."),
    "ERROR": _l("DHIS2 would refuse the figures."),
}
COUNT_LABELS = {
    "imported": _l("New values"),
    "updated": _l("Changed values"),
    "ignored": _l("Values left out"),
    "deleted": _l("Values removed"),
}


def entries() -> list[Entry]:
    """Every field of the mapping form, in the page's order, with the config's fallbacks."""
    config = dhis2_mapping.configured_mapping()
    found: list[Entry] = []

    def add(name: str, kind: str, key: str, text: str, fallback: Any) -> None:
        found.append(Entry(name, kind, key, text, kind, fallback))

    add("data_set", "data_set", "", str(SECTIONS["data_set"]), config["dataSet"])
    for measure in dhis2_mapping.MEASURES:
        text = str(MEASURE_LABELS[measure])
        add(f"de_{measure}", "data_element", measure, text, config["dataElements"].get(measure))
    codes = db.session.scalars(sa.select(Service.code).order_by(Service.sort_order, Service.code))
    combos = config["categoryOptionCombos"]
    for n, code in enumerate(codes):
        add(f"coc_{n}", "category_option_combo", code, label("service", code), combos.get(code))
    for n, district in enumerate(DISTRICTS):
        text = label("district", district)
        add(f"ou_d_{n}", "district", district, text, config["districts"].get(district))
    clinics = db.session.execute(sa.select(Clinic.id, Clinic.name).order_by(Clinic.name))
    for clinic_id, name in clinics:
        add(f"ou_c_{clinic_id}", "clinic", str(clinic_id), name, config["clinics"].get(clinic_id))
    return found


def _page(form: Any, items: list[Entry], push_form: PushForm, result: Any = None) -> str:
    sections: dict[str, list[Entry]] = {key: [] for key in SECTIONS}
    for entry in items:
        sections[entry.section].append(entry)
    return render_template(
        "reports/dhis2_admin.html",
        form=form,
        sections=sections,
        section_labels=SECTIONS,
        push_form=push_form,
        result=result,
        status_words=STATUS_WORDS,
        dry_run_words=DRY_RUN_WORDS,
        count_labels=COUNT_LABELS,
    )


def dhis2_admin():
    """The mapping (admins): one DHIS2 ID per data set, measure, service, district and clinic."""
    items = entries()
    form = mapping_form(items, dhis2_mapping.stored())
    values = lambda: {(e.kind, e.key): form[e.name].data or "" for e in items}  # noqa: E731
    aliases = {dhis2_mapping.field_name(e.kind, e.key): e.name for e in items}
    saved = submit(
        form,
        lambda: dhis2_mapping.save_mapping(values(), current_user),
        done=_("DHIS2 mapping saved."),
        invalid=_("Some DHIS2 IDs are not valid. See the fields marked below."),
        refused=lambda exc: attach_errors(form, exc, aliases=aliases),
    )
    if saved is not None:
        return redirect(url_for("reports.dhis2_admin"))
    return _page(form, items, PushForm()), 400 if form.errors else 200


def dhis2_send():
    """A dry run (dry_run=1) or the real push (0) of one month to DHIS2 (admins), its answer
    shown in words; both audited."""
    items = entries()
    form = mapping_form(items, dhis2_mapping.stored())
    push_form = PushForm()
    if not push_form.validate_on_submit():
        return _page(form, items, push_form), 400
    dry_run = push_form.dry_run.data != "0"
    result = dhis2_push.push(push_form.month(), current_user, dry_run=dry_run)
    db.session.commit()  # the audit row of the push
    if not dry_run and result.ok:
        flash(_("The figures were sent to DHIS2."), "success")
    return _page(form, items, push_form, result)


def add_to(bp: Blueprint) -> None:
    """Register the DHIS2 admin views on the reports blueprint."""
    bp.add_url_rule(
        "/admin/dhis2", view_func=require("reports.admin")(dhis2_admin), methods=["GET", "POST"]
    )
    bp.add_url_rule(
        "/admin/dhis2/push", view_func=require("reports.admin")(dhis2_send), methods=["POST"]
    )
