"""The one state machine: exactly CONTRACT.md's changes are allowed."""

from __future__ import annotations

import itertools

from referrals.services.machine import TRANSITIONS, allowed

CONTRACT = {
    (None, "referred"),
    (None, "scheduled"),
    ("referred", "scheduled"),
    ("referred", "attended"),
    ("referred", "cancelled"),
    ("referred", "expired"),
    ("scheduled", "scheduled"),
    ("scheduled", "attended"),
    ("scheduled", "missed"),
    ("scheduled", "cancelled"),
    ("missed", "scheduled"),
    ("missed", "attended"),
    ("missed", "cancelled"),
    ("missed", "expired"),
}
STATUSES = ("referred", "scheduled", "attended", "missed", "cancelled", "expired")


def test_exactly_the_contract_changes_are_allowed():
    for source, target in itertools.product((None, *STATUSES), STATUSES):
        assert allowed(source, target) == ((source, target) in CONTRACT), (source, target)
    for final in ("attended", "cancelled", "expired"):
        assert TRANSITIONS[final] == frozenset()
