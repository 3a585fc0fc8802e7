"""JSON API endpoints of the referrals package (added to core.api.api)."""
