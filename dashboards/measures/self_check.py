"""The dialogic self-check, as the team's self-report: never a fidelity rating.

After a meeting each practitioner recorded at it may say how present each of
Open Dialogue's seven principles was (meetings.models.SelfCheck). This counts,
by team and month of the meeting: the meetings with at least one check, and for
each principle the answers "clearly" or "strongly" and the other answers given
("not at all", "a little"; "not sure" is left out). Only these counts leave the
database, never a person's answers or who gave them.

Disclosure: a month publishes, per principle, the two parts of one split
(clearly or strongly; less), each on its own; the answers given are added up
from them and the share is worked out from those published figures, so no
subtraction gives a hidden part back. Meetings with a check are a subset of all
meetings, published on their own like reflecting conversations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Count, F
from django.db.models.functions import TruncMonth

from dashboards import suppression
from dashboards.measures import peer_present
from dashboards.measures.base import (
    WHOLE_PERIOD,
    Context,
    Period,
    Row,
    Section,
    Table,
    combine,
    in_period,
    in_teams,
    line_chart,
    month_of,
)
from dashboards.suppression import Figure
from meetings.models import CLEARLY_PRESENT, HowPresent, SelfCheck, SelfCheckAnswer
from principles.models import OPEN_DIALOGUE, Principle

KEY = "self_check"
SLUG = "self-check"
TITLE = "Dialogic self-check (self-report)"
DEFINITION = (
    "The team's self-report, not a fidelity rating of anyone: after a network meeting, "
    "each practitioner who was there may say how present each of Open Dialogue's seven "
    "principles was. Counted by month of the meeting: meetings with at least one "
    "self-check, and for each principle the share of answers saying it was clearly or "
    "strongly present, out of the answers given (“not sure” is not counted). Nobody's "
    "own answers are shown."
)
WHAT_IT_TELLS = "Which parts of Open Dialogue practice the team itself sees in its meetings."

WITH_CHECK = "meetings"
CLEARLY = "clearly"
LESS = "less"
# The answers counted as given, besides "clearly" and "strongly".
LESS_PRESENT = (HowPresent.NOT_AT_ALL, HowPresent.A_LITTLE)


def category(principle_id: int, part: str) -> str:
    return f"{principle_id}:{part}"


def rows(team_ids: Sequence[int] | None, period: Period | None) -> list[Row]:
    """Meetings with a self-check, and each principle's answers split into
    clearly (or strongly) present and less, by team and month of the meeting,
    in two queries."""
    meetings = (
        SelfCheck.objects.filter(
            in_teams("meeting__network__team_id", team_ids),
            in_period("meeting__starts_at", period),
        )
        .annotate(team=F("meeting__network__team_id"), month=TruncMonth("meeting__starts_at"))
        .values("team", "month")
        .annotate(n=Count("meeting", distinct=True))
        .order_by()
    )
    answers = (
        SelfCheckAnswer.objects.filter(
            in_teams("self_check__meeting__network__team_id", team_ids),
            in_period("self_check__meeting__starts_at", period),
            how_present__in=[*CLEARLY_PRESENT, *LESS_PRESENT],
        )
        .annotate(
            team=F("self_check__meeting__network__team_id"),
            month=TruncMonth("self_check__meeting__starts_at"),
        )
        .values("team", "month", "principle_id", "how_present")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: list[Row] = [
        (row["team"], month_of(row["month"]), KEY, WITH_CHECK, row["n"]) for row in meetings
    ]
    found += [
        (
            row["team"],
            month_of(row["month"]),
            KEY,
            category(
                row["principle_id"], CLEARLY if row["how_present"] in CLEARLY_PRESENT else LESS
            ),
            row["n"],
        )
        for row in answers
    ]
    return combine(found)


def meeting_figures(ctx: Context, only: Sequence[date]) -> list[Figure]:
    """All meetings (as peer_present publishes them), those with a self-check, the share."""
    meetings = peer_present.meetings(ctx, only)
    checked = ctx.count(KEY, WITH_CHECK, only)
    return [meetings, checked, suppression.share(checked, meetings)]


def clearly_share(ctx: Context, principle: Principle, only: Sequence[date]) -> Figure:
    """The share of answers given saying the principle was clearly or strongly
    present, from the two published parts of each team's month."""
    clearly = ctx.count(KEY, category(principle.pk, CLEARLY), only)
    given = ctx.count_parts(
        KEY, [[category(principle.pk, CLEARLY)], [category(principle.pk, LESS)]], only
    )
    return suppression.share(clearly, given)


def section(ctx: Context) -> Section:
    principles = [p for p in ctx.principles() if p.framework.slug == OPEN_DIALOGUE]
    whole = meeting_figures(ctx, ctx.months)
    monthly = [(label, meeting_figures(ctx, [m])) for label, m in ctx.by_month()]
    names = ["Network meetings", "Meetings with a self-check", "Share with a self-check"]
    table_rows: list[tuple[str, list[Figure]]] = [
        (name, [*(row[index] for _, row in monthly), whole[index]])
        for index, name in enumerate(names)
    ]
    table_rows += [
        (
            f"{principle.name}: share clearly or strongly present",
            [
                *(clearly_share(ctx, principle, [m]) for m in ctx.months),
                clearly_share(ctx, principle, ctx.months),
            ],
        )
        for principle in principles
    ]
    return Section(
        slug=SLUG,
        title=TITLE,
        definition=DEFINITION,
        what_it_tells=WHAT_IT_TELLS,
        line_chart=line_chart([(label, row[2]) for label, row in monthly]),
        table=Table(
            caption=(
                "Self-check by month (self-report): meetings with a self-check, and the "
                "share of answers saying each principle was clearly or strongly present"
            ),
            columns=[*ctx.labels, WHOLE_PERIOD],
            rows=table_rows,
        ),
    )
