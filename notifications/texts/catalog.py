"""SMS texts: plain text with named placeholders, one per kind, variant and language.

A text is plain words with `{code}`, `{place}`, `{day}`, `{time}` or `{due_day}` where the
message's values go; rendering substitutes those values and nothing else (no template language).
The variant is chosen when the message is rendered: with or without an appointment (a follow-up
has its own), and the barer text for a shared phone. Pure functions only: the dispatcher renders
at send time, the admin's editor previews. Segment counting lives in
`notifications.texts.segments`, the discretion check in `notifications.texts.discretion`; both
are re-exported here.
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

from notifications.texts.discretion import (
    BANGLA_FORBIDDEN_WORDS,
    ENGLISH_FORBIDDEN_WORDS,
    discretion_problems,
    forbidden_words,
)
from notifications.texts.segments import SegmentInfo, count_segments

__all__ = [
    "ALLOWED_PLACEHOLDERS",
    "BANGLA_FORBIDDEN_WORDS",
    "ENGLISH_FORBIDDEN_WORDS",
    "LANGUAGES",
    "TEMPLATE_KINDS",
    "VARIANTS",
    "SegmentInfo",
    "TemplateProblem",
    "count_segments",
    "discretion_problems",
    "forbidden_words",
    "format_code",
    "format_day",
    "format_time",
    "load_default_template",
    "render_sms",
    "syntax_problem",
    "template_placeholders",
    "to_bangla_digits",
    "variant_for",
    "variant_placeholders",
]

Lang = Literal["bn", "en"]
LANGUAGES: tuple[Lang, ...] = ("bn", "en")
# The kinds with a default text: notifications.models.MESSAGE_KINDS (not imported: this layer
# stays pure) but `safety_alert`, whose text admins write per alert (notifications.engine.alerts),
# so the template editor and the defaults in templates/sms/ have none.
TEMPLATE_KINDS = (
    "referral_created",
    "appointment_changed",
    "reminder_24h",
    "reminder_2h",
    "missed_appointment",
    "follow_up_due",
)
# What a text may use. The raw params (appointment_at, due_on) are inputs, not placeholders:
# an ISO timestamp in an SMS would be unreadable.
ALLOWED_PLACEHOLDERS = frozenset({"code", "place", "day", "time", "due_day"})
# The cases a message of each kind can be in; a shared phone gets the barest text (no place).
APPOINTMENT, NO_APPOINTMENT, FOLLOW_UP = "appointment", "no_appointment", "follow_up"
SHARED = "shared_"
_CASES: dict[str, tuple[str, ...]] = {
    "referral_created": (APPOINTMENT, NO_APPOINTMENT),
    "appointment_changed": (APPOINTMENT,),
    "reminder_24h": (APPOINTMENT,),
    "reminder_2h": (APPOINTMENT,),
    "missed_appointment": (APPOINTMENT,),
    "follow_up_due": (FOLLOW_UP,),
}
# Every kind's variants: its cases on her own phone, then the same on a shared phone.
VARIANTS: dict[str, tuple[str, ...]] = {
    kind: cases + tuple(SHARED + case for case in cases) for kind, cases in _CASES.items()
}
_CASE_PLACEHOLDERS = {
    APPOINTMENT: ("code", "place", "day", "time"),
    NO_APPOINTMENT: ("code", "place"),
    FOLLOW_UP: ("code", "due_day"),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"[a-z_]+")

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "sms"

_BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_RELATIVE_DAYS: dict[str, tuple[str, str]] = {"en": ("today", "tomorrow"), "bn": ("আজ", "কাল")}


class TemplateProblem(ValueError):
    """A template (or its parameters) cannot be rendered; the message says why, for people."""


def to_bangla_digits(text: str) -> str:
    """Replace the Latin digits 0-9 with Bangla digits ০-৯ (Babel's bn formats with Latin ones)."""
    return text.translate(_BANGLA_DIGITS)


def format_code(raw: str) -> str:
    """Group a referral code for reading aloud: 9 symbols 3-3-3 ("K7P-2QX-9MN", as on the
    slip), the older 8 symbols 4-4 ("K7P2-QX9M"); anything else as it is."""
    compact = re.sub(r"[\s-]", "", raw)
    if not (compact.isascii() and compact.isalnum()):
        return raw
    if len(compact) == 9:
        return f"{compact[:3]}-{compact[3:6]}-{compact[6:]}"
    if len(compact) == 8:
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


def variant_placeholders(variant: str) -> tuple[str, ...]:
    """The placeholders a text of this variant may use (a shared phone's: no place)."""
    shared = variant.startswith(SHARED)
    names = _CASE_PLACEHOLDERS[variant.removeprefix(SHARED)]
    return tuple(name for name in names if not (shared and name == "place"))


def variant_for(kind: str, params: Mapping[str, Any], shared_phone: bool) -> str:
    """The variant a message renders with: its case (appointment known or not, a follow-up)
    and whether she shares her phone."""
    if kind not in VARIANTS:
        raise ValueError(f"unknown SMS kind {kind!r}")
    case = APPOINTMENT if params.get("appointment_at") else NO_APPOINTMENT
    if kind == "follow_up_due":
        case = FOLLOW_UP
    if case not in _CASES[kind]:
        case = _CASES[kind][0]  # e.g. a missed visit's text says no time: its one case serves
    return SHARED + case if shared_phone else case


def template_placeholders(source: str) -> list[str]:
    """The placeholder names a text uses, in order, known or not ("{ code }" reads as code)."""
    return [match.group(1).strip() for match in _PLACEHOLDER.finditer(source)]


def syntax_problem(source: str) -> str | None:
    """What keeps a text from being plain words and `{name}` placeholders, or None."""
    if re.search(r"\{\{|\}\}|\{%|%\}|\{#|#\}", source):
        return "template_syntax"
    if "{" in _PLACEHOLDER.sub("", source) or "}" in _PLACEHOLDER.sub("", source):
        return "stray_brace"
    if any(not _NAME.fullmatch(name) for name in template_placeholders(source)):
        return "bad_placeholder"
    return None


def _at_sentence_start(text: str, position: int) -> bool:
    """Whether a value inserted here starts a sentence (the text's start, or after . ! ?)."""
    before = text[:position].rstrip()
    return not before or before[-1] in ".!?।\n"


def _substitute(source: str, values: Mapping[str, str]) -> str:
    """Each {name} replaced by its value; "today" becomes "Today" where a sentence starts."""

    def value(match: re.Match[str]) -> str:
        text = values[match.group(1).strip()]
        if _at_sentence_start(source, match.start()):
            text = text[:1].upper() + text[1:]
        return text

    return _PLACEHOLDER.sub(value, source)


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


def _values(params: Mapping[str, Any], lang: Lang, send_day: date, tz: tzinfo) -> dict[str, str]:
    """The placeholders' values, derived from the message's params (only those it has)."""
    values: dict[str, str] = {}
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
    """Put the message's values into a plain text; "today"/"tomorrow" are relative to the local
    send day. TemplateProblem when the text is not plain or uses a value the message lacks."""
    lang = _check_lang(lang)
    problem = syntax_problem(template_source)
    if problem is not None:
        raise TemplateProblem(f"the text is not plain text with {{name}} placeholders ({problem})")
    used = template_placeholders(template_source)
    unknown = sorted(set(used) - ALLOWED_PLACEHOLDERS)
    if unknown:
        allowed = ", ".join(sorted(ALLOWED_PLACEHOLDERS))
        raise TemplateProblem(f"unknown placeholder(s): {', '.join(unknown)}; use only {allowed}")
    values = _values(params, lang, _local(send_at, tz).date(), tz)
    missing = sorted(set(used) - set(values))
    if missing:
        raise TemplateProblem(f"this message has no value for {', '.join(missing)}")
    # One normal form, so that counting and the discretion check see what the phone will get.
    return unicodedata.normalize("NFC", _substitute(template_source, values)).strip()


def load_default_template(kind: str, lang: Lang, variant: str) -> str:
    """The default text of a kind, variant and language, from templates/sms/."""
    lang = _check_lang(lang)
    if kind not in VARIANTS or variant not in VARIANTS[kind]:
        raise ValueError(f"no SMS text for {kind!r} in variant {variant!r}")
    path = TEMPLATE_DIR / f"{kind}.{variant}.{lang}.txt"
    return path.read_text(encoding="utf-8").rstrip("\r\n")
