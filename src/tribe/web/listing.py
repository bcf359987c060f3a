"""Shared pieces of the product listings (search, category, store, flagship station): filter parsing,
sort chips, pager links and the HTMX partial switch."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tribe.search.services import SearchResult

from .forms import SORT_CHOICES


def is_htmx_partial(request: HttpRequest) -> bool:
    """An HTMX swap wants the results fragment; a history restore (cache miss) needs the whole page."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"


def url_with(request: HttpRequest, **changes) -> str:
    """This page's URL with some query parameters replaced (None removes one)."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def pager(request: HttpRequest, page: int, pages: int, count: int) -> dict:
    return {
        "page": page,
        "pages": pages,
        "count": count,
        "prev_url": url_with(request, page=page - 1 if page > 2 else None) if page > 1 else "",
        "next_url": url_with(request, page=page + 1) if page < pages else "",
    }


def sort_chips(request: HttpRequest, current: str, *, with_relevance: bool) -> list[dict]:
    chips = []
    for value, label in SORT_CHOICES:
        if value == "relevance" and not with_relevance:
            continue
        chips.append({"value": value, "label": label, "active": value == current,
                      "url": url_with(request, sort=value, page=None)})
    return chips


def listing_context(request: HttpRequest, result: SearchResult, *, src: str,
                    with_relevance: bool = False) -> dict:
    return {
        "result": result,
        "products": result.items,
        "pager": pager(request, result.page, result.pages, result.count),
        "sorts": sort_chips(request, result.sort, with_relevance=with_relevance),
        "src": src,
    }


def indent_tree(categories: list) -> list:
    """Categories ordered by path, each with `indent` for a select (paths sort parents before children)."""
    if not categories:
        return categories
    top = min(c.path.count("/") for c in categories)
    for category in categories:
        category.indent = "\u3000" * (category.path.count("/") - top)
    return categories


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """Bad filter or page input: a 400 page that says what was wrong, never a 500 or a silent reset."""
    return render(request, "400.html", {"message": message}, status=400)
