"""My patterns (reflections/patterns.py and the `patterns` view): known answers on
hand-made data, months in the site's time zone, and a fixed number of queries."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Activity, ActivityKind
from reflections.models import Disclosure, PrincipleNote, Status
from reflections.pattern_charts import charts_for, hours, median_text
from reflections.patterns import QUERIES, Distribution, MonthRange, patterns_for
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=LONDON)
MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)
PAGE_QUERIES = 2  # the session and its user


@pytest.fixture(autouse=True)
def _mid_april():
    with time_machine.travel(NOW, tick=False):
        yield


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def note(author, when, principles=("attunement",), *, wellbeing=None, cost=None, disclosed=None):
    """A finished note written at `when`, touching `principles` (in words)."""
    reflection = ReflectionFactory(
        author=author, written_at=when, status=Status.FINAL, wellbeing=wellbeing
    )
    for slug in principles:
        PrincipleNote.objects.create(
            reflection=reflection,
            principle=next(p for p in _peer_principles() if p.slug == slug),
            text=f"About {slug}.",
        )
    if disclosed is not None:
        Disclosure.objects.create(reflection=reflection, disclosed=disclosed, emotional_cost=cost)
    return reflection


def _peer_principles():
    from principles.models import Principle

    return list(Principle.objects.peer_practice())


def meeting_attended(team, person, when, minutes):
    meeting = NetworkMeetingFactory(
        network=NetworkFactory(team=team), starts_at=when, duration_minutes=minutes
    )
    PractitionerAttendanceFactory(meeting=meeting, practitioner=person)
    return meeting


def other_work(team, person, on, minutes, kind=ActivityKind.ADMIN):
    return Activity.objects.create(
        practitioner=person, team=team, kind=kind, done_on=on, duration_minutes=minutes
    )


@pytest.fixture
def march(team, author, colleague):
    """March 2026: three notes touching attunement (one with a disclosure of cost
    3), one touching validation only, 120 minutes of meetings and 60 of other
    work; and what must not count: an empty draft, a colleague's note, a note
    of March 2025, a meeting still to come and the colleague's time."""
    note(author, at(2026, 3, 3, 10), wellbeing=1)
    note(
        author,
        at(2026, 3, 10, 10),
        ("attunement", "self-disclosure"),
        wellbeing=3,
        disclosed="dialogue",
        cost=3,
    )
    note(author, at(2026, 3, 20, 10), wellbeing=4)
    note(author, at(2026, 3, 25, 10), ("validation",))  # wellbeing not answered
    # A disclosure answered "no" is not a disclosure, whatever its cost says.
    note(author, at(2026, 3, 26, 10), (), wellbeing=2, disclosed="no", cost=4)
    ReflectionFactory(author=author, written_at=at(2026, 3, 27, 10), text="")  # empty draft
    note(colleague, at(2026, 3, 12, 10), ("attunement",), wellbeing=0)
    note(author, at(2025, 3, 12, 10))  # 13 months ago: outside the last 12
    meeting_attended(team, author, at(2026, 3, 5, 10), 90)
    meeting_attended(team, author, at(2026, 3, 19, 10), 30)
    meeting_attended(team, colleague, at(2026, 3, 6, 10), 600)
    meeting_attended(team, author, at(2026, 4, 30, 10), 45)  # still to come
    other_work(team, author, date(2026, 3, 11), 60)
    other_work(team, colleague, date(2026, 3, 11), 300)
    other_work(team, author, date(2026, 4, 28), 50)  # dated in the future


def month(patterns, first_day):
    return next(figures for figures in patterns.months if figures.month == first_day)


def test_the_last_twelve_months_end_with_this_one():
    months = MonthRange.last_months(12).months()

    assert months[0] == date(2025, 5, 1)
    assert months[-1] == APRIL
    assert len(months) == 12


def test_known_answers_for_march(march, author):
    patterns = patterns_for(author)
    names = [p.name for p in patterns.principles]
    figures = month(patterns, MARCH)

    assert names == ["Attunement", "Validation", "Connection and mutuality", "Self-disclosure"]
    assert figures.notes == 5  # not the empty draft
    assert figures.principles == (3, 1, 0, 1)
    assert figures.disclosures == 1
    assert figures.cost == Distribution((0, 0, 0, 1, 0), 0)
    assert figures.disclosure_percent == 20
    assert figures.wellbeing == Distribution((0, 1, 1, 1, 1), 1)
    assert figures.wellbeing.median == 2.5
    assert figures.meeting_minutes == 120
    assert figures.other_minutes == 60
    assert figures.meeting_percent == 67


def test_other_months_are_empty_and_the_whole_range_adds_up(march, author):
    patterns = patterns_for(author)
    whole = patterns.whole

    assert [f.notes for f in patterns.months if f.month != MARCH] == [0] * 11
    assert month(patterns, APRIL).meeting_minutes == 0  # the meeting is still to come
    assert month(patterns, APRIL).other_minutes == 0  # dated in the future
    assert whole.notes == 5
    assert whole.principles == (3, 1, 0, 1)
    assert whole.meeting_minutes == 120
    assert whole.other_minutes == 60
    assert not patterns.is_empty


