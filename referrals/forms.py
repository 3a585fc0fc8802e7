"""Forms of the referrals pages (Flask-WTF; CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from core.edge_forms import DateField, IntegerField  # bounded years and integers
from core.forms import Form
from core.labels import LANGUAGE_LABELS
from referrals.labels import TRACE_OUTCOME_LABELS, URGENCY_LABELS

# The words of these choices live in core.labels (languages) and referrals.labels.
LANGUAGE_CHOICES = list(LANGUAGE_LABELS.items())
URGENCY_CHOICES = list(URGENCY_LABELS.items())
TRACE_CHOICES = list(TRACE_OUTCOME_LABELS.items())


# What a page may have asked before saving, and she confirmed ("make it anyway").
ACCEPT_CHOICES = [("clinic_closed", "clinic_closed"), ("duplicate_referral", "duplicate_referral")]


class MultiCheckboxField(SelectMultipleField):
    """Ticked boxes (no JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(Form):
    """A bare form: a button with a CSRF token."""


class SearchForm(Form):
    q = StringField(
        _l("Referral code, UIC or phone number"), validators=[DataRequired(), Length(max=40)]
    )


class FindMemberForm(Form):
    lookup = StringField(_l("Phone number or UIC"), validators=[DataRequired(), Length(max=40)])


class RegisterMemberForm(Form):
    phone = StringField(_l("Phone number"), validators=[Length(max=32)])
    no_phone = BooleanField(_l("She has no phone of her own (no SMS; she gets the slip)"))
    language = SelectField(_l("SMS language"), choices=LANGUAGE_CHOICES)
    sms_consent = BooleanField(_l("She agrees to receive SMS (read the sentence aloud)"))
    shared_phone = BooleanField(_l("Shared phone (someone else also uses this phone)"))
    contact_window = StringField(
        _l("Best hours for SMS (e.g. 20:00-06:00; empty: 08:00-21:00)"),
        validators=[Optional(), Length(max=11)],
    )
    uic = StringField(_l("UIC (empty: one is made)"), validators=[Optional(), Length(max=32)])
    nickname = StringField(
        _l("Nickname (optional, never a legal name)"), validators=[Optional(), Length(max=40)]
    )
    # Safety alerts (issue 13): the 64 districts are set by the route (district_choices).
    district = SelectField(_l("District where she works"), choices=[], validate_choice=False)
    alert_consent = BooleanField(_l("She agrees to safety alerts (read the sentence aloud)"))

    def validate_phone(self, field: StringField) -> None:
        """A number, or the box that says she has none (an empty box is not a choice)."""
        if not (field.data or "").strip() and not self.no_phone.data:
            raise ValidationError(_l("Type her number, or tick “She has no phone of her own”."))


class WhatForm(Form):
    services = MultiCheckboxField(_l("Services"), choices=[], validators=[DataRequired()])
    day = DateField(_l("Day"), validators=[Optional()])
    at = TimeField(_l("Time"), validators=[Optional()])
    no_appointment = BooleanField(_l("No appointment yet"))
    urgency = RadioField(_l("Urgency"), choices=URGENCY_CHOICES, default="routine")


class WhereForm(Form):
    clinic_id = RadioField(_l("Clinic"), coerce=int, choices=[], validators=[DataRequired()])
    notes = TextAreaField(_l("Private note (optional)"), validators=[Optional(), Length(max=2000)])
    accept = SelectMultipleField(choices=ACCEPT_CHOICES, validators=[Optional()])


class RescheduleForm(Form):
    day = DateField(_l("Day"), validators=[DataRequired()])
    at = TimeField(_l("Time"), validators=[DataRequired()])
    accept = SelectMultipleField(choices=ACCEPT_CHOICES, validators=[Optional()])


class CancelForm(Form):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)])


class TraceForm(Form):
    """The outcome of tracing; "rescheduled" takes the new day and time in the same form."""

    outcome = RadioField(_l("Outcome"), choices=TRACE_CHOICES, validators=[DataRequired()])
    day = DateField(_l("New day"), validators=[Optional()])
    at = TimeField(_l("New time"), validators=[Optional()])
    accept = SelectMultipleField(choices=ACCEPT_CHOICES, validators=[Optional()])


class ConfirmForm(Form):
    services_delivered = MultiCheckboxField(_l("Services given"), choices=[])
    linked_to_care = BooleanField(_l("Linked to care"))


class CodeForm(Form):
    code = StringField(_l("Referral code"), validators=[DataRequired(), Length(max=200)])


class PreferencesForm(Form):
    language = SelectField(_l("SMS language"), choices=LANGUAGE_CHOICES)
    contact_window = StringField(
        _l("Best hours for SMS (e.g. 20:00-06:00; empty: 08:00-21:00)"),
        validators=[Optional(), Length(max=11)],
    )


class AlertPreferencesForm(Form):
    """Where she works and her answer about safety alerts (the member page)."""

    district = SelectField(_l("District where she works"), choices=[], validate_choice=False)
    alert_consent = BooleanField(_l("She agrees to safety alerts (read the sentence aloud)"))


class ReassignForm(Form):
    peer_educator_id = SelectField(_l("Peer educator"), coerce=int, choices=[])


class AnonymiseForm(Form):
    confirm = BooleanField(_l("She asked for this; erase her data"), validators=[DataRequired()])


class FollowUpDoneForm(Form):
    note = StringField(_l("Note"), validators=[DataRequired(), Length(max=500)])


class RuleForm(Form):
    service_code = HiddenField()
    first_after_days = IntegerField(
        _l("First after (days)"), validators=[DataRequired(), NumberRange(1, 730)]
    )
    repeat_every_days = IntegerField(
        _l("Then every (days)"), validators=[Optional(), NumberRange(1, 730)]
    )
    active = BooleanField(_l("Active"))
