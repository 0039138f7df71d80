"""The drawings of My patterns (reflections/patterns.py), as SVG geometry.

Every chart is drawn by a template in templates/reflections/includes/ from one
of these, and is followed on the page by a table of the same figures. Sizes are
SVG user units; the drawing scales to its column (viewBox, width 100%) and, like
the dashboard's charts (.app-chart), gives way to its table on narrow screens.
Nothing relies on colour alone: every row of bars is named in words, every bar
carries its number, and other work is hatched as well as labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reflections.patterns import Patterns

WIDTH = 720
# A strip: its name, room for the numbers above the bars, the bars.
STRIP_LABEL = 22
STRIP_VALUES = 18
STRIP_BARS = 56
STRIP_GAP = 14
STRIP_HEIGHT = STRIP_LABEL + STRIP_VALUES + STRIP_BARS + STRIP_GAP
MONTH_AXIS = 40
# Horizontal bars: label, bar, number.
BAR_LABEL_WIDTH = 220
BAR_HEIGHT = 22
BAR_GAP = 10
BAR_NUMBER_ROOM = 60


@dataclass(frozen=True)
class Column:
    """One month's bar in a strip, and its number written above it."""

    x: float
    y: float
    width: float
    height: float
    text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Strip:
    """A named row of monthly bars on a shared month axis."""

    label: str
    label_y: float
    baseline_y: float
    columns: list[Column]
    hatched: bool = False


@dataclass(frozen=True)
class MonthLabel:
    x: float
    month: str  # "Mar"
    year: str  # "2026" under January and under the first month, else ""


@dataclass(frozen=True)
class StripChart:
    """Small multiples: one strip of bars per series, months along the bottom."""

    strips: list[Strip]
    months: list[MonthLabel]
    month_y: float
    year_y: float
    height: float
    width: int = WIDTH

    @property
    def has_hatching(self) -> bool:
        return any(strip.hatched for strip in self.strips)


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    y: float
    width: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per answer: a distribution over the whole range."""

    bars: list[Bar]
    height: float
    width: int = WIDTH
    label_width: int = BAR_LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


@dataclass(frozen=True)
class Series:
    """One strip's figures: a value per month (None: nothing to say) and how
    each is written on the chart."""

    label: str
    values: Sequence[float | None]
    texts: Sequence[str]
    hatched: bool = False


def strip_chart(
    months: Sequence[date], series: Sequence[Series], *, top: float | None = None
) -> StripChart:
    """Strips of monthly bars, all on one scale so strips can be compared: from 0
    to `top` (a fixed scale's end), else to the largest value."""
    largest = top or max((v for s in series for v in s.values if v), default=0) or 1
    slot = WIDTH / max(len(months), 1)
    bar_width = round(slot * 0.6, 1)
    strips = []
    for index, one in enumerate(series):
        top = index * STRIP_HEIGHT
        baseline = top + STRIP_LABEL + STRIP_VALUES + STRIP_BARS
        columns = []
        for position, (value, text) in enumerate(zip(one.values, one.texts, strict=True)):
            height = round(STRIP_BARS * (value or 0) / largest, 1)
            x = round(position * slot + (slot - bar_width) / 2, 1)
            columns.append(
                Column(
                    x=x,
                    y=round(baseline - height, 1),
                    width=bar_width,
                    height=height,
                    text=text,
                    text_x=round(position * slot + slot / 2, 1),
                    text_y=round(baseline - height - 5, 1),
                )
            )
        strips.append(Strip(one.label, top + 16, baseline, columns, one.hatched))
    axis_top = len(series) * STRIP_HEIGHT - STRIP_GAP
    labels = [
        MonthLabel(
            x=round(position * slot + slot / 2, 1),
            month=f"{month:%b}",
            year=f"{month:%Y}" if position == 0 or month.month == 1 else "",
        )
        for position, month in enumerate(months)
    ]
    return StripChart(
        strips=strips,
        months=labels,
        month_y=axis_top + 17,
        year_y=axis_top + 35,
        height=axis_top + MONTH_AXIS,
    )


def bar_chart(items: Sequence[tuple[str, int]]) -> BarChart:
    """Horizontal bars for (label, count), each with its count beside it."""
    largest = max((count for _, count in items), default=0) or 1
    room = WIDTH - BAR_LABEL_WIDTH - BAR_NUMBER_ROOM
    bars = [
        Bar(
            label=label,
            text=str(count),
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(room * count / largest, 1),
            text_x=round(BAR_LABEL_WIDTH + room * count / largest + 8, 1),
            text_y=index * (BAR_HEIGHT + BAR_GAP) + BAR_HEIGHT // 2 + 5,
        )
        for index, (label, count) in enumerate(items)
    ]
    return BarChart(bars=bars, height=max(len(items) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, 1))


COST_LABELS = ["0, none", "1", "2", "3", "4, very high"]
WELLBEING_LABELS = ["0, very low", "1", "2", "3", "4, very well"]


def hours(minutes: int) -> str:
    """Minutes as hours for a bar's number: "2", "1.5", "0"."""
    return f"{minutes / 60:.1f}".removesuffix(".0")


def median_text(median: float | None) -> str:
    return "\N{EN DASH}" if median is None else f"{median:.1f}".removesuffix(".0")


def charts_for(patterns: Patterns) -> dict[str, StripChart | BarChart]:
    """Every chart of the My patterns page, by name."""
    months = [figures.month for figures in patterns.months if figures.month]
    whole = patterns.whole
    each = patterns.months
    medians = [figures.wellbeing.median for figures in each]
    return {
        "principles": strip_chart(
            months,
            [
                Series(
                    principle.name,
                    [figures.principles[index] for figures in each],
                    [str(figures.principles[index]) for figures in each],
                )
                for index, principle in enumerate(patterns.principles)
            ],
        ),
        "disclosures": strip_chart(
            months,
            [
                Series("Notes written", [f.notes for f in each], [str(f.notes) for f in each]),
                Series(
                    "Notes with a self-disclosure",
                    [f.disclosures for f in each],
                    [str(f.disclosures) for f in each],
                    hatched=True,
                ),
            ],
        ),
        "cost": bar_chart(
            [
                *zip(COST_LABELS, whole.cost.counts, strict=True),
                ("Cost not given", whole.cost.not_answered),
            ]
        ),
        "wellbeing": strip_chart(
            months,
            [
                Series(
                    "Median, from 0 (very low) to 4 (very well)",
                    medians,
                    [median_text(median) for median in medians],
                )
            ],
            top=4,
        ),
        "wellbeing_spread": bar_chart(
            [
                *zip(WELLBEING_LABELS, whole.wellbeing.counts, strict=True),
                ("Not answered", whole.wellbeing.not_answered),
            ]
        ),
        "time": strip_chart(
            months,
            [
                Series(
                    "Network meetings (hours)",
                    [f.meeting_minutes for f in each],
                    [hours(f.meeting_minutes) for f in each],
                ),
                Series(
                    "Other work (hours)",
                    [f.other_minutes for f in each],
                    [hours(f.other_minutes) for f in each],
                    hatched=True,
                ),
            ],
        ),
    }
