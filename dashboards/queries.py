"""The role-clarity measures as aggregate queries over the live tables.

Each function returns plain numbers (counts, sums of minutes, histograms) by
team, month and category: never a row per person, never a note's text (no query
here selects an encrypted column; "has text" is asked as `text != ''`, which the
encrypted field stores as it is).

The monthly ones feed the rollup (dashboards/rollup.py), which the page reads;
continuity is not a sum of months, so the page asks it live (`continuity`).

Whose reflections count for a team: those written by the team's peer
practitioners and practitioners, so a person in two teams counts in both.

Intervision counts for the team its group belongs to (teams.IntervisionGroup):
only that a session was held, or that a summary was agreed and reviewed; never
who attended, nor anything the group or its supervisor wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import NotSupportedError, connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from intervision.models import IntervisionSession, SupervisionSummary
from meetings.models import Activity, Network, NetworkMeeting, PractitionerAttendance
from reflections.models import Disclosed, FeltSafe, PrincipleNote, Reflection
from supervision.models import Response, Share
from teams.models import PRACTICE_ROLES, Membership, Role

REVIEW_WITHIN = timedelta(days=14)
DISCLOSED = [Disclosed.IN_DIALOGUE, Disclosed.IN_REFLECTING]


@dataclass(frozen=True)
class Period:
    """Whole days from `start` to `end` inclusive, in the site's time zone."""

    start: date
    end: date

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def ends_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def months(self) -> list[date]:
        """The first day of each month the period touches."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


def _month(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


class WholeDaysBetween(Func):
    """Whole days from the second datetime to the first (rounded down)."""

    output_field = IntegerField()
    arity = 2

    def _compile(self, compiler: Any) -> tuple[str, str, list]:
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        return later, earlier, [*later_params, *earlier_params]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        raise NotSupportedError("WholeDaysBetween is written for PostgreSQL and SQLite.")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        later, earlier, params = self._compile(compiler)
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        later, earlier, params = self._compile(compiler)
        return f"FLOOR(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400)::integer", params


# A row of the rollup: (team id, first day of the month, measure, category, value).
Row = tuple[int, date, str, str, int]


def _in(field: str, period: Period | None, *, dates: bool = False) -> Q:
    """The field falls in the period (any time when there is no period)."""
    if period is None:
        return Q()
    if dates:
        return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_before})


def _practising_in(prefix: str, team_ids: Sequence[int] | None) -> Q:
    """The author (reached through `prefix`) practises in one of the teams."""
    q = Q(**{f"{prefix}memberships__role__in": PRACTICE_ROLES})
    if team_ids is not None:
        q &= Q(**{f"{prefix}memberships__team_id__in": team_ids})
    return q


def _teams(field: str, team_ids: Sequence[int] | None) -> Q:
    return Q() if team_ids is None else Q(**{f"{field}__in": team_ids})


# Measures 1, 2 and 5: meetings, first meetings, co-working -----------------

MEETINGS = "meetings"


def meeting_category(peer: bool, professional: bool, first: bool) -> str:
    return f"peer{int(peer)}-prof{int(professional)}-first{int(first)}"


def meeting_rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Meetings by team, month and who was there, in one query.

    Grouping by the three flags (a peer present, a professional present, the
    network's first meeting) gives at most 8 rows a month, and each flag is
    worked out once per meeting.
    """
    attended = PractitionerAttendance.objects.filter(meeting=OuterRef("pk"))
    rows = (
        NetworkMeeting.objects.filter(
            _teams("network__team_id", team_ids), _in("starts_at", period)
        )
        .with_is_first()
        .annotate(
            team=F("network__team_id"),
            month=TruncMonth("starts_at"),
            has_peer=Exists(attended.filter(role=Role.PEER_PRACTITIONER)),
            has_professional=Exists(attended.filter(role=Role.PRACTITIONER)),
        )
        .values("team", "month", "has_peer", "has_professional", "is_first_meeting")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (
            row["team"],
            _month(row["month"]),
            MEETINGS,
            meeting_category(row["has_peer"], row["has_professional"], row["is_first_meeting"]),
            row["n"],
        )
        for row in rows
    ]


