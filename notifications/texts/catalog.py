"""SMS texts: default templates, sandboxed rendering, Bangla digits and day/time phrases.

Pure functions only: the dispatcher renders at send time, the admin template editor previews.
Segment counting lives in `notifications.texts.segments`, the discretion check in
`notifications.texts.discretion`; both are re-exported here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Literal

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from notifications.texts.discretion import (
    BANGLA_FORBIDDEN_WORDS,
    ENGLISH_FORBIDDEN_WORDS,
    discretion_problems,
)
from notifications.texts.segments import SegmentInfo, count_segments

__all__ = [
    "ALLOWED_PLACEHOLDERS",
    "BANGLA_FORBIDDEN_WORDS",
    "ENGLISH_FORBIDDEN_WORDS",
    "LANGUAGES",
    "TEMPLATE_KINDS",
    "SegmentInfo",
    "TemplateProblem",
    "count_segments",
    "discretion_problems",
    "format_code",
    "format_day",
    "format_time",
    "load_default_template",
    "render_sms",
    "template_placeholders",
    "to_bangla_digits",
]

Lang = Literal["bn", "en"]
LANGUAGES: tuple[Lang, ...] = ("bn", "en")
# The same kinds as notifications.models.MESSAGE_KINDS (not imported: this layer stays pure).
TEMPLATE_KINDS = (
    "referral_created",
    "appointment_changed",
    "reminder_24h",
    "reminder_2h",
    "missed_appointment",
    "follow_up_due",
)
# What a template may use. The raw params (appointment_at, due_on) are inputs, not placeholders:
# an ISO timestamp in an SMS would be unreadable.
ALLOWED_PLACEHOLDERS = frozenset({"code", "place", "day", "time", "due_day"})

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "sms"

_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_RELATIVE_DAYS: dict[str, tuple[str, str]] = {"en": ("today", "tomorrow"), "bn": ("আজ", "কাল")}


class TemplateProblem(ValueError):
    """A template (or its parameters) cannot be rendered; the message says why, for people."""


def to_bangla_digits(text: str) -> str:
    """Replace the Latin digits 0-9 with Bangla digits ০-৯ (Babel's bn formats with Latin ones)."""
    return text.translate(_BANGLA_DIGITS)


def format_code(raw: str) -> str:
    """Group an 8-character referral code 4-4 for reading aloud ("K7P2-QX9M"), else leave it."""
    compact = re.sub(r"[\s-]", "", raw)
    if len(compact) == 8 and compact.isascii() and compact.isalnum():
        return f"{compact[:4]}-{compact[4:]}"
    return raw


def _check_lang(lang: str) -> Lang:
    """The language, if it is one we have texts for."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown SMS language {lang!r}; expected one of {LANGUAGES}")
    return lang


def _local(when: datetime, tz: tzinfo | None) -> datetime:
    """An aware datetime in tz (or in its own zone when tz is None); naive ones are refused."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("an SMS time must be timezone-aware")
    return when.astimezone(tz) if tz is not None else when


def format_day(when: datetime | date, send_day: date, lang: Lang, tz: tzinfo | None = None) -> str:
    """The day as "today"/"tomorrow" (আজ/কাল) from the send day, else "Wed 2 Dec"/"বুধ ২ ডিসে"."""
    lang = _check_lang(lang)
    day = _local(when, tz).date() if isinstance(when, datetime) else when
    if day == send_day:
        return _RELATIVE_DAYS[lang][0]
    if day == send_day + timedelta(days=1):
        return _RELATIVE_DAYS[lang][1]
    # No year: messages are about the coming weeks. Babel's bn gives "বুধ 2 ডিসে".
    text = babel_format_date(day, "EEE d MMM", locale=lang)
    return to_bangla_digits(text) if lang == "bn" else text


def format_time(when: datetime, lang: Lang, tz: tzinfo | None = None) -> str:
    """The time as "11:00" (24-hour) in English, "সকাল ১১টা"/"দুপুর ১:৩০" (day period) in Bangla."""
    lang = _check_lang(lang)
    local = _local(when, tz).time()
    if lang == "en":
        return f"{local.hour:02d}:{local.minute:02d}"
    # Bangla reads the hour with its day period (ভোর, সকাল, দুপুর, বিকাল, সন্ধ্যা, রাত্রি) from
    # CLDR via Babel's "B"; "টা" follows a whole hour ("১১টা"), minutes are written "১:৩০".
    period = babel_format_time(local, "B", locale="bn")
    clock = babel_format_time(local, "h" if local.minute == 0 else "h:mm", locale="bn")
    suffix = "টা" if local.minute == 0 else ""
    return to_bangla_digits(f"{period} {clock}{suffix}")


def _capfirst(value: Any) -> str:
    """Upper-case the first letter only ("today" → "Today"); Jinja's capitalize lowers the rest."""
    text = str(value)
    return text[:1].upper() + text[1:]


class _Absent(StrictUndefined):
    """A placeholder this message has no value for: false in `{% if %}`, an error when printed."""

    # StrictUndefined declares __bool__ as always raising; being false here is the point.
    def __bool__(self) -> bool:  # type: ignore[override]
        return False


# The only template constructs an SMS text needs: text, placeholders, {% if %}, comparisons,
# the whitelisted filters and tests, "~". Leaving out loops, {% set %}, calls, attribute access
# and arithmetic keeps the output about as long as the source (no "x" * 10**9 and no doubling
# loops) and gives a clear message instead of a sandbox error deep inside a render.
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Name, nodes.Const,
    nodes.Filter, nodes.Test, nodes.Keyword, nodes.Compare, nodes.Operand, nodes.And, nodes.Or,
    nodes.Not, nodes.CondExpr, nodes.Concat, nodes.Tuple, nodes.List,
)  # fmt: skip
_NODE_NAMES = {
    "For": "loops ({% for %})",
    "Assign": "{% set %}",
    "AssignBlock": "{% set %}",
    "Macro": "macros",
    "Call": "function or method calls",
    "Getattr": "attribute access (x.y)",
    "Getitem": "indexing (x[y])",
    "Slice": "slicing",
}

