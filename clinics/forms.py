"""Forms of the clinic pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from clinics.hours import DAYS
from clinics.labels import CLINIC_STATUS_LABELS, district_choices
from core.edge_forms import DateField, IntegerField  # bounded years and integers
from core.forms import Form

ATTRIBUTE_LABELS = {
    "free_of_charge": _l("Free of charge"),
    "no_id_required": _l("No ID needed"),
    "female_provider": _l("Female provider"),
    "kp_trained_staff": _l("Trained staff"),
    "night_hours": _l("Night hours"),
    "walk_in": _l("Walk-in"),
    "private_entrance": _l("Private entrance"),
}
DAY_LABELS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (no JavaScript needed)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SearchForm(Form):
    """The directory's filters; read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or place"), validators=[Optional(), Length(max=80)])
    service = MultiCheckboxField(_l("Services (all of them)"), choices=[], validate_choice=False)
    district = SelectField(_l("District"), choices=[], validate_choice=False)
    attribute = MultiCheckboxField(
        _l("Must be"), choices=list(ATTRIBUTE_LABELS.items()), validate_choice=False
    )
    open_now = BooleanField(_l("Open now"))
    open_at = StringField(_l("Open at (day and time)"), validators=[Optional()])
    lat = StringField(_l("Latitude"), validators=[Optional()])
    lon = StringField(_l("Longitude"), validators=[Optional()])
    inactive = BooleanField(_l("Include inactive clinics"))  # shown to admins only


def _day_fields(cls: type) -> type:
    """Seven text inputs, one per day: "09:00-13:00, 14:00-17:00" (empty = closed)."""
    for day in DAYS:
        setattr(
            cls,
            f"hours_{day}",
            StringField(DAY_LABELS[day], validators=[Optional(), Length(max=120)]),
        )
    return cls


@_day_fields
class PartnerClinicForm(Form):
    """What a clinic partner may correct: the phone and the hours."""

    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    submit = SubmitField(_l("Save"))


@_day_fields
class ClinicForm(Form):
    """The whole entry (admins)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    sms_alias = StringField(
        _l("Name for SMS (at most 20 characters, no health words)"),
        validators=[DataRequired(), Length(max=20)],
    )
    district = SelectField(_l("District"), choices=district_choices)
    area = StringField(_l("Area"), validators=[Optional(), Length(max=80)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    latitude = StringField(_l("Latitude"), validators=[Optional()])
    longitude = StringField(_l("Longitude"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    services = MultiCheckboxField(_l("Services"), choices=[])
    attributes = MultiCheckboxField(_l("Friendliness"), choices=list(ATTRIBUTE_LABELS.items()))
    status = SelectField(_l("Status"), choices=list(CLINIC_STATUS_LABELS.items()))
    verified = BooleanField(_l("I checked this entry today"))
    submit = SubmitField(_l("Save"))


ANSWER_CHOICES = [("", _l("Not asked")), ("yes", _l("Yes")), ("no", _l("No"))]


def answer(value: str | None) -> bool | None:
    """An optional question's radio value as yes (True), no (False) or not asked (None)."""
    return {"yes": True, "no": False}.get(value or "")


class FeedbackForm(Form):
    """A member's experience of one visit."""

    visited_on = DateField(_l("Day of the visit"), validators=[InputRequired()])
    respectful = RadioField(
        _l("Was she treated with respect?"),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validators=[InputRequired()],
    )
    refused_service = BooleanField(_l("A service was refused"))
    refused_service_code = SelectField(
        _l("Which service was refused"), choices=[], validate_choice=False
    )
    waiting_minutes = IntegerField(
        _l("Waiting time (minutes)"), validators=[Optional(), NumberRange(min=0, max=1440)]
    )
    # The optional questions (clinics.reference.FEEDBACK_QUESTIONS): "" is "not asked".
    asked_for_id = RadioField(
        _l("Was she asked to show an ID card?"), choices=ANSWER_CHOICES, default=""
    )
    charged = RadioField(_l("Was she asked to pay?"), choices=ANSWER_CHOICES, default="")
    kept_private = RadioField(_l("Was her visit kept private?"), choices=ANSWER_CHOICES, default="")
    comment = TextAreaField(
        _l("What happened (private)"), validators=[Optional(), Length(max=2000)]
    )
    submit = SubmitField(_l("Save feedback"))


class ImportForm(Form):
    """Upload a directory CSV."""

    file = FileField(_l("CSV file"), validators=[FileRequired()])
    skip_invalid = BooleanField(_l("Import the valid rows and skip the others"))
    submit = SubmitField(_l("Import"))


class ServiceForm(Form):
    """Add a service to the catalogue."""

    code = StringField(_l("Code (e.g. hepatitis_b)"), validators=[DataRequired(), Length(max=32)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=80)])
    name_bn = StringField(_l("Bangla name"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Add service"))


class ActionForm(Form):
    """Only a CSRF token, for one-button actions."""

    submit = SubmitField(_l("Confirm"))
