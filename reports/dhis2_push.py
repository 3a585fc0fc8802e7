"""The push of one month's document to DHIS2: `POST {DHIS2_URL}/api/dataValueSets` with basic
auth (DHIS2_USERNAME, DHIS2_PASSWORD), JSON, a dry run first (`dryRun=true`: DHIS2 checks and
counts but stores nothing), then the real push.

Every outcome is an answer, never an exception: DHIS2's import summary (status SUCCESS, WARNING
or ERROR, the import counts and conflicts), or why there is none (not configured, unreachable,
timed out, the credentials refused, DHIS2's own error). Each push is audited as report.export
{"report": "dhis2_push", "period", "dry_run", "status"}.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import requests

from core import audit
from core.errors import Forbidden
from core.i18n import N_
from core.security import ADMIN, Actor
from reports.dhis2 import document, parse_period, push_document
from reports.dhis2_mapping import setting

DEFAULT_TIMEOUT = 30.0  # seconds; DHIS2 may take a while to import
COUNT_KEYS = ("imported", "updated", "ignored", "deleted")
MAX_CONFLICTS = 50  # shown and audited; DHIS2 may list thousands


@dataclass
class PushResult:
    """What the push came to: `status` is DHIS2's (SUCCESS, WARNING, ERROR) or one of ours
    (not_configured, unreachable, timeout, unauthorized, server_error, rejected, bad_answer)."""

    status: str
    dry_run: bool
    period: str
    http_status: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    conflicts: list[dict[str, str]] = field(default_factory=list)
    description: str = ""
    sent: int = 0  # values in the document sent
    suppressed: int = 0  # values from 1 to 4 left out
    unmapped_clinics: list[str] = field(default_factory=list)  # clinics without an org unit
    unmapped_services: list[str] = field(default_factory=list)  # services without a combo

    @property
    def ok(self) -> bool:
        """DHIS2 took the document (with or without warnings)."""
        return self.status in ("SUCCESS", "WARNING") and not self.conflicts

    def as_dict(self) -> dict[str, Any]:
        """The result as plain data (the CLI prints it as JSON)."""
        return {**asdict(self), "ok": self.ok}


def _summary(body: Any) -> dict[str, Any] | None:
    """DHIS2's import summary: inside the web message (2.38 and later) or the body itself."""
    if not isinstance(body, dict):
        return None
    inner = body.get("response")
    summary = inner if isinstance(inner, dict) else body
    return summary if "status" in summary and "importCount" in summary else None


def _from_summary(result: PushResult, summary: dict[str, Any]) -> PushResult:
    result.status = str(summary.get("status") or "ERROR")
    counts = summary.get("importCount") or {}
    result.counts = {k: int(counts.get(k) or 0) for k in COUNT_KEYS}
    conflicts = summary.get("conflicts") or []
    result.conflicts = [
        {"object": str(c.get("object", "")), "value": str(c.get("value", ""))}
        for c in conflicts[:MAX_CONFLICTS]
        if isinstance(c, dict)
    ]
    result.description = str(summary.get("description") or "")
    return result


def send(doc: dict[str, Any], result: PushResult) -> PushResult:
    """POST the document to DHIS2 and read its answer into `result`."""
    base = (setting("DHIS2_URL") or "").rstrip("/")
    if not base:
        result.status = "not_configured"
        return result
    timeout = float(setting("DHIS2_TIMEOUT") or DEFAULT_TIMEOUT)
    auth = (setting("DHIS2_USERNAME") or "", setting("DHIS2_PASSWORD") or "")
    params = {
        "dryRun": "true" if result.dry_run else "false",
        "importStrategy": "CREATE_AND_UPDATE",
    }
    try:
        response = requests.post(
            f"{base}/api/dataValueSets", json=doc, params=params, auth=auth, timeout=timeout
        )
    except requests.Timeout:
        result.status = "timeout"
        return result
    except requests.RequestException:
        result.status = "unreachable"
        return result
    result.http_status = response.status_code
    try:
        summary = _summary(response.json())
    except ValueError:
        summary = None
    if response.status_code in (401, 403):
        result.status = "unauthorized"
    elif summary is not None and response.status_code in (200, 201, 409):
        _from_summary(result, summary)
    elif response.status_code >= 500:
        result.status = "server_error"
    elif response.status_code >= 400:
        result.status = "rejected"
    else:
        result.status = "bad_answer"
    return result


def push(period: Any, actor: Actor, *, dry_run: bool) -> PushResult:
    """Push (or dry-run) one month's document to DHIS2 (admins); audited, never raises on what
    DHIS2 or the network answer."""
    if getattr(actor, "role", None) != ADMIN:
        raise Forbidden(N_("Only an admin can send figures to DHIS2."))
    return _push(period, actor, dry_run, channel=None)


def push_from_cli(period: Any, *, dry_run: bool) -> PushResult:
    """The push run by the server's operator (`flask reports dhis2-push`), audited as cli."""
    return _push(period, None, dry_run, channel="cli")


def _push(period: Any, actor: Actor | None, dry_run: bool, channel: str | None) -> PushResult:
    parse_period(period)  # 400 on a bad month, before anything is sent
    full = document(period)
    doc = push_document(full)
    result = send(doc, PushResult(status="", dry_run=dry_run, period=period))
    result.sent, result.suppressed = len(doc["dataValues"]), len(full["suppressed"])
    result.unmapped_clinics = [c["name"] for c in full["unmapped_clinics"]]
    result.unmapped_services = list(full["unmapped"])
    details = {"report": "dhis2_push", "period": period, "dry_run": dry_run, **_audited(result)}
    audit.record(actor, "report.export", "report", "dhis2_push", details, channel=channel)
    return result


def _audited(result: PushResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "http_status": result.http_status,
        "counts": result.counts,
        "conflicts": len(result.conflicts),
    }
