"""JSON API endpoints of the safety package: `routes` collects them; each module adds its own
(incidents and help now, crisis contacts, alerts) when init_app imports it."""

from __future__ import annotations

from core.api import ApiRoutes

routes = ApiRoutes()
