"""The checks an SMS template must pass before it is saved, on sample values.

A template is refused when it cannot be read, uses a placeholder a message does not have, says
something that could expose a member (the discretion check, on its literal text and on sample
renderings), names a clinic, or renders over two segments with the longest values a real message
can carry. The editor shows the same result as its preview (samples, encoding, segments, cost).
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
from jinja2 import Environment, nodes

from core.errors import NotFound
from notifications import names
from notifications.texts.catalog import (
    ALLOWED_PLACEHOLDERS,
    LANGUAGES,
    TEMPLATE_KINDS,
    SegmentInfo,
    TemplateProblem,
    count_segments,
    discretion_problems,
    format_code,
    format_day,
    format_time,
    render_sms,
    template_placeholders,
)

MAX_SEGMENTS = 2
MAX_SOURCE_LENGTH = 1000
# A shared phone may be read by others: the barest text, time and code only (DESIGN.md).
SHARED_PHONE_PLACEHOLDERS = frozenset({"code", "day", "time", "due_day"})
_PRICE_DEFAULT, _CURRENCY_DEFAULT = 0.0537, "USD"

SAMPLE_CODE = "K7P2QX9M"
SAMPLE_PLACE = "Shapla Point"
# The longest clinic aliases allowed (20 characters), in Latin and in Bangla script: a Bangla
# alias turns an English text into UCS-2, which is the worst case for its segment count.
WORST_PLACES = ("Kamalapur Point East", "শাপলা পয়েন্ট মিরপুর")
# Which parameters each kind's messages carry (referrals.services.messaging): a template must
# render for every one of these, or the dispatcher would fail the message at send time.
_APPOINTMENT, _NO_APPOINTMENT, _FOLLOW_UP = "appointment", "no_appointment", "follow_up"
KIND_PARAM_SETS: dict[str, tuple[str, ...]] = {
    "referral_created": (_APPOINTMENT, _NO_APPOINTMENT),
    "appointment_changed": (_APPOINTMENT,),
    "reminder_24h": (_APPOINTMENT,),
    "reminder_2h": (_APPOINTMENT,),
    "missed_appointment": (_APPOINTMENT,),
    "follow_up_due": (_FOLLOW_UP,),
}
SET_LABELS = {
    _APPOINTMENT: "with an appointment",
    _NO_APPOINTMENT: "without an appointment",
    _FOLLOW_UP: "follow-up",
}
_HEALTH_WORD = re.compile(r'^"(.+)" may reveal')


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def check_variant(kind: str, lang: str) -> None:
    """NotFound for a kind or language that has no template."""
    if kind not in TEMPLATE_KINDS or lang not in LANGUAGES:
        raise NotFound("No such SMS template.")


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


def _params(which: str, *, appointment: datetime, due: date, place: str) -> dict[str, Any]:
    """The parameters a message of this shape carries."""
    if which == _FOLLOW_UP:
        return {"code": SAMPLE_CODE, "due_on": due.isoformat()}
    params: dict[str, Any] = {"code": SAMPLE_CODE, "place": place}
    if which == _APPOINTMENT:
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


def typical_samples(kind: str) -> list[tuple[str, dict[str, Any], datetime]]:
    """(label, params, send_at) with the values of UX.md's examples: Shapla Point, Wed 2 Dec
    11:00, code K7P2-QX9M."""
    tz = _zone()
    appointment = datetime(2026, 12, 2, 11, 0, tzinfo=tz)
    send_at = _typical_send_at(kind, appointment)
    due = appointment.date()
    return [
        (which, _params(which, appointment=appointment, due=due, place=SAMPLE_PLACE), send_at)
        for which in KIND_PARAM_SETS[kind]
    ]


def worst_samples(kind: str, lang: str) -> list[tuple[str, dict[str, Any], datetime]]:
    """(label, params, send_at) with the longest values a message of this kind can carry."""
    tz = _zone()
    day = _longest_day(lang)
    hour, minute = _longest_time(lang, current_app.config["APP_TIMEZONE"])
    appointment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    send_at = appointment - timedelta(days=7)
    return [
        (which, _params(which, appointment=appointment, due=day, place=place), send_at)
        for which in KIND_PARAM_SETS[kind]
        for place in WORST_PLACES
    ]


# -- the checks -------------------------------------------------------------------------------


def _literal_text(source: str) -> str:
    """Every piece of text the template itself holds (also inside branches a sample skips)."""
    tree = Environment(autoescape=False).parse(source)  # noqa: S701 - parsed, never rendered
    parts = [node.data for node in tree.find_all(nodes.TemplateData)]
    parts += [node.value for node in tree.find_all(nodes.Const) if isinstance(node.value, str)]
    return "\n".join(parts)


def _clinic_names() -> list[str]:
    """The directory's clinic names (from the name source clinics registers)."""
    return names.all_names("clinic")


