"""My patterns: what one person's own notes and logged time say, month by month.

For the signed-in person only (reflections.views.my_patterns never takes anyone
else): which peer practice principles their written notes touch, how often they
disclose and at what emotional cost, how they are after meetings, and how their
time splits between the network meetings they attended and other work they
logged (meetings.Activity).

Counts and minutes only, aggregated in the database in QUERIES queries however
many months or notes: no query selects an encrypted column ("has text" is asked
as `text != ''`, which the encrypted field stores as it is), so no note text is
ever read here. Nothing is suppressed: a person may see their own small numbers.

Months are calendar months in the site's time zone: a note counts in the month
it was written (`written_at`), a meeting in the month it started, other work in
the month it was done. Meetings still to come and work dated in the future are
left out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Case, Count, DateField, F, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.template.defaultfilters import floatformat
from django.utils import dateformat, timezone

from meetings.models import Activity, NetworkMeeting
from principles.models import Principle
from reflections.models import Disclosed, Reflection

if TYPE_CHECKING:
    from teams.models import User

# Principles, principle notes, notes (wellbeing and disclosure), meetings, other work.
QUERIES = 5
DEFAULT_MONTHS = 12
MONTH_CHOICES = (6, 12, 24)
SCALE = range(5)  # the 0 to 4 answers of emotional cost and wellbeing
DISCLOSED = [Disclosed.IN_DIALOGUE, Disclosed.IN_REFLECTING]


@dataclass(frozen=True)
class MonthRange:
    """Whole calendar months, from the month of `first` to the month of `last`
    (both the first day of their month), in the site's time zone."""

    first: date
    last: date

    @classmethod
    def last_months(cls, count: int = DEFAULT_MONTHS, today: date | None = None) -> MonthRange:
        """This month and the `count - 1` months before it."""
        last = (today or timezone.localdate()).replace(day=1)
        first = last
        for _ in range(count - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        return cls(first, last)

    def months(self) -> list[date]:
        """The first day of each month, oldest first."""
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = _next_month(month)
        return months

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def ends_before(self) -> datetime:
        return timezone.make_aware(datetime.combine(_next_month(self.last), time.min))


@dataclass(frozen=True)
class Distribution:
    """Answers on the 0 to 4 scale: `counts[n]` said n; `not_answered` left it empty."""

    counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    not_answered: int = 0

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @cached_property
    def median(self) -> float | None:
        """The median answer (a half when the middle falls between two), or None."""
        answers = self.answered
        if not answers:
            return None
        below, middle = 0, []
        for value, count in enumerate(self.counts):
            for position in ((answers - 1) // 2, answers // 2):
                if below <= position < below + count:
                    middle.append(value)
            below += count
        return sum(middle) / len(middle)

    @property
    def median_text(self) -> str:
        """The median as its table prints it: "2", "2.5", or "No answers"."""
        median = self.median
        return "No answers" if median is None else floatformat(median, "-1")

    def __add__(self, other: Distribution) -> Distribution:
        counts = tuple(a + b for a, b in zip(self.counts, other.counts, strict=True))
        return Distribution(counts, self.not_answered + other.not_answered)  # type: ignore[arg-type]


@dataclass(frozen=True)
class MonthFigures:
    """One month of one person's patterns (or the whole range, `month` None).

    notes: written notes (Reflection.objects.written()), counted once each;
    principles: how many of them touch each principle, in Patterns.principles' order;
    disclosures: how many record a self-disclosure (in the dialogue or reflecting);
    cost: the emotional cost those disclosures were given (0 none to 4 very high);
    wellbeing: how the author was after the meeting, over all written notes
      (0 very low to 4 very well);
    meeting_minutes: minutes of the network meetings attended (duration_minutes);
    other_minutes: minutes of other work logged (meetings.Activity).
    """

    month: date | None
    notes: int = 0
    principles: tuple[int, ...] = ()
    disclosures: int = 0
    cost: Distribution = Distribution()
    wellbeing: Distribution = Distribution()
    meeting_minutes: int = 0
    other_minutes: int = 0

    @property
    def disclosure_percent(self) -> int | None:
        """Notes with a disclosure, as a whole percentage of notes written."""
        return round(100 * self.disclosures / self.notes) if self.notes else None

    @property
    def meeting_percent(self) -> int | None:
        """Minutes in network meetings, as a whole percentage of all logged minutes."""
        logged = self.meeting_minutes + self.other_minutes
        return round(100 * self.meeting_minutes / logged) if logged else None

    # What the page's tables print, worked out here once rather than in the
    # template's loops.

    @cached_property
    def month_label(self) -> str:
        """The month as the tables name it: "Mar 2026"."""
        return dateformat.format(self.month, "M Y") if self.month else ""

    @property
    def disclosure_percent_text(self) -> str:
        percent = self.disclosure_percent
        return "No notes" if percent is None else f"{percent}%"

    @property
    def meeting_percent_text(self) -> str:
        percent = self.meeting_percent
        return "No time logged" if percent is None else f"{percent}%"

    def __add__(self, other: MonthFigures) -> MonthFigures:
        return MonthFigures(
            month=None,
            notes=self.notes + other.notes,
            principles=tuple(a + b for a, b in zip(self.principles, other.principles, strict=True)),
            disclosures=self.disclosures + other.disclosures,
            cost=self.cost + other.cost,
            wellbeing=self.wellbeing + other.wellbeing,
            meeting_minutes=self.meeting_minutes + other.meeting_minutes,
            other_minutes=self.other_minutes + other.other_minutes,
        )


@dataclass(frozen=True)
class Patterns:
    """A person's figures for each month of `range` (oldest first) and in all."""

    range: MonthRange
    principles: list[Principle]
    months: list[MonthFigures]

    @cached_property
    def whole(self) -> MonthFigures:
        """The whole range added up (medians from all its answers)."""
        total = MonthFigures(None, principles=(0,) * len(self.principles))
        for month in self.months:
            total = total + month
        return total

    @property
    def is_empty(self) -> bool:
        whole = self.whole
        return not (whole.notes or whole.meeting_minutes or whole.other_minutes)


def patterns_for(user: User, months: MonthRange | None = None) -> Patterns:
    """`user`'s own patterns over `months` (default: the last DEFAULT_MONTHS), in
    QUERIES queries. Only ever `user`'s notes, meetings and logged work."""
    months = months or MonthRange.last_months()
    now = timezone.now()
    principles = list(Principle.objects.peer_practice())
    notes = (
        Reflection.objects.mine(user)
        .written()
        .filter(written_at__gte=months.starts_at, written_at__lt=months.ends_before)
    )
    # Each note's principle notes on these principles, joined once (not through
    # `notes` again); one with nothing in it is not counted. A principle note
    # with something in it makes its note a written one
    # (Reflection.objects.written()), so no other test of the note is needed.
    touched = (
        Reflection.objects.mine(user)
        .filter(
            written_at__gte=months.starts_at,
            written_at__lt=months.ends_before,
            principle_notes__principle__in=[p.pk for p in principles],
        )
        .annotate(month=TruncMonth("written_at", output_field=DateField()))
        .values("month", principle_id=F("principle_notes__principle_id"))
        .annotate(
            count=Count(
                "principle_notes",
                filter=~Q(principle_notes__text="", principle_notes__presence=""),
            )
        )
        .order_by()
    )
    answers = (
        notes.annotate(
            month=TruncMonth("written_at", output_field=DateField()),
            disclosed=Case(
                When(disclosure__disclosed__in=DISCLOSED, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values("month", "wellbeing", "disclosed", "disclosure__emotional_cost")
        .annotate(count=Count("pk"))
        .order_by()
    )
    meeting_minutes = (
        NetworkMeeting.objects.attended_by(user)
        .filter(starts_at__gte=months.starts_at, starts_at__lt=months.ends_before)
        .filter(starts_at__lte=now)
        .annotate(month=TruncMonth("starts_at", output_field=DateField()))
        .values("month")
        .annotate(minutes=Sum("duration_minutes"))
        .order_by()
    )
    other_minutes = (
        Activity.objects.mine(user)
        .filter(done_on__gte=months.first, done_on__lt=_next_month(months.last))
        .filter(done_on__lte=timezone.localdate(now))
        .annotate(month=TruncMonth("done_on"))
        .values("month")
        .annotate(minutes=Sum("duration_minutes"))
        .order_by()
    )

    order = {principle.pk: index for index, principle in enumerate(principles)}
    principle_counts: dict[date, list[int]] = defaultdict(lambda: [0] * len(principles))
    for row in touched:
        principle_counts[_month_of(row["month"])][order[row["principle_id"]]] += row["count"]

    note_counts: Counter[date] = Counter()
    disclosure_counts: Counter[date] = Counter()
    costs: dict[date, Counter] = defaultdict(Counter)
    wellbeing: dict[date, Counter] = defaultdict(Counter)
    for row in answers:
        month, count = _month_of(row["month"]), row["count"]
        note_counts[month] += count
        wellbeing[month][row["wellbeing"]] += count
        if row["disclosed"]:
            disclosure_counts[month] += count
            costs[month][row["disclosure__emotional_cost"]] += count

    meetings = {_month_of(row["month"]): row["minutes"] for row in meeting_minutes}
    other = {_month_of(row["month"]): row["minutes"] for row in other_minutes}

    return Patterns(
        range=months,
        principles=principles,
        months=[
            MonthFigures(
                month=month,
                notes=note_counts[month],
                principles=tuple(principle_counts[month]),
                disclosures=disclosure_counts[month],
                cost=_distribution(costs[month]),
                wellbeing=_distribution(wellbeing[month]),
                meeting_minutes=meetings.get(month) or 0,
                other_minutes=other.get(month) or 0,
            )
            for month in months.months()
        ],
    )


def _distribution(answers: Counter) -> Distribution:
    """A Distribution from {answer or None: count}."""
    counts = tuple(answers.get(value, 0) for value in SCALE)
    return Distribution(counts, answers.get(None, 0))  # type: ignore[arg-type]


def _month_of(value: date | datetime) -> date:
    """The first day of the month a TruncMonth gave, in the site's time zone."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)
