"""The Bangla catalogue: every string translated, placeholders kept, pages rendered in Bangla."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog, Message

from core import create_app
from tests.support.catalog import TRANSLATIONS, catalog, compile_if_stale
from tests.support.db import base_config

PLACEHOLDER = re.compile(r"%\([^)]+\)[a-z]")


def _catalog() -> Catalog:
    return catalog()


def _messages() -> list[Message]:
    return [message for message in _catalog() if message.id]


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if message.pluralizable else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if message.pluralizable else (message.string,)


def _label(message: Message) -> str:
    return _ids(message)[0]


def test_the_catalogue_has_messages():
    assert len(_messages()) > 100


def test_every_message_has_a_bangla_translation():
    untranslated = [_label(m) for m in _messages() if not all(s.strip() for s in _strings(m))]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:10]}"


def test_no_translation_is_fuzzy():
    fuzzy = [_label(m) for m in _messages() if m.fuzzy]
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_plural_entries_fill_both_forms():
    plurals = [m for m in _messages() if m.pluralizable]
    for message in plurals:
        assert len(message.string) == 2, _label(message)
        assert all(s.strip() for s in message.string), _label(message)


def test_placeholders_are_kept():
    problems = []
    for message in _messages():
        wanted = set()
        for msgid in _ids(message):
            wanted |= set(PLACEHOLDER.findall(msgid))
        for msgstr in _strings(message):
            if set(PLACEHOLDER.findall(msgstr)) != wanted:
                problems.append((_label(message), msgstr))
            if msgstr.count("%%") != _ids(message)[0].count("%%"):
                problems.append((_label(message), msgstr))
    assert not problems, problems


def test_babel_finds_no_format_errors():
    errors = [(_label(m), [str(e) for e in errs]) for m, errs in _catalog().check()]
    assert not errors, errors


@pytest.fixture
def bangla_client(tmp_path):
    compile_if_stale()
    app = create_app(base_config(f"sqlite:///{tmp_path / 'unused.db'}", str(tmp_path / "instance")))
    return app.test_client()


def test_login_page_renders_in_bangla(bangla_client):
    bangla_client.post("/language", data={"lang": "bn"})
    page = bangla_client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="bn"' in page
    assert "লগইন" in page  # "Sign in"
    assert "পাসওয়ার্ড" in page  # "Password"
    assert "HARC রেফারেল" in page  # "HARC referrals"
    assert "Sign in" not in page


def test_login_page_stays_english_when_chosen(bangla_client):
    bangla_client.post("/language", data={"lang": "en"})
    page = bangla_client.get("/login").get_data(as_text=True)
    assert "Sign in" in page
    assert "লগইন" not in page


def test_extraction_finds_the_n_msgids_of_errors():
    """`make extract` passes `-k N_`, so the messages services raise reach the catalogue."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    makefile = (TRANSLATIONS.parent / "Makefile").read_text(encoding="utf-8")
    extract_line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    assert "-k N_" in extract_line
    source = TRANSLATIONS.parent / "referrals" / "services" / "lifecycle.py"
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {message for _, message, _, _ in extract_from_file("python", str(source), keywords)}
    assert "The appointment is in the past; choose a later time." in found
    assert "In the past." in found
