"""The load bench's clients: keep-alive threads per kind of request, every request recorded
(kind, when it started, how long it took, its HTTP status; 0 = no answer)."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

EXPECTED = {"search": 200, "create": 201, "confirm": 200, "callback": 204}


@dataclass
class Seeded:
    """What the seeding gave the clients."""

    pe_token: str
    partner_token: str
    clinic_id: int
    member_ids: list[int]
    districts: list[str]


@dataclass
class Record:
    kind: str
    at: float  # time.monotonic() when the request started
    seconds: float
    status: int


@dataclass
class Load:
    """Clients of every kind against one gunicorn, with the Twilio fake for callbacks."""

    port: int
    seeded: Seeded
    fake: object
    public_base: str
    threads: dict[str, int] = field(
        default_factory=lambda: {"search": 2, "create": 3, "confirm": 1, "callback": 1}
    )
    records: list[Record] = field(default_factory=list)
    created: list[str] = field(default_factory=list)  # every code answered with a 201
    _to_confirm: deque = field(default_factory=deque)
    _next_callback: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the requests ----------------------------------------------------------------------
    def _search(self):
        query = {"service": "hiv_testing", "district": random.choice(self.seeded.districts)}
        if random.random() < 0.5:
            query = {"near": f"{23.7 + random.random() / 5:.4f},{90.35 + random.random() / 5:.4f}"}
        auth = {"Authorization": f"Bearer {self.seeded.pe_token}"}
        return "GET", "/api/v1/clinics?" + urlencode(query), None, auth

    def _create(self):
        when = datetime.now().astimezone() + timedelta(days=3, minutes=random.randint(0, 28800))
        body = {"member_id": random.choice(self.seeded.member_ids),
                "clinic_id": self.seeded.clinic_id, "services": ["hiv_testing"],
                "appointment_at": when.isoformat(), "urgency": "routine"}  # fmt: skip
        auth = {"Authorization": f"Bearer {self.seeded.pe_token}",
                "Content-Type": "application/json"}  # fmt: skip
        return "POST", "/api/v1/referrals", json.dumps(body), auth

    def _confirm(self):
        with self._lock:
            # A referral a few seconds old: its first SMS has had time to go.
            if not self._to_confirm or self._to_confirm[0][0] > time.monotonic() - 5:
                return None
            code = self._to_confirm.popleft()[1]
        body = json.dumps({"services_delivered": ["hiv_testing"], "linked_to_care": True})
        auth = {"Authorization": f"Bearer {self.seeded.partner_token}",
                "Content-Type": "application/json"}  # fmt: skip
        return "POST", f"/api/v1/referrals/{code}/confirm", body, auth

    def _callback(self):
        # Each message the fake received, in order, once: Twilio posts `delivered` for it.
        messages = self.fake.messages
        if self._next_callback >= len(messages):
            return None
        sid = messages[self._next_callback].sid
        self._next_callback += 1
        path, params, headers = self.fake.callback_request(sid, "delivered")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return "POST", path, urlencode(params), headers

    # -- running ---------------------------------------------------------------------------
    def _client(self, kind: str, stop: threading.Event) -> None:
        make = getattr(self, f"_{kind}")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        mine: list[Record] = []
        while not stop.is_set():
            request = make()
            if request is None:
                time.sleep(0.05)
                continue
            method, path, body, headers = request
            at = time.monotonic()
            payload = b""
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
            mine.append(Record(kind, at, time.monotonic() - at, status))
            if kind == "create" and status == 201:
                code = json.loads(payload)["code"]
                with self._lock:
                    self.created.append(code)
                    self._to_confirm.append((time.monotonic(), code))
        conn.close()
        with self._lock:
            self.records.extend(mine)

    def run(self, seconds: float, during=None) -> tuple[float, float]:
        """Drive every kind for `seconds`; `during(start)` runs in this thread meanwhile.
        Returns (start, end) in time.monotonic()."""
        self._next_callback = len(self.fake.messages)  # the messages of this run only
        stop = threading.Event()
        workers = [threading.Thread(target=self._client, args=(kind, stop))
                   for kind, n in self.threads.items() for _ in range(n)]  # fmt: skip
        start = time.monotonic()
        for w in workers:
            w.start()
        if during is not None:
            during(start)
        while time.monotonic() < start + seconds:
            time.sleep(0.1)
        stop.set()
        for w in workers:
            w.join()
        return start, time.monotonic()


def percentile(ordered: list[float], p: float) -> float | None:
    """The nearest-rank percentile of sorted values, in ms."""
    if not ordered:
        return None
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return round(ordered[rank - 1] * 1000, 1)


def summary(records: list[Record], seconds: float) -> dict:
    """Per kind: requests, requests/s, p50/p95/p99 ms, statuses, errors (not the expected one)."""
    out = {}
    for kind in EXPECTED:
        mine = [r for r in records if r.kind == kind]
        ordered = sorted(r.seconds for r in mine)
        statuses: dict[int, int] = {}
        for r in mine:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        out[kind] = {
            "requests": len(mine),
            "per_second": round(len(mine) / seconds, 1),
            "p50_ms": percentile(ordered, 50),
            "p95_ms": percentile(ordered, 95),
            "p99_ms": percentile(ordered, 99),
            "statuses": statuses,
            "errors": sum(n for s, n in statuses.items() if s != EXPECTED[kind]),
        }
    return out
