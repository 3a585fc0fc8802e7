"""A code typed at the clinic's desk: normalised once (case, spaces, dashes, Bangla digits),
the symbols outside the alphabet pointed at, and expected codes one slip away found."""

from __future__ import annotations

import pytest

from referrals.services import codes

BANGLA = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


def _code(body: str) -> str:
    return body + codes.check_symbol(body)


def test_bangla_digits_dashes_and_lowercase_are_read_as_the_code():
    code = _code("K7P2QX9M")
    typed = codes.display(code).lower().translate(BANGLA).replace("-", "\u2013", 1)
    assert typed != codes.display(code)
    assert codes.parse(typed) == code
    assert codes.parse(" \u200c" + typed.replace("\u2013", " \u2212 ") + "\u00ad") == code
    assert codes.parse("ｋ７ｐ２ｑｘ９ｍ" + code[-1].lower()) == code  # full-width letters


def test_a_scanned_confirmation_link_gives_its_code():
    code = _code("K7P2QX9M")
    assert codes.parse(f"https://harc.example.org/clinic/confirm/{code}") == code
    assert codes.parse(f"http://127.0.0.1:5000/clinic/confirm/{code}/?x=1#top") == code
    assert codes.parse("https://harc.example.org/clinic/confirm/") is None


def test_examine_marks_symbols_outside_the_alphabet_only():
    typed = codes.examine("k7u-2q#-9ma")
    assert typed.text == "K7U2Q#9MA"
    assert typed.problem == "symbols"
    assert [i for i in sorted(typed.bad)] == [2, 5]
    assert typed.groups()[0] == [("K", False), ("7", False), ("U", True)]


@pytest.mark.parametrize(
    ("text", "problem"), [("K7P2QX9M", "length"), ("K7P2QX9MAA", "length"), ("", "length")]
)
def test_examine_a_wrong_length(text, problem):
    assert codes.examine(text).problem == problem


def test_examine_a_wrong_check_symbol_and_a_valid_code():
    code = _code("K7P2QX9M")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert codes.examine(wrong).problem == "check"
    assert codes.examine(wrong).bad == frozenset()
    assert codes.examine(code.lower()).problem == ""


def test_one_slip_apart():
    code = _code("K7P2QX9M")
    changed = "X" + code[1:]
    swapped = code[1] + code[0] + code[2:]
    far_swap = code[8] + code[1:8] + code[0]
    left_out = code[:4] + code[5:]
    added = code[:4] + "Z" + code[4:]
    for typed in (changed, swapped, far_swap, left_out, added):
        assert codes.one_slip_apart(typed, code), typed
    assert not codes.one_slip_apart(code, code)
    assert not codes.one_slip_apart("XX" + code[2:], code)
    assert not codes.one_slip_apart(code[:3], code)
    other = _code("ABCDEFGH")
    assert codes.near(changed, [other, code]) == [code]
