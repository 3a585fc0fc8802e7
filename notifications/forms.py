"""Forms of the notifications pages: the template editor, the SMS log's filters, the console."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.edge_forms import DateField, IntegerField  # bounded years and integers
from core.forms import Form
from core.labels import choices
from notifications.models import MESSAGE_KINDS, MESSAGE_STATUSES
from notifications.texts.store import MAX_SOURCE_LENGTH


class TemplateForm(Form):
    """Both languages of one kind and variant; `preview` re-renders, `save` stores."""

    source_bn = TextAreaField(_l("Bangla text"), validators=[Length(max=MAX_SOURCE_LENGTH)])
    source_en = TextAreaField(_l("English text"), validators=[Length(max=MAX_SOURCE_LENGTH)])
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class ResetForm(Form):
    """Back to the default text of one language."""

    lang = HiddenField(validators=[DataRequired()])


class LogFilterForm(Form):
    """The SMS log's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=lambda: [("", _l("Any")), *choices("message_status", MESSAGE_STATUSES)],
        validators=[Optional()],
    )
    kind = SelectField(
        _l("Kind"), choices=lambda: [("", _l("Any")), *choices("message_kind", MESSAGE_KINDS)],
        validators=[Optional()],
    )  # fmt: skip
    clinic_id = SelectField(_l("Clinic"), choices=[], validators=[Optional()])
    peer_educator_id = SelectField(_l("Peer educator"), choices=[], validators=[Optional()])
    date_from = DateField(_l("From (day)"), validators=[Optional()])
    date_to = DateField(_l("To (day)"), validators=[Optional()])


class SimulateReplyForm(Form):
    """Development: a reply from the phone a message went to, through the inbound handler."""

    message_id = IntegerField(validators=[InputRequired()])
    body = StringField(_l("Reply"), validators=[DataRequired(), Length(max=320)])
    submit = SubmitField(_l("Send reply"))
