"""The checks an SMS text must pass before it is saved, on sample values.

A text is refused when it is not plain words with `{name}` placeholders, uses a placeholder its
case has no value for, lacks `{code}`, says something that could expose a member (the discretion
check, on the text and on sample renderings), names a clinic, or renders over two segments with
the longest values a real message can carry. The editor shows the same result as its preview
(samples, encoding, segments, cost); each reason is a sentence in the reader's language.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from core.errors import NotFound
from core.i18n import N_, Text
from notifications import names
from notifications.texts.catalog import (
    FOLLOW_UP,
    LANGUAGES,
    NO_APPOINTMENT,
    SHARED,
    VARIANTS,
    SegmentInfo,
    TemplateProblem,
    count_segments,
    discretion_problems,
    format_code,
    format_day,
    format_time,
    render_sms,
    syntax_problem,
    template_placeholders,
    variant_placeholders,
)

MAX_SEGMENTS = 2
MAX_SOURCE_LENGTH = 1000
_PRICE_DEFAULT, _CURRENCY_DEFAULT = 0.0537, "USD"

# A real referral code (9 symbols of Crockford base32, the last one its check symbol), shown as
# the slip and the SMS show it: K7P-2QX-9MN.
SAMPLE_CODE = "K7P2QX9MN"
SAMPLE_PLACE = "Shapla Point"
# The longest clinic aliases allowed (20 characters), in Latin and in Bangla script: a Bangla
# alias turns an English text into UCS-2, which is the worst case for its segment count.
WORST_PLACES = ("Kamalapur Point East", "শাপলা পয়েন্ট মিরপুর")
_HEALTH_WORD = re.compile(r'^"(.+)" may reveal')
_CLINIC_NAME = re.compile(r'^names the clinic \("(.+)"\)')
_SYNTAX = {
    "template_syntax": N_(
        "Write each placeholder in single braces, like {code}: double braces and template "
        "commands are not used any more."
    ),
    "stray_brace": N_("A brace { or } that is not part of a placeholder: write them as {code}."),
    "bad_placeholder": N_("A placeholder is a name in braces, like {code} or {due_day}."),
}


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def check_variant(kind: str, lang: str, variant: str) -> None:
    """NotFound for a kind, variant or language that has no text."""
    if kind not in VARIANTS or variant not in VARIANTS[kind] or lang not in LANGUAGES:
        raise NotFound(N_("No such SMS template."))


# -- sample values ----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _longest_day(lang: str) -> date:
    """The date whose written form ("বৃহস্পতি ১২ মার্চ") is longest in this language."""
    far = date(2000, 1, 1)  # never "today"/"tomorrow": those are shorter in both languages
    days = [date(2027, 1, 1) + timedelta(days=i) for i in range(366)]
    return max(days, key=lambda d: len(format_day(d, far, lang)))  # type: ignore[arg-type]


@lru_cache(maxsize=8)
def _longest_time(lang: str, zone_name: str) -> tuple[int, int]:
    """The (hour, minute) whose written form ("রাত্রি ১২:০১") is longest in this language."""
    tz = ZoneInfo(zone_name)
    # Minutes are always two digits; only ":00" reads differently ("১১টা"), so these suffice.
    candidates = [(h, m) for h in range(24) for m in (0, 1, 30, 59)]
    return max(
        candidates,
        key=lambda hm: len(format_time(datetime(2027, 1, 4, hm[0], hm[1], tzinfo=tz), lang)),  # type: ignore[arg-type]
    )


def _params(variant: str, *, appointment: datetime, due: date, place: str) -> dict[str, Any]:
    """The parameters a message of this variant carries."""
    case = variant.removeprefix(SHARED)
    if case == FOLLOW_UP:
        return {"code": SAMPLE_CODE, "due_on": due.isoformat()}
    params: dict[str, Any] = {"code": SAMPLE_CODE, "place": place}
    if case != NO_APPOINTMENT:
        params["appointment_at"] = appointment.isoformat()
    return params


def _typical_send_at(kind: str, appointment: datetime) -> datetime:
    """When the dispatcher would send this kind, so "today"/"tomorrow" read as they will."""
    if kind == "reminder_24h":
        return appointment - timedelta(hours=24)
    if kind == "reminder_2h":
        return appointment - timedelta(hours=2)
    if kind == "missed_appointment":
        return appointment + timedelta(hours=25)
    return appointment - timedelta(days=3)


def typical_sample(kind: str, variant: str) -> tuple[dict[str, Any], datetime]:
    """(params, send_at) with the values of UX.md's examples: Shapla Point, Wed 2 Dec 11:00."""
    appointment = datetime(2026, 12, 2, 11, 0, tzinfo=_zone())
    params = _params(variant, appointment=appointment, due=appointment.date(), place=SAMPLE_PLACE)
    return params, _typical_send_at(kind, appointment)


