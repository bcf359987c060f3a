from django.conf import settings
from django.db import connection

from .sources import track_visit


class VisitSourceMiddleware:
    """Classifies each page request's source and keeps the visit's first touch (see tribe.core.sources)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # API clients with a bearer token are programs, not visits: no session row, no cookie for them.
        bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
        if not bearer and not request.path.startswith(("/static/", "/media/", "/admin/jsi18n", "/payments/notify/")):
            track_visit(request)
        return self.get_response(request)


class QueryCountHeaderMiddleware:
    """With TRIBE_QUERY_HEADER=1, reports the SQL statements a request ran in `X-Tribe-Queries` (for benches)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = settings.TRIBE_QUERY_HEADER

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Tribe-Queries"] = str(count)
        return response
