"""Crisis contact pages: the list with tap-to-call links (peer educators, admins), and the admin
pages to add one and to change or deactivate one. The rules are safety.services.crisis_contacts'."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.security import ADMIN, require
from core.web import attach_errors, submit
from safety.admin_forms import CrisisContactForm
from safety.routes import bp
from safety.services import crisis_contacts as service


@bp.get("/crisis-contacts")
@require("crisis_contacts.read")
def crisis_contacts():
    """Crisis contacts by kind (admins see inactive ones too, with their edit links)."""
    admin = current_user.role == ADMIN
    rows = service.list_contacts(current_user, include_inactive=admin)
    return render_template("safety/crisis_contacts.html", contacts=rows, admin=admin)


@bp.route("/crisis-contacts/new", methods=["GET", "POST"])
@require("crisis_contacts.edit")
def crisis_contact_new():
    """Add a crisis contact (admins)."""
    form = CrisisContactForm()
    made = submit(
        form,
        lambda: service.create_contact(form.data_for_service(), current_user),
        done=_("Crisis contact added."),
        refused=lambda exc: attach_errors(form, exc),
    )
    if made is not None:
        return redirect(url_for("safety.crisis_contacts"))
    return render_template("safety/crisis_contact_form.html", form=form, contact=None)


@bp.route("/crisis-contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@require("crisis_contacts.edit")
def crisis_contact_edit(contact_id: int):
    """Change a crisis contact, or take it off help now (admins)."""
    contact = service.get_contact(contact_id, current_user)
    form = CrisisContactForm(obj=contact)
    changed = submit(
        form,
        lambda: service.update_contact(contact_id, form.data_for_service(), current_user),
        done=_("Crisis contact saved."),
        refused=lambda exc: attach_errors(form, exc),
    )
    if changed is not None:
        return redirect(url_for("safety.crisis_contacts"))
    return render_template("safety/crisis_contact_form.html", form=form, contact=contact)
