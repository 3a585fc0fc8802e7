"""JSON API endpoints of the safety package (`routes`, added to the app's API by init_app)."""

from __future__ import annotations

from core.api import ApiRoutes

routes = ApiRoutes()
