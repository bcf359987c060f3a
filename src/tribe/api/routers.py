"""Registers every app's router under /api/v1."""
