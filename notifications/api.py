"""JSON API endpoints of the notifications package (added to core.api.api)."""
