"""Errors in the reader's language: services raise N_ msgids with parameters, every one has
Bangla without English sentences (so have WTForms' own messages), pages show them in Bangla,
and the API keeps its English `message` and its `code`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from core.errors import DomainError, ValidationFailed
from core.i18n import N_, Text
from tests.support.catalog import catalog, compile_if_stale, english_in

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "clinics", "referrals", "notifications", "reports", "core", "safety")
ERRORS = {"DomainError", "BadInput", "ValidationFailed", "NotFound", "Forbidden", "Conflict"}
WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"


def _sources() -> list[Path]:
    files: list[Path] = []
    for package in PACKAGES:
        if (ROOT / package).is_dir():
            files += sorted((ROOT / package).rglob("*.py"))
    return files


def _is_msgid(node: ast.AST) -> bool:
    """`N_("literal")`."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _chosen_earlier(node: ast.AST) -> bool:
    """A message chosen before the raise (a variable, a Text built from an N_ msgid)."""
    if isinstance(node, ast.Name | ast.Subscript | ast.Attribute):
        return True
    if not isinstance(node, ast.Call):
        return False
    return getattr(node.func, "id", None) in ("Text", "as_text") or (
        getattr(node.func, "attr", None) == "text"  # e.g. a CSV row's problem as a Text
    )


def _error_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ERRORS and not (name == "NotFound" and not node.args):  # werkzeug's
                calls.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return calls


def _msgids() -> dict[str, str]:
    """Every N_ msgid in the packages, with where it is."""
    found: dict[str, str] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _is_msgid(node):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _catalog() -> Catalog:
    return catalog()


def test_every_error_is_raised_with_an_n_msgid():
    bad = []
    for where, call in _error_calls():
        parts = call.args[:1]
        for keyword in call.keywords:
            if keyword.arg == "fields" and isinstance(keyword.value, ast.Dict):
                parts += keyword.value.values
            elif keyword.arg == "fields" and isinstance(keyword.value, ast.DictComp):
                parts.append(keyword.value.value)
        for part in parts:
            if not (_is_msgid(part) or _chosen_earlier(part)):
                bad.append(f"{where}: {ast.unparse(part)[:80]}")
    assert len(_error_calls()) > 100
    assert not bad, "not an N_ msgid (no f-strings, no bare text):\n" + "\n".join(bad)


def test_every_msgid_has_bangla_without_english_sentences():
    catalog = _catalog()
    missing, english = [], []
    for msgid, where in _msgids().items():
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{where}: {msgid}")
        elif run := english_in(entry.string):
            english.append(f"{where}: {entry.string!r} ({run!r})")
    assert not missing, "no Bangla:\n" + "\n".join(missing)
    assert not english, "English left:\n" + "\n".join(english)


def test_wtforms_messages_have_bangla_without_english_sentences():
    with WTFORMS_POT.open("rb") as f:
        wtforms_catalog = read_po(f)
    catalog = _catalog()
    problems = []
    for message in wtforms_catalog:
        if not message.id:
            continue
        msgid = message.id[0] if message.pluralizable else message.id
        entry = catalog.get(msgid)
        strings = entry and (entry.string if entry.pluralizable else (entry.string,))
        if not strings or not all(strings):
            problems.append(f"no Bangla: {msgid}")
        elif any(english_in(s) for s in strings):
            problems.append(f"English left: {strings}")
    assert not problems, "\n".join(problems)


def test_the_english_detector():
    assert english_in("এটি ঠিক নয়: %(field)s must be") == "must be"
    assert english_in("ভুল (Content-Type: application/json), near=lat,lon, YYYY-MM-DD") is None
    assert english_in("%(field)s সংখ্যা নয়, {code} দিন") is None


@pytest.fixture(autouse=True)
def compiled() -> None:
    """The pages and renderings read the compiled catalogue."""
    compile_if_stale()


@pytest.fixture
def bangla(app):
    """A request whose reader reads Bangla (her browser asks for it)."""
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        yield


def test_every_msgid_renders_in_bangla(bangla):
    english = []
    for msgid, where in _msgids().items():
        names = set(re.findall(r"%\((\w+)\)", msgid))
        rendered = Text(msgid, {name: 7 for name in names}).localized()
        if run := english_in(rendered):
            english.append(f"{where}: {rendered!r} ({run!r})")
    assert not english, "\n".join(english)


def test_an_error_is_english_for_the_api_and_bangla_on_the_page(bangla):
    exc = ValidationFailed(
        N_("Notes: at most %(count)s characters."),
        params={"count": 2000},
        fields={"notes": N_("Too long.")},
    )
    assert exc.message == "Notes: at most 2000 characters."
    assert exc.fields == {"notes": "Too long."}
    assert exc.code == "invalid" and exc.status == 422
    assert exc.localized() == "নোট: সর্বোচ্চ ২০০০টি অক্ষর।"
    assert exc.localized_fields() == {"notes": "খুব লম্বা।"}


def test_a_word_parameter_is_shown_as_a_word(bangla):
    from core.i18n import words

    exc = DomainError(
        N_("This clinic does not offer: %(services)s."),
        params={"services": words("no_such_vocabulary", "x_y")},
    )
    assert exc.localized() == "এই ক্লিনিকে এই সেবা দেওয়া হয় না: x_y।"  # unknown: the code stays


def test_services_and_statuses_are_words_in_both_languages(catalogue, bangla):
    from core.i18n import words

    exc = DomainError(
        N_("This referral is %(status)s: it cannot be %(change)s."),
        params={"status": words("referral_status", "cancelled"), "change": Text(N_("confirmed"))},
    )
    assert exc.message.lower() == "this referral is cancelled: it cannot be confirmed."
    assert english_in(exc.localized()) is None and "cancelled" not in exc.localized()
    offer = DomainError(
        N_("This clinic does not offer: %(services)s."),
        params={"services": words("service", "hiv_testing", "prep")},
    )
    assert "hiv_testing" not in offer.message and "hiv_testing" not in offer.localized()
    assert english_in(offer.localized()) is None


def test_wtforms_required_is_bangla_with_bangla_digits(bangla):
    from wtforms import StringField
    from wtforms.validators import DataRequired, Length

    from core.forms import Form

    class Probe(Form):
        class Meta:
            csrf = False

        name = StringField(validators=[DataRequired()])
        code = StringField(validators=[Length(max=12)])

    form = Probe(data={"name": "", "code": "x" * 20})
    assert not form.validate()
    assert form.name.errors == ["এই ঘরটি পূরণ করতে হবে।"]
    assert form.code.errors == ["সর্বোচ্চ ১২টি অক্ষর দেওয়া যায়।"]


def test_every_page_form_derives_from_the_translated_base():
    direct = []
    for path in _sources():
        if path == ROOT / "core" / "forms.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", None)) for base in node.bases}
                if "FlaskForm" in bases:
                    direct.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert not direct, "derive from core.forms.Form instead:\n" + "\n".join(direct)
