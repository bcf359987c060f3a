"""Brand console → 数据: traffic sources with a chart (ECharts, vendored), a date range, the previous period
for comparison, and CSV export of the table. Brand staff see only their brand (the console gate)."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from tribe.analytics import reports
from tribe.core.errors import DomainError

from .console.base import brand_view, render_console


def _report(request, brand):
    by = request.GET.get("by", "source")
    start, end = reports.parse_range(request.GET.get("start"), request.GET.get("end"))
    return reports.with_previous(brand.pk, start, end, by=by)


@brand_view
@require_GET
def sources(request: HttpRequest, brand) -> HttpResponse:
    try:
        report = _report(request, brand)
        error, status = "", 200
    except DomainError as exc:
        report, error, status = None, exc.message, exc.status
    chart = None
    if report is not None:
        rows = report["rows"][:20]
        chart = {"keys": [r.key for r in rows], "visits": [r.visits for r in rows], "orders": [r.orders for r in rows],
                 "gmv": [float(r.gmv) for r in rows]}
    return render_console(request, "console/analytics/sources.html", brand,
                          {"report": report, "error": error, "chart": chart, "by_choices": reports.BY,
                           "by": request.GET.get("by", "source"),
                           "start": request.GET.get("start") or (report["start"].isoformat() if report else ""),
                           "end": request.GET.get("end") or (report["end"].isoformat() if report else ""),
                           "nav": "analytics"}, status=status)


@brand_view
@require_GET
def sources_csv(request: HttpRequest, brand) -> HttpResponse:
    try:
        report = _report(request, brand)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="{brand.slug}-sources-{report["by"]}-'
                                       f'{report["start"]}-{report["end"]}.csv"')
    response.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese text correctly
    writer = csv.writer(response)
    writer.writerow(reports.CSV_HEADER)
    writer.writerows(reports.as_csv_rows(report["rows"]))
    return response


def _funnel(request, brand):
    from tribe.analytics import funnels

    raw = request.GET.get("window_days", "7")
    if not raw.isdigit():
        from tribe.core.errors import ValidationFailed

        raise ValidationFailed("window_days: 1 to 90", fields={"window_days": "1–90"})
    start, end = reports.parse_range(request.GET.get("start"), request.GET.get("end"))
    return funnels.funnel(brand.pk, request.GET.get("steps", "pv,cart,buy"), start, end, window_days=int(raw),
                          breakdown=request.GET.get("breakdown") or None,
                          attribution=request.GET.get("attribution", "first"))


@brand_view
@require_GET
def funnel(request: HttpRequest, brand) -> HttpResponse:
    try:
        data, error, status = _funnel(request, brand), "", 200
    except DomainError as exc:
        data, error, status = None, exc.message, exc.status
    chart = None
    if data is not None and data["groups"]:
        first = next(iter(data["groups"].values()))
        chart = [{"name": s["name"], "value": s["visitors"]} for s in first]
    return render_console(request, "console/analytics/funnel.html", brand, {
        "data": data, "error": error, "chart": chart, "nav": "analytics",
        "steps": request.GET.get("steps", "pv,cart,buy"), "window_days": request.GET.get("window_days", "7"),
        "breakdown": request.GET.get("breakdown", ""), "attribution": request.GET.get("attribution", "first"),
        "start": request.GET.get("start") or (data["start"].isoformat() if data else ""),
        "end": request.GET.get("end") or (data["end"].isoformat() if data else "")}, status=status)


@brand_view
@require_GET
def funnel_csv(request: HttpRequest, brand) -> HttpResponse:
    try:
        data = _funnel(request, brand)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{brand.slug}-funnel-{data["start"]}-{data["end"]}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["group", "step", "visitors", "conversion_from_previous", "conversion_from_start",
                     "median_seconds_from_start"])
    for group, rows in data["groups"].items():
        for s in rows:
            writer.writerow([group, s["name"], s["visitors"], s["conversion_from_previous"],
                             s["conversion_from_start"], s["median_seconds_from_start"]])
    return response


@brand_view
@require_GET
def rfm(request: HttpRequest, brand) -> HttpResponse:
    from tribe.analytics import rfm as rfm_report

    rows = rfm_report.customers(brand.pk)
    summary = rfm_report.segment_summary(rows)
    chart = [{"name": s["label"], "value": s["customers"]} for s in summary if s["customers"]]
    return render_console(request, "console/analytics/rfm.html", brand,
                          {"rows": rows[:200], "total": len(rows), "summary": summary, "chart": chart,
                           "nav": "analytics"})


@brand_view
@require_GET
def rfm_csv(request: HttpRequest, brand) -> HttpResponse:
    from tribe.analytics import rfm as rfm_report

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{brand.slug}-rfm.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["user_id", "recency_days", "frequency", "monetary", "r", "f", "m", "segment"])
    for c in rfm_report.customers(brand.pk):
        d = c.as_dict()
        writer.writerow([d[k] for k in ("user_id", "recency_days", "frequency", "monetary", "r", "f", "m", "segment")])
    return response


@brand_view
@require_GET
def purchase_paths(request: HttpRequest, brand) -> HttpResponse:
    from tribe.analytics import paths

    g = request.GET
    try:
        start, end = reports.parse_range(g.get("start"), g.get("end"))
        raw = g.get("length", "5")
        length = int(raw) if raw.isdigit() else -1
        data = paths.paths(brand.pk, start, end, mode=g.get("mode", "purchase"), event=g.get("event", ""),
                           end_event=g.get("end_step", ""), length=length, grouping=g.get("group", "category"))
        error, status = "", 200
    except DomainError as exc:
        data, error, status, start, end = None, exc.message, exc.status, None, None
    return render_console(request, "console/analytics/paths.html", brand, {
        "data": data, "error": error, "nav": "analytics", "mode": g.get("mode", "purchase"),
        "event": g.get("event", ""), "end_step": g.get("end_step", ""), "length": g.get("length", "5"),
        "group": g.get("group", "category"), "start": g.get("start") or (start.isoformat() if start else ""),
        "end": g.get("end") or (end.isoformat() if end else "")}, status=status)
