"""Referral codes: 8 random Crockford base32 symbols (40 bits) and 1 check symbol.

The check symbol is a weighted sum over GF(32) (the field of 32 elements, modulus x^5+x^2+1)
with weights 2^k: equivalently Damm's algorithm over the totally anti-symmetric quasigroup
x*y = 2x + y. Every weight is non-zero and all weights are distinct (2 has order 31), so EVERY
single substitution and EVERY transposition of two symbols (adjacent or not) is detected;
tests check this exhaustively on sample codes. Input is matched ignoring case, spaces and
hyphens, reading O as 0 and I/L as 1 (Crockford). Displayed in three groups: K7P-2QX-9MA.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
RANDOM_SYMBOLS = 8
LENGTH = RANDOM_SYMBOLS + 1
_SEPARATORS = re.compile(r"[\s\-_.]")
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


def normalise(text: str | None) -> str:
    """Upper-case, separators removed, O→0 and I/L→1; may still be invalid."""
    return _SEPARATORS.sub("", (text or "").upper()).translate(_ALIASES)


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
