"""The NinjaAPI subclass behind /api/v1: a stricter body parser, and URL-level errors in the one error shape.

Ninja answers some requests before any exception handler can run: a method the path does not take gets a
plain-text 405 from its PathView, a path no operation matches falls through to Django's HTML 404, and the
API root raises Http404 outside an operation. Wrapping the URL patterns is the one place all three can be
turned into {"error": {...}} without patching ninja itself.
"""

from __future__ import annotations

import functools
import json

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from ninja import NinjaAPI
from ninja.parser import Parser


class UnsupportedMediaType(Exception):
    """The body of a JSON operation came with another Content-Type (a form post, plain text...)."""

    def __init__(self, content_type: str, expected: str = "application/json"):
        self.content_type = content_type
        self.expected = expected
        super().__init__(f"Content-Type {content_type or '(none)'} is not accepted here; send {expected}")


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


class JsonParser(Parser):
    """JSON bodies must say so. Uploads (form fields, files) must come as a form.

    BodyModel wraps any exception of parse_body into HttpError(400) with the original as __cause__; the
    error handlers read that cause to tell malformed JSON (400) from a wrong Content-Type (415).
    """

    def parse_body(self, request: HttpRequest):
        content_type = (request.content_type or "").lower()
        if not _is_json(content_type):
            raise UnsupportedMediaType(content_type)
        return json.loads(request.body)

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        if request.method not in ("GET", "HEAD", "OPTIONS") and data is not request.GET:
            content_type = (request.content_type or "").lower()
            if content_type not in FORM_TYPES:
                raise UnsupportedMediaType(content_type, expected="multipart/form-data")
        return super().parse_querydict(data, list_fields, request)


def _error(code: str, message: str, status: int) -> HttpResponse:
    body = json.dumps({"error": {"code": code, "message": message, "fields": {}}})
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _shaped(view):
    @functools.wraps(view)  # keeps ninja's csrf_exempt flag on the wrapper
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _error("not_found", "no such API endpoint", 404)
        if isinstance(response, HttpResponseNotAllowed):
            shaped = _error(
                "method_not_allowed", f"{request.method} is not allowed here; use {response['Allow']}", 405
            )
            shaped["Allow"] = response["Allow"]
            return shaped
        return response

    return wrapper


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    return _error("not_found", "no such API endpoint", 404)


unknown_endpoint.csrf_exempt = True  # a POST to a wrong path is a 404, not a CSRF failure


class TribeAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _shaped(pattern.callback)
        urls.append(re_path(r"^(?P<rest>.*)$", unknown_endpoint, name="api-unknown"))
        return urls
