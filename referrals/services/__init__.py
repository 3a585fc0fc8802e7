"""The referrals services, split by meaning; routes, API, CLI and jobs call these.

- `members`: registration, reading (audited), contact controls, anonymisation, reassignment
- `lifecycle`: create / reschedule / cancel / confirm, the sweep (over `machine`, the one
  state machine)
- `followups`: rules and follow-ups; `tasks`: the peer educator's task list and search
- `messaging`: what the referral asks the outbox (notifications.planning) for
"""

from referrals.services import (  # noqa: F401
    codes,
    followups,
    lifecycle,
    machine,
    members,
    messaging,
    serialize,
    tasks,
)
