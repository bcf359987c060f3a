"""One error shape for the whole API: {"error": {"code", "message", "fields"}} with the right 4xx."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tribe.core.errors import DomainError


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "file", "payload")]
    return ".".join(parts) or "body"


def install(api) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields: dict[str, str] = {}
        malformed = False
        for err in exc.errors:
            if err.get("type") == "json_invalid" or "JSON" in str(err.get("msg", "")):
                malformed = True
            fields[_field_name(err.get("loc", []))] = str(err.get("msg", "invalid"))
        if malformed:
            return api.create_response(request, _body("malformed_json", "request body is not valid JSON"), status=400)
        message = "; ".join(f"{k}: {v}" for k, v in fields.items()) or "invalid input"
        return api.create_response(request, _body("invalid", message, fields), status=422)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(
            request, _body("not_authenticated", "sign in or send a valid Bearer token"), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, _body("not_found", str(exc) or "not found"), status=404)

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return api.create_response(request, _body("not_found", "not found"), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited"}
        return api.create_response(
            request, _body(code.get(exc.status_code, "error"), str(exc.message)), status=exc.status_code
        )
