"""Forms of the peer educator's safety pages: record an incident, close it, an urgent referral.

The rules (dates, districts, codes, who may record for whom) are the services' (safety.services):
these forms only say what a page asks and how; a field a service refuses is shown on the field
of the same name (core.web.attach_errors).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.edge_forms import DateField
from core.forms import Form
from referrals.forms import MultiCheckboxField
from safety.labels import PERPETRATOR_LABELS, PLACE_TYPE_LABELS, VIOLATION_LABELS

YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]

# The three consents, each asked aloud: (field, the sentence to read, the box's words).
CONSENT_SENTENCES = {
    "consent_advocacy": _l(
        "Read aloud: “May HARC count what happened to you, without your name, to speak up for "
        "everyone’s safety?”"
    ),
    "consent_alert": _l(
        "Read aloud: “May we warn other members to be careful at this place, without saying who "
        "you are?”"
    ),
    "consent_legal": _l(
        "Read aloud: “May we share what happened with a lawyer of our legal partner, so that "
        "they can help you?”"
    ),
}


class IncidentForm(Form):
    """Something happened to her: one short screen (UX.md)."""

    uic = StringField(
        _l("Her UIC, if she is a member (optional)"), validators=[Optional(), Length(max=32)]
    )
    occurred_on = DateField(_l("When did it happen?"), validators=[DataRequired()])
    district = SelectField(_l("District"), choices=[], validators=[DataRequired()])
    area = StringField(_l("Area (optional)"), validators=[Optional(), Length(max=120)])
    place_type = RadioField(
        _l("Where did it happen?"),
        choices=list(PLACE_TYPE_LABELS.items()),
        validators=[InputRequired()],
    )
    perpetrators = MultiCheckboxField(
        _l("Who did it?"), choices=list(PERPETRATOR_LABELS.items()), validators=[DataRequired()]
    )
    violations = MultiCheckboxField(
        _l("What happened?"), choices=list(VIOLATION_LABELS.items()), validators=[DataRequired()]
    )
    needs_help_now = RadioField(
        _l("Does she need help now?"), choices=YES_NO, validators=[InputRequired()]
    )
    description = TextAreaField(
        _l("What happened, in her words (optional)"),
        validators=[Optional(), Length(max=4000)],
    )
    consent_advocacy = BooleanField(_l("She agrees to be counted for advocacy"))
    consent_alert = BooleanField(_l("She agrees to an alert to other members"))
    consent_legal = BooleanField(_l("She agrees to share it with a legal partner"))


class CloseIncidentForm(Form):
    """Close an incident: a button with its tokens."""


class UrgentReferralForm(Form):
    """One tap: an urgent referral to this place for the services ticked."""

    services = MultiCheckboxField(_l("Services"), choices=[], validators=[DataRequired()])
