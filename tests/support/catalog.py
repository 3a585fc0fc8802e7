"""The Bangla catalogue as the tests read it: compiled when the .po is newer than the .mo."""

from __future__ import annotations

import os
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
PO_PATH = TRANSLATIONS / "bn" / "LC_MESSAGES" / "messages.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[srd]|%[sd]|\{\w+\}")
# A code or a name a translation may keep: snake_case, digits, dotted or slashed, all capitals.
CODE_LIKE = re.compile(r"^(\S*[_=/.:0-9]\S*|[A-Z]{2,}\S*|[A-Z][a-z]+-[A-Z][a-z]+)$")
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")


def catalog() -> Catalog:
    """The Bangla catalogue (messages.po)."""
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="bn")


def compile_if_stale() -> None:
    """`make` compiles the catalogue before pytest; compile here too when the .mo is missing or
    older, so that a test does not depend on that order."""
    if MO_PATH.exists() and MO_PATH.stat().st_mtime >= PO_PATH.stat().st_mtime:
        return
    temporary = MO_PATH.with_name(f"messages.{os.getpid()}.mo.tmp")
    with temporary.open("wb") as f:
        write_mo(f, catalog())
    os.replace(temporary, MO_PATH)


def english_in(text: str) -> str | None:
    """A run of two English words in `text` (placeholders and codes aside), or None."""
    words = [
        w for w in PLACEHOLDER.sub(" ", text).split() if not CODE_LIKE.match(w.strip("().,;'«»"))
    ]
    found = ENGLISH_RUN.search(" ".join(words))
    return found.group(0) if found else None
