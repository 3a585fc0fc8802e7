"""Members, referrals, clinic confirmation, follow-ups and the peer educator's tasks."""

from referrals import jobs  # noqa: F401 - registers the sweep job and the retention step
