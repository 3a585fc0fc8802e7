"""SMS texts: Bangla digits, day and time phrases, plain-text rendering, the default texts."""

import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.texts.catalog import (
    ALLOWED_PLACEHOLDERS,
    LANGUAGES,
    TEMPLATE_DIR,
    TEMPLATE_KINDS,
    VARIANTS,
    TemplateProblem,
    count_segments,
    discretion_problems,
    format_code,
    format_day,
    format_time,
    load_default_template,
    render_sms,
    syntax_problem,
    template_placeholders,
    to_bangla_digits,
    variant_for,
    variant_placeholders,
)

DHAKA = ZoneInfo("Asia/Dhaka")  # UTC+6, no daylight saving
WED_11 = datetime(2026, 12, 2, 11, 0, tzinfo=DHAKA)  # Wednesday 2 December, as in UX.md
PARAMS = {"code": "K7P-2QX-9MN", "place": "Shapla Point", "appointment_at": WED_11.isoformat()}
CODE = "K7P-2QX-9MN"  # a real referral code, as the slip and the SMS show it


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
    [("K7P2QX9MN", "K7P-2QX-9MN"), ("K7P-2QX-9MN", "K7P-2QX-9MN"), ("k7p 2qx 9mn", "k7p-2qx-9mn"),
     ("K7P2QX9M", "K7P2-QX9M"), ("ABC", "ABC"), ("K7P2QX9MNZ", "K7P2QX9MNZ"),
     ("K7P2QX9ম", "K7P2QX9ম")],
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
    assert template_placeholders("{day} {time}, { code } {nickname}") == [
        "day", "time", "code", "nickname"
    ]  # fmt: skip
    assert sorted(ALLOWED_PLACEHOLDERS) == ["code", "day", "due_day", "place", "time"]


def test_render_derives_day_time_code_and_place() -> None:
    text = render("at {place}|{day}|{time}|{code}", PARAMS, "en", at(9, day=1))
    assert text == f"at Shapla Point|tomorrow|11:00|{CODE}"


def test_render_due_day() -> None:
    params = {"code": CODE, "due_on": "2026-12-02"}
    assert render("{due_day}", params, "bn", at(9, day=2)) == "আজ"
    assert render("{due_day}", params, "bn", at(9, day=1)) == "কাল"
    assert render("{due_day}", params, "en", at(9, day=1) - timedelta(days=3)) == "Wed 2 Dec"


def test_render_uses_the_send_day_in_the_zone() -> None:
    send = datetime(2026, 12, 1, 18, 10, tzinfo=UTC)  # 00:10 on 2 Dec in Dhaka
    assert render("{day} {time}", PARAMS, "en", send) == "Today 11:00"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{day} {time}", "Tomorrow 11:00"),
        ("See you {day}. {day}! {day}? {day}", "See you tomorrow. Tomorrow! Tomorrow? Tomorrow"),
        ("Code {code}: {day}", f"Code {CODE}: tomorrow"),
        ("{place}: {day}", "Shapla Point: tomorrow"),
    ],
)
def test_a_value_that_starts_a_sentence_starts_with_a_capital(source: str, expected: str) -> None:
    assert render(source, PARAMS, "en", at(9, day=1)) == expected


@pytest.mark.parametrize(
    ("source", "needle"),
    [("Hi {nickname}", "nickname"), ("At {appointment_at}", "appointment_at"), ("{x}", "x")],
)
def test_unknown_placeholder_is_a_template_problem(source: str, needle: str) -> None:
    with pytest.raises(TemplateProblem, match=f"unknown placeholder.*{needle}"):
        render(source, PARAMS, "en", at(9))


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ code }}", "template_syntax"),
        ("{% if time %}{time}{% endif %}", "template_syntax"),
        ("{# note #}{code}", "template_syntax"),
        ("Code {code", "stray_brace"),
        ("Code code}", "stray_brace"),
        ("{code} {", "stray_brace"),
        ("{Code}", "bad_placeholder"),
        ("{code|upper}", "bad_placeholder"),
        ("{}", "bad_placeholder"),
        ("{code.__class__}", "bad_placeholder"),
    ],
)
def test_anything_but_plain_text_and_placeholders_is_refused(source: str, problem: str) -> None:
    assert syntax_problem(source) == problem
    with pytest.raises(TemplateProblem, match=problem):
        render(source, PARAMS, "en", at(9))


def test_plain_text_is_plain() -> None:
    assert syntax_problem("50% off? {code} #1 (a) [b] <c> %(x)s ~") is None
    assert render("50% {code} %(x)s", PARAMS, "en", at(9)) == f"50% {CODE} %(x)s"


def test_a_value_the_message_lacks_is_a_template_problem() -> None:
    params = {"code": CODE, "place": "Shapla Point"}
    with pytest.raises(TemplateProblem, match="no value for time"):
        render("At {time}", params, "en", at(9))


