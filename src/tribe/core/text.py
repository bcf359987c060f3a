"""Checks for user-written text. Output is always escaped by templates and JSON; here we bound size."""

from __future__ import annotations

from .errors import ValidationFailed


def clean_text(value, field: str, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{field}: must be text", fields={field: "must be text"})
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"{field}: required", fields={field: "required"})
    if len(value) > max_length:
        raise ValidationFailed(f"{field}: at most {max_length} characters", fields={field: f"max {max_length}"})
    if "\x00" in value:
        raise ValidationFailed(f"{field}: contains a NUL character", fields={field: "invalid character"})
    return value