def worst_samples(variant: str, lang: str) -> list[tuple[dict[str, Any], datetime]]:
    """(params, send_at) with the longest values a message of this variant can carry."""
    day = _longest_day(lang)
    hour, minute = _longest_time(lang, current_app.config["APP_TIMEZONE"])
    appointment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=_zone())
    send_at = appointment - timedelta(days=7)
    return [
        (_params(variant, appointment=appointment, due=day, place=place), send_at)
        for place in WORST_PLACES
    ]


# -- the checks -------------------------------------------------------------------------------


@dataclass
class Check:
    """What the editor shows for one language: a sample, its cost and every reason to refuse."""

    lang: str
    sample: str | None = None
    info: SegmentInfo | None = None
    worst_segments: int | None = None
    cost_per_message: float | None = None
    currency: str = _CURRENCY_DEFAULT
    problems: list[Text] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the text may be saved."""
        return not self.problems

    def refuse(self, msgid: str, **params: object) -> None:
        """Add a reason to refuse, a sentence with its parameters."""
        self.problems.append(Text(msgid, params))


def _setting(name: str, default: Any) -> Any:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    return default if value is None or value == "" else value


def price_per_segment() -> tuple[float, str]:
    """(SMS_PRICE_PER_SEGMENT, SMS_PRICE_CURRENCY) from the config, else the environment."""
    try:
        price = float(_setting("SMS_PRICE_PER_SEGMENT", _PRICE_DEFAULT))
    except (TypeError, ValueError):
        price = _PRICE_DEFAULT
    return price, str(_setting("SMS_PRICE_CURRENCY", _CURRENCY_DEFAULT))


def _render(source: str, params: dict, lang: str, send_at: datetime) -> str | None:
    try:
        return render_sms(source, params, lang=lang, send_at=send_at, tz=_zone())  # type: ignore[arg-type]
    except TemplateProblem:
        return None


def _braces(names_: list[str]) -> str:
    return ", ".join("{" + name + "}" for name in dict.fromkeys(names_))


def _check_placeholders(result: Check, source: str, variant: str) -> bool:
    """The text's form and placeholders; False when it cannot be rendered at all."""
    problem = syntax_problem(source)
    if problem is not None:
        result.refuse(_SYNTAX[problem])
        return False
    used = template_placeholders(source)
    allowed = variant_placeholders(variant)
    others = [name for name in used if name not in allowed]
    if others:
        result.refuse(
            N_("This text cannot use %(names)s; it may use %(allowed)s."),
            names=_braces(others),
            allowed=_braces(list(allowed)),
        )
        return False
    if "code" not in used:
        result.refuse(N_("The text must show the referral code: add {code}."))
    return True


def _check_discretion(result: Check, found: list[str]) -> None:
    """discretion_problems' findings as sentences ("…may reveal health…: HIV")."""
    words = [m.group(1) for p in found if (m := _HEALTH_WORD.match(p))]
    clinics = [m.group(1) for p in found if (m := _CLINIC_NAME.match(p))]
    if words:
        result.refuse(
            N_("It holds a word that may reveal health, HIV or sex work: %(words)s."),
            words=", ".join(dict.fromkeys(words)),
        )
    for clinic in dict.fromkeys(clinics):
        result.refuse(N_("It names a clinic (%(name)s): use {place}, its SMS alias."), name=clinic)


def check_template(kind: str, lang: str, variant: str, source: str) -> Check:
    """Render a text on sample values and collect every reason it may not be saved."""
    check_variant(kind, lang, variant)
    price, currency = price_per_segment()
    result = Check(lang=lang, currency=currency)
    if not source.strip():
        result.refuse(N_("The text is empty."))
        return result
    if len(source) > MAX_SOURCE_LENGTH:
        result.refuse(N_("The text is longer than %(n)s characters."), n=MAX_SOURCE_LENGTH)
        return result
    if not _check_placeholders(result, source, variant):
        return result
    clinics = names.all_names("clinic")
    code = format_code(SAMPLE_CODE)
    found = discretion_problems(source, clinic_names=clinics, ignore=[code, SAMPLE_CODE])
    params, send_at = typical_sample(kind, variant)
    result.sample = _render(source, params, lang, send_at)
    if result.sample is not None:
        result.info = count_segments(result.sample)
        found += discretion_problems(result.sample, clinic_names=clinics, ignore=[code])
    _check_discretion(result, found)
    worst = max(
        (count_segments(text).segments for params, at in worst_samples(variant, lang)
         if (text := _render(source, params, lang, at)) is not None),
        default=0,
    )  # fmt: skip
    if worst:
        result.worst_segments = worst
        result.cost_per_message = round(worst * price, 4)
    if worst > MAX_SEGMENTS:
        result.refuse(
            N_(
                "With the longest values it takes %(n)s SMS segments (at most %(max)s): shorten it."
            ),
            n=worst,
            max=MAX_SEGMENTS,
        )
    return result
