"""The dispatcher: claim due rows, commit the claim, send through a bounded pool, record results.
(Claiming is in `claim`, recording a result in `results`.)

One pass (`dispatch_pass`) = recover expired leases, resolve `unknown` rows whose wait is over, then
claim and send until nothing is due (or `limit` rows were claimed, or the scheduler stops).
PostgreSQL: several dispatchers share the rows through `FOR UPDATE SKIP LOCKED`; SQLite: one
dispatcher (the claim is still a compare-and-set, so a second one cannot double-send).
Worker threads only call the gateway; every database write happens in the calling thread, each
result in its own short transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

from core.appctx import real_app
from core.db import utcnow
from core.extensions import db
from notifications.engine import attempts, limits, outcomes, pause, reconcile, results
from notifications.engine.claim import Outgoing, PassStats, claim
from notifications.engine.gateways import Gateway, SendResult, get_gateway, get_gateways
from notifications.engine.settings import setting_int

log = logging.getLogger(__name__)


@dataclass
class _Clock:
    """`--now T` moves the clock, which then runs on in real time (leases stay honest)."""

    start: datetime
    real_start: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.start + (utcnow() - self.real_start)


def _release(out: Outgoing, now: datetime, stats: PassStats) -> None:
    """A claimed row that was never handed to the gateway goes back, its attempt not counted."""
    outcomes.back_to_pending(out.id, now=now, send_at=out.claimed_at, uncount=True)
    attempts.advance(
        out.attempt_id, "cancelled", now=now, error_message="never handed to the gateway"
    )
    db.session.commit()
    stats.deferred += 1


def dispatch_pass(
    *,
    now: datetime | None = None,
    limit: int | None = None,
    stop: Callable[[], bool] | None = None,
    gateway: Gateway | None = None,
) -> PassStats:
    """One dispatch pass as if the clock read `now` (CLI and scheduler tick); commits as it goes.
    `gateway`: send through this one only (else the configured gateways in routing order)."""
    clock = _Clock(now or utcnow())
    stop = stop or (lambda: False)
    gateways = {gateway.name: gateway} if gateway is not None else _configured()
    stats = PassStats()
    reconcile.recover_expired(clock(), stats)
    paused = pause.current_pause(clock())
    if paused is not None:
        stats.paused = True
        if paused.error_code == pause.LIMIT_CODE:
            # The gateways work (they are only full): settle what may already have gone out.
            reconcile.resolve_unknown(gateways, clock, stats)
        db.session.commit()
        return stats
    reconcile.resolve_unknown(gateways, clock, stats)
    if setting_int("SMS_DAILY_SEGMENT_BUDGET") > 0:
        stats.segments_today = limits.daily_segments_used(*limits.local_day_bounds(clock()))
    _send_loop(gateways, clock, limit, stop, stats)
    if stats.claimed or stats.recovered or stats.resolved:
        # Each message's own line says what happened to it; the tick's summary is routine.
        log.debug("dispatch pass: %s", stats.line())
    return stats


def _configured() -> dict[str, Gateway]:
    """The app's gateways in routing order; the first is `get_gateway`'s (which tests rebuild)."""
    app = real_app()
    first = get_gateway(app)
    if len(app.config.get("SMS_BACKENDS") or ()) < 2:
        return {first.name: first}
    gateways = dict(get_gateways(app))
    if first.name in gateways:
        gateways[first.name] = first
    return gateways


def _send_loop(gateways: dict[str, Gateway], clock, limit, stop, stats: PassStats) -> None:
    names = list(gateways)
    pool_size = max(1, setting_int("SMS_POOL_SIZE"))
    # Claim a little ahead of the pool so that it never waits for the next claim.
    window = max(setting_int("SMS_BATCH_SIZE"), pool_size)
    inflight: dict[Future, Outgoing] = {}
    exhausted = False
    with ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="sms-send") as pool:
        while True:
            halt = stats.paused or stats.budget_reached or stop()
            if not exhausted and not halt and len(inflight) <= pool_size:
                want = window - len(inflight)
                if limit is not None:
                    want = min(want, limit - stats.claimed)
                batch, got = claim(clock(), want, stats, names) if want > 0 else ([], 0)
                exhausted = got == 0
                for out in batch:
                    future = pool.submit(gateways[out.gateway].send, out.to, out.body,
                                         out.callback_url, kind=out.kind,
                                         reference=out.reference)  # fmt: skip
                    inflight[future] = out
            if halt:
                for future, out in list(inflight.items()):
                    if future.cancel():
                        del inflight[future]
                        _release(out, clock(), stats)
            if not inflight:
                if exhausted or halt:
                    break
                continue
            done, _ = wait(list(inflight), timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                out = inflight.pop(future)
                exc = future.exception()
                result = future.result() if exc is None else SendResult("unknown", message="error")
                results.record(out, result, clock(), stats, names)
