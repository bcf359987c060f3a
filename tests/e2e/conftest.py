"""Browser tests live here; the browser fixtures are in tests/conftest.py (one browser per run)."""
