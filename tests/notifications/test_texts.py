"""SMS texts: Bangla digits, day and time phrases, sandboxed rendering, the default templates."""

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.texts.catalog import (
    ALLOWED_PLACEHOLDERS,
    LANGUAGES,
    TEMPLATE_DIR,
    TEMPLATE_KINDS,
    TemplateProblem,
    count_segments,
    discretion_problems,
    format_code,
    format_day,
    format_time,
    load_default_template,
    render_sms,
    template_placeholders,
    to_bangla_digits,
)

DHAKA = ZoneInfo("Asia/Dhaka")  # UTC+6, no daylight saving
WED_11 = datetime(2026, 12, 2, 11, 0, tzinfo=DHAKA)  # Wednesday 2 December, as in UX.md
PARAMS = {"code": "K7P2QX9M", "place": "Shapla Point", "appointment_at": WED_11.isoformat()}


def at(hour: int, minute: int = 0, day: int = 2, month: int = 12) -> datetime:
    """A time in Dhaka around the Wednesday 2 December 2026 visit."""
    return datetime(2026, month, day, hour, minute, tzinfo=DHAKA)


def render(source: str, params: dict, lang: str, send_at: datetime) -> str:
    """Render in Dhaka."""
    return render_sms(source, params, lang=lang, send_at=send_at, tz=DHAKA)


# --- digits and codes ---------------------------------------------------------------------------


def test_to_bangla_digits() -> None:
    assert to_bangla_digits("0123456789 at 11:30, K7P2") == "০১২৩৪৫৬৭৮৯ at ১১:৩০, K৭P২"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("K7P2QX9M", "K7P2-QX9M"), ("K7P2-QX9M", "K7P2-QX9M"), ("k7p2 qx9m", "k7p2-qx9m"),
     ("ABC", "ABC"), ("K7P2QX9MZ", "K7P2QX9MZ"), ("K7P2QX9ম", "K7P2QX9ম")],
)  # fmt: skip
def test_format_code(raw: str, shown: str) -> None:
    assert format_code(raw) == shown


# --- times --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "bn", "en"),
    [
        (0, 0, "রাত্রি ১২টা", "00:00"),
        (4, 0, "ভোর ৪টা", "04:00"),
        (6, 0, "সকাল ৬টা", "06:00"),
        (11, 0, "সকাল ১১টা", "11:00"),
        (12, 0, "দুপুর ১২টা", "12:00"),
        (13, 30, "দুপুর ১:৩০", "13:30"),
        (16, 0, "বিকাল ৪টা", "16:00"),
        (18, 0, "সন্ধ্যা ৬টা", "18:00"),
        (19, 0, "সন্ধ্যা ৭টা", "19:00"),
        (20, 0, "রাত্রি ৮টা", "20:00"),
        (23, 0, "রাত্রি ১১টা", "23:00"),
        (23, 45, "রাত্রি ১১:৪৫", "23:45"),
    ],
)
def test_format_time(hour: int, minute: int, bn: str, en: str) -> None:
    assert format_time(at(hour, minute), "bn") == bn
    assert format_time(at(hour, minute), "en") == en


def test_format_time_converts_to_the_given_zone() -> None:
    utc = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
    assert format_time(utc, "en", DHAKA) == "11:00"
    assert format_time(utc, "bn", DHAKA) == "সকাল ১১টা"
    assert format_time(utc, "en") == "05:00"  # no tz: its own zone


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 12, 2, 11), "en")
    with pytest.raises(ValueError, match="timezone-aware"):
        format_day(datetime(2026, 12, 2, 11), date(2026, 12, 1), "en")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        format_time(WED_11, "fr")  # type: ignore[arg-type]


# --- days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("send_day", "en", "bn"),
    [
        (date(2026, 12, 2), "today", "আজ"),
        (date(2026, 12, 1), "tomorrow", "কাল"),
        (date(2026, 11, 30), "Wed 2 Dec", "বুধ ২ ডিসে"),
        (date(2026, 12, 3), "Wed 2 Dec", "বুধ ২ ডিসে"),  # already past: no "yesterday"
    ],
)
def test_format_day_relative_to_the_send_day(send_day: date, en: str, bn: str) -> None:
    assert format_day(WED_11, send_day, "en") == en
    assert format_day(WED_11, send_day, "bn") == bn


def test_format_day_takes_a_plain_date() -> None:
    assert format_day(date(2026, 12, 2), date(2026, 12, 1), "bn") == "কাল"
    assert format_day(date(2026, 10, 29), date(2026, 10, 1), "bn") == "বৃহস্পতি ২৯ অক্টো"