def test_a_note_counts_in_the_month_it_was_written_in_the_sites_time_zone(author):
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time).
    note(author, datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("UTC")))

    patterns = patterns_for(author)

    assert month(patterns, MARCH).notes == 0
    assert month(patterns, APRIL).notes == 1


def test_a_colleague_sees_only_their_own_figures(march, colleague):
    figures = month(patterns_for(colleague), MARCH)

    assert figures.notes == 1
    assert figures.principles == (1, 0, 0, 0)
    assert figures.wellbeing == Distribution((1, 0, 0, 0, 0), 0)
    assert figures.meeting_minutes == 600
    assert figures.other_minutes == 300


def test_someone_with_nothing_has_an_empty_page_of_zeros(supervisor):
    patterns = patterns_for(supervisor)

    assert patterns.is_empty
    assert patterns.whole.wellbeing.median is None
    assert patterns.whole.disclosure_percent is None
    assert patterns.whole.meeting_percent is None


@pytest.mark.parametrize(
    ("counts", "median"),
    [
        ((0, 0, 0, 0, 0), None),
        ((0, 0, 1, 0, 0), 2),
        ((1, 0, 0, 0, 1), 2),
        ((0, 1, 0, 1, 1), 3),
        ((3, 0, 0, 0, 1), 0),
        ((0, 0, 0, 1, 1), 3.5),
    ],
)
def test_the_median_of_a_distribution(counts, median):
    assert Distribution(counts).median == median


def test_the_charts_carry_the_numbers_they_draw(march, author):
    charts = charts_for(patterns_for(author))
    march_index = 10  # May 2025 ... April 2026

    principles = charts["principles"].strips
    assert principles[0].label == "Attunement"
    assert principles[0].columns[march_index].text == "3"
    assert principles[0].columns[march_index].height > principles[1].columns[march_index].height
    time = charts["time"].strips
    assert [time[0].columns[march_index].text, time[1].columns[march_index].text] == ["2", "1"]
    assert time[1].hatched and not time[0].hatched
    assert charts["wellbeing"].strips[0].columns[march_index].text == "2.5"
    assert charts["wellbeing"].strips[0].columns[0].text == "\N{EN DASH}"
    assert [bar.text for bar in charts["cost"].bars] == ["0", "0", "0", "1", "0", "0"]
    assert charts["principles"].months[0].year == "2025"
    assert charts["principles"].months[8].year == "2026"  # January
    assert charts["principles"].months[1].year == ""


def test_hours_and_medians_are_written_briefly():
    assert [hours(0), hours(60), hours(90), hours(125)] == ["0", "1", "1.5", "2.1"]
    assert [median_text(None), median_text(2.0), median_text(2.5)] == ["\N{EN DASH}", "2", "2.5"]


def _more_data(team, author, scale: int):
    """`scale` more notes, meetings and other work in every month of the range."""
    for first in MonthRange.last_months(12).months():
        for index in range(scale):
            day = first.replace(day=index + 1)
            note(
                author,
                at(day.year, day.month, day.day, 9),
                ("attunement", "validation", "connection-and-mutuality"),
                wellbeing=index % 5,
                disclosed="reflecting",
                cost=index % 5,
            )
            meeting_attended(team, author, at(day.year, day.month, day.day, 8), 60)
            other_work(team, author, day, 30)


@pytest.mark.parametrize("scale", [1, 4])
def test_patterns_take_a_fixed_number_of_queries(team, author, scale, django_assert_num_queries):
    _more_data(team, author, scale)

    with django_assert_num_queries(QUERIES):
        patterns = patterns_for(author)

    assert patterns.whole.notes == 12 * scale


def test_the_page_takes_as_many_queries_for_much_data_as_for_little(team, author, login):
    client = login(author)
    counts = []
    for scale in (1, 3):
        _more_data(team, author, scale)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reflections:patterns"))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
    # The session and its user, and the patterns' queries.
    assert counts[0] == QUERIES + PAGE_QUERIES, [q["sql"] for q in queries.captured_queries]


def test_the_page_shows_the_known_answers_in_its_tables(march, author, login):
    response = login(author).get(reverse("reflections:patterns"))
    page = response.content.decode()

    assert response.status_code == 200
    assert response.context["whole"].meeting_minutes == 120
    assert "<h1>My patterns</h1>" in page
    for caption in (
        "Notes touching each principle, by month",
        "Notes with a self-disclosure, by month",
        "Minutes in network meetings and in other work, by month",
    ):
        assert f'<caption class="nhsuk-table__caption nhsuk-table__caption--s">{caption}' in page
    # Every chart is one named image with its own title and description.
    assert page.count('role="img"') == 6
    assert page.count("<title id=") == 6
    assert page.count("<desc id=") == 6
    assert 'width="100%"' in page
    assert "About attunement." not in page  # never a note's text


def test_the_month_selector_chooses_how_far_back(march, author, login):
    client = login(author)

    six = client.get(reverse("reflections:patterns"), {"months": "6"})
    odd = client.get(reverse("reflections:patterns"), {"months": "7"})

    assert len(six.context["patterns"].months) == 6
    assert six.context["patterns"].months[0].month == date(2025, 11, 1)
    assert len(odd.context["patterns"].months) == 12  # not a choice: the default


def test_my_practice_links_to_my_patterns(author, login):
    page = login(author).get(reverse("home")).content.decode()

    assert reverse("reflections:patterns") in page