def _explain(problems: list[str]) -> list[str]:
    """discretion_problems' findings as the admin reads them ("contains a health word: HIV")."""
    words: list[str] = []
    others: list[str] = []
    for problem in problems:
        match = _HEALTH_WORD.match(problem)
        if match:
            words.append(match.group(1))
        else:
            others.append(problem)
    explained = [f"contains a health word: {', '.join(dict.fromkeys(words))}"] if words else []
    return explained + list(dict.fromkeys(others))


@dataclass
class SampleRender:
    """One sample rendering of a template."""

    label: str
    text: str | None = None
    info: SegmentInfo | None = None
    error: str | None = None


@dataclass
class Check:
    """What the editor shows for one language: samples, cost and every reason to refuse."""

    lang: str
    samples: list[SampleRender] = field(default_factory=list)
    worst_segments: int | None = None
    cost_per_message: float | None = None
    currency: str = _CURRENCY_DEFAULT
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the template may be saved."""
        return not self.problems


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


def _render(source: str, params: dict, lang: str, send_at: datetime) -> tuple[str | None, str]:
    try:
        text = render_sms(source, params, lang=lang, send_at=send_at, tz=_zone())  # type: ignore[arg-type]
    except TemplateProblem as exc:
        return None, str(exc)
    return text, ""


def check_template(kind: str, lang: str, shared_phone: bool, source: str) -> Check:
    """Render a template on sample values and collect every reason it may not be saved."""
    check_variant(kind, lang)
    price, currency = price_per_segment()
    result = Check(lang=lang, currency=currency)
    if not source.strip():
        result.problems.append("the text is empty")
        return result
    if len(source) > MAX_SOURCE_LENGTH:
        result.problems.append(f"the template is longer than {MAX_SOURCE_LENGTH} characters")
        return result
    try:
        used = template_placeholders(source)
        literal = _literal_text(source)
    except TemplateProblem as exc:
        result.problems.append(str(exc))
        return result
    unknown = used - ALLOWED_PLACEHOLDERS
    if unknown:
        allowed = ", ".join(sorted(ALLOWED_PLACEHOLDERS))
        result.problems.append(
            f"unknown placeholder(s): {', '.join(sorted(unknown))}; use only {allowed}"
        )
        return result
    if shared_phone and used - SHARED_PHONE_PLACEHOLDERS:
        result.problems.append(
            "a shared-phone text shows only the time and the code; remove: "
            + ", ".join(sorted(used - SHARED_PHONE_PLACEHOLDERS))
        )
    clinics = _clinic_names()
    found = discretion_problems(literal, clinic_names=clinics)
    code = format_code(SAMPLE_CODE)
    for label, params, send_at in typical_samples(kind):
        text, error = _render(source, params, lang, send_at)
        sample = SampleRender(SET_LABELS[label], text=text, error=error or None)
        if text is not None:
            sample.info = count_segments(text)
            found += discretion_problems(text, clinic_names=clinics, ignore=[code, SAMPLE_CODE])
            if not text.strip():
                result.problems.append(f"renders as an empty text ({SET_LABELS[label]})")
        else:
            result.problems.append(f"cannot be rendered {SET_LABELS[label]}: {error}")
        result.samples.append(sample)
    result.problems += _explain(found)
    worst = 0
    for _label, params, send_at in worst_samples(kind, lang):
        text, _error = _render(source, params, lang, send_at)
        if text is not None:
            worst = max(worst, count_segments(text).segments)
    if worst:
        result.worst_segments = worst
        result.cost_per_message = round(worst * price, 4)
    if worst > MAX_SEGMENTS:
        result.problems.append(
            f"renders as {worst} SMS segments with the longest values "
            f"(at most {MAX_SEGMENTS}); shorten it"
        )
    return result