def test_today_and_tomorrow_follow_dhaka_midnight_not_utc() -> None:
    # 23:30 Dhaka on Tue 1 Dec is 17:30 UTC; an appointment at 00:30 Dhaka on Wed 2 Dec is
    # 18:30 UTC on the same UTC day, but it is tomorrow for her.
    send = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)
    appt = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    send_day = send.astimezone(DHAKA).date()
    assert format_day(appt, send_day, "en", DHAKA) == "tomorrow"
    assert format_day(appt, send_day, "bn", DHAKA) == "কাল"
    assert format_time(appt, "bn", DHAKA) == "রাত্রি ১২:৩০"
    # 00:10 Dhaka on Wed 2 Dec is 18:10 UTC on Tue 1 Dec; 11:00 that Wednesday is today.
    send = datetime(2026, 12, 1, 18, 10, tzinfo=UTC)
    appt = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)
    assert format_day(appt, send.astimezone(DHAKA).date(), "en", DHAKA) == "today"


def test_bangla_days_have_no_latin_digits_all_year() -> None:
    start = date(2026, 1, 1)
    for offset in range(365):
        text = format_day(start + timedelta(days=offset), date(2025, 1, 1), "bn")
        assert not any(ch.isascii() and ch.isdigit() for ch in text), text
        assert count_segments(text).encoding == "UCS-2"


# --- rendering ----------------------------------------------------------------------------------


def test_template_placeholders() -> None:
    source = "{% if time %}{{ day }} {{ time }}{% endif %} {{ code|upper }} {{ nickname }}"
    assert template_placeholders(source) == {"time", "day", "code", "nickname"}
    assert sorted(ALLOWED_PLACEHOLDERS) == ["code", "day", "due_day", "place", "time"]


def test_render_derives_day_time_code_and_place() -> None:
    text = render("{{ day }}|{{ time }}|{{ code }}|{{ place }}", PARAMS, "en", at(9, day=1))
    assert text == "tomorrow|11:00|K7P2-QX9M|Shapla Point"


def test_render_due_day() -> None:
    params = {"code": "K7P2QX9M", "due_on": "2026-12-02"}
    assert render("{{ due_day }}", params, "bn", at(9, day=2)) == "আজ"
    assert render("{{ due_day }}", params, "bn", at(9, day=1)) == "কাল"
    assert render("{{ due_day }}", params, "en", at(9, day=1) - timedelta(days=3)) == "Wed 2 Dec"


def test_render_uses_the_send_day_in_the_zone() -> None:
    send = datetime(2026, 12, 1, 18, 10, tzinfo=UTC)  # 00:10 on 2 Dec in Dhaka
    assert render("{{ day|capfirst }} {{ time }}", PARAMS, "en", send) == "Today 11:00"


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("Hi {{ nickname }}", "nickname"),
        ("At {{ appointment_at }}", "appointment_at"),
        ("{{ range }}", "range"),
        ("{{ config }}", "config"),
    ],
)
def test_unknown_placeholder_is_a_template_problem(source: str, needle: str) -> None:
    with pytest.raises(TemplateProblem, match=f"unknown placeholder.*{needle}"):
        render(source, PARAMS, "en", at(9))


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{% if time %}", "cannot be read"),
        ("{{ code|center(1000000000) }}", "unknown filter 'center'"),
        ("{% if code is callable %}x{% endif %}{% if code is nonsense %}x{% endif %}", "nonsense"),
        ("{{ code * 100000000 }}", "arithmetic"),
        ("{{ '%0999999999d' % 1 }}", "arithmetic"),
        ("{{ -1 }}", "Neg"),
        ("{{ code.__class__.__mro__ }}", "attribute access"),
        ("{{ code['__class__'] }}", "indexing"),
        ("{{ code[:2] }}", "indexing"),
        ("{{ '{:>999999999}'.format(1) }}", "calls"),
        ("{{ code.upper() }}", "calls"),
        ("{% for x in code %}{% for y in code %}{{ x }}{% endfor %}{% endfor %}", "loops"),
        ("{% set a = code ~ code %}{{ a }}", "{% set %}"),
        ("{% macro m() %}x{% endmacro %}", "macros"),
        ("{% include 'x.txt' %}", "Include"),
        ("{% extends 'x.txt' %}", "Extends"),
    ],
)
def test_dangerous_or_broken_templates_are_template_problems(source: str, reason: str) -> None:
    with pytest.raises(TemplateProblem, match=re.escape(reason)):
        render(source, PARAMS, "en", at(9))
    with pytest.raises(TemplateProblem):
        template_placeholders(source)


