"""Peers' time: network meetings against practical support and other work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Count, Exists, F, OuterRef, Sum
from django.db.models.functions import TruncMonth

from dashboards import suppression
from dashboards.measures.base import (
    Context,
    Period,
    Row,
    Section,
    Table,
    bar_chart,
    in_period,
    in_teams,
    month_of,
)
from dashboards.suppression import Figure
from meetings.models import Activity, ActivityKind, PractitionerAttendance
from teams.models import Membership, Role

KEY = "peer_minutes"  # minutes, by kind of work
RECORDS = "peer_records"  # how many records make those minutes (for suppression)
NETWORK_MEETINGS = "network_meetings"  # the category for meetings attended as the peer
SLUG = "peer-time"
TITLE = "Peers' time: network meetings and other work"
DEFINITION = (
    "Hours peer practitioners spent in network meetings (in the peer role) and in each "
    "kind of other work they logged, and each as a share of all the time they logged: "
    "network meetings, practical support for a network, and other work (admin, "
    "training, supervision or intervision, other)."
)
WHAT_IT_TELLS = (
    "Where peers' time goes: other work outgrowing network meetings is the sign of role drift."
)

KINDS = [(NETWORK_MEETINGS, "Network meetings")] + [(k.value, k.label) for k in ActivityKind]
# (the share's name, the chart's shorter label, the kinds it adds up)
GROUPS = [
    ("Share of peers' time: network meetings", "Network meetings", [NETWORK_MEETINGS]),
    (
        "Share of peers' time: practical support",
        "Practical support",
        [ActivityKind.PRACTICAL_SUPPORT.value],
    ),
    (
        "Share of peers' time: other work",
        "Other work",
        [k for k, _ in KINDS if k not in (NETWORK_MEETINGS, ActivityKind.PRACTICAL_SUPPORT)],
    ),
]


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Peers' minutes (and how many records make them) by team, month and kind:
    network meetings attended as the peer, and each kind of other work logged by
    someone who is a peer practitioner in that team. Two queries."""
    result: list[Row] = []
    meetings = (
        PractitionerAttendance.objects.filter(
            in_teams("meeting__network__team_id", team_ids),
            in_period("meeting__starts_at", period),
            role=Role.PEER_PRACTITIONER,
        )
        .annotate(team=F("meeting__network__team_id"), month=TruncMonth("meeting__starts_at"))
        .values("team", "month")
        .annotate(minutes=Sum("meeting__duration_minutes"), records=Count("pk"))
        .order_by()
    )
    for row in meetings:
        month = month_of(row["month"])
        result.append((row["team"], month, KEY, NETWORK_MEETINGS, row["minutes"]))
        result.append((row["team"], month, RECORDS, NETWORK_MEETINGS, row["records"]))
    is_peer = Membership.objects.filter(
        user=OuterRef("practitioner"), team=OuterRef("team"), role=Role.PEER_PRACTITIONER
    )
    other_work = (
        Activity.objects.filter(
            Exists(is_peer), in_teams("team_id", team_ids), in_period("done_on", period, dates=True)
        )
        .annotate(month=TruncMonth("done_on"))
        .values("team_id", "month", "kind")
        .annotate(minutes=Sum("duration_minutes"), records=Count("pk"))
        .order_by()
    )
    for row in other_work:
        month = month_of(row["month"])
        result.append((row["team_id"], month, KEY, row["kind"], row["minutes"]))
        result.append((row["team_id"], month, RECORDS, row["kind"], row["records"]))
    return result


def hours(ctx: Context, kinds: Sequence[str], only: Sequence[date] | None = None) -> Figure:
    """The published hours of these kinds of work, over the months `only`."""
    return ctx.hours(KEY, RECORDS, kinds, only)


def _figures(ctx: Context, only: Sequence[date] | None = None) -> list[tuple[str, Figure]]:
    everything = hours(ctx, [kind for kind, _ in KINDS], only)
    return [
        *((label, hours(ctx, [kind], only)) for kind, label in KINDS),
        *(
            (label, suppression.hours_share(hours(ctx, kinds, only), everything))
            for label, _, kinds in GROUPS
        ),
    ]


def section(ctx: Context) -> Section:
    whole = _figures(ctx)
    monthly = [(label, _figures(ctx, [m])) for label, m in ctx.by_month()]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        figures=whole,
        # The shares, so that drift shows as the bars changing places.
        bar_chart=bar_chart(
            [
                (short, figure)
                for (_, short, _), (_, figure) in zip(GROUPS, whole[len(KINDS) :], strict=True)
            ]
        ),
        table=Table(
            caption="Peers' hours and shares of their time, by month",
            columns=[label for label, _ in whole],
            rows=[(label, [figure for _, figure in figures]) for label, figures in monthly],
        ),
    )
