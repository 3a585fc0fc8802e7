"""JSON API endpoints of the reports package (added to core.api.api)."""
