"""Peer continuity: asked live, because it is not a sum of months."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from dashboards import suppression
from dashboards.measures.base import Context, Period, Row, Section
from meetings.models import Network, NetworkMeeting, PractitionerAttendance
from teams.models import Role

KEY = None  # live
SLUG = "continuity"
TITLE = "Peer continuity"
DEFINITION = (
    "Of networks with 3 or more meetings in the period, the share where one peer "
    "practitioner attended at least two thirds of those meetings."
)
WHAT_IT_TELLS = "Whether families meet the same peer, not a different one each time."

MIN_MEETINGS = 3


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    return []  # live: see count()


def count(team_ids: Sequence[int], period: Period) -> tuple[int, int]:
    """(networks with 3+ meetings in the period, those where one peer attended at
    least two thirds of them), in one query.

    Plain SQL because it aggregates an aggregate: meetings per network, peer
    attendances per (network, peer), the best peer per network. It runs as it
    is on PostgreSQL and SQLite.
    """
    if not team_ids:
        return 0, 0
    q = connection.ops.quote_name
    meeting, network = NetworkMeeting._meta.db_table, Network._meta.db_table
    attendance = PractitionerAttendance._meta.db_table
    teams = ", ".join(["%s"] * len(team_ids))
    sql = f"""
        WITH m AS (
            SELECT mt.{q("id")} AS id, mt.{q("network_id")} AS network_id
            FROM {q(meeting)} mt JOIN {q(network)} nw ON nw.{q("id")} = mt.{q("network_id")}
            WHERE nw.{q("team_id")} IN ({teams})
              AND mt.{q("starts_at")} >= %s AND mt.{q("starts_at")} < %s
        ),
        per_network AS (
            SELECT network_id, COUNT(*) AS meetings FROM m GROUP BY network_id
            HAVING COUNT(*) >= %s
        ),
        per_peer AS (
            SELECT m.network_id, pa.{q("practitioner_id")} AS peer, COUNT(*) AS attended
            FROM m JOIN {q(attendance)} pa ON pa.{q("meeting_id")} = m.id
            WHERE pa.{q("role")} = %s
            GROUP BY m.network_id, pa.{q("practitioner_id")}
        ),
        best AS (SELECT network_id, MAX(attended) AS attended FROM per_peer GROUP BY network_id)
        SELECT COUNT(*),
               COALESCE(SUM(CASE WHEN 3 * COALESCE(best.attended, 0) >= 2 * pn.meetings
                            THEN 1 ELSE 0 END), 0)
        FROM per_network pn LEFT JOIN best ON best.network_id = pn.network_id
    """  # noqa: S608 - table and column names come from the models, values are parameters  # nosec B608
    params = [
        *team_ids,
        connection.ops.adapt_datetimefield_value(period.starts_at),
        connection.ops.adapt_datetimefield_value(period.ends_before),
        MIN_MEETINGS,
        Role.PEER_PRACTITIONER.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        eligible, continuous = cursor.fetchone()
    return int(eligible), int(continuous)


def section(ctx: Context) -> Section:
    eligible, continuous = count(ctx.team_ids, ctx.period)
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=[
            ("Networks with 3 or more meetings", suppression.count(eligible)),
            ("With one peer at two thirds or more", suppression.count(continuous)),
            ("Share with a continuing peer", suppression.share(continuous, eligible)),
        ],
    )
