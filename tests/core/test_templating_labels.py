"""Every stored code list has a word for each of its codes, in both languages (core.labels): a new
status, kind or outcome without its label, or without its Bangla, fails here before a page shows
the bare code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from core.labels import AUDIT_ACTION_LABELS, label, vocabularies

KINDS = (
    "referral_status", "urgency", "event_channel", "trace_outcome", "follow_up_status",
    "message_kind", "message_status", "role", "district", "attribute", "day", "clinic_status",
)  # fmt: skip


def stored(kind: str) -> tuple[str, ...]:
    """The codes of a vocabulary the database may hold (imported once the app has its models)."""
    from clinics.reference import ATTRIBUTES, DISTRICTS
    from core.security import ROLES
    from notifications.models import MESSAGE_KINDS, MESSAGE_STATUSES
    from referrals import models as r

    return {
        "referral_status": r.REFERRAL_STATUSES,
        "urgency": r.URGENCIES,
        "event_channel": r.CHANNELS,
        "trace_outcome": r.TRACE_OUTCOMES,
        "follow_up_status": r.FOLLOW_UP_STATUSES,
        "message_kind": MESSAGE_KINDS,
        "message_status": MESSAGE_STATUSES,
        "role": ROLES,
        "district": DISTRICTS,
        "attribute": ATTRIBUTES,
        "day": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        "clinic_status": ("active", "inactive"),
    }[kind]


LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("kind", KINDS)
def test_every_stored_code_has_a_word_in_both_languages(app, kind):
    with app.test_request_context():
        source = vocabularies()[kind]
        missing = [
            code
            for code in stored(kind)
            if (source(code) if callable(source) else source.get(code)) is None
        ]
        with force_locale("bn"):
            english_in_bangla = [
                f"{code}: {label(kind, code)}"
                for code in stored(kind)
                if LATIN.search(label(kind, code).replace("SMS", "").replace("DHIS2", ""))
            ]
        assert not missing, f"{kind}: no word for {missing}"
        assert not english_in_bangla, f"{kind}: not translated: {english_in_bangla}"


def test_every_vocabulary_that_lists_codes_is_translated(app):
    """Reasons, reply keywords, audit actions…: each listed code reads as Bangla on a Bangla page
    (the names SMS and DHIS2 aside)."""
    with app.test_request_context(), force_locale("bn"):
        untranslated = [
            f"{kind}.{code}: {label(kind, code)}"
            for kind, source in vocabularies().items()
            if not callable(source) and kind != "language"
            for code in source
            if LATIN.search(label(kind, code).replace("SMS", "").replace("DHIS2", ""))
        ]
    assert not untranslated, untranslated
    assert "member.read" in AUDIT_ACTION_LABELS


def _recorded_audit_actions() -> set[str]:
    """Every action name the code passes to `audit.record` (literals, either side of an if)."""
    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for package in (
        "accounts",
        "clinics",
        "core",
        "notifications",
        "referrals",
        "reports",
        "safety",
    ):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "audit"
                    and len(node.args) >= 2
                ):
                    action = node.args[1]
                    branches = (
                        [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
                    )
                    found |= {
                        n.value
                        for n in branches
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    }
    return found


def test_every_audit_action_the_code_records_has_a_word():
    actions = _recorded_audit_actions()
    assert {"user.create", "referral.move"} <= actions  # the scan sees the code
    assert sorted(actions - set(AUDIT_ACTION_LABELS)) == []