# Measure 3: peer continuity ----------------------------------------------------

CONTINUITY_MIN_MEETINGS = 3


def continuity(team_ids: Sequence[int], period: Period) -> tuple[int, int]:
    """(networks with 3+ meetings in the period, those where one peer attended at
    least two thirds of them), in one query, live: it is not a sum of months.

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
        CONTINUITY_MIN_MEETINGS,
        Role.PEER_PRACTITIONER.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        eligible, continuous = cursor.fetchone()
    return int(eligible), int(continuous)


# Measure 4: peers' time ----------------------------------------------------------

NETWORK_MEETINGS = "network_meetings"
PEER_MINUTES = "peer_minutes"
PEER_RECORDS = "peer_records"


def peer_time_rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Peers' minutes (and how many records make them) by team, month and kind:
    network meetings attended as the peer, and each kind of other work logged by
    someone who is a peer practitioner in that team."""
    rows: list[Row] = []
    meetings = (
        PractitionerAttendance.objects.filter(
            _teams("meeting__network__team_id", team_ids),
            _in("meeting__starts_at", period),
            role=Role.PEER_PRACTITIONER,
        )
        .annotate(team=F("meeting__network__team_id"), month=TruncMonth("meeting__starts_at"))
        .values("team", "month")
        .annotate(minutes=Sum("meeting__duration_minutes"), records=Count("pk"))
        .order_by()
    )
    for row in meetings:
        month = _month(row["month"])
        rows.append((row["team"], month, PEER_MINUTES, NETWORK_MEETINGS, row["minutes"]))
        rows.append((row["team"], month, PEER_RECORDS, NETWORK_MEETINGS, row["records"]))
    is_peer = Membership.objects.filter(
        user=OuterRef("practitioner"), team=OuterRef("team"), role=Role.PEER_PRACTITIONER
    )
    other_work = (
        Activity.objects.filter(
            Exists(is_peer), _teams("team_id", team_ids), _in("done_on", period, dates=True)
        )
        .annotate(month=TruncMonth("done_on"))
        .values("team_id", "month", "kind")
        .annotate(minutes=Sum("duration_minutes"), records=Count("pk"))
        .order_by()
    )
    for row in other_work:
        month = _month(row["month"])
        rows.append((row["team_id"], month, PEER_MINUTES, row["kind"], row["minutes"]))
        rows.append((row["team_id"], month, PEER_RECORDS, row["kind"], row["records"]))
    return rows


# Measure 6: principles reflected on ---------------------------------------------

PRINCIPLE_NOTES = "principle_notes"


def principle_rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Principle notes by team, month (of the reflection) and principle. A note
    counts when it has text or a presence rating; text is tested as stored
    (empty or not), never decrypted."""
    rows = (
        PrincipleNote.objects.filter(
            _practising_in("reflection__author__", team_ids),
            _in("reflection__written_at", period),
        )
        .exclude(text="", presence="")
        .annotate(
            team=F("reflection__author__memberships__team_id"),
            month=TruncMonth("reflection__written_at"),
        )
        .values("team", "month", "principle_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    return [
        (row["team"], _month(row["month"]), PRINCIPLE_NOTES, str(row["principle_id"]), row["n"])
        for row in rows
    ]


# Measure 7: self-disclosure -------------------------------------------------------

REFLECTIONS = "reflections"
EMOTIONAL_COST = "emotional_cost"


def disclosure_rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Reflections, disclosures, safety answers and emotional costs by team and
    month: one query, at most 6 groups a month (one per reported cost)."""
    disclosed = Q(disclosure__disclosed__in=DISCLOSED)
    rows = (
        Reflection.objects.filter(_practising_in("author__", team_ids), _in("written_at", period))
        .annotate(
            team=F("author__memberships__team_id"),
            month=TruncMonth("written_at"),
            cost=F("disclosure__emotional_cost"),
        )
        .values("team", "month", "cost")
        .annotate(
            all=Count("pk", distinct=True),
            disclosed=Count("pk", distinct=True, filter=disclosed),
            safety_answered=Count(
                "pk", distinct=True, filter=disclosed & ~Q(disclosure__felt_safe="")
            ),
            not_safe=Count(
                "pk", distinct=True, filter=disclosed & Q(disclosure__felt_safe=FeltSafe.NO)
            ),
        )
        .order_by()
    )
    result: list[Row] = []
    for row in rows:
        team, month = row["team"], _month(row["month"])
        for category in ("all", "disclosed", "safety_answered", "not_safe"):
            if row[category]:
                result.append((team, month, REFLECTIONS, category, row[category]))
        if row["cost"] is not None and row["disclosed"]:
            result.append((team, month, EMOTIONAL_COST, str(row["cost"]), row["disclosed"]))
    return result


