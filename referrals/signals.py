"""Signals the referrals package publishes (blinker); higher packages subscribe at init_app.

`member_anonymised` is sent once when a member is anonymised, inside the unit of work (after
referrals' own erasures are flushed, before the commit): a receiver erases what its package keeps
about her (flush, never commit), and it is committed with the anonymisation or rolled back with it.

    member_anonymised.send(None, member_id=int, actor=Actor | None, at=datetime)

`actor` is the user who asked for it (for the receivers' audit rows); `at` the time it was done.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

member_anonymised = _signals.signal("member-anonymised")