def test_the_constructs_an_sms_needs_are_allowed() -> None:
    source = (
        "{# a comment #}{% if day in ('today', 'tomorrow') and time is defined %}"
        "{{ day|capfirst ~ ' ' ~ time }}{% elif not code %}x{% else %}{{ day|upper }}{% endif %}"
        "{{ ' ' if place else '' }}{{ place|lower|trim }}{{ due_day|d('') }}"
    )
    assert render(source, PARAMS, "en", at(9, day=1)) == "Tomorrow 11:00 shapla point"
    assert render(source, PARAMS, "en", at(9, day=1, month=11)) == "WED 2 DEC shapla point"


def test_missing_value_is_false_in_if_and_an_error_when_printed() -> None:
    params = {"code": "K7P2QX9M", "place": "Shapla Point"}
    source = "{% if time %}{{ time }}{% else %}no time{% endif %}"
    assert render(source, params, "en", at(9)) == "no time"
    assert render("{{ time|default('later') }}", params, "en", at(9)) == "later"
    with pytest.raises(TemplateProblem, match="no value for 'time'"):
        render("At {{ time }}", params, "en", at(9))


@pytest.mark.parametrize(
    "params",
    [
        {**PARAMS, "appointment_at": "next Tuesday"},
        {**PARAMS, "appointment_at": "2026-12-02T11:00:00"},  # no offset
        {"code": "K7P2QX9M", "due_on": "2026-12-02T11:00:00+06:00"},  # a time, not a date
        {"code": "K7P2QX9M", "due_on": "soon"},
    ],
)
def test_bad_parameters_are_template_problems(params: dict) -> None:
    with pytest.raises(TemplateProblem):
        render("{{ code }}{% if time %}{{ time }}{% endif %}{{ due_day|default('') }}", params,
               "en", at(9))  # fmt: skip


def test_no_html_escaping_and_output_is_nfc_and_stripped() -> None:
    params = {"code": "K7P2QX9M", "place": "A&B <Point> \u09df"}  # precomposed য়
    text = render("  {{ place }}\n", params, "en", at(9))
    assert text == "A&B <Point> \u09af\u09bc"
    assert text == unicodedata.normalize("NFC", text)


def test_capfirst_only_touches_the_first_letter() -> None:
    assert render("{{ day|capfirst }}", PARAMS, "en", at(9, day=1) - timedelta(days=2)) == (
        "Wed 2 Dec"
    )


# --- default templates --------------------------------------------------------------------------

VARIANTS = [(kind, lang, False) for kind in TEMPLATE_KINDS for lang in LANGUAGES] + [
    ("referral_created", lang, True) for lang in LANGUAGES
]
# Send moments: a week ahead, the day before and two hours before the Wednesday 11:00 visit.
SENDS = [at(15, day=25, month=11), at(11, day=1), at(9, day=2)]


def typical_params(kind: str) -> dict:
    """The params the outbox stores for each kind (code, place, appointment_at / due_on)."""
    params = {"code": "K7P2QX9M", "place": "Shapla Point"}
    if kind == "follow_up_due":
        params["due_on"] = "2026-12-02"
    elif kind != "missed_appointment":
        params["appointment_at"] = WED_11.astimezone(UTC).isoformat()
    return params


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", [*TEMPLATE_KINDS, "shared_phone"])
def test_default_template_files_exist_and_use_only_allowed_placeholders(
    kind: str, lang: str
) -> None:
    raw = (TEMPLATE_DIR / f"{kind}.{lang}.txt").read_text(encoding="utf-8")
    assert raw.endswith("\n") and not raw.endswith("\n\n")
    assert raw == unicodedata.normalize("NFC", raw)
    assert template_placeholders(raw) <= ALLOWED_PLACEHOLDERS


@pytest.mark.parametrize(("kind", "lang", "shared"), VARIANTS)
@pytest.mark.parametrize("send_at", SENDS, ids=["week-before", "day-before", "same-day"])
@pytest.mark.parametrize("hour", [6, 11, 13.5, 19.5, 23])
def test_every_default_template_is_discreet_and_one_segment(
    kind: str, lang: str, shared: bool, send_at: datetime, hour: float
) -> None:
    params = typical_params(kind)
    if "appointment_at" in params:
        when = at(int(hour), int(hour % 1 * 60))
        params["appointment_at"] = when.isoformat()
    source = load_default_template(kind, lang, shared_phone=shared)
    text = render(source, params, lang, send_at)
    info = count_segments(text)
    assert info.segments == 1, (info, text)
    assert info.encoding == ("UCS-2" if lang == "bn" else "GSM-7"), text
    assert "K7P2-QX9M" in text
    problems = discretion_problems(
        text, clinic_names=["Marie Stopes Mirpur"], nicknames=["Moni"], ignore=["K7P2-QX9M"]
    )
    assert problems == [], text
    if lang == "bn":
        assert not any(ch.isascii() and ch.isdigit() for ch in text.replace("K7P2-QX9M", ""))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("shared", [False, True])
