"""Errors in the reader's language: services raise N_ msgids with parameters, every one has
Bangla without English sentences (so have WTForms' own messages), pages show them in Bangla,
and the API keeps its English `message` and its `code`."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from core.db import utcnow
from core.errors import DomainError, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text
from tests.support import factories
from tests.support.catalog import catalog, compile_if_stale

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "clinics", "referrals", "notifications", "reports", "core", "safety")
ERRORS = {"DomainError", "BadInput", "ValidationFailed", "NotFound", "Forbidden", "Conflict"}
WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
PLACEHOLDER = re.compile(r"%\((\w+)\)[srd]|%[sd]|\{\w+\}")
# A code or a name a translation may keep: snake_case, digits, dotted or slashed, all capitals.
CODE_LIKE = re.compile(r"^(\S*[_=/.:0-9]\S*|[A-Z]{2,}\S*|[A-Z][a-z]+-[A-Z][a-z]+)$")
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")


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


def english_in(text: str) -> str | None:
    """A run of two English words in `text` (placeholders and codes aside), or None."""
    words = [
        w for w in PLACEHOLDER.sub(" ", text).split() if not CODE_LIKE.match(w.strip("().,;'«»"))
    ]
    found = ENGLISH_RUN.search(" ".join(words))
    return found.group(0) if found else None


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


def test_invalid_phone_on_the_bangla_register_page(client, login_as):
    login_as("peer_educator", language="bn")
    response = client.post(
        "/referrals/new/register", data={"phone": "12345", "language": "bn", "sms_consent": "y"}
    )
    html = response.get_data(as_text=True)
    assert "সঠিক ফোন নম্বর নয়।" in html
    assert "Not a valid phone number" not in html
    empty = client.post("/referrals/new/find", data={"lookup": ""}).get_data(as_text=True)
    assert "এই ঘরটি পূরণ করতে হবে।" in empty and "This field is required" not in empty


def test_the_clinic_forms_hour_errors_are_bangla(client, login_as, catalogue):
    login_as("admin", language="bn")
    clinic = factories.make_clinic(offering=("hiv_testing",))
    base = {"name": "Alpha", "sms_alias": "Alpha Point", "district": "Dhaka", "status": "active"}
    for hours, bangla in (
        ({"hours_mon": "09:00-13:00, 12:00-17:00"}, "সোমবার ১২:০০-১৭:০০ একটির ওপর আরেকটি পড়ছে"),
        ({"hours_tue": "nine to five"}, "শুরু-শেষ আকারে নেই"),
        ({"hours_wed": "09:00-25:00"}, "বুধবার: ০৯:০০-২৫:০০ সঠিক সময় নয়"),
    ):
        response = client.post(f"/clinics/{clinic.id}/edit", data={**base, **hours})
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and bangla in html, hours
        assert english_in(bangla) is None and "overlaps" not in html and "is not" not in html


def test_the_clinic_import_problems_are_bangla(client, login_as, catalogue):
    import io

    login_as("admin", language="bn")
    csv_text = "name,sms_alias,district,services\nBad Centre,Bad Point,Atlantis,sti\n"
    for extra in ({}, {"skip_invalid": "y"}):
        response = client.post(
            "/admin/clinics/import",
            data={"file": (io.BytesIO(csv_text.encode()), "clinics.csv"), **extra},
            content_type="multipart/form-data",
        )
        html = response.get_data(as_text=True)
        assert "লাইন ২: district: অজানা জেলা &#39;Atlantis&#39;" in html, extra
        assert "Unknown district" not in html


def test_an_http_error_page_does_not_show_werkzeugs_english(client):
    client.post("/language", data={"lang": "bn"})
    response = client.put("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 405 and 'lang="bn"' in html
    assert "method is not allowed" not in html.lower()


@pytest.fixture
def referral(app, catalogue):
    from referrals.services import lifecycle, members

    pe = factories.make_user("peer_educator", language="bn")
    hours = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    clinic = factories.make_clinic(offering=("hiv_testing",), hours=hours)
    member = members.register_member(actor=pe, phone="01712345678", language="bn", sms_consent=True)
    made, _ = lifecycle.create_referral(
        actor=pe,
        member_id=member.id,
        clinic_id=clinic.id,
        services=["hiv_testing"],
        appointment_at=utcnow() + timedelta(days=2),
    )
    db.session.commit()
    return pe, made


def test_a_refused_reschedule_is_bangla_on_the_page(client, referral):
    from tests.conftest import PASSWORD

    pe, made = referral
    client.post("/login", data={"email": pe.email, "password": PASSWORD})
    past = (utcnow() - timedelta(days=3)).date().isoformat()
    response = client.post(
        f"/referrals/{made.code}/reschedule",
        data={"day": past, "at": "10:00"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "সময় পেরিয়ে গেছে।" in html and "In the past" not in html


def test_the_api_keeps_english_and_the_code(client, referral, api_headers):
    pe, made = referral
    past = (utcnow() - timedelta(days=3)).isoformat()
    response = client.post(
        f"/api/v1/referrals/{made.code}/reschedule",
        json={"appointment_at": past},
        headers={**api_headers(user=pe), "Accept-Language": "bn"},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "The appointment is in the past; choose a later time."
    assert error["fields"] == {"appointment_at": "In the past."}
