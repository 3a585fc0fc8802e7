"""Members, referrals, clinic confirmation, follow-ups and the peer educator's tasks."""
