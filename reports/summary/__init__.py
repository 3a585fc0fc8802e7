"""The materialised report summary (models, refresh, reading): see reports/summary/models.py."""
