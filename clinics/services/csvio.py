"""The directory as CSV (CONTRACT.md's columns): export, and an all-or-nothing import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

import sqlalchemy as sa

import clinics.hours
from clinics.models import Clinic
from clinics.services.directory import apply_fields
from clinics.services.fields import REQUIRED_ON_CREATE, WRITABLE, clean_fields
from core import audit, csvsafe
from core.edge import bad_text
from core.errors import BadInput, DomainError, ValidationFailed
from core.extensions import db
from core.i18n import N_, Text
from core.security import Actor

# The clinic object's keys: its id, what can be written, and when it was verified.
COLUMNS = ("id", *WRITABLE, "verified_at")
REQUIRED_COLUMNS = REQUIRED_ON_CREATE


@dataclass
class RowError:
    """One problem of an imported file: the line (1 is the header), the column and why."""

    line: int
    field: str
    message: str | Text

    def text(self) -> Text:
        """The problem as a message a page can show in the reader's language."""
        words = {"line": self.line, "field": self.field, "problem": self.message}
        return Text(N_("line %(line)s: %(field)s: %(problem)s"), words)

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportReport:
    """What an import did (or, with errors and no --skip-invalid, would not do)."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)


def export_csv(out: IO[str]) -> int:
    """Write every clinic as CSV (formula-like cells quoted); returns how many rows were written."""
    from core.api import iso_local

    writer = csvsafe.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for clinic in db.session.scalars(sa.select(Clinic).order_by(Clinic.id)):
        writer.writerow(
            [
                clinic.id,
                clinic.name,
                clinic.sms_alias,
                clinic.district,
                clinic.area or "",
                clinic.address or "",
                "" if clinic.latitude is None else clinic.latitude,
                "" if clinic.longitude is None else clinic.longitude,
                clinic.phone or "",
                ";".join(clinic.service_codes),
                ";".join(clinic.attributes),
                clinics.hours.to_csv(clinic.hours or {}),
                clinic.status,
                iso_local(clinic.verified_at) or "",
            ]
        )
        count += 1
    return count


def export_text() -> str:
    """The directory as a CSV string."""
    buffer = io.StringIO()
    export_csv(buffer)
    return buffer.getvalue()


def _row_fields(row: dict[str, str]) -> tuple[dict[str, Any], dict[str, str | Text]]:
    """A CSV row as the service's field dict, and the errors of its CSV-only forms."""
    from core.api import parse_datetime

    data: dict[str, Any] = {}
    errors: dict[str, str | Text] = {}
    for key in COLUMNS:
        if key not in row or key == "id":
            continue
        # The export quoted formula-like cells with '; take exactly that quote off again.
        value = csvsafe.unescape_cell((row.get(key) or "").strip())
        if bad_text(value):  # a file is an edge too: PostgreSQL refuses NUL in text
            errors[key] = N_("Holds a character that cannot be used (NUL).")
        elif key == "hours":
            try:
                data["hours"] = clinics.hours.from_csv(value)
            except ValidationFailed as exc:
                errors.update(exc.field_texts)
        elif key == "verified_at":
            try:
                data["verified_at"] = parse_datetime(value, "verified_at") if value else None
            except DomainError:
                errors["verified_at"] = N_("Not an ISO 8601 date-time.")
        elif key == "status":
            data["status"] = value or "active"
        else:
            data[key] = value
    return data, errors


def import_csv(source: IO[str], actor: Actor | None, *, skip_invalid: bool = False) -> ImportReport:
    """Import clinics: a row whose `id` names a clinic updates it, any other row creates one.

    Every row is checked before anything is written; with errors and without `skip_invalid`
    nothing is written and ValidationFailed carries the report (`extra["errors"]`)."""
    reader = csv.DictReader(source)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    report = ImportReport()
    unknown = [h for h in header if h not in COLUMNS]
    missing = [h for h in REQUIRED_COLUMNS if h not in header]
    if not header or unknown or missing:
        problem = (
            Text(N_("unknown columns %(names)s"), {"names": ", ".join(unknown)})
            if unknown
            else Text(
                N_("missing columns %(names)s"), {"names": ", ".join(missing or REQUIRED_COLUMNS)}
            )
        )
        raise BadInput(
            N_("line 1: %(problem)s; expected %(columns)s."),
            params={
                "problem": problem,
                "columns": ", ".join(COLUMNS),
                # each problem for the page, in the reader's language (the API has `errors`)
                "rows": (Text(N_("line 1: header: %(problem)s"), {"problem": problem}),),
            },
            fields={"file": problem},
            extra={"errors": [f"line 1: header: {problem}"]},
        )
    existing = set(db.session.scalars(sa.select(Clinic.id)))
    planned: list[tuple[int | None, dict[str, Any]]] = []
    seen_ids: set[int] = set()
    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # a blank line
        row_errors: dict[str, str | Text] = {}
        if None in row:
            row_errors["row"] = N_("More values than columns.")
        clinic_id = None
        id_text = (row.get("id") or "").strip()
        if id_text:
            if not (id_text.isascii() and id_text.isdigit() and len(id_text) <= 18):
                row_errors["id"] = N_("Must be a whole number or empty.")
            else:
                clinic_id = int(id_text) if int(id_text) in existing else None
                if int(id_text) in seen_ids:
                    row_errors["id"] = N_("The same id is given twice in this file.")
                seen_ids.add(int(id_text))
        data, csv_errors = _row_fields(row)
        row_errors.update(csv_errors)
        try:
            clean = clean_fields(
                {k: v for k, v in data.items() if k not in csv_errors},
                creating=clinic_id is None,
            )
        except ValidationFailed as exc:
            row_errors.update(exc.field_texts)
            clean = {}
        if row_errors:
            report.errors += [RowError(line, k, v) for k, v in row_errors.items()]
            report.skipped += 1
            continue
        if "verified_at" in data:
            clean["verified_at"] = data["verified_at"]  # restored exactly, even when empty
        planned.append((clinic_id, clean))
    if report.errors and not skip_invalid:
        raise ValidationFailed(
            N_("%(count)s problem(s) in the file; nothing was imported."),
            params={"count": len(report.errors), "rows": tuple(e.text() for e in report.errors)},
            fields={"file": report.errors[0].text()},
            extra={"errors": [str(e) for e in report.errors]},
        )
    for clinic_id, clean in planned:
        has_verified = "verified_at" in clean
        verified_at = clean.pop("verified_at", None)
        if clinic_id is None:
            clinic = Clinic(name=clean["name"], sms_alias=clean["sms_alias"], district="")
            clean.setdefault("hours", clinics.hours.empty_hours())
            db.session.add(clinic)
            report.created += 1
        else:
            clinic = db.session.get_one(Clinic, clinic_id)  # planned from rows read above
            report.updated += 1
        apply_fields(clinic, clean)
        if has_verified or clinic_id is None:
            clinic.verified_at = verified_at
            clinic.verified_by_id = getattr(actor, "id", None) if verified_at else None
    db.session.flush()
    audit.record(
        actor,
        "clinic.import",
        "clinic",
        None,
        {"created": report.created, "updated": report.updated, "skipped": report.skipped},
    )
    return report
