"""The reports page for people (/laporan/): the same numbers as the API, for analysts,
national viewers and staff."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from reports import selectors, services
from reports.forms import BY_LABELS, CHART_METRICS, ReportFilterForm

CHART_ROW = 28  # height of one bar's row in the SVG, in its own units
CHART_LABEL = 180  # room for the group names on the left
CHART_BARS = 320  # the longest bar


def bar_chart(rows: list[dict], metric: str) -> dict:
    """Bars for an SVG drawn by the template: each row's length scaled to the largest value;
    suppressed groups get no bar."""
    values = [row[metric] or 0 for row in rows if not row["suppressed"]]
    top = max(values, default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        value = None if row["suppressed"] else (row[metric] or 0)
        bars.append(
            {
                "label": row["label"] or row["key"] or _("Not recorded"),
                "value": value,
                "width": 0 if value is None else round(CHART_BARS * value / top, 1),
                "y": i * CHART_ROW,
                "text_y": i * CHART_ROW + CHART_ROW * 0.65,
            }
        )
    return {
        "bars": bars,
        "height": max(len(bars), 1) * CHART_ROW,
        "width": CHART_LABEL + CHART_BARS + 120,
        "bar_x": CHART_LABEL,
        "value_x_pad": CHART_LABEL + 6,
    }


def _progress(value: int, target: int) -> int | None:
    return round(100 * value / target) if target else None


@login_required
def home(request):
    user = request.user
    if not selectors.may_read_reports(user):
        raise Http404
    scope = selectors.scope_for_user(user)
    form = ReportFilterForm(request.GET or None, programs=scope.program_queryset())
    context = {"form": form, "national": scope.is_national, "by_labels": BY_LABELS}
    if form.is_bound and not form.is_valid():
        return render(request, "reports/home.html", context, status=400)
    if form.is_bound:
        filters, query = form.report_filters(), form.api_query()
        by = form.cleaned_data.get("by") or "province"
        metric = form.cleaned_data.get("metric") or "enterprises_enrolled"
    else:
        form = ReportFilterForm(programs=scope.program_queryset())
        filters, query, by, metric = (
            selectors.ReportFilters(),
            "",
            "province",
            "enterprises_enrolled",
        )
    summary = selectors.summary(scope, filters)
    rows = selectors.breakdown(scope, filters, by)
    new_exporters = list(selectors.new_exporter_rows(scope, filters)[:100])
    services.enterprise_data_pull_log(
        api_key=None, user=user, endpoint="laporan", query=request.META.get("QUERY_STRING", "")
    )
    targets = summary["targets"]
    context.update(
        form=form,
        summary=summary,
        rows=rows,
        by=by,
        by_label=BY_LABELS[by],
        metric=metric,
        metric_label=CHART_METRICS[metric],
        chart=bar_chart(rows, metric),
        new_exporters=new_exporters,
        participants_progress=_progress(summary["enterprises_enrolled"], targets["participants"]),
        exporters_progress=_progress(summary["new_exporters"], targets["new_exporters"]),
        query=query,
        by_query=f"{query}&by={by}" if query else f"by={by}",
        formats=["csv", "xlsx"],
    )
    return render(request, "reports/home.html", context)
