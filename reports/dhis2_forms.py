"""Forms of the DHIS2 admin page: the mapping (one UID field per data set, measure, service,
district and clinic, built for the catalogue and directory of the day) and the push's month."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Optional, Regexp

from core.forms import Form
from reports.dhis2_mapping import UID

UID_MESSAGE = _l("A DHIS2 ID is 11 letters and digits, starting with a letter.")
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class Entry:
    """One mapped thing on the page: its field, what it maps, its name and section."""

    name: str  # the form field
    kind: str
    key: str
    label: str
    section: str
    fallback: str | None  # the config's UID, shown as the field's placeholder


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def mapping_form(entries: list[Entry], stored: dict[tuple[str, str], str]) -> Form:
    """A form with one optional UID field per entry, filled with the stored UIDs."""

    class Dhis2MappingForm(Form):
        pass

    for entry in entries:
        field = StringField(
            entry.label,
            validators=[Optional(), Regexp(UID.pattern, message=UID_MESSAGE)],
            filters=[_strip],
        )
        setattr(Dhis2MappingForm, entry.name, field)
    data = {e.name: stored.get((e.kind, e.key), "") for e in entries}
    return Dhis2MappingForm(data=data)


class PushForm(Form):
    """Which month to send; `dry_run` is "1" for the check, "0" for the real push."""

    period = StringField(
        _l("Month"),
        validators=[DataRequired(), Regexp(MONTH, message=_l("Enter a month as YYYY-MM."))],
        filters=[_strip],
    )
    dry_run = HiddenField(default="1")

    def month(self) -> str:
        """The month as DHIS2's period, YYYYMM."""
        return (self.period.data or "").replace("-", "")
