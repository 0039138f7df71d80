"""Supervision coverage: notes reviewed in good time, and supervision time
against each team's monthly target.

Notes shared with a supervisor are counted by the month they were shared in;
supervision time by the month sessions were held in. See DEFINITION.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dashboards import suppression
from dashboards.measures import base
from dashboards.measures.base import (
    Context,
    Period,
    Row,
    Section,
    Table,
    WholeDaysBetween,
    in_period,
    month_of,
    practising_in,
)
from dashboards.suppression import Figure
from supervision.models import Response, Share, SupervisionSession
from teams.models import PRACTICE_ROLES, Membership, SupervisionLink, Team

KEY = "review"  # categories: due, in_time
FIRST_RESPONSE_DAYS = "first_response_days"  # categories: whole days, as text
REVIEW_DAYS = "review_days"  # categories: whole days, as text
SUPERVISEES = "supervisees"  # categories: all, met (the team's monthly target)
MINUTES = "supervision_minutes"  # category: all
RECORDS = "supervision_records"  # category: all (sessions with a duration)
SLUG = "supervision"
TITLE = "Supervision"
DEFINITION = (
    "Notes shared with a supervisor in the period, at least 14 days ago, and the share "
    "of them marked reviewed within 14 days of sharing; the median whole days from "
    "sharing a note to its first response (by someone other than its author), and to "
    "its review. And, for each month that has ended: the team's practitioners and peer "
    "practitioners with a supervisor that month (a current supervision link), those "
    "whose supervision sessions that month added up to at least the team's monthly "
    "target, the share, and the hours of those sessions. A person is counted once in "
    "each month they had a supervisor, so over several months the count adds months up."
)
WHAT_IT_TELLS = (
    "Whether the people who share their practice hear back in good time, and get the "
    "supervision time the team aims for."
)

REVIEW_WITHIN = timedelta(days=14)
ALL, MET = "all", "met"


def rows(
    team_ids: Sequence[int] | None, period: Period | None, *, now: datetime | None = None
) -> list[Row]:
    """By team and month of sharing: notes shared with a supervisor at least 14
    days before `now` ("due") and those reviewed within 14 days; the whole days
    from sharing to the first response by someone other than the author, and to
    the review; and supervisees against the monthly target (`time_rows`)."""
    now = now or base.now()
    shares = Share.objects.filter(
        practising_in("reflection__author__", team_ids), in_period("shared_at", period)
    ).annotate(team=F("reflection__author__memberships__team_id"), month=TruncMonth("shared_at"))
    review = (
        shares.filter(supervisor__isnull=False, shared_at__lte=now - REVIEW_WITHIN)
        .values("team", "month")
        .annotate(
            due=Count("pk", distinct=True),
            in_time=Count(
                "pk",
                distinct=True,
                filter=Q(reviewed_at__lte=F("shared_at") + REVIEW_WITHIN),
            ),
        )
        .order_by()
    )
    result: list[Row] = []
    for row in review:
        month = month_of(row["month"])
        result.append((row["team"], month, KEY, "due", row["due"]))
        result.append((row["team"], month, KEY, "in_time", row["in_time"]))
    first_response = (
        Response.objects.filter(share=OuterRef("pk"))
        .exclude(author=OuterRef("reflection__author"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    days = (
        shares.annotate(first_at=Subquery(first_response))
        .filter(first_at__isnull=False)
        .annotate(days=WholeDaysBetween("first_at", "shared_at"))
        .values("team", "month", "days")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for row in days:
        result.append(
            (row["team"], month_of(row["month"]), FIRST_RESPONSE_DAYS, str(row["days"]), row["n"])
        )
    # Days to review: notes shared with a supervisor and marked reviewed, by the
    # month they were shared in (notes not reviewed yet are not in it).
    reviewed = (
        shares.filter(supervisor__isnull=False, reviewed_at__isnull=False)
        .annotate(days=WholeDaysBetween("reviewed_at", "shared_at"))
        .values("team", "month", "days")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for row in reviewed:
        result.append(
            (row["team"], month_of(row["month"]), REVIEW_DAYS, str(row["days"]), row["n"])
        )
    return result + time_rows(team_ids, period, now=now)


def ended_months(period: Period | None, now: datetime) -> list[date]:
    """The months that have ended by `now` (in the site's time zone): those of
    the period, or (no period) every month from the first supervision link's."""
    this_month = timezone.localdate(now).replace(day=1)
    if period is not None:
        return [month for month in period.months() if month < this_month]
    first = SupervisionLink.objects.order_by("since").values_list("since", flat=True).first()
    months: list[date] = []
    month = first.replace(day=1) if first else this_month
    while month < this_month:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def time_rows(
    team_ids: Sequence[int] | None, period: Period | None, *, now: datetime | None = None
) -> list[Row]:
    """For each team and month that has ended: supervisees (its practitioners and
    peer practitioners with a supervision link current on any day of the month),
    those whose sessions held that month lasted at least the team's
    `monthly_supervision_minutes` in all, and the minutes and sessions (with a
    duration) those sessions make. A person in two teams counts in each, against
    each team's target; a session with no duration recorded adds no time.

    Two queries (the first link's date when there is no period, then the counts),
    whatever the data size. Plain SQL because it aggregates aggregates (minutes
    per supervisee and month, then supervisees per team and month) over months
    given as a list of values; it runs as it is on PostgreSQL and SQLite, and only
    counts come back."""
    if team_ids is not None and not team_ids:
        return []
    months = ended_months(period, now or base.now())
    if not months:
        return []
    q = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    link, membership = SupervisionLink._meta.db_table, Membership._meta.db_table
    session, team = SupervisionSession._meta.db_table, Team._meta.db_table
    values, params = [], []
    for index, month in enumerate(months):
        last_day = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        values.append("(%s, %s, %s)")
        params += [index, adapt(month), adapt(last_day)]
    roles = [role.value for role in PRACTICE_ROLES]
    in_teams = ""
    if team_ids is not None:
        in_teams = f"AND ms.{q('team_id')} IN ({', '.join(['%s'] * len(team_ids))})"
    sql = f"""
        WITH months (idx, first_day, last_day) AS (VALUES {", ".join(values)}),
        supervisees AS (
            SELECT DISTINCT ms.{q("team_id")} AS team_id, ln.{q("supervisee_id")} AS person,
                   mo.idx, mo.first_day, mo.last_day
            FROM {q(link)} ln
            JOIN {q(membership)} ms ON ms.{q("user_id")} = ln.{q("supervisee_id")}
            JOIN months mo ON ln.{q("since")} <= mo.last_day
                AND (ln.{q("until")} IS NULL OR ln.{q("until")} >= mo.first_day)
            WHERE ms.{q("role")} IN (%s, %s) {in_teams}
        ),
        received AS (
            SELECT sv.team_id, sv.idx, sv.person,
                   COALESCE(SUM(ss.{q("duration")}), 0) AS minutes,
                   COUNT(ss.{q("duration")}) AS sessions
            FROM supervisees sv
            LEFT JOIN {q(session)} ss ON ss.{q("supervisee_id")} = sv.person
                AND ss.{q("held_on")} >= sv.first_day AND ss.{q("held_on")} <= sv.last_day
            GROUP BY sv.team_id, sv.idx, sv.person
        )
        SELECT rc.team_id, rc.idx, COUNT(*),
               SUM(CASE WHEN rc.minutes >= tm.{q("monthly_supervision_minutes")}
                   THEN 1 ELSE 0 END),
               SUM(rc.minutes), SUM(rc.sessions)
        FROM received rc JOIN {q(team)} tm ON tm.{q("id")} = rc.team_id
        GROUP BY rc.team_id, rc.idx
    """  # noqa: S608 - table and column names come from the models, values are parameters  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *roles, *(team_ids or [])])
        counted = cursor.fetchall()
    result: list[Row] = []
    for team_id, index, supervisees, met, minutes, sessions in counted:
        month = months[int(index)]
        result.append((team_id, month, SUPERVISEES, ALL, int(supervisees)))
        result.append((team_id, month, SUPERVISEES, MET, int(met)))
        result.append((team_id, month, MINUTES, ALL, int(minutes)))
        result.append((team_id, month, RECORDS, ALL, int(sessions)))
    return result


def _median_days(ctx: Context, measure: str) -> Figure:
    """A median of whole days, pooled over the teams and months: a median, not a
    count, so not published cell by cell."""
    days: Counter[int] = Counter()
    for (_team, month, key, category), value in ctx.figures.items():
        if key == measure and month in ctx.months:
            days[int(category)] += value
    # Shown only over a published count of 8 or more (suppression.median_of_histogram).
    base = ctx.count(measure, [str(day) for day in days])
    return suppression.median_of_histogram(days, "days", base)


NOTES = "Notes shared with a supervisor"
REVIEWED_SHARE = "Share marked reviewed within 14 days of sharing"
FIRST_RESPONSE = "Median days to the first response"
TO_REVIEW = "Median days to review"
SUPERVISEES_LABEL = "Supervisees, counted in each month with a supervisor"
MET_LABEL = "Of them, at or above the team's monthly target"
MET_SHARE = "Share at or above the monthly target"
HOURS = "Hours of supervision received"


def _monthly(ctx: Context, only: Sequence[date] | None = None) -> list[Figure]:
    due, supervisees = ctx.count(KEY, "due", only), ctx.count(SUPERVISEES, ALL, only)
    met = ctx.count(SUPERVISEES, MET, only)
    return [
        due,
        suppression.share(ctx.count(KEY, "in_time", only), due),
        supervisees,
        met,
        suppression.share(met, supervisees),
        ctx.hours(MINUTES, RECORDS, [ALL], only),
    ]


COLUMNS = [NOTES, REVIEWED_SHARE, SUPERVISEES_LABEL, MET_LABEL, MET_SHARE, HOURS]


def section(ctx: Context) -> Section:
    whole = _monthly(ctx)
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            (NOTES, whole[0]),
            (REVIEWED_SHARE, whole[1]),
            (FIRST_RESPONSE, _median_days(ctx, FIRST_RESPONSE_DAYS)),
            (TO_REVIEW, _median_days(ctx, REVIEW_DAYS)),
            *zip(COLUMNS[2:], whole[2:], strict=True),
        ],
        table=Table(
            caption="Supervision by month",
            columns=COLUMNS,
            rows=[(label, _monthly(ctx, [month])) for label, month in ctx.by_month()],
        ),
    )