@pytest.mark.parametrize(
    "params",
    [
        {**PARAMS, "appointment_at": "next Tuesday"},
        {**PARAMS, "appointment_at": "2026-12-02T11:00:00"},  # no offset
        {"code": CODE, "due_on": "2026-12-02T11:00:00+06:00"},  # a time, not a date
        {"code": CODE, "due_on": "soon"},
    ],
)
def test_bad_parameters_are_template_problems(params: dict) -> None:
    with pytest.raises(TemplateProblem):
        render("{code}", params, "en", at(9))


def test_values_are_inserted_as_they_are_and_output_is_nfc_and_stripped() -> None:
    params = {"code": CODE, "place": "A&B <Point> {code} \u09df"}  # precomposed য়
    text = render("  {place}\n", params, "en", at(9))
    assert text == "A&B <Point> {code} \u09af\u09bc"  # a value is never read as a placeholder
    assert text == unicodedata.normalize("NFC", text)


# --- variants -----------------------------------------------------------------------------------


def test_every_kind_has_a_text_per_case_and_a_shared_phone_one() -> None:
    assert VARIANTS["referral_created"] == (
        "appointment", "no_appointment", "shared_appointment", "shared_no_appointment"
    )  # fmt: skip
    assert VARIANTS["reminder_24h"] == ("appointment", "shared_appointment")
    assert VARIANTS["follow_up_due"] == ("follow_up", "shared_follow_up")
    assert set(VARIANTS) == set(TEMPLATE_KINDS)


def test_a_shared_phone_text_has_no_place() -> None:
    assert variant_placeholders("appointment") == ("code", "place", "day", "time")
    assert variant_placeholders("shared_appointment") == ("code", "day", "time")
    assert variant_placeholders("no_appointment") == ("code", "place")
    assert variant_placeholders("shared_follow_up") == ("code", "due_day")


@pytest.mark.parametrize(
    ("kind", "params", "shared", "variant"),
    [
        ("referral_created", PARAMS, False, "appointment"),
        ("referral_created", {"code": CODE, "place": "P"}, False, "no_appointment"),
        ("referral_created", {"code": CODE, "place": "P"}, True, "shared_no_appointment"),
        ("reminder_2h", PARAMS, True, "shared_appointment"),
        ("missed_appointment", {"code": CODE, "place": "P"}, False, "appointment"),
        ("follow_up_due", {"code": CODE, "due_on": "2026-12-02"}, False, "follow_up"),
        ("follow_up_due", {"code": CODE, "due_on": "2026-12-02"}, True, "shared_follow_up"),
    ],
)
def test_the_variant_is_chosen_from_the_message(kind, params, shared, variant) -> None:
    assert variant_for(kind, params, shared) == variant


# --- default texts ------------------------------------------------------------------------------

ALL_VARIANTS = [(kind, variant) for kind, variants in VARIANTS.items() for variant in variants]
# Send moments: a week ahead, the day before and two hours before the Wednesday 11:00 visit.
SENDS = [at(15, day=25, month=11), at(11, day=1), at(9, day=2)]


def params_for(variant: str) -> dict:
    """The params the outbox stores for a message of this case."""
    params = {"code": CODE, "place": "Shapla Point"}
    if variant.endswith("follow_up"):
        return {"code": CODE, "due_on": "2026-12-02"}
    if variant.removeprefix("shared_") == "appointment":
        params["appointment_at"] = WED_11.astimezone(UTC).isoformat()
    return params


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("kind", "variant"), ALL_VARIANTS)
def test_default_files_are_plain_text_with_the_placeholders_of_their_case(
    kind: str, variant: str, lang: str
) -> None:
    raw = (TEMPLATE_DIR / f"{kind}.{variant}.{lang}.txt").read_text(encoding="utf-8")
    assert raw.endswith("\n") and not raw.endswith("\n\n")
    assert raw == unicodedata.normalize("NFC", raw)
    assert syntax_problem(raw) is None
    assert "code" in template_placeholders(raw)
    assert set(template_placeholders(raw)) <= set(variant_placeholders(variant))


def test_there_is_no_other_default_file() -> None:
    expected = {f"{k}.{v}.{lang}.txt" for k, v in ALL_VARIANTS for lang in LANGUAGES}
    assert {path.name for path in TEMPLATE_DIR.iterdir()} == expected


