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


class CodeForm(Form):
    """A code from her authenticator app, or one of her recovery codes (any digits, spaces)."""

    code = StringField(
        _l("Code from your authenticator app (or a recovery code)"),
        validators=[DataRequired(), Length(max=64)],
    )
    submit = SubmitField(_l("Continue"))


class EnrolForm(Form):
    """The first code from her app, which turns two-factor sign-in on."""

    code = StringField(
        _l("The 6-digit code the app shows"), validators=[DataRequired(), Length(max=64)]
    )
    submit = SubmitField(_l("Turn on two-factor sign-in"))


class LockPhraseForm(Form):
    """Her lock phrase for the lock page; the password is asked first."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=256)]
    )
    phrase = PasswordField(
        _l("Lock phrase (at least 3 words or 12 characters)"),
        validators=[DataRequired(), Length(max=400)],
    )
    submit = SubmitField(_l("Save the lock phrase"))


class LockForm(Form):
    """The lock page: her email and her lock phrase."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    phrase = PasswordField(_l("Lock phrase"), validators=[DataRequired(), Length(max=400)])
    submit = SubmitField(_l("Lock my account"))


class ColleagueLockForm(Form):
    """A peer educator locks a colleague's account by her email."""

    email = EmailField(_l("Her email"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Lock her account"))
