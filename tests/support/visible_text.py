"""The text a person sees on a page (stdlib html.parser), and what must never be in it: a raw
code, Latin digits or English words on a Bangla page, an ambiguous date.

Identifiers (referral codes, masked phones, e-mails, UICs) are marked in the templates with
`translate="no"` (or `lang="en"`, or the classes `code`/`ident`): their text is left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import sqlalchemy as sa
from flask_babel import force_locale

from core.extensions import db
from core.labels import known_codes, label, vocabularies

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
HIDDEN_TAGS = frozenset({"script", "style", "template", "svg", "noscript"})  # <title> shows
IDENT_CLASSES = frozenset({"code", "ident", "code-big"})
# Latin words a Bangla page may hold: acronyms and names read the same in both languages.
ALLOWED_LATIN = frozenset(
    {"SMS", "UIC", "HIV", "PrEP", "PEP", "ART", "STI", "TB", "MR", "ID", "API", "CSV", "DHIS2",
     "DHIS", "QR", "HARC", "Twilio", "SMSGate", "OK", "English", "JSON", "USD"}
)  # fmt: skip
AMBIGUOUS_DATE = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}:\d{2}\s?(?:AM|PM|am|pm)\b|\b\d{4}-\d{2}-\d{2}[T ]\d{2}:"
)
LATIN_DIGIT = re.compile(r"[0-9]")
NAMES_WITH_DIGITS = re.compile(r"\bDHIS2\b")
# A setting as it is written in the configuration (`SMS_BACKEND=console`): a name, not a word.
# a placeholder of an SMS text (`{code}`) and a referral code (a page's <title> cannot mark it):
# names, not words.
SETTING = re.compile(
    r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:=[\w.-]+)?|\{[a-z_]+\}|\b[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}\b"
)
# Vocabularies whose codes are everyday words (a reply "no", a language name).
NOT_CODES = ("reply_keyword", "language", "audit_channel")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


class _Visible(HTMLParser):
    """Collects visible text nodes, leaving out hidden elements and marked identifiers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.nodes: list[str] = []

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        classes = set((attr.get("class") or "").split())
        skip = (
            self._skipping()
            or tag in HIDDEN_TAGS
            or "hidden" in attr
            or attr.get("translate") == "no"
            or attr.get("lang") == "en"
            or bool(classes & IDENT_CLASSES)
        )
        if tag == "input" and not skip and attr.get("type") in ("submit", "button"):
            self.nodes.append(attr.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:  # <div/>: opened and closed at once
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)
        else:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):  # close up to the matching tag
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.nodes.append(" ".join(data.split()))


def visible_nodes(html: str) -> list[str]:
    """The page's visible text nodes, in order, identifiers left out."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.nodes


def _strip(node: str, data: tuple[str, ...]) -> str:
    for value in data:
        node = node.replace(value, " ")
    return node


def problems(html: str, *, bangla: bool, codes: frozenset[str], data: tuple[str, ...] = ()) -> list:
    """What is wrong with a page's visible text: raw codes, ambiguous dates, and on a Bangla
    page Latin digits and English words. `data` (names people typed: clinics, users) is left
    out first, longest first."""
    found: list[tuple[str, str]] = []
    data = tuple(sorted((d for d in data if d), key=len, reverse=True))
    for raw in visible_nodes(html):
        node = SETTING.sub(" ", _strip(raw, data))
        if AMBIGUOUS_DATE.search(node):
            found.append(("ambiguous date", raw))
        pieces = {p.strip() for p in re.split(r"[·→,;:()\[\]|/]", node)}
        words = set(re.findall(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", node))
        raw_codes = (pieces | words) & codes
        if raw_codes:
            found.append(("raw code " + ", ".join(sorted(raw_codes)), raw))
        if bangla:
            if LATIN_DIGIT.search(NAMES_WITH_DIGITS.sub(" ", node)):
                found.append(("Latin digits", raw))
            # A snake_case name that is no known code is an example identifier (`hepatitis_b`).
            words_only = re.sub(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", " ", node)
            english = [w for w in LATIN_WORD.findall(words_only) if w not in ALLOWED_LATIN]
            if english:
                found.append(("English " + " ".join(english), raw))
    return found


def raw_codes(app) -> frozenset[str]:
    """Codes that must never show as they are: those whose English word differs from them."""
    from clinics.models import Service

    codes = set(db.session.scalars(sa.select(Service.code)))
    with app.test_request_context(), force_locale("en"):
        for kind in vocabularies():
            if kind in NOT_CODES:
                continue
            for code in known_codes(kind):
                if label(kind, code).casefold() != code.casefold():
                    codes.add(code)
    return frozenset(codes)


def typed_data() -> tuple[str, ...]:
    """What people typed (names, addresses, e-mails, UICs): shown as written, in any language."""
    from accounts.models import User
    from clinics.models import Clinic
    from referrals.models import Member

    values: list[str] = []
    for c in db.session.scalars(sa.select(Clinic)):
        values += [c.name, c.sms_alias, c.address or "", c.area or "", c.phone or ""]
    for u in db.session.scalars(sa.select(User)):
        values += [u.email, u.display_name or ""]
    values += list(db.session.scalars(sa.select(Member.uic)))
    values += _safety_data()
    return tuple(v for v in values if v)


def _safety_data() -> list[str]:
    """Crisis contacts' names and hours, incidents' areas and descriptions, as admins and peer
    educators typed them."""
    from safety.models import CrisisContact, Incident

    values: list[str] = []
    for contact in db.session.scalars(sa.select(CrisisContact)):
        values += [contact.name, contact.hours or ""]
    for area, description in db.session.execute(sa.select(Incident.area, Incident.description)):
        values += [area or "", description or ""]
    return values
