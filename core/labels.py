"""Words for codes: every stored code a person may read (a role, a status, a message kind, a
district, a service) has a label in both languages, found here by its vocabulary's name.

The package that owns a vocabulary registers it at `init_app` (`register_labels(app, "kind",
source)`); core registers its own (roles, languages). A source is a mapping of code → label (lazy
gettext strings, so the page's language decides) or a function code → label or None (services,
read from the database). Pages call `label(kind, code)` (a Jinja global and filter); forms build
their choices with `choices(kind)`. An unknown code is shown as it is, never hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from core.security import ADMIN, CLINIC_PARTNER, PEER_EDUCATOR, VIEWER

KEY = "harc.labels"

LabelSource = Mapping[str, Any] | Callable[[str], Any]

ROLE_LABELS: dict[str, Any] = {
    PEER_EDUCATOR: _l("Peer educator"),
    CLINIC_PARTNER: _l("Clinic partner"),
    VIEWER: _l("Viewer"),
    ADMIN: _l("Admin"),
}
# A language is named in its own script, whatever the page's language.
LANGUAGE_LABELS: dict[str, Any] = {"bn": "বাংলা", "en": "English"}
AUDIT_CHANNEL_LABELS: dict[str, Any] = {
    "web": _l("web page"),
    "api": _l("API"),
    "sms": _l("SMS"),
    "system": _l("automatic"),
    "cli": _l("command line"),
}

# What the audit log records (core.audit; the packages write these actions) and about what.
AUDIT_ACTION_LABELS: dict[str, Any] = {
    "audit.read": _l("read the audit log"),
    "clinic.create": _l("added a clinic"),
    "clinic.update": _l("changed a clinic"),
    "clinic.verify": _l("verified a clinic"),
    "clinic.import": _l("imported clinics"),
    "clinic.feedback": _l("recorded a visit's experience"),
    "clinic.feedback_read": _l("read a clinic's reports"),
    "contact.opt_in": _l("SMS started again"),
    "contact.opt_out": _l("SMS stopped"),
    "followup.done": _l("marked a follow-up done"),
    "followup_rule.save": _l("saved a follow-up rule"),
    "member.create": _l("registered a member"),
    "member.read": _l("opened a member's page"),
    "member.list": _l("listed members"),
    "member.update": _l("changed a member's SMS settings"),
    "member.reassign": _l("gave a member to another peer educator"),
    "member.anonymise": _l("anonymised a member"),
    "member.search_hit": _l("found a member by search"),
    "member.opt_in": _l("started SMS for a member"),
    "member.opt_out": _l("stopped SMS for a member"),
    "member.safety_hold": _l("put a safety hold"),
    "member.safety_release": _l("released a safety hold"),
    "message.read": _l("opened an SMS"),
    "sms.test": _l("sent a test SMS through a gateway"),
    "referral.create": _l("made a referral"),
    "referral.read": _l("opened a referral"),
    "referral.reschedule": _l("changed a referral's time"),
    "referral.cancel": _l("cancelled a referral"),
    "referral.confirm": _l("confirmed a visit"),
    "referral.trace": _l("recorded a tracing outcome"),
    "referral.move": _l("moved a referral to another clinic"),
    "service.create": _l("added a service"),
    "service.update": _l("changed a service"),
    "sms_template.save": _l("saved an SMS text"),
    "sms_template.reset": _l("restored a default SMS text"),
    "token.issue": _l("made an API token"),
    "token.revoke": _l("revoked an API token"),
    "token.revoke_all": _l("revoked all API tokens"),
    "user.create": _l("added a user"),
    "user.district": _l("set a user's district"),
    "user.update": _l("changed a user"),
    "user.activate": _l("reactivated a user"),
    "user.deactivate": _l("deactivated a user"),
    "user.lock": _l("locked an account"),
    "user.unlock": _l("unlocked an account"),
    "user.password_change": _l("changed a password"),
    "user.password_reset": _l("reset a password"),
    "user.mfa_enrol": _l("turned on two-factor sign-in"),
    "user.mfa_off": _l("turned off two-factor sign-in"),
    "user.mfa_recovery": _l("signed in with a recovery code"),
    "user.mfa_reset": _l("reset a user's two-factor sign-in"),
    "user.lock_phrase": _l("set a lock phrase"),
    "incident.record": _l("recorded an incident"),
    "incident.read": _l("opened an incident"),
    "incident.list": _l("listed incidents"),
    "incident.close": _l("closed an incident"),
    "incident.help": _l("looked for help for an incident"),
    "incident.referral": _l("made an urgent referral from an incident"),
    "incident.erase": _l("erased incident descriptions"),
    "crisis_contact.create": _l("added a crisis contact"),
    "crisis_contact.update": _l("changed a crisis contact"),
    "alert.draft": _l("drafted a safety alert"),
    "alert.approve": _l("approved a safety alert"),
    "alert.withdraw": _l("withdrew a safety alert"),
    "alert.expire": _l("a safety alert expired"),
    "member.alert_consent": _l("changed a member's safety alert consent"),
    "report.read": _l("read a report"),
    "report.export": _l("downloaded a report"),
    "dhis2.mapping": _l("changed the DHIS2 mapping"),
}
AUDIT_RECORD_LABELS: dict[str, Any] = {
    "clinic": _l("clinic"),
    "contact": _l("contact"),
    "follow_up": _l("follow-up"),
    "follow_up_rule": _l("follow-up rule"),
    "member": _l("member"),
    "outbox_message": _l("SMS"),
    "sms_gateway": _l("SMS gateway"),
    "referral": _l("referral"),
    "service": _l("service"),
    "sms_template": _l("SMS text"),
    "user": _l("user"),
    "api_token": _l("API token"),
    "incident": _l("incident"),
    "crisis_contact": _l("crisis contact"),
    "safety_alert": _l("safety alert"),
    "report": _l("report"),
    "dhis2_mapping": _l("DHIS2 mapping"),
}


def register_labels(app: Flask, kind: str, source: LabelSource) -> None:
    """Make the labels of vocabulary `kind` known to `app` (a package calls this in init_app)."""
    vocabularies = app.extensions.setdefault(KEY, {})
    if kind in vocabularies:
        raise ValueError(f"vocabulary {kind!r} is registered twice")
    vocabularies[kind] = source


def register_core_labels(app: Flask) -> None:
    """core's own vocabularies: roles, languages, the audit log's actions, records, channels."""
    register_labels(app, "role", ROLE_LABELS)
    register_labels(app, "language", LANGUAGE_LABELS)
    register_labels(app, "audit_channel", AUDIT_CHANNEL_LABELS)
    register_labels(app, "audit_action", AUDIT_ACTION_LABELS)
    register_labels(app, "audit_record", AUDIT_RECORD_LABELS)


def vocabularies(app: Flask | None = None) -> dict[str, LabelSource]:
    """Every registered vocabulary of `app` (default: the current app), by name."""
    target = app if app is not None else current_app
    return target.extensions.get(KEY, {})


def label(kind: str, code: object) -> str:
    """The word for `code` in vocabulary `kind`, in the page's language; the code itself when
    the vocabulary does not know it; "" for no code. An unknown vocabulary is a KeyError."""
    if code is None or code == "":
        return ""
    source = vocabularies()[kind]
    text = str(code)
    found = source(text) if callable(source) else source.get(text)
    return text if found is None else str(found)


def labels(codes: Iterable[object] | None, kind: str, separator: str = ", ") -> str:
    """The words for several codes of one vocabulary, joined."""
    return separator.join(label(kind, code) for code in codes or ())


def known_codes(kind: str) -> list[str]:
    """The codes a mapping vocabulary lists (a function vocabulary lists none)."""
    source = vocabularies()[kind]
    return [] if callable(source) else list(source)


def choices(kind: str, codes: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(code, word) pairs for a select or a filter: `codes`, or every code the vocabulary lists."""
    return [(code, label(kind, code)) for code in (known_codes(kind) if codes is None else codes)]


def lazy_choices(kind: str, codes: Iterable[str] | None = None) -> Callable[[], list]:
    """`choices` evaluated when a form is rendered (WTForms takes a callable), in its language."""
    fixed = None if codes is None else tuple(codes)
    return lambda: choices(kind, fixed)
