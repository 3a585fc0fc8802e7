"""Form fields that only hold what the database holds: the page side of core.edge.

Import `DateField` and `IntegerField` from here instead of from wtforms: a year outside
core.edge's range (which overflows when a local day is moved to UTC) or a number beyond a
database INTEGER is a field error on the form, not a 500 from the query that would follow."""

from __future__ import annotations

from typing import Any

import wtforms
from flask_babel import gettext as _

from core.edge import MAX_YEAR, MIN_YEAR, column_int


def year_error() -> str:
    """The field error for a day outside the years the service keeps (in the reader's language)."""
    # The years are in the text (not placeholders) so Bangla shows them in Bangla digits.
    return _("Enter a date between the years 1900 and 2200.")


class DateField(wtforms.DateField):
    """wtforms.DateField limited to the years MIN_YEAR..MAX_YEAR."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse as WTForms does, then refuse a year outside the range."""
        super().process_formdata(valuelist)
        if self.data is not None and not MIN_YEAR <= self.data.year <= MAX_YEAR:  # 1900..2200
            self.data = None
            raise ValueError(year_error())


class IntegerField(wtforms.IntegerField):
    """wtforms.IntegerField for ASCII digits within a database INTEGER."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """A whole number a column can hold, else WTForms' own "not a valid integer" error."""
        if not valuelist:
            return
        try:
            self.data = column_int(str(valuelist[0]))
        except ValueError:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value.")) from None