@pytest.mark.parametrize(("kind", "variant"), ALL_VARIANTS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("send_at", SENDS, ids=["week-before", "day-before", "same-day"])
@pytest.mark.parametrize("hour", [6, 11, 13.5, 19.5, 23])
def test_every_default_text_is_discreet_and_one_segment(
    kind: str, variant: str, lang: str, send_at: datetime, hour: float
) -> None:
    params = params_for(variant)
    if "appointment_at" in params:
        params["appointment_at"] = at(int(hour), int(hour % 1 * 60)).isoformat()
    text = render(load_default_template(kind, lang, variant), params, lang, send_at)
    info = count_segments(text)
    assert info.segments == 1, (info, text)
    assert info.encoding == ("UCS-2" if lang == "bn" else "GSM-7"), text
    assert CODE in text
    problems = discretion_problems(
        text, clinic_names=["Marie Stopes Mirpur"], nicknames=["Moni"], ignore=[CODE]
    )
    assert problems == [], text
    if lang == "bn":
        assert not any(ch.isascii() and ch.isdigit() for ch in text.replace(CODE, ""))
    if variant.startswith("shared_"):
        assert "Shapla" not in text


# The UX.md examples (Shapla Point, Wednesday 2 December 11:00), word for word where the day is
# not relative; "today"/"tomorrow" come from the send day.
WEEK_BEFORE = at(15, day=25, month=11)
EXPECTED = [
    ("referral_created", "appointment", "bn", WEEK_BEFORE,
     f"Shapla Point-এ আপনার সময় বুধ ২ ডিসে, সকাল ১১টা। কোড {CODE}"),
    ("referral_created", "appointment", "en", WEEK_BEFORE,
     f"Your visit at Shapla Point: Wed 2 Dec, 11:00. Show code {CODE}."),
    ("referral_created", "no_appointment", "bn", WEEK_BEFORE,
     f"Shapla Point-এ আপনার কোড {CODE}। সময়ের জন্য আপাকে বলুন।"),
    ("referral_created", "no_appointment", "en", WEEK_BEFORE,
     f"Your code for Shapla Point: {CODE}. Ask your apa for a time."),
    ("referral_created", "shared_no_appointment", "en", WEEK_BEFORE, f"Code {CODE}."),
    ("reminder_24h", "appointment", "bn", at(11, day=1),
     f"মনে রাখবেন: কাল সকাল ১১টা, Shapla Point। কোড {CODE}"),
    ("reminder_24h", "appointment", "en", at(11, day=1),
     f"Reminder: tomorrow 11:00 at Shapla Point. Code {CODE}."),
    ("reminder_24h", "shared_appointment", "bn", WEEK_BEFORE, f"বুধ ২ ডিসে, সকাল ১১টা। কোড {CODE}"),
    ("reminder_24h", "shared_appointment", "en", WEEK_BEFORE, f"Wed 2 Dec, 11:00. Code {CODE}."),
    ("reminder_2h", "appointment", "bn", at(9), f"আজ সকাল ১১টা, Shapla Point। কোড {CODE}"),
    ("reminder_2h", "appointment", "en", at(9), f"Today 11:00 at Shapla Point. Code {CODE}."),
    ("reminder_2h", "shared_appointment", "en", at(9), f"Today, 11:00. Code {CODE}."),
    ("appointment_changed", "appointment", "bn", WEEK_BEFORE,
     f"নতুন সময় বুধ ২ ডিসে, সকাল ১১টা, Shapla Point। কোড {CODE}"),
    ("appointment_changed", "appointment", "en", WEEK_BEFORE,
     f"New time: Wed 2 Dec, 11:00 at Shapla Point. Code {CODE}."),
    ("missed_appointment", "appointment", "bn", at(15),
     f"আপনাকে পাইনি। নতুন সময়ের জন্য আপাকে বলুন। কোড {CODE}"),
    ("missed_appointment", "appointment", "en", at(15),
     f"We missed you. Ask your apa for a new time. Code {CODE}."),
    ("follow_up_due", "follow_up", "bn", WEEK_BEFORE,
     f"বুধ ২ ডিসে আবার যাওয়ার সময়। আপাকে বলুন। কোড {CODE}"),
    ("follow_up_due", "follow_up", "en", WEEK_BEFORE,
     f"Time for your next visit: Wed 2 Dec. Ask your apa. Code {CODE}."),
    ("follow_up_due", "shared_follow_up", "en", at(9, day=1), f"Tomorrow. Code {CODE}."),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "variant", "lang", "send_at", "expected"), EXPECTED)
def test_default_copy(kind: str, variant: str, lang: str, send_at: datetime, expected: str) -> None:
    source = load_default_template(kind, lang, variant)  # type: ignore[arg-type]
    assert render(source, params_for(variant), lang, send_at) == expected


def test_load_default_template_strips_the_newline_and_checks_its_arguments() -> None:
    source = load_default_template("missed_appointment", "en", "appointment")
    assert source == "We missed you. Ask your apa for a new time. Code {code}."
    with pytest.raises(ValueError, match="no SMS text"):
        load_default_template("../../secrets", "en", "appointment")
    with pytest.raises(ValueError, match="no SMS text"):
        load_default_template("reminder_2h", "en", "no_appointment")
    with pytest.raises(ValueError, match="language"):
        load_default_template("reminder_2h", "fr", "appointment")  # type: ignore[arg-type]
