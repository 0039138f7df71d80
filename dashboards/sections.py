"""What a measure shows: a Section of figures, at most one chart and a table.

The template (templates/dashboards/includes/section.html) and the CSV export
(dashboards/views.py) both walk these, so the export is exactly the page. Every
number in them is a suppression.Figure: a chart draws `figure.value`, which is
None for anything suppressed or withheld. What the template prints is worked
out here once (a bar's short label, where its number goes, a table's texts), so
that its loops only print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.text import Truncator

from dashboards.suppression import Figure

# Chart geometry, in SVG user units (the SVGs scale to their container in CSS,
# and are hidden on narrow screens, where the figures and table say the same).
BAR_CHART_WIDTH = 640
BAR_LABEL_WIDTH = 250
BAR_HEIGHT = 22
BAR_GAP = 10
BAR_LABEL_CHARS = 34  # a longer label is cut short, with an ellipsis, in the chart
BAR_NUMBER_GAP = 6
LINE_CHART_WIDTH = 640
LINE_CHART_HEIGHT = 220
LINE_MARGIN = {"left": 44, "right": 16, "top": 16, "bottom": 40}

SECTION_TEMPLATE = "dashboards/includes/section.html"
WHOLE_PERIOD = "Whole period"


@dataclass
class Bar:
    label: str
    figure: Figure
    y: int
    width: int
    text_y: int

    @property
    def short_label(self) -> str:
        """The label as the chart has room for it (the table has it whole)."""
        return Truncator(self.label).chars(BAR_LABEL_CHARS)

    @property
    def number_x(self) -> int:
        """Where the bar's number starts: just past its end."""
        return BAR_LABEL_WIDTH + self.width + BAR_NUMBER_GAP


@dataclass
class BarChart:
    bars: list[Bar]
    height: int
    width: int = BAR_CHART_WIDTH
    label_width: int = BAR_LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def has_data(self) -> bool:
        """Something to draw: at least one bar above 0 that may be shown."""
        return any(bar.figure.shown and bar.figure.value for bar in self.bars)


@dataclass
class Point:
    label: str
    figure: Figure
    x: int
    y: int | None

    @property
    def short_label(self) -> str:
        """The month on the axis: "Jan" of "Jan 2025"."""
        return self.label[:3]


@dataclass
class LineChart:
    """Percentages (0 to 100) by month; withheld months break the line."""

    points: list[Point]
    segments: list[str]  # "x,y x,y ..." for each unbroken run, for <polyline points>
    gridlines: list[tuple[int, int, int]]  # (y, percent, y of its label)
    width: int = LINE_CHART_WIDTH
    height: int = LINE_CHART_HEIGHT
    left: int = LINE_MARGIN["left"]
    right: int = LINE_CHART_WIDTH - LINE_MARGIN["right"]
    bottom: int = LINE_CHART_HEIGHT - LINE_MARGIN["bottom"]
    label_y: int = LINE_CHART_HEIGHT - LINE_MARGIN["bottom"] + 18
    axis_x: int = LINE_MARGIN["left"] - 6  # where the percentages end, left of the grid

    @property
    def has_data(self) -> bool:
        """Something to draw: at least one month that may be shown."""
        return any(point.y is not None for point in self.points)


@dataclass
class Table:
    """Figures in rows and columns. Months are the rows or the columns, labelled
    as Context.labels ("Jan 2025") and "Whole period": the CSV export reads
    them back as its `month` column."""

    caption: str
    columns: list[str]
    rows: list[tuple[str, list[Figure]]]

    @property
    def texts(self) -> list[tuple[str, list[str]]]:
        """The rows as the page prints them: each figure's text."""
        return [(label, [figure.text for figure in figures]) for label, figures in self.rows]


@dataclass
class Section:
    slug: str
    title: str
    definition: str
    what_it_tells: str = ""  # filled from the measure's WHAT_IT_TELLS when empty
    figures: list[tuple[str, Figure]] = field(default_factory=list)
    bar_chart: BarChart | None = None
    line_chart: LineChart | None = None
    table: Table | None = None
    # Said instead of a chart when there is nothing to draw.
    chart_note: str = ""
    # A measure that needs its own layout names its own template.
    template: str = SECTION_TEMPLATE


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
    gridlines = []
    for percent in (0, 25, 50, 75, 100):
        y = round(bottom - (bottom - top) * percent / 100)
        gridlines.append((y, percent, y + 4))
    return LineChart(points=points, segments=segments, gridlines=gridlines)
