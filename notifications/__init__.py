"""Notifications: contacts, outbox, templates, dispatch, gateways, webhooks."""
