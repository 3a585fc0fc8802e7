"""The load bench's Markdown: the tables that go into bench/README.md."""

from __future__ import annotations

from bench.load_cluster import ROOT

START, END = "<!-- load:start -->", "<!-- load:end -->"
KINDS = {"search": "GET /api/v1/clinics", "create": "POST /api/v1/referrals",
         "confirm": "POST /api/v1/referrals/<code>/confirm",
         "callback": "POST /webhooks/twilio/status"}  # fmt: skip


def _load_table(phase: dict) -> list[str]:
    lines = ["| request | requests | per s | p50 ms | p95 ms | p99 ms | statuses | errors |",
             "|---|---:|---:|---:|---:|---:|---|---:|"]  # fmt: skip
    for kind, label in KINDS.items():
        r = phase["load"][kind]
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(r["statuses"].items()))
        lines.append(f"| {label} | {r['requests']} | {r['per_second']} | {r['p50_ms']} | "
                     f"{r['p95_ms']} | {r['p99_ms']} | {statuses} | {r['errors']} |")  # fmt: skip
    return lines


def _messages(phase: dict) -> str:
    m = phase["messages"]
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(m["statuses"].items()))
    left = _counts({k: v for k, v in phase["left"].items() if v})
    return (
        f"After the drain ({phase['drain_s']} s; left unsettled: {left}): "
        f"{m['rows']} outbox rows ({statuses}); {m['at_fake']} messages at the fake, "
        f"**{m['duplicates']} duplicates** ({m['rows_sent_twice']} rows sent twice); "
        f"{m['sent_rows_missing_at_fake']} rows counted sent that the fake never got; "
        f"{m['fake_messages_of_unsent_rows']} messages at the fake whose row is not sent"
        f" ({_counts(m['their_statuses'])}). Sent after due, every row sent so far (s, "
        f"p50/p95/max): {'/'.join(str(v) for v in m['sent_after_due_s'].values())}."
    )


def render(results: dict) -> str:
    """The whole section."""
    m, a, b, c = results["machine"], results["A"], results["B"], results["C"]
    out = [
        "## Load and faults (`bench/load.py`)",
        "",
        "```",
        f".venv/bin/python -m bench.load --seconds {results['seconds']:g}",
        "```",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), shared with other work; {m['started']}; "
        f"1-minute load average {results['load_before']:.1f} at the start, "
        f"{results.get('load_after', 0):.1f} at the end. PostgreSQL {results['postgres']} in a "
        "cluster of the bench's own (initdb in a temporary directory, trust authentication, a "
        "free port), gunicorn 4 sync workers, two `flask scheduler run` processes, the "
        "Twilio-compatible fake (tests/support/twilio_fake.py) in the bench's process; 7 "
        "keep-alive clients on the same 2 CPUs (2 searching, 3 creating referrals, 1 "
        "confirming visits with the clinic partner's token, 1 posting signed `delivered` "
        "callbacks for what the fake received). Settings of the bench (environment): "
        "`SMS_DISPATCH_INTERVAL=1`, `SMS_LEASE_SECONDS=30`, `SMS_UNKNOWN_LOOKUP_AFTER=20`, "
        "`SMS_RETRY_BASE_SECONDS=2`, `SMS_RETRY_MAX_SECONDS=10`, `SMS_MAX_ATTEMPTS=10`, "
        "`SMS_GATEWAY_COOLDOWN=5`, no per-contact cap, no quiet hours, rate limits off; the "
        "rest as shipped (pool 8, batch 50, send timeout 10 s). Each phase starts at second 35 "
        'of a minute: a message planned "at once" goes at the next whole minute, so the first '
        "burst of sends comes 25 s in. Raw numbers: bench/results/load.json.",
        "",
        f"### A: {results['seconds']:g} s of mixed load",
        "",
        *_load_table(a),
        "",
        f"Referrals created: {a['created']}, missing from the database: {a['lost']}. "
        + _messages(a),
        "",
        "### B: the same with 20% of sends failing (429/500) and PostgreSQL restarted once",
        "",
        *_load_table(b),
        "",
        _outage(b),
        "",
        f"Referrals answered 201: {b['created']}, missing from the database: **{b['lost']}**. "
        f"Faults injected at the fake: {b['faults_injected']}. Rows the restart left `sending` "
        f"(their result could not be written), recovered after their lease and looked up: "
        f"{b.get('recovered', 'not counted')}. " + _messages(b),
        "",
        "### C: a scheduler killed with SIGKILL mid-batch",
        "",
        f"{c['messages_due']} reminders made due at once, the fake holding each send 1 s; "
        f"scheduler 1 of 2 killed (SIGKILL) {c['killed_after_s']} s later, with "
        f"{c['sending_at_kill']} rows `sending` (both processes' batches). The survivor "
        f"recovered {c['recovered_by_survivor']} rows from expired leases (30 s) and looked each "
        f"up at the fake. What became of the rows `sending` at the kill: "
        f"{_counts(c['fate_of_those']['statuses'])}; attempts per row: "
        f"{_counts(c['fate_of_those']['attempts'])}. " + _messages(c),
    ]
    return "\n".join(out)


def _counts(counts: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"


def _after(seconds: float | None) -> str:
    if seconds is None:
        return "(none) when"
    return f"{seconds} s after" if seconds > 0 else f"{-seconds} s before"


def _outage(b: dict) -> str:
    o = b["outage"]
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(o["statuses"].items()))
    return (
        f"The restart (`pg_ctl restart -m fast`) took {o['restart_s']} s. Failed requests: "
        f"{o['failed']} ({statuses}), {o['in_outage']} of them "
        f"during the restart or the 5 s after it, {o['outside']} outside; the last failure "
        f"ended {_after(o['last_failure_after_restart_s'])} PostgreSQL was back."
    )


def write_readme(section: str) -> None:
    """Replace this benchmark's section of bench/README.md (or add it)."""
    path = ROOT / "bench" / "README.md"
    text = path.read_text()
    block = f"{START}\n{section}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
