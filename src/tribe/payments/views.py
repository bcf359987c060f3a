"""The providers' side of payments: the asynchronous notification endpoint.

A provider's server posts here, not a browser: no CSRF token, no session, and the answer is whatever that
provider expects (Alipay: plain `success`/`fail`; WeChat Pay v3: JSON code). The raw body is handed over
untouched because the signature covers its exact bytes.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tribe.core.errors import NotFound

from .services import handle_notification


@csrf_exempt
@require_POST
def notify(request: HttpRequest, gateway: str) -> HttpResponse:
    """POST /payments/notify/<gateway>/ → verified, applied once, logged (services.handle_notification)."""
    try:
        status, content_type, body, _outcome = handle_notification(gateway, dict(request.headers), request.body)
    except NotFound:
        raise Http404("unknown gateway")
    return HttpResponse(body, status=status, content_type=content_type)


def notify_url(request: HttpRequest, gateway: str) -> str:
    """The absolute notify URL to give a provider when starting a payment (start_payment(notify_url=…))."""
    return request.build_absolute_uri(reverse("payments:notify", args=[gateway]))
