"""The page filters: one unambiguous date form in English, Bangla digits and month names in
Bangla, numbers and distances in the page's digits, and words for codes (core.labels)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from core.labels import choices, label, labels, register_labels
from core.templating import distance, localdate, localtime, number, percent

# 10:00 in Dhaka on Wednesday 2 December 2026.
WHEN = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.mark.usefixtures("request_ctx")
def test_english_dates_are_unambiguous_and_bangla_ones_use_bangla_digits_and_months():
    with force_locale("en"):
        assert localtime(WHEN) == "2 Dec 2026, 10:00"
        assert localtime(WHEN, "short") == "2 Dec 2026, 10:00"  # never 12/2/26, 10:00 AM
        assert localtime(WHEN, "day") == "Wed 2 Dec, 10:00"
        assert localdate(date(2026, 12, 2)) == "2 Dec 2026"
        assert localdate(WHEN) == "2 Dec 2026"
    with force_locale("bn"):
        assert localtime(WHEN) == "২ ডিসে ২০২৬, ১০:০০"
        assert localtime(WHEN, "time") == "১০:০০"
        assert localtime(WHEN, "day") == "বুধ ২ ডিসে, ১০:০০"
        assert localdate(date(2026, 12, 2), "long") == "২ ডিসেম্বর ২০২৬"
    assert localtime(None) == "" and localdate(None) == ""


@pytest.mark.usefixtures("request_ctx")
def test_numbers_percentages_and_distances_take_the_pages_digits():
    with force_locale("en"):
        assert number(1234567) == "1,234,567"
        assert number(60, 1) == "60.0"
        assert percent(0.456) == "46%"
        assert percent(0.6, 1) == "60.0%"
        assert distance(1.25) == "1.2 km"
    with force_locale("bn"):
        assert number(1234567) == "১২,৩৪,৫৬৭"  # lakh grouping
        assert percent(0.456) == "৪৬%"
        assert distance(10.04) == "১০.০ কিমি"
    assert number(None) == "" and percent(None) == "" and distance(None) == ""


def test_labels_give_words_in_the_readers_language(app):
    with app.test_request_context():
        with force_locale("en"):
            assert label("referral_status", "referred") == "waiting for a time"
            assert label("message_kind", "reminder_24h") == "Reminder the day before"
            assert label("role", "peer_educator") == "Peer educator"
            assert label("district", "Chattogram") == "Chattogram"
            assert ("pending", "waiting to go") in choices("message_status")
        with force_locale("bn"):
            assert label("district", "Chattogram") == "চট্টগ্রাম"
            assert label("district", "Cox's Bazar") == "কক্সবাজার"
            assert label("referral_status", "attended") == "গিয়েছেন"
            assert label("role", "peer_educator") == "পিয়ার এডুকেটর"
        assert label("referral_status", "no_such_status") == "no_such_status"  # shown, not hidden
        assert label("referral_status", None) == ""
        with pytest.raises(KeyError):
            label("no_such_vocabulary", "x")
        with pytest.raises(ValueError):
            register_labels(app, "role", {})


def test_services_are_named_from_the_catalogue_in_the_pages_language(app, catalogue):
    with app.test_request_context(), force_locale("bn"):
        assert labels(["hiv_testing", "prep"], "service") == (
            "এইচআইভি পরীক্ষা, প্রেপ (এইচআইভি প্রতিরোধের ওষুধ)"
        )
    with app.test_request_context(), force_locale("en"):
        assert label("service", "hiv_testing") == "HIV testing"
        assert label("service", "retired_code") == "retired_code"


def test_a_filter_on_a_literal_is_not_frozen_in_the_first_pages_language(app):
    """Jinja folds constant expressions when it compiles a template: `"2/3"|digits` rendered
    first on an English page must still read ২/৩ on a Bangla one."""
    source = '{{ "2/3"|digits }} {{ 5|number }} {{ label("district", "Dhaka") }}'
    with app.test_request_context():
        with force_locale("en"):
            template = app.jinja_env.from_string(source)  # compiled (and optimised) once
            assert template.render() == "2/3 5 Dhaka"
        with force_locale("bn"):
            assert template.render() == "২/৩ ৫ ঢাকা"