def test_every_kind_renders_with_the_shared_phone_text(lang: str, shared: bool) -> None:
    for kind in TEMPLATE_KINDS:
        text = render(load_default_template(kind, lang, shared), typical_params(kind), lang, at(9))
        assert count_segments(text).segments == 1
        assert discretion_problems(text, ignore=["K7P2-QX9M"]) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("shared", [False, True])
def test_referral_without_an_appointment_still_renders(lang: str, shared: bool) -> None:
    params = {"code": "K7P2QX9M", "place": "Shapla Point"}
    text = render(load_default_template("referral_created", lang, shared), params, lang, at(9))
    assert "K7P2-QX9M" in text
    assert count_segments(text).segments == 1
    assert discretion_problems(text, ignore=["K7P2-QX9M"]) == []


# The UX.md examples (Shapla Point, Wednesday 2 December 11:00, code K7P2-QX9M), word for word
# where the day is not relative; "today"/"tomorrow" now come from the send day.
EXPECTED = [
    ("referral_created", "bn", at(15, day=25, month=11),
     "Shapla Point-এ আপনার সময় বুধ ২ ডিসে, সকাল ১১টা। কোড K7P2-QX9M"),
    ("referral_created", "en", at(15, day=25, month=11),
     "Your visit at Shapla Point: Wed 2 Dec, 11:00. Show code K7P2-QX9M."),
    ("reminder_24h", "bn", at(11, day=1),
     "মনে রাখবেন: কাল সকাল ১১টা, Shapla Point। কোড K7P2-QX9M"),
    ("reminder_24h", "en", at(11, day=1),
     "Reminder: tomorrow 11:00 at Shapla Point. Code K7P2-QX9M."),
    ("reminder_2h", "bn", at(9), "আজ সকাল ১১টা, Shapla Point। কোড K7P2-QX9M"),
    ("reminder_2h", "en", at(9), "Today 11:00 at Shapla Point. Code K7P2-QX9M."),
    ("appointment_changed", "bn", at(15, day=25, month=11),
     "নতুন সময় বুধ ২ ডিসে, সকাল ১১টা, Shapla Point। কোড K7P2-QX9M"),
    ("appointment_changed", "en", at(15, day=25, month=11),
     "New time: Wed 2 Dec, 11:00 at Shapla Point. Code K7P2-QX9M."),
    ("missed_appointment", "bn", at(15),
     "আপনাকে পাইনি। নতুন সময়ের জন্য আপাকে বলুন। কোড K7P2-QX9M"),
    ("missed_appointment", "en", at(15),
     "We missed you. Ask your apa for a new time. Code K7P2-QX9M."),
    ("follow_up_due", "bn", at(15, day=25, month=11),
     "বুধ ২ ডিসে আবার যাওয়ার সময়। আপাকে বলুন। কোড K7P2-QX9M"),
    ("follow_up_due", "en", at(15, day=25, month=11),
     "Time for your next visit: Wed 2 Dec. Ask your apa. Code K7P2-QX9M."),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "lang", "send_at", "expected"), EXPECTED)
def test_default_copy(kind: str, lang: str, send_at: datetime, expected: str) -> None:
    text = render(load_default_template(kind, lang), typical_params(kind), lang, send_at)
    assert text == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("bn", "বুধ ২ ডিসে, সকাল ১১টা। কোড K7P2-QX9M"), ("en", "Wed 2 Dec, 11:00. Code K7P2-QX9M.")],
)
def test_shared_phone_copy(lang: str, expected: str) -> None:
    source = load_default_template("reminder_24h", lang, shared_phone=True)
    week_before = at(15, day=25, month=11)
    assert render(source, typical_params("reminder_24h"), lang, week_before) == expected


def test_load_default_template_strips_the_newline_and_checks_its_arguments() -> None:
    source = load_default_template("missed_appointment", "en")
    assert source == "We missed you. Ask your apa for a new time. Code {{ code }}."
    with pytest.raises(ValueError, match="kind"):
        load_default_template("../../secrets", "en")
    with pytest.raises(ValueError, match="language"):
        load_default_template("reminder_2h", "fr")  # type: ignore[arg-type]
