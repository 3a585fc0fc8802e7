"""Referral codes: 8 random Crockford base32 symbols (40 bits) and 1 check symbol.

The check symbol is a weighted sum over GF(32) (the field of 32 elements, modulus x^5+x^2+1)
with weights 2^k: equivalently Damm's algorithm over the totally anti-symmetric quasigroup
x*y = 2x + y. Every weight is non-zero and all weights are distinct (2 has order 31), so EVERY
single substitution and EVERY transposition of two symbols (adjacent or not) is detected;
tests check this exhaustively on sample codes. Input is normalised once, here: any case,
spaces, hyphens and dashes, Bangla (or other) digits, full-width letters, a scanned link ending
in the code; O reads as 0 and I/L as 1 (Crockford). Displayed in three groups: K7P-2QX-9MA.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
RANDOM_SYMBOLS = 8
LENGTH = RANDOM_SYMBOLS + 1
# Spaces, hyphens and every dash, soft hyphens and the invisible joiners a keyboard may add.
_SEPARATORS = re.compile(r"[\s\-_.\u00ad\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff]")
_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def _times2(x: int) -> int:
    """Multiplication by 2 (x) in GF(32) modulo x^5 + x^2 + 1."""
    x <<= 1
    return x ^ 0b100101 if x & 0b100000 else x


def _interim(values: list[int]) -> int:
    acc = 0
    for v in values:
        acc = _times2(acc) ^ v  # Damm step: acc * v with x*y = 2x + y
    return acc


def check_symbol(body: str) -> str:
    """The check symbol that makes the whole code's Damm interim zero."""
    return ALPHABET[_times2(_interim([_VALUE[c] for c in body]))]


def generate() -> str:
    """A new random code (normalised form), 40 random bits plus the check symbol."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return body + check_symbol(body)


def _ascii_digit(symbol: str) -> str:
    """A decimal digit of any script (Bangla ০-৯ among them) as 0-9; other symbols unchanged."""
    if symbol.isascii():
        return symbol
    value = unicodedata.decimal(symbol, None)
    return symbol if value is None else str(value)


def normalise(text: str | None) -> str:
    """Upper-case, separators removed, any script's digits as 0-9, O→0 and I/L→1, the code of
    a scanned confirmation link; may still be invalid."""
    folded = unicodedata.normalize("NFKC", text or "")
    if "/" in folded:  # a scanner types the slip's QR link: the code is its last part
        folded = folded.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    digits = "".join(_ascii_digit(symbol) for symbol in folded)
    return _SEPARATORS.sub("", digits.upper()).translate(_ALIASES)


def is_valid(code: str) -> bool:
    """Whether a normalised code has the right length, alphabet and check symbol."""
    if len(code) != LENGTH or any(c not in _VALUE for c in code):
        return False
    return _interim([_VALUE[c] for c in code]) == 0


def parse(text: str | None) -> str | None:
    """The normalised code if `text` is a well-formed one, else None."""
    code = normalise(text)
    return code if is_valid(code) else None


def display(code: str) -> str:
    """Grouped for reading aloud: K7P-2QX-9MA."""
    return "-".join(code[i : i + 3] for i in range(0, len(code), 3))


@dataclass(frozen=True)
class Typed:
    """What a typed code looks like to the check: its normalised symbols, which of them are not
    in the code alphabet, and what is wrong (`length`, `symbols`, `check`, or "" when valid)."""

    text: str
    bad: frozenset[int]
    problem: str

    def groups(self) -> list[list[tuple[str, bool]]]:
        """The symbols in groups of three, each with whether it is outside the alphabet."""
        marked = [(symbol, i in self.bad) for i, symbol in enumerate(self.text)]
        return [marked[i : i + 3] for i in range(0, len(marked), 3)]


def examine(text: str | None) -> Typed:
    """Why a typed code is not valid: the check symbol tells THAT it is wrong, not where, so
    only symbols outside the alphabet (and a wrong length) can be pointed at."""
    code = normalise(text)
    bad = frozenset(i for i, symbol in enumerate(code) if symbol not in _VALUE)
    if bad:
        problem = "symbols"
    elif len(code) != LENGTH:
        problem = "length"
    else:
        problem = "" if is_valid(code) else "check"
    return Typed(code, bad, problem)


def one_slip_apart(typed: str, code: str) -> bool:
    """Whether `code` is one slip from `typed`: one symbol changed, two symbols swapped, or one
    symbol left out or added."""
    if typed == code:
        return False
    if len(typed) == len(code):
        diff = [i for i, (a, b) in enumerate(zip(typed, code, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and (typed[diff[0]], typed[diff[1]]) == (code[diff[1]], code[diff[0]])
    shorter, longer = sorted((typed, code), key=len)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def near(typed: str, candidates: Iterable[str]) -> list[str]:
    """The candidates one slip away from a normalised typed code, in their given order."""
    return [code for code in candidates if one_slip_apart(typed, code)]
