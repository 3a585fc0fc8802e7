"""Members, referrals, clinic confirmation, follow-ups and the peer educator's tasks."""

from referrals import jobs, replies  # noqa: F401 - the sweep job, retention step, reply receiver
