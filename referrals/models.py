"""Members, referrals, their events and follow-ups (built by the referrals issue)."""
