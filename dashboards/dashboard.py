"""What the dashboard shows: each measure as suppressed figures, tables and charts.

`build()` turns the rollup's numbers (and continuity, asked live) into sections
the template and the CSV export both walk, so the export is exactly the page.
Every number passes through dashboards/suppression.py on its way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from dashboards import queries, rollup, suppression
from dashboards.queries import Period
from dashboards.suppression import Figure
from meetings.models import ActivityKind
from principles.models import Principle
from teams.models import IntervisionGroup

# Chart geometry, in SVG user units (the SVGs scale to their container in CSS).
BAR_CHART_WIDTH = 640
BAR_LABEL_WIDTH = 250
BAR_HEIGHT = 22
BAR_GAP = 10
LINE_CHART_WIDTH = 640
LINE_CHART_HEIGHT = 220
LINE_MARGIN = {"left": 44, "right": 16, "top": 16, "bottom": 40}


@dataclass
class Bar:
    label: str
    figure: Figure
    y: int
    width: int
    text_y: int


@dataclass
class BarChart:
    bars: list[Bar]
    height: int
    width: int = BAR_CHART_WIDTH
    label_width: int = BAR_LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


@dataclass
class Point:
    label: str
    figure: Figure
    x: int
    y: int | None


@dataclass
class LineChart:
    """Percentages (0 to 100) by month; withheld months break the line."""

    points: list[Point]
    segments: list[str]  # "x,y x,y ..." for each unbroken run, for <polyline points>
    gridlines: list[tuple[int, int]]  # (y, percent)
    width: int = LINE_CHART_WIDTH
    height: int = LINE_CHART_HEIGHT
    left: int = LINE_MARGIN["left"]
    right: int = LINE_CHART_WIDTH - LINE_MARGIN["right"]
    bottom: int = LINE_CHART_HEIGHT - LINE_MARGIN["bottom"]
    label_y: int = LINE_CHART_HEIGHT - LINE_MARGIN["bottom"] + 18


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[Figure]]]


@dataclass
class Section:
    slug: str
    title: str
    definition: str
    figures: list[tuple[str, Figure]] = field(default_factory=list)
    bar_chart: BarChart | None = None
    line_chart: LineChart | None = None
    table: Table | None = None


def bar_chart(items: Sequence[tuple[str, Figure]]) -> BarChart:
    largest = max((f.value for _, f in items if f.shown), default=0) or 1
    room = BAR_CHART_WIDTH - BAR_LABEL_WIDTH - 70  # leaves space for the number
    bars = []
    for index, (label, figure) in enumerate(items):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = round(room * figure.value / largest) if figure.shown else 0
        bars.append(Bar(label, figure, y, width, y + BAR_HEIGHT // 2 + 5))
    return BarChart(bars=bars, height=max(len(items) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, 1))


def line_chart(items: Sequence[tuple[str, Figure]]) -> LineChart:
    left, right = LINE_MARGIN["left"], LINE_CHART_WIDTH - LINE_MARGIN["right"]
    top, bottom = LINE_MARGIN["top"], LINE_CHART_HEIGHT - LINE_MARGIN["bottom"]
    step = (right - left) / max(len(items) - 1, 1)
    points, segments, run = [], [], []
    for index, (label, figure) in enumerate(items):
        x = round(left + index * step) if len(items) > 1 else (left + right) // 2
        y = round(bottom - (bottom - top) * figure.value / 100) if figure.shown else None
        points.append(Point(label, figure, x, y))
        if y is None:
            if run:
                segments.append(" ".join(run))
            run = []
        else:
            run.append(f"{x},{y}")
    if run:
        segments.append(" ".join(run))
    gridlines = [(round(bottom - (bottom - top) * p / 100), p) for p in (0, 25, 50, 75, 100)]
    return LineChart(points=points, segments=segments, gridlines=gridlines)


def _month_label(month: date) -> str:
    return f"{month:%b %Y}"


@dataclass
class Dashboard:
    period: Period
    sections: list[Section]


def build(team_ids: Sequence[int], period: Period) -> Dashboard:
    """Every measure for these teams over the period: a fixed number of queries
    (the rollup, continuity, the principles, the teams' intervision groups)."""
    months = period.months()
    data = rollup.read(team_ids, months[0], months[-1])
    eligible, continuous = queries.continuity(team_ids, period)
    principles = list(Principle.objects.select_related("framework").order_by("framework", "order"))
    groups = list(
        IntervisionGroup.objects.filter(team_id__in=team_ids)
        .order_by("team__name", "name", "pk")
        .values_list("pk", "name", "team__name")
    )
    labels = [_month_label(m) for m in months]

    def total(measure: str, category: str, only: Sequence[date] = months) -> int:
        return sum(data[(m, measure, category)] for m in only)

    def meetings(month: date, peer: bool | None = None, prof: bool | None = None, first=None):
        n = 0
        for p in (False, True):
            for q in (False, True):
                for f in (False, True):
                    if (
                        (peer is None or p == peer)
                        and (prof is None or q == prof)
                        and (first is None or f == first)
                    ):
                        n += data[(month, queries.MEETINGS, queries.meeting_category(p, q, f))]
        return n

    sections = []

    # 1. Meetings with a peer present.
    all_meetings = sum(meetings(m) for m in months)
    with_peer = sum(meetings(m, peer=True) for m in months)
    monthly_share = [
        (label, suppression.share(meetings(m, peer=True), meetings(m)))
        for label, m in zip(labels, months, strict=True)
    ]
    sections.append(
        Section(
            slug="peer-present",
            title="Meetings with a peer practitioner present",
            definition=(
                "Network meetings in the period where at least one person attended in the "
                "peer practitioner role, as a count and as a share of all meetings."
            ),
            figures=[
                ("Network meetings", suppression.count(all_meetings)),
                ("With a peer present", suppression.count(with_peer)),
                ("Share with a peer present", suppression.share(with_peer, all_meetings)),
            ],
            line_chart=line_chart(monthly_share),
            table=Table(
                caption="Meetings with a peer present, by month",
                columns=["Meetings", "With a peer", "Share with a peer"],
                rows=[
                    (
                        label,
                        [
                            suppression.count(meetings(m)),
                            suppression.count(meetings(m, peer=True)),
                            share,
                        ],
                    )
                    for label, m, (_, share) in zip(labels, months, monthly_share, strict=True)
                ],
            ),
        )
    )

    # 2. First network meetings with a peer present.
    first = sum(meetings(m, first=True) for m in months)
    first_with_peer = sum(meetings(m, peer=True, first=True) for m in months)
    sections.append(
        Section(
            slug="first-meetings",
            title="First network meetings with a peer present",
            definition=(
                "Meetings in the period that were a network's first ever meeting (no earlier "
                "meeting is logged for it), and the share of them with a peer present."
            ),
            figures=[
                ("First meetings", suppression.count(first)),
                ("With a peer present", suppression.count(first_with_peer)),
                ("Share with a peer present", suppression.share(first_with_peer, first)),
            ],
        )
    )

    # 3. Peer continuity (live).
    sections.append(
        Section(
            slug="continuity",
            title="Peer continuity",
            definition=(
                "Of networks with 3 or more meetings in the period, the share where one peer "
                "practitioner attended at least two thirds of those meetings."
            ),
            figures=[
                ("Networks with 3 or more meetings", suppression.count(eligible)),
                ("With one peer at two thirds or more", suppression.count(continuous)),
                ("Share with a continuing peer", suppression.share(continuous, eligible)),
            ],
        )
    )

    # 4. Peers' time.
    kinds = [(queries.NETWORK_MEETINGS, "Network meetings")] + [
        (kind.value, kind.label) for kind in ActivityKind
    ]

    def minutes(kind: str, only: Sequence[date] = months) -> Figure:
        return suppression.hours(
            total(queries.PEER_MINUTES, kind, only), total(queries.PEER_RECORDS, kind, only)
        )

    time_totals = [(label, minutes(kind)) for kind, label in kinds]
    sections.append(
        Section(
            slug="peer-time",
            title="Peers' time: network meetings and other work",
            definition=(
                "Hours peer practitioners spent in network meetings (in the peer role) and "
                "in each kind of other work they logged. Other work outgrowing meetings is a "
                "sign of role drift."
            ),
            figures=time_totals,
            bar_chart=bar_chart(time_totals),
            table=Table(
                caption="Peers' hours by month",
                columns=[label for _, label in kinds],
                rows=[
                    (label, [minutes(kind, [m]) for kind, _ in kinds])
                    for label, m in zip(labels, months, strict=True)
                ],
            ),
        )
    )

    # 5. Co-working.
    mix = [
        ("Peer with professional", sum(meetings(m, peer=True, prof=True) for m in months)),
        ("Professional only", sum(meetings(m, peer=False, prof=True) for m in months)),
        ("Peer only", sum(meetings(m, peer=True, prof=False) for m in months)),
        ("No practitioner recorded", sum(meetings(m, peer=False, prof=False) for m in months)),
    ]
    mix_figures = [(label, suppression.count(n)) for label, n in mix]
    sections.append(
        Section(
            slug="co-working",
            title="Co-working: who was at the meetings",
            definition=(
                "Network meetings in the period by the practitioners present: a peer with a "
                "professional practitioner, professionals only, or a peer only."
            ),
            figures=[
                *mix_figures,
                *(
                    (f"Share: {label.lower()}", suppression.share(n, all_meetings))
                    for label, n in mix[:3]
                ),
            ],
            bar_chart=bar_chart(mix_figures),
        )
    )

    # 6. Principles reflected on.
    def notes(principle: Principle, only: Sequence[date] = months) -> int:
        return total(queries.PRINCIPLE_NOTES, str(principle.pk), only)

    principle_totals = [(p.name, suppression.count(notes(p))) for p in principles]
    sections.append(
        Section(
            slug="principles",
            title="Principles reflected on",
            definition=(
                "Principle notes with something written or a presence rating, in reflections "
                "by the team's practitioners, per principle and month of writing."
            ),
            bar_chart=bar_chart(principle_totals),
            table=Table(
                caption="Principle notes by month",
                columns=[*labels, "Whole period"],
                rows=[
                    (
                        p.name,
                        [*(suppression.count(notes(p, [m])) for m in months), figure],
                    )
                    for p, (_, figure) in zip(principles, principle_totals, strict=True)
                ],
            ),
        )
    )

    # 7. Self-disclosure.
    def cost_histogram(only: Sequence[date]) -> Counter:
        return Counter({cost: total(queries.EMOTIONAL_COST, str(cost), only) for cost in range(5)})

    def disclosure_figures(only: Sequence[date]) -> list[Figure]:
        reflections = total(queries.REFLECTIONS, "all", only)
        disclosed = total(queries.REFLECTIONS, "disclosed", only)
        return [
            suppression.count(reflections),
            suppression.share(disclosed, reflections),
            suppression.median_of_histogram(+cost_histogram(only)),
            suppression.share(
                total(queries.REFLECTIONS, "not_safe", only),
                total(queries.REFLECTIONS, "safety_answered", only),
            ),
        ]

    disclosure_monthly = [
        (label, disclosure_figures([m])) for label, m in zip(labels, months, strict=True)
    ]
    whole = disclosure_figures(months)
    sections.append(
        Section(
            slug="disclosure",
            title="Self-disclosure",
            definition=(
                "Of reflections by the team's practitioners: the share recording a "
                "self-disclosure, the median emotional cost reported (0 none to 4 very high) "
                "and the share of disclosures that did not feel safe."
            ),
            figures=[
                ("Reflections", whole[0]),
                ("Share with a disclosure", whole[1]),
                ("Median emotional cost (0 to 4)", whole[2]),
                ("Share of disclosures that did not feel safe", whole[3]),
            ],
            line_chart=line_chart([(label, figures[1]) for label, figures in disclosure_monthly]),
            table=Table(
                caption="Self-disclosure by month",
                columns=[
                    "Reflections",
                    "Share with a disclosure",
                    "Median emotional cost",
                    "Did not feel safe",
                ],
                rows=disclosure_monthly,
            ),
        )
    )

    # 8. Supervision.
    days = Counter(
        {
            int(category): value
            for (month, measure, category), value in data.items()
            if measure == queries.FIRST_RESPONSE_DAYS and month in months
        }
    )
    due = total(queries.REVIEW, "due")
    sections.append(
        Section(
            slug="supervision",
            title="Supervision",
            definition=(
                "Of notes shared with a supervisor in the period, at least 14 days ago, the "
                "share marked reviewed within 14 days; and the median whole days from sharing "
                "a note to its first response."
            ),
            figures=[
                ("Notes shared with a supervisor", suppression.count(due)),
                (
                    "Share reviewed within 14 days",
                    suppression.share(total(queries.REVIEW, "in_time"), due),
                ),
                (
                    "Median days to the first response",
                    suppression.median_of_histogram(days, "days"),
                ),
            ],
        )
    )

    # 9. Intervision sessions, by group.
    def sessions(group_id: int, only: Sequence[date] = months) -> int:
        return total(queries.INTERVISION_SESSIONS, str(group_id), only)

    # A group is named with its team when the page covers more than one team
    # (two teams may each have a group of the same name).
    group_rows = [
        (
            name if len(team_ids) == 1 else f"{name} ({team_name})",
            [
                *(suppression.count(sessions(pk, [m])) for m in months),
                suppression.count(sessions(pk)),
            ],
        )
        for pk, name, team_name in groups
    ]
    sections.append(
        Section(
            slug="intervision-sessions",
            title="Intervision sessions by group",
            definition=(
                "Sessions each of the team's intervision groups held, by month. A session "
                "dated after today is scheduled, not held, and is not counted. This counts "
                "only that a session took place: never who attended, nor anything said or "
                "written in it."
            ),
            figures=[
                (
                    "Intervision sessions held",
                    suppression.count(sum(sessions(pk) for pk, _, _ in groups)),
                ),
            ],
            table=Table(
                caption="Intervision sessions by group and month",
                columns=[*labels, "Whole period"],
                rows=group_rows,
            )
            if groups
            else None,
        )
    )

    # 10. Intervision summaries reviewed in supervision.
    def summary_figures(only: Sequence[date]) -> list[Figure]:
        agreed = total(queries.INTERVISION_SUMMARIES, "agreed", only)
        reviewed = total(queries.INTERVISION_SUMMARIES, "reviewed", only)
        return [
            suppression.count(agreed),
            suppression.count(reviewed),
            suppression.share(reviewed, agreed),
        ]

    summary_monthly = [
        (label, summary_figures([m])) for label, m in zip(labels, months, strict=True)
    ]
    summaries = summary_figures(months)
    sections.append(
        Section(
            slug="intervision-review",
            title="Intervision summaries reviewed in supervision",
            definition=(
                "Of the summaries for supervision that intervision groups agreed, the share "
                "their supervisor has marked reviewed, by month of agreement. This counts only "
                "that a summary was agreed and reviewed: never what it says, nor any response."
            ),
            figures=[
                ("Summaries agreed", summaries[0]),
                ("Marked reviewed", summaries[1]),
                ("Share marked reviewed", summaries[2]),
            ],
            line_chart=line_chart([(label, figures[2]) for label, figures in summary_monthly]),
            table=Table(
                caption="Intervision summaries by month of agreement",
                columns=["Agreed", "Marked reviewed", "Share marked reviewed"],
                rows=summary_monthly,
            ),
        )
    )
    return Dashboard(period=period, sections=sections)
