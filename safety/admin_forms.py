"""Forms of the admin pages of safety: crisis contacts and community safety alerts."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from clinics.labels import district_choices
from core.forms import Form
from core.labels import lazy_choices

# How long an alert stays: the choices of the draft form, in hours (at most 14 days).
EXPIRY_HOURS = (6, 12, 24, 48, 72, 168, 336)
EXPIRY_LABELS = {
    6: _l("6 hours"),
    12: _l("12 hours"),
    24: _l("1 day"),
    48: _l("2 days"),
    72: _l("3 days"),
    168: _l("7 days"),
    336: _l("14 days"),
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (no JavaScript needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CrisisContactForm(Form):
    """A crisis contact: who, what kind, the phone, where and when."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(min=2, max=120)])
    kind = SelectField(_l("Kind"), choices=lazy_choices("crisis_contact_kind"))
    phone = StringField(
        _l("Phone (a mobile, a landline, or a hotline's short code such as 109)"),
        validators=[DataRequired(), Length(max=32)],
    )
    district = SelectField(
        _l("District"), choices=lambda: district_choices(blank=_l("Every district"))
    )
    hours = StringField(
        _l("When to call (e.g. 24 hours, or Sat–Thu 9–5)"), validators=[Optional(), Length(max=120)]
    )
    active = BooleanField(_l("Shown in help now"), default=True)

    def data_for_service(self) -> dict[str, Any]:
        """The fields as the crisis contact service takes them."""
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "phone": self.phone.data,
            "district": self.district.data or None,
            "hours": self.hours.data or None,
            "active": bool(self.active.data),
        }


class AlertForm(Form):
    """A safety alert drafted from an incident: where, what (both languages), how long."""

    districts = MultiCheckboxField(_l("Districts that get it"), choices=[])
    text_bn = TextAreaField(
        _l("Text in Bangla"),
        validators=[InputRequired(), Length(max=300)],
        render_kw={"lang": "bn"},
    )
    text_en = TextAreaField(
        _l("Text in English"),
        validators=[InputRequired(), Length(max=300)],
        render_kw={"lang": "en"},
    )
    expires_in = SelectField(
        _l("Stop sending after"),
        coerce=int,
        default=24,
        choices=lambda: [(hours, EXPIRY_LABELS[hours]) for hours in EXPIRY_HOURS],
    )


class ActionForm(Form):
    """A button that changes state (approve, withdraw): the CSRF token only."""
