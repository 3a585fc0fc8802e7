"""Sign-in and user administration forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from core.forms import Form
from core.labels import LANGUAGE_LABELS, ROLE_LABELS

ROLE_CHOICES = list(ROLE_LABELS.items())  # the words for roles live in core.labels
LANGUAGE_CHOICES = list(LANGUAGE_LABELS.items())


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Sign in"))


class UserCreateForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(
        _l("Name shown to colleagues"), validators=[Optional(), Length(max=80)]
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    clinic_id = SelectField(_l("Clinic (clinic partners only)"), coerce=int, choices=[])
    district = SelectField(
        _l("District where they work (peer educators)"), choices=[], validate_choice=False
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[DataRequired()])
    submit = SubmitField(_l("Create user"))


class UserEditForm(Form):
    display_name = StringField(
        _l("Name shown to colleagues"), validators=[Optional(), Length(max=80)]
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    clinic_id = SelectField(_l("Clinic (clinic partners only)"), coerce=int, choices=[])
    district = SelectField(
        _l("District where they work (peer educators)"), choices=[], validate_choice=False
    )
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    submit = SubmitField(_l("Save"))


class DistrictForm(Form):
    """One's own district: a new referral's clinic search starts there."""

    district = SelectField(_l("The district where I work"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))


class PasswordForm(Form):
    password = PasswordField(
        _l("New password (at least 10 characters)"), validators=[DataRequired()]
    )
    submit = SubmitField(_l("Set password"))


class OwnPasswordForm(Form):
    """Changing one's own password asks for the current one: a borrowed phone is not enough."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=256)]
    )
    password = PasswordField(
        _l("New password (at least 10 characters)"),
        validators=[DataRequired(), Length(max=256)],
    )
    submit = SubmitField(_l("Set password"))


class ActionForm(Form):
    """A form with only a CSRF token, for one-button actions."""

    submit = SubmitField(_l("Confirm"))