# Measure 8: supervision ----------------------------------------------------------

REVIEW = "review"
FIRST_RESPONSE_DAYS = "first_response_days"


def supervision_rows(
    team_ids: Sequence[int] | None, period: Period | None, now: datetime
) -> list[Row]:
    """By team and month of sharing: notes shared with a supervisor at least 14
    days ago ("due") and those reviewed within 14 days; and the whole days from
    sharing to the first response by someone other than the author."""
    shares = Share.objects.filter(
        _practising_in("reflection__author__", team_ids), _in("shared_at", period)
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
    rows: list[Row] = []
    for row in review:
        month = _month(row["month"])
        rows.append((row["team"], month, REVIEW, "due", row["due"]))
        rows.append((row["team"], month, REVIEW, "in_time", row["in_time"]))
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
        rows.append(
            (row["team"], _month(row["month"]), FIRST_RESPONSE_DAYS, str(row["days"]), row["n"])
        )
    return rows


# Measures 9 and 10: intervision ------------------------------------------------

INTERVISION_SESSIONS = "intervision_sessions"
INTERVISION_SUMMARIES = "intervision_summaries"


def intervision_session_rows(
    team_ids: Sequence[int] | None, period: Period | None, now: datetime
) -> list[Row]:
    """Intervision sessions held, by team, month and group (the category is the
    group's id), in one query. A session dated after today (scheduled, not yet
    held) does not count."""
    rows = (
        IntervisionSession.objects.filter(
            _teams("group__team_id", team_ids),
            _in("held_on", period, dates=True),
            held_on__lte=timezone.localdate(now),
        )
        .annotate(team=F("group__team_id"), month=TruncMonth("held_on"))
        .values("team", "month", "group_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (row["team"], _month(row["month"]), INTERVISION_SESSIONS, str(row["group_id"]), row["n"])
        for row in rows
    ]


def intervision_summary_rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Summaries for supervision agreed by the group ("agreed") and, of those,
    marked reviewed by a supervisor ("reviewed"), by team and month of
    agreement, in one query. Only the two timestamps are read."""
    rows = (
        SupervisionSummary.objects.filter(
            _teams("session__group__team_id", team_ids),
            _in("agreed_at", period),
            agreed_at__isnull=False,
        )
        .annotate(team=F("session__group__team_id"), month=TruncMonth("agreed_at"))
        .values("team", "month")
        .annotate(
            agreed=Count("pk"),
            reviewed=Count("pk", filter=Q(reviewed_at__isnull=False)),
        )
        .order_by()
    )
    result: list[Row] = []
    for row in rows:
        month = _month(row["month"])
        result.append((row["team"], month, INTERVISION_SUMMARIES, "agreed", row["agreed"]))
        result.append((row["team"], month, INTERVISION_SUMMARIES, "reviewed", row["reviewed"]))
    return result


def all_rows(team_ids: Sequence[int] | None, period: Period | None, now: datetime) -> list[Row]:
    """Every monthly measure, with rows for the same (team, month, measure,
    category) added together."""
    totals: dict[tuple[int, date, str, str], int] = {}
    for team, month, measure, category, value in (
        *meeting_rows(team_ids, period),
        *peer_time_rows(team_ids, period),
        *principle_rows(team_ids, period),
        *disclosure_rows(team_ids, period),
        *supervision_rows(team_ids, period, now),
        *intervision_session_rows(team_ids, period, now),
        *intervision_summary_rows(team_ids, period),
    ):
        key = (team, month, measure, category)
        totals[key] = totals.get(key, 0) + value
    return [(*key, value) for key, value in totals.items()]
