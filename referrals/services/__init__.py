"""The referrals services, split by meaning; routes, API, CLI and jobs call these.

- `members`: registration, reading (audited), contact controls, anonymisation, reassignment
- `lifecycle`: create / read / reschedule / cancel / confirm / trace, over `machine`, the one
  state machine; `sweep`: missed and expired referrals, missed follow-ups
- `followups`: rules and follow-ups; `tasks`: the peer educator's task list and search
- `messaging`: what the referral asks the outbox (notifications.services) for; the one place a
  referral's outbox subject is built and parsed (`subject_for`, `code_of`)
- `codes`: referral codes; `scope`: who sees what; `serialize`: CONTRACT.md's JSON objects
- `clinic_directory`: referrals' adapter to the clinic directory (clinics.services)
"""

from referrals.services import (  # noqa: F401
    codes,
    followups,
    lifecycle,
    machine,
    members,
    messaging,
    serialize,
    sweep,
    tasks,
)
