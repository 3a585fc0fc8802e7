"""JSON API endpoints of the clinics package (added to core.api.api)."""
