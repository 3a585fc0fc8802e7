"""Plain helpers shared by the tests (no fixtures: those live in the conftest.py files)."""
