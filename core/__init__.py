"""Core: the app factory and what every domain package shares."""

from core.app import create_app

__all__ = ["create_app"]
