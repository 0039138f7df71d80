"""Continuity: networks whose core practitioners, a peer and a professional, stayed.

Open Dialogue asks for the same practitioners to stay with a network across its
meetings. For each network with 3 or more meetings, its *core practitioners* are
those who attended at least two thirds of its meetings (in the same role); the
network *kept its core* when it has at least one core peer practitioner and at
least one core practitioner of another role (a professional): both roles had
continuity.

Each network is counted once, in the month of its most recent meeting (as of
the rollup's refresh), and judged on all its meetings up to then. So a month's
figures are "networks last met that month"; a network that meets again moves to
the month of its new meeting, and a network that has stopped meeting stays in
the month of its last one. This makes continuity a sum of team-month cells like
every other count (rollup rows, categories "eligible" and "kept"), published
cell by cell through Context.count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dashboards import suppression
from dashboards.measures import base
from dashboards.measures.base import (
    Context,
    Period,
    Row,
    Section,
    Table,
    line_chart,
    month_of,
)
from meetings.models import Network, NetworkMeeting, PractitionerAttendance
from teams.models import Role

KEY = "continuity"  # categories: eligible, kept
SLUG = "continuity"
TITLE = "Continuity of the core practitioners"
DEFINITION = (
    "Networks with 3 or more meetings, each counted once, in the month of its most "
    "recent meeting. A network's core practitioners are those who attended at least two "
    "thirds of its meetings; it kept its core when at least one peer practitioner and "
    "at least one practitioner of another role (a professional) are among them. Shown: "
    "those networks, those that kept their core, and the share."
)
WHAT_IT_TELLS = (
    "Whether families meet the same peer and the same professional, not different ones each time."
)

MIN_MEETINGS = 3
ELIGIBLE, KEPT = "eligible", "kept"


def _month(value: date | datetime | str) -> date:
    """The month a raw query gives back (SQLite gives text)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10]).replace(day=1)
    return month_of(value)


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """(eligible, kept) networks by team and month of their most recent meeting,
    in one query; only counts come back, never a row per network or person.

    The meetings a network is judged on are those up to now (the refresh's
    "now"). With a period (not the rollup's case, which is every team, any time)
    they end with the period too, and a network is counted when its last one
    falls in the period.

    Plain SQL because it aggregates aggregates: meetings per network,
    attendances per (network, practitioner, role), the core roles per network.
    It runs as it is on PostgreSQL and SQLite; the month is cut in the site's
    time zone by the backend's own truncation (as TruncMonth does).
    """
    if team_ids is not None and not team_ids:
        return []
    q = connection.ops.quote_name
    meeting, network = NetworkMeeting._meta.db_table, Network._meta.db_table
    attendance = PractitionerAttendance._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    where, params = [f"mt.{q('starts_at')} <= %s"], [adapt(base.now())]
    if team_ids is not None:
        where.append(f"nw.{q('team_id')} IN ({', '.join(['%s'] * len(team_ids))})")
        params += list(team_ids)
    last_in_period = ""
    if period is not None:
        where.append(f"mt.{q('starts_at')} < %s")
        params.append(adapt(period.ends_before))
        last_in_period = f"AND MAX(mt.{q('starts_at')}) >= %s"
    having = [MIN_MEETINGS] + ([adapt(period.starts_at)] if period is not None else [])
    tzname = timezone.get_current_timezone_name() if settings.USE_TZ else None
    month_sql, month_params = connection.ops.datetime_trunc_sql("month", "pn.last_at", (), tzname)
    peer = Role.PEER_PRACTITIONER.value
    sql = f"""
        WITH m AS (
            SELECT mt.{q("id")} AS id, mt.{q("network_id")} AS network_id,
                   nw.{q("team_id")} AS team_id, mt.{q("starts_at")} AS starts_at
            FROM {q(meeting)} mt JOIN {q(network)} nw ON nw.{q("id")} = mt.{q("network_id")}
            WHERE {" AND ".join(where)}
        ),
        pn AS (
            SELECT mt.network_id, MIN(mt.team_id) AS team_id, COUNT(*) AS meetings,
                   MAX(mt.starts_at) AS last_at
            FROM m mt GROUP BY mt.network_id
            HAVING COUNT(*) >= %s {last_in_period}
        ),
        per_person AS (
            SELECT m.network_id, pa.{q("role")} AS role, COUNT(*) AS attended
            FROM m JOIN {q(attendance)} pa ON pa.{q("meeting_id")} = m.id
            GROUP BY m.network_id, pa.{q("practitioner_id")}, pa.{q("role")}
        ),
        core AS (
            SELECT pp.network_id,
                   MAX(CASE WHEN pp.role = %s THEN 1 ELSE 0 END) AS peer,
                   MAX(CASE WHEN pp.role <> %s THEN 1 ELSE 0 END) AS professional
            FROM per_person pp JOIN pn ON pn.network_id = pp.network_id
            WHERE 3 * pp.attended >= 2 * pn.meetings
            GROUP BY pp.network_id
        )
        SELECT pn.team_id, {month_sql}, COUNT(*),
               COALESCE(SUM(CASE WHEN core.peer = 1 AND core.professional = 1
                            THEN 1 ELSE 0 END), 0)
        FROM pn LEFT JOIN core ON core.network_id = pn.network_id
        GROUP BY 1, 2
    """  # noqa: S608 - table and column names come from the models, values are parameters  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *having, peer, peer, *month_params])
        counted = cursor.fetchall()
    result: list[Row] = []
    for team, month, eligible, kept in counted:
        result.append((team, _month(month), KEY, ELIGIBLE, int(eligible)))
        result.append((team, _month(month), KEY, KEPT, int(kept)))
    return result


ELIGIBLE_LABEL = "Networks with 3 or more meetings"
KEPT_LABEL = "Kept their core: a peer and a professional"
SHARE_LABEL = "Share that kept their core"


def _figures(ctx: Context, only: Sequence | None = None) -> list:
    eligible, kept = ctx.count(KEY, ELIGIBLE, only), ctx.count(KEY, KEPT, only)
    return [eligible, kept, suppression.share(kept, eligible)]


def section(ctx: Context) -> Section:
    monthly = [(label, _figures(ctx, [month])) for label, month in ctx.by_month()]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=list(zip([ELIGIBLE_LABEL, KEPT_LABEL, SHARE_LABEL], _figures(ctx), strict=True)),
        line_chart=line_chart([(label, figures[2]) for label, figures in monthly]),
        table=Table(
            caption="Networks that kept their core practitioners, by month of their last meeting",
            columns=[ELIGIBLE_LABEL, KEPT_LABEL, SHARE_LABEL],
            rows=monthly,
        ),
    )
