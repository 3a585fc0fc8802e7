"""The edge: what a request carries is checked once, where it comes in, before any view runs.

PostgreSQL refuses text holding NUL, Python's encoders refuse lone surrogates, ids beyond the
databases' INTEGER fail inside the query and dates near year 1 or 9999 overflow when moved to
UTC: each of these used to surface as a 500 far from its cause. Here they are refused at the
door (the path, the query string, form fields, JSON bodies at any depth, with a nesting
limit), and the bounded readers below (`read_int`, `bounded_int`, `parse_id`, `parse_date`,
`check_year`) are what field-level parsing builds on. `install_edge` plugs it all into an app.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from flask import Flask, Request, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter, ValidationError

from core.errors import BadInput, ValidationFailed, json_error, wants_json
from core.i18n import N_, Text

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER: every id and count column here
MIN_YEAR, MAX_YEAR = 1900, 2200  # any date this service may meet; far from datetime's limits
MAX_JSON_DEPTH = 32  # no body here nests more than a few levels
# The years are in the text (not placeholders): MIN_YEAR and MAX_YEAR.
YEAR_MESSAGE = N_("Must be between the years 1900 and 2200.")
_MAX_DIGITS = len(str(MAX_INT))
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_INT_TEXT = re.compile(r"[+-]?[0-9]+")  # ASCII only: "²" and other scripts' digits are not ids
_ID_TEXT = re.compile(rf"[0-9]{{1,{_MAX_DIGITS}}}")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
D = TypeVar("D", bound=date)


# ---- bounded readers ----------------------------------------------------------------------


def bad_text(value: str) -> bool:
    """Whether text holds a NUL or a lone surrogate (no database or encoder takes either)."""
    return _BAD_TEXT.search(value) is not None


# (a lower bound?, an upper bound?) -> the message and the field's message
_RANGE_MESSAGES = {
    (True, True): (
        N_("%(field)s must be at least %(min)s and at most %(max)s."),
        N_("Must be at least %(min)s and at most %(max)s."),
    ),
    (True, False): (N_("%(field)s must be at least %(min)s."), N_("Must be at least %(min)s.")),
    (False, True): (N_("%(field)s must be at most %(max)s."), N_("Must be at most %(max)s.")),
}


def _out_of_range(field: str, minimum: int | None, maximum: int | None) -> ValidationFailed:
    message, short = _RANGE_MESSAGES[(minimum is not None, maximum is not None)]
    params = {"field": field, "min": minimum, "max": maximum}
    return ValidationFailed(message, params=params, fields={field: short})


def bounded_int(
    value: Any, field: str, *, minimum: int | None = None, maximum: int | None = MAX_INT
) -> int:
    """A JSON integer within [minimum, maximum] (by default what a database INTEGER holds);
    otherwise a 422 naming the field. true/false are not integers."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(
            N_("%(field)s must be a whole number."),
            params={"field": field},
            fields={field: N_("Not a number.")},
        )
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise _out_of_range(field, minimum, maximum)
    return value


def read_int(
    text: str, field: str, *, minimum: int | None = None, maximum: int | None = MAX_INT
) -> int:
    """Integer text from a query string or form: 400 when it is not ASCII digits (with an
    optional sign), 422 when it parses but lies outside [minimum, maximum]."""
    text = text.strip()
    if not _INT_TEXT.fullmatch(text):
        raise BadInput(
            N_("%(field)s must be a whole number."),
            params={"field": field},
            fields={field: N_("Not a number.")},
        )
    if len(text.lstrip("+-").lstrip("0")) > _MAX_DIGITS:  # int() of a huge text costs time
        raise _out_of_range(field, minimum, maximum)
    return bounded_int(int(text), field, minimum=minimum, maximum=maximum)


