"""The role-clarity dashboard and its CSV export: aggregates only.

Team leads see the teams they lead; admins see every team; anyone else gets
404. Nothing here links to a note or names a person, and nothing reads text.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from audit.models import Action, AuditEvent
from dashboards import dashboard, research, rollup
from dashboards.access import SESSION_KEY, is_admin, teams_for
from dashboards.forms import DashboardForm
from dashboards.measures.base import month_label
from dashboards.models import RollupRefresh
from dashboards.sections import WHOLE_PERIOD
from dashboards.suppression import FEWER_THAN, METHOD, THRESHOLD, WITHHELD, Figure
from pod_site.csv_export import csv_writer
from pod_site.htmx import HtmxHttpRequest, form_status, render_page
from teams.models import Team


def _form(request: HtmxHttpRequest) -> tuple[DashboardForm, list[Team]]:
    teams = list(teams_for(request.user))
    if not teams:
        raise Http404("No dashboard for this person.")
    # Keep the menu's session flag in step with the roles a lead holds now.
    if not request.session.get(SESSION_KEY):
        request.session[SESSION_KEY] = True
    all_label = "All teams" if is_admin(request.user) else "All the teams I lead"
    form = DashboardForm(request.GET or None, teams=teams, all_label=all_label)
    return form, teams


# Beat refreshes the rollup every 15 minutes. Without a broker there is no beat
# (tasks run in-process: CELERY_TASK_ALWAYS_EAGER, the embedded default and
# `make run`), so the page refreshes it itself when the last refresh is older
# than this: a meeting logged a minute ago is on the dashboard.
REFRESH_WITHOUT_BEAT_AFTER = timedelta(seconds=30)


def _refreshed() -> RollupRefresh | None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return rollup.fresh(REFRESH_WITHOUT_BEAT_AFTER)
    return rollup.last_refresh()


@login_required
@require_GET
def dashboard_page(request: HtmxHttpRequest) -> HttpResponse:
    form, teams = _form(request)
    refreshed = _refreshed()
    period = sections = None
    if not form.is_bound or form.is_valid():
        # Only teams this person may see (the form allows no other), checked on
        # every request before the sections are rendered or read from the cache.
        team_ids, period = form.selection()
        sections = dashboard.sections_html(team_ids, period, refreshed)
    context = {
        "form": form,
        "period": period,
        "sections": sections,
        "refreshed": refreshed,
        "threshold": THRESHOLD,
        "fewer_than": FEWER_THAN,
        "disclosure_method": METHOD,
        "query": request.GET.urlencode(),
        "team_names": {str(team.pk): team.name for team in teams},
    }
    return render_page(
        request, "dashboards/dashboard.html", context, fragment="results", status=form_status(form)
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


# The tidy CSV: one header row, one row per (month, measure, figure), the value
# in the column of its unit (Figure.unit) and the others empty. A figure that
# may not be shown has no value, and its status says why, the same everywhere.
# A figure's unit names its column ("per meeting": per_meeting); a unit with no
# column here is an error, so that no number leaves without its unit.
# A count known only as a range (a total with suppressed cells in it) has its
# ends in count_low and count_high, and the status "range".
VALUE_COLUMNS = ["count", "percent", "hours", "days", "per_meeting"]
CSV_HEADER = [
    "team",
    "period_start",
    "period_end",
    "month",
    "measure",
    "figure",
    *VALUE_COLUMNS,
    "count_low",
    "count_high",
    "status",
]
SHOWN = "shown"
RANGE = "range"
STATUSES = {SHOWN, FEWER_THAN, WITHHELD, "none"}
WHOLE = "whole period"


def _cells(figure: Figure) -> list[int | float | str | None]:
    unit = figure.unit.replace(" ", "_")
    if unit not in VALUE_COLUMNS:
        raise ValueError(f"No CSV column for a figure in {figure.unit!r}.")
    values = [figure.value if column == unit else None for column in VALUE_COLUMNS]
    if figure.is_range:
        return [*values, figure.low, figure.high, RANGE]
    status = SHOWN if figure.shown else figure.text
    if status not in STATUSES:
        raise ValueError(f"Not a status the CSV knows: {status!r}.")
    return [*values, None, None, status]


def csv_rows(board: dashboard.Dashboard, scope: str) -> Iterator[list]:
    """The page as tidy rows: every figure of every section, whole-period
    figures first, then each table cell, its month read from the table's row
    or column label ("Jan 2025" or "Whole period")."""
    period = board.period
    months = {month_label(m): f"{m:%Y-%m}" for m in period.months()}
    months[WHOLE_PERIOD] = WHOLE
    start, end = f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"
    yield CSV_HEADER
    for section in board.sections:
        for label, figure in section.figures:
            yield [scope, start, end, WHOLE, section.slug, label, *_cells(figure)]
        if section.table:
            for row_label, figures in section.table.rows:
                for column, figure in zip(section.table.columns, figures, strict=True):
                    if row_label in months:  # months down the side
                        month, label = months[row_label], column
                    elif column in months:  # months across the top
                        month, label = months[column], row_label
                    else:
                        month, label = WHOLE, f"{row_label}: {column}"
                    yield [scope, start, end, month, section.slug, label, *_cells(figure)]


@login_required
@require_GET
def dashboard_csv(request: HtmxHttpRequest) -> HttpResponse:
    form, teams = _form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            "The dashboard's choices are not valid.", status=400, content_type="text/plain"
        )
    team_ids, period = form.selection()
    _refreshed()
    board = dashboard.build(team_ids, period)
    names = {team.pk: team.name for team in teams}
    scope = names[team_ids[0]] if len(team_ids) == 1 else "All teams"
    writer = csv_writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(board, scope)), content_type="text/csv"
    )
    name = f"role-clarity-{slugify(scope)}-{period.start:%Y-%m}-to-{period.end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def research_csv(request: HtmxHttpRequest) -> HttpResponse:
    """The pseudonymised export of published counts, for the teams the viewer may see."""
    teams = list(teams_for(request.user).values_list("pk", flat=True))
    if not teams:
        raise Http404
    AuditEvent.objects.record(request.user, Action.EXPORT, detail={"what": "research csv"})
    _refreshed()  # counted from the rollup, as fresh as the page's
    writer = csv_writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in research.rows(teams)), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="network-meetings-research.csv"'
    return response
