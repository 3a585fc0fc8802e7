"""A DHIS2-compatible `POST /api/dataValueSets` server for tests, on 127.0.0.1.

    with Dhis2Fake(org_units={"OrgUnitDhk1"}) as fake:
        app.config.update(fake.config())  # DHIS2_URL, DHIS2_USERNAME, DHIS2_PASSWORD
        ...
        assert fake.stored[("HARCref0001", "202611", "OrgUnitDhk1", "HARCcoc0001")] == "6"

Checks a document as DHIS2's importer does (2.38 and later): basic auth (401 otherwise), a JSON
body, the data set known (else status ERROR, nothing imported), the set's period and org unit if
given; then every value: data element, org unit and category option combo known to the fake's
metadata, the period a month (YYYYMM), the value a numeric string; a value failing a check is
ignored with a conflict. Answers DHIS2's web message around an ImportSummary (status SUCCESS,
WARNING or ERROR, importCount, conflicts); 409 when there are conflicts. `dryRun=true` counts
and stores nothing. Faults: `fail_next(status)` answers the next request with DHIS2's error
body of that HTTP status; `latency` delays every answer.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from clinics.reference import SERVICE_CODES
from tests.support.fake_server import FakeHTTPServer, ServedFake

MONTH = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
STATUS_TEXT = {401: "Unauthorized", 409: "Conflict", 500: "Internal Server Error"}
# The placeholders of reports.dhis2_mapping.DEFAULT_MAPPING: the fake knows them by default.
DEFAULT_ELEMENTS = {"HARCref0001", "HARCatt0001", "HARClnk0001"}
DEFAULT_COMBOS = {f"HARCcoc{n:04d}" for n, _ in enumerate(SERVICE_CODES, 1)}


def web_message(status: int, message: str, response: dict | None = None) -> dict[str, Any]:
    """DHIS2's envelope of every answer."""
    body: dict[str, Any] = {
        "httpStatus": STATUS_TEXT.get(status, "OK"),
        "httpStatusCode": status,
        "status": "OK" if status < 400 else ("WARNING" if status == 409 else "ERROR"),
        "message": message,
    }
    if response is not None:
        body["response"] = response
    return body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHTTPServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        status, payload = self.server.fake.handle(self.path, raw, self.headers)
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="DHIS2"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Dhis2Fake(ServedFake):
    """The server: start()/stop() or a `with` block; see the module docstring."""

    handler = _Handler
    thread_name = "dhis2-fake"

    def __init__(
        self,
        *,
        org_units: set[str] | None = None,
        data_sets: set[str] | None = None,
        data_elements: set[str] | None = None,
        combos: set[str] | None = None,
        username: str = "harc",
        password: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.org_units = set(org_units or ())
        self.data_sets = set(data_sets or {"HARCcasc001"})
        self.data_elements = set(data_elements or DEFAULT_ELEMENTS)
        self.combos = set(combos or DEFAULT_COMBOS)
        self.username, self.host = username, host
        self.password = password or uuid.uuid4().hex
        self.stored: dict[tuple[str, str, str, str], str] = {}  # (de, pe, ou, coc) → value
        self.requests: list[dict[str, Any]] = []  # {"query", "body", "status"}
        self.errors: list[BaseException] = []
        self._faults: deque[int] = deque()
        self.latency = 0.0  # seconds before every answer (stop() releases it)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: FakeHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return self._origin()

    def config(self, **overrides: str) -> dict[str, str]:
        """The app settings that point the push here."""
        values = {"DHIS2_URL": self.base_url, "DHIS2_USERNAME": self.username}
        return {**values, "DHIS2_PASSWORD": self.password, **overrides}

    def fail_next(self, status: int) -> None:
        """Answer the next request with DHIS2's error body of `status` (e.g. 500)."""
        self._faults.append(status)

    # -- the importer ---------------------------------------------------------------------

    def handle(self, target: str, raw: str, headers: Any) -> tuple[int, dict[str, Any]]:
        """One request → (HTTP status, JSON body)."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if self.latency:
            self._stopping.wait(self.latency)
        status, body = self._answer(parts.path, query, raw, headers)
        with self._lock:
            self.requests.append({"query": query, "body": raw, "status": status})
        return status, body

    def _answer(self, path: str, query: dict[str, str], raw: str, headers: Any) -> Any:
        if self._faults:
            status = self._faults.popleft()
            return status, web_message(status, "An unexpected error occurred on the server")
        if not self._authorised(headers.get("Authorization") or ""):
            return 401, web_message(401, "Unauthorized")
        if path.rstrip("/") != "/api/dataValueSets":
            return 404, web_message(404, f"No endpoint {path}")
        if "json" not in (headers.get("Content-Type") or ""):
            return 415, web_message(415, "Content type not supported")
        try:
            document = json.loads(raw)
        except ValueError:
            return 400, web_message(400, "JSON parse error")
        if not isinstance(document, dict):
            return 400, web_message(400, "JSON parse error")
        dry_run = query.get("dryRun", "false").lower() == "true"
        summary = self._import(document, dry_run, query.get("importStrategy"))
        if summary["status"] == "SUCCESS":
            return 200, web_message(200, "Import was successful.", summary)
        message = "An error occurred, please check import summary."
        if summary["status"] == "WARNING":
            message = "One more conflicts encountered, please check import summary."
        return 409, {**web_message(409, message, summary), "status": summary["status"]}

    def _authorised(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            given = base64.b64decode(header[6:]).decode()
        except ValueError:
            return False
        return given == f"{self.username}:{self.password}"

    def _import(self, document: dict[str, Any], dry_run: bool, strategy: str | None) -> dict:
        counts = {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}
        conflicts: list[dict[str, Any]] = []
        fatal = self._set_level_conflict(document)
        if fatal is not None:
            return _summary("ERROR", counts, [fatal], dry_run, strategy)
        staged: dict[tuple[str, str, str, str], str] = {}
        for index, value in enumerate(document.get("dataValues") or []):
            key, problem = self._check_value(document, value)
            if problem is not None:
                counts["ignored"] += 1
                conflicts.append({**problem, "indexes": [index]})
                continue
            existing = key in self.stored or key in staged
            counts["updated" if existing else "imported"] += 1
            staged[key] = value["value"]
        if not dry_run:
            with self._lock:
                self.stored.update(staged)
        return _summary("WARNING" if conflicts else "SUCCESS", counts, conflicts, dry_run, strategy)

    def _set_level_conflict(self, document: dict[str, Any]) -> dict[str, Any] | None:
        data_set = document.get("dataSet")
        if data_set is not None and data_set not in self.data_sets:
            return _conflict(data_set, "Data set not found or not accessible", "E7600", "dataSet")
        period = document.get("period")
        if period is not None and not MONTH.match(str(period)):
            return _conflict(str(period), "Period not valid", "E7601", "period")
        unit = document.get("orgUnit")
        if unit is not None and unit not in self.org_units:
            return _conflict(unit, "Org unit not found or not accessible", "E7603", "orgUnit")
        return None

    def _check_value(self, document: dict[str, Any], value: Any) -> tuple[Any, Any]:
        if not isinstance(value, dict):
            return None, _conflict("", "Data value is not an object", "E7630", "dataValue")
        element = value.get("dataElement")
        period = value.get("period", document.get("period"))
        unit = value.get("orgUnit", document.get("orgUnit"))
        combo = value.get("categoryOptionCombo")
        number = value.get("value")
        if element not in self.data_elements:
            return None, _conflict(element, "Data element not found or not accessible", "E7610")
        if period is None or not MONTH.match(str(period)):
            return None, _conflict(period, "Period not valid", "E7611", "period")
        if unit not in self.org_units:
            return None, _conflict(unit, "Organisation unit not found or not accessible", "E7612")
        if combo not in self.combos:
            text = "Category option combo not found or not accessible"
            return None, _conflict(combo, text, "E7613", "categoryOptionCombo")
        if not isinstance(number, str) or not NUMBER.match(number):
            text = "Value must match data element's `INTEGER_ZERO_OR_POSITIVE` type constraints"
            return None, _conflict(str(number), text, "E7619", "value")
        return (element, str(period), unit, combo), None


def _conflict(obj: Any, value: str, code: str, prop: str = "dataElement") -> dict[str, Any]:
    return {
        "object": "" if obj is None else str(obj),
        "objects": {prop: "" if obj is None else str(obj)},
        "value": f"{value}: `{obj}`",
        "errorCode": code,
        "property": prop,
    }


def _summary(status: str, counts: dict, conflicts: list, dry_run: bool, strategy: Any) -> dict:
    return {
        "responseType": "ImportSummary",
        "status": status,
        "importOptions": {
            "idSchemes": {},
            "dryRun": dry_run,
            "async": False,
            "importStrategy": strategy or "CREATE_AND_UPDATE",
        },
        "description": "Import process completed successfully"
        if status != "ERROR"
        else "Import process was aborted",
        "importCount": counts,
        "conflicts": conflicts,
        "dataSetComplete": "false",
    }