_env = ImmutableSandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_env.globals.clear()  # range, lipsum, cycler, … are of no use in an SMS
# Only filters that cannot blow up the output (center(10**9) could) and that a text needs.
_env.filters = {name: _env.filters[name] for name in ("upper", "lower", "trim", "default", "d")}
_env.filters["capfirst"] = _capfirst


def _parse(source: str) -> nodes.Template:
    """Parse an SMS template and refuse what SMS texts do not need; TemplateProblem otherwise."""
    try:
        tree = _env.parse(source)
    except TemplateSyntaxError as exc:
        message = f"the template cannot be read: {exc.message} (line {exc.lineno})"
        raise TemplateProblem(message) from exc
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            kind = type(node).__name__
            what = _NODE_NAMES.get(kind, "arithmetic" if isinstance(node, nodes.BinExpr) else kind)
            raise TemplateProblem(f"SMS templates cannot use {what}")
        if isinstance(node, nodes.Filter) and node.name not in _env.filters:
            allowed = ", ".join(sorted(_env.filters))
            raise TemplateProblem(f"unknown filter {node.name!r}; use only {allowed}")
        if isinstance(node, nodes.Test) and node.name not in _env.tests:
            raise TemplateProblem(f"unknown test {node.name!r}")
    return tree


def template_placeholders(source: str) -> set[str]:
    """The variables a template uses, allowed or not; TemplateProblem if it is not a valid one."""
    return set(meta.find_undeclared_variables(_parse(source)))


def _parse_time(value: Any) -> datetime:
    """An aware datetime from an ISO string (or a datetime) in the params."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(when, datetime) or when.utcoffset() is None:
        raise TemplateProblem(f"appointment_at must be an ISO time with its offset, not {value!r}")
    return when


def _parse_date(value: Any) -> date:
    """A date from an ISO string (or a date) in the params."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TemplateProblem(f"due_on must be an ISO date, not {value!r}")
    return day


def _context(params: Mapping[str, Any], lang: Lang, send_day: date, tz: tzinfo) -> dict[str, Any]:
    """The template's variables, derived from the message's params; missing ones are _Absent."""
    values: dict[str, Any] = {
        name: _Absent(hint=f"this message has no value for {name!r}")
        for name in ALLOWED_PLACEHOLDERS
    }
    try:
        if params.get("code"):
            values["code"] = format_code(str(params["code"]))
        if params.get("place"):
            values["place"] = str(params["place"])
        if params.get("appointment_at"):
            when = _parse_time(params["appointment_at"])
            values["day"] = format_day(when, send_day, lang, tz)
            values["time"] = format_time(when, lang, tz)
        if params.get("due_on"):
            values["due_day"] = format_day(_parse_date(params["due_on"]), send_day, lang)
    except TemplateProblem:
        raise
    except (TypeError, ValueError) as exc:  # e.g. a malformed ISO string
        raise TemplateProblem(f"bad message parameters: {exc}") from exc
    return values


def render_sms(
    template_source: str,
    params: Mapping[str, Any],
    *,
    lang: Lang,
    send_at: datetime,
    tz: tzinfo,
) -> str:
    """Render an SMS text in the sandbox; "today"/"tomorrow" are relative to the local send day."""
    lang = _check_lang(lang)
    unknown = template_placeholders(template_source) - ALLOWED_PLACEHOLDERS
    if unknown:
        allowed = ", ".join(sorted(ALLOWED_PLACEHOLDERS))
        raise TemplateProblem(
            f"unknown placeholder(s): {', '.join(sorted(unknown))}; use only {allowed}"
        )
    send_day = _local(send_at, tz).date()
    context = _context(params, lang, send_day, tz)
    try:
        text = _env.from_string(template_source).render(context)
    except Exception as exc:
        # The source is admin-written code: whatever goes wrong inside it (an undefined value, a
        # refused operation, a type error) is a problem with the template, reported as such.
        raise TemplateProblem(f"the template cannot be rendered: {exc}") from exc
    # One normal form, so that counting and the discretion check see what the phone will get.
    return unicodedata.normalize("NFC", text).strip()


def load_default_template(kind: str, lang: Lang, shared_phone: bool = False) -> str:
    """The default text from templates/sms/ (the shared-phone one serves every kind)."""
    lang = _check_lang(lang)
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown SMS kind {kind!r}")
    name = f"shared_phone.{lang}.txt" if shared_phone else f"{kind}.{lang}.txt"
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8").rstrip("\r\n")