def parse_id(text: Any) -> int | None:
    """An id as typed (ASCII digits, 1 to MAX_INT), or None: for lookups where anything else
    simply names nothing."""
    if not isinstance(text, str) or not _ID_TEXT.fullmatch(text.strip()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_INT else None


def column_int(text: str) -> int:
    """`int` for text a request carries: ValueError unless ASCII digits within INTEGER's range
    (Werkzeug's `get(..., type=int)` then gives its default, WTForms a field error)."""
    text = text.strip()
    if not _INT_TEXT.fullmatch(text) or len(text.lstrip("+-").lstrip("0")) > _MAX_DIGITS:
        raise ValueError(f"not a whole number within ±{MAX_INT}")
    value = int(text)
    if abs(value) > MAX_INT:
        raise ValueError(f"not a whole number within ±{MAX_INT}")
    return value


def check_year(value: D, field: str) -> D:
    """The date or date-time unless its year is outside MIN_YEAR..MAX_YEAR (then 422): such
    years are typing errors here, and near 1 or 9999 they overflow when moved to UTC."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationFailed(
            N_("%(field)s: %(problem)s"),
            params={"field": field, "problem": Text(YEAR_MESSAGE)},
            fields={field: YEAR_MESSAGE},
        )
    return value


def parse_date(value: Any, field: str) -> date:
    """YYYY-MM-DD in ASCII digits: 400 when it is not such a date, 422 when its year is out of
    range."""
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not _DATE_TEXT.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise BadInput(
            N_("%(field)s must be a date (YYYY-MM-DD)."),
            params={"field": field},
            fields={field: N_("Not a date (YYYY-MM-DD).")},
        ) from None
    return check_year(day, field)


# ---- the URL converter and the request class ------------------------------------------------


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for every route: ASCII digits up to MAX_INT, so `/clinics/2147483648` is a
    404 like any id that names nothing (before: a 500 from the query)."""

    regex = r"[0-9]+"  # Werkzeug's \d+ also takes other scripts' digits

    def __init__(
        self,
        map: Any,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_INT,
        signed: bool = False,
    ) -> None:
        highest = MAX_INT if max is None or max > MAX_INT else max
        super().__init__(map, fixed_digits, min, highest, signed)

    def to_python(self, value: str) -> Any:
        """The id; beyond INTEGER (or not ASCII) a 404 at once. Not Werkzeug's ValidationError:
        the matcher would then answer 405 when another method's rule has the same path."""
        if len(value.lstrip("-")) > _MAX_DIGITS:  # no int() of a huge text
            raise NotFound()
        try:
            return super().to_python(value)
        except ValidationError:
            raise NotFound() from None


T = TypeVar("T")


class BoundedParams(ImmutableMultiDict):
    """Query and form values whose `get(name, type=int)` refuses what no column holds (the
    default is returned, as Werkzeug does for any value that does not convert)."""

    def get(self, key: Any, default: Any = None, type: Callable[[str], T] | None = None) -> Any:
        """As MultiDict.get; `type=int` reads through `column_int`."""
        return super().get(key, default=default, type=column_int if type is int else type)

    def getlist(self, key: Any, type: Callable[[str], T] | None = None) -> list[Any]:
        """As MultiDict.getlist; `type=int` reads through `column_int`."""
        return super().getlist(key, type=column_int if type is int else type)


class EdgeRequest(Request):
    """Flask's request with bounded integer reading of its query and form values."""

    parameter_storage_class = BoundedParams


# ---- the check before every view ------------------------------------------------------------


class _NotJson(ValueError):
    """NaN and Infinity: Python's decoder takes them, JSON does not."""


def _reject_constant(name: str) -> Any:
    raise _NotJson(name)


def _printable(name: str) -> str:
    return _BAD_TEXT.sub("\ufffd", name)


def _unusable_text(field: str) -> BadInput:
    return BadInput(
        N_("%(field)s holds a character that cannot be used (NUL or a lone surrogate)."),
        params={"field": _printable(field)},
        code="bad_text",
        fields={_printable(field): N_("Holds a character that cannot be used.")},
    )


def _check_json_value(data: Any, *, ranged_ints: bool) -> None:
    """Walk a parsed body without recursion: depth, text, and numbers a column can hold."""
    stack: list[tuple[Any, str, int]] = [(data, "body", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise BadInput(
                    N_("The JSON body nests more than %(depth)s levels deep."),
                    params={"depth": MAX_JSON_DEPTH},
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                # Fields as people name them: "nickname", "hours[mon][0]", "services[2]".
                name = key if path == "body" and isinstance(key, str) else f"{path}[{key!s}]"
                if isinstance(key, str) and bad_text(key):
                    raise _unusable_text(name)
                stack.append((item, name, depth + 1))
        elif isinstance(value, str):
            if bad_text(value):
                raise _unusable_text(path)
        elif isinstance(value, float) and not math.isfinite(value):
            raise ValidationFailed(
                N_("%(field)s is too large a number."),
                params={"field": path},
                fields={path: N_("Too large.")},
            )
        elif ranged_ints and type(value) is int and abs(value) > MAX_INT:  # bool is not
            raise _out_of_range(path, -MAX_INT, MAX_INT)


def check_json_body() -> None:
    """A JSON body: not nested too deep, no NaN or Infinity, no unusable text anywhere; under
    /api no integer beyond INTEGER's range (422). A body that is not JSON at all is left to
    the view, which says so."""
    if not request.is_json:
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise BadInput(
            N_("The JSON body nests more than %(depth)s levels deep."),
            params={"depth": MAX_JSON_DEPTH},
        ) from None
    except _NotJson as exc:
        raise BadInput(
            N_("The body is not valid JSON: %(value)s is not a JSON number."),
            params={"value": str(exc)},
        ) from None
    except ValueError:
        return
    _check_json_value(data, ranged_ints=request.path.startswith("/api/"))


def check_text() -> None:
    """The path, query and form names and values: no NUL, no lone surrogate."""
    if bad_text(request.path):
        raise _unusable_text("path")
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if bad_text(key) or bad_text(value):
                raise _unusable_text(key)


def reject_unusable_input():
    """before_request: refuse what no view can use (JSON errors under /api and /webhooks, a
    page in the reader's language elsewhere)."""
    try:
        check_json_body()
        check_text()
    except (BadInput, ValidationFailed) as exc:
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.fields)
        detail = None
        if exc.code == "bad_text":
            detail = _(
                "The request held a character that cannot be used (a null character or a "
                "broken one). Go back, remove it and try again."
            )
        return render_template("core/error.html", status=400, detail=detail), 400
    return None


def install_edge(app: Flask) -> None:
    """Before any route or hook is added: the bounded `int` converter, the bounded request
    parameters and the input check that runs before every view."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = EdgeRequest
    app.before_request(reject_unusable_input)
