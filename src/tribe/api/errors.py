"""One error shape for the whole API: {"error": {"code", "message", "fields"}} with the right 4xx.

Every failure an API client can cause ends here: domain errors from the services, ninja's own validation and
authentication errors, bodies that are not JSON or not the declared Content-Type, oversized or broken
uploads, unknown objects. Anything else is a bug; it is logged and still answered in the same shape.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tribe.core.errors import DomainError

from .base import UnsupportedMediaType

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_name(loc) -> str:
    """ninja's loc is (source, *path); a JSON body's path starts with the handler's parameter name, which
    means nothing to the client: ("body", "payload", "skus", 0, "price") → "skus.0.price"."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path", "form", "file", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def install(api) -> None:
    def respond(request, status: int, code: str, message: str, fields: dict | None = None):
        return api.create_response(request, _body(code, message, fields), status=status)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields: dict[str, str] = {}
        malformed = False
        for err in exc.errors:
            if err.get("type") == "json_invalid":
                malformed = True
            name = _field_name(err.get("loc", []))
            fields.setdefault(name, str(err.get("msg", "invalid")))
        if malformed:
            return respond(request, 400, "malformed_json", "request body is not valid JSON")
        message = "; ".join(f"{k}: {v}" for k, v in fields.items()) or "invalid input"
        return respond(request, 422, "invalid", message, fields)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return respond(request, 401, "not_authenticated", "sign in or send a valid Bearer token")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", str(exc) or "not found")

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request, exc):
        return respond(request, 404, "not_found", "not found")

    @api.exception_handler(UnsupportedMediaType)
    def unsupported_media_type(request, exc: UnsupportedMediaType):
        return respond(request, 415, "unsupported_media_type", str(exc))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, UnsupportedMediaType):
            return unsupported_media_type(request, cause)
        if exc.status_code == 400 and cause is not None:
            # ninja's BodyModel raises HttpError(400) from whatever json.loads raised (syntax, encoding,
            # nesting too deep): the body is not usable JSON.
            return respond(request, 400, "malformed_json", "request body is not valid JSON")
        if exc.status_code == 403 and "CSRF" in str(exc.message):
            return respond(
                request,
                403,
                "csrf_failed",
                "CSRF check failed; send the X-CSRFToken header or use a Bearer token",
            )
        return respond(request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"), str(exc.message))

    @api.exception_handler(RequestDataTooBig)
    def request_too_big(request, exc):
        return respond(request, 413, "request_too_large", "request body is too large")

    @api.exception_handler(MultiPartParserError)
    def malformed_multipart(request, exc):
        return respond(request, 400, "malformed_multipart", "multipart body could not be parsed")

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return respond(request, 400, "bad_request", "request refused")

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("unhandled error in API %s %s", request.method, request.path)
        return respond(request, 500, "server_error", "unexpected error; it has been logged")
