"""Referral codes: 40 random bits, self-checking, read aloud in groups."""

from __future__ import annotations

import pytest

from referrals.services import codes

SAMPLES = [codes.generate() for _ in range(40)] + [
    "000000000",
    "ZZZZZZZZ" + codes.check_symbol("ZZZZZZZZ"),
]


def test_shape_and_alphabet():
    for code in SAMPLES:
        assert len(code) == 9
        assert set(code) <= set(codes.ALPHABET)
        assert not set(code) & set("ILOU")
        assert codes.is_valid(code)
    assert len({codes.generate() for _ in range(2000)}) == 2000


@pytest.mark.parametrize("code", SAMPLES)
def test_every_single_substitution_is_detected(code):
    for i, original in enumerate(code):
        for symbol in codes.ALPHABET:
            if symbol != original:
                assert not codes.is_valid(code[:i] + symbol + code[i + 1 :])


@pytest.mark.parametrize("code", SAMPLES)
def test_every_transposition_is_detected(code):
    for i in range(len(code)):
        for j in range(i + 1, len(code)):
            if code[i] != code[j]:
                swapped = list(code)
                swapped[i], swapped[j] = swapped[j], swapped[i]
                assert not codes.is_valid("".join(swapped)), (code, i, j)


def test_input_ignores_case_spaces_hyphens_and_crockford_aliases():
    code = "K7P2QX9M" + codes.check_symbol("K7P2QX9M")
    shown = codes.display(code)
    assert shown == f"{code[:3]}-{code[3:6]}-{code[6:]}"
    assert codes.parse(shown.lower()) == code
    assert codes.parse(" " + code[:4] + " " + code[4:] + " ") == code
    zero = "10000000" + codes.check_symbol("10000000")
    assert codes.parse("lOOOOOOO" + zero[-1]) == zero
    assert codes.parse("not a code") is None
    assert codes.parse(None) is None
