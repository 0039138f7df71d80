"""The dialogic self-check on the dashboard (dashboards/measures/self_check.py):
its query on hand-made data with known answers, and what its section publishes,
small cells suppressed and shares worked out from published counts only."""

from collections import Counter
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import dashboard, measures, rollup
from dashboards.forms import months_back
from dashboards.measures import peer_present, self_check
from dashboards.measures.base import Context, month_label
from devdata.demo import seed_demo
from meetings.models import HowPresent, SelfCheck
from principles.models import OPEN_DIALOGUE, Principle
from teams.models import Team
from tests.dashboards.conftest import PERIOD, at, csv_table, meet, published
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
OPENED = date(2023, 1, 1)


def od() -> dict[str, Principle]:
    return {p.slug: p for p in Principle.objects.filter(framework__slug=OPEN_DIALOGUE)}


def answers(value: str, **special: str) -> dict[str, str]:
    return {slug: special.get(slug.replace("-", "_"), value) for slug in od()}


def context(rows, team_ids, period=PERIOD) -> Context:
    figures: Counter = Counter()
    for team, month, measure, category, value in rows:
        if team in team_ids:
            figures[(team, month, measure, category)] += value
    months = period.months()
    return Context(list(team_ids), period, months, [month_label(m) for m in months], figures)


def table(section) -> dict[str, list[str]]:
    return {label: [f.text for f in row] for label, row in section.table.rows}


@pytest.fixture
def checks(team, other_team, author, colleague, outsider):
    """January: 10 meetings. The author answers all 10 (every principle strongly,
    dialogism a little); the colleague answers 5 of them (clearly; immediate help
    not sure). February: 3 meetings the author answers. Not counted: a check of a
    meeting before the period and one in another team."""
    network = NetworkFactory(team=team, opened_on=OPENED)
    for day in range(1, 11):
        meeting = meet(network, at(1, day), peers=[author], professionals=[colleague])
        SelfCheck.record(meeting, author, answers("strongly", dialogism="a_little"))
        if day <= 5:
            SelfCheck.record(meeting, colleague, answers("clearly", immediate_help="not_sure"))
    for day in range(1, 4):
        meeting = meet(network, at(2, day), peers=[author], professionals=[colleague])
        SelfCheck.record(meeting, author, answers("not_at_all"))
    meet(network, at(3, 1), peers=[author])  # a meeting nobody checked
    before = meet(network, at(12, 1, 2024), peers=[author])
    SelfCheck.record(before, author, answers("strongly"))
    elsewhere = meet(NetworkFactory(team=other_team, opened_on=OPENED), at(1, 2), peers=[outsider])
    SelfCheck.record(elsewhere, outsider, answers("strongly"))


def test_the_measure_is_listed_and_says_it_is_a_self_report():
    assert self_check in measures.MEASURES
    for words in (self_check.TITLE, self_check.DEFINITION):
        assert "self-report" in words
    assert "not a fidelity rating" in self_check.DEFINITION


def test_checks_are_counted_by_team_month_principle_and_answer(
    team, other_team, checks, django_assert_num_queries
):
    principles = od()
    with django_assert_num_queries(2):
        rows = self_check.rows([team.pk], PERIOD)

    found = {(month, category): n for _team, month, _key, category, n in rows}
    assert {t for t, *_ in rows} == {team.pk}
    assert found[(JAN, "meetings")] == 10
    assert found[(FEB, "meetings")] == 3
    immediate, dialogism = principles["immediate-help"].pk, principles["dialogism"].pk
    responsibility = principles["responsibility"].pk
    # Immediate help: the author's 10 "strongly"; the colleague's "not sure" is no answer.
    assert found[(JAN, f"{immediate}:clearly")] == 10
    assert (JAN, f"{immediate}:less") not in found
    # Dialogism: 10 "a little" from the author, 5 "clearly" from the colleague.
    assert found[(JAN, f"{dialogism}:clearly")] == 5
    assert found[(JAN, f"{dialogism}:less")] == 10
    assert found[(JAN, f"{responsibility}:clearly")] == 15
    assert found[(FEB, f"{responsibility}:less")] == 3
    assert not [month for month, _ in found if month not in (JAN, FEB)]
    # Every team, any time: the other team's check and the one before the period.
    everything = self_check.rows(None, None)
    assert (other_team.pk, JAN, "self_check", "meetings", 1) in everything
    assert (team.pk, date(2024, 12, 1), "self_check", "meetings", 1) in everything


def test_the_section_publishes_suppressed_counts_and_shares_from_them(team, checks):
    rows = self_check.rows(None, PERIOD) + peer_present.rows(None, PERIOD)

    section = self_check.section(context(rows, [team.pk]))

    # 14 meetings: January's 10 shown as 10 (8 to 12), February's 3 and March's 1
    # hidden (1 to 7 each); 13 with a check, March's none.
    assert section.figures == []
    shown = table(section)
    assert shown["Network meetings"] == ["10", "fewer than 8", "fewer than 8", "10 to 26"]
    assert shown["Meetings with a self-check"] == ["10", "fewer than 8", "0", "9 to 19"]
    assert shown["Share with a self-check"] == ["100%", "withheld", "withheld", "withheld"]
    # Immediate help: 10 of 10 answers given in January.
    assert shown["Immediate help: share clearly or strongly present"][0] == "100%"
    # Dialogism: 5 "clearly" is under 8, so January's share is withheld.
    assert shown["Dialogism: share clearly or strongly present"][0] == "withheld"
    # Responsibility: 15 of 15 in January; February's 3 answers are hidden.
    responsibility = shown["Responsibility: share clearly or strongly present"]
    assert responsibility[:3] == ["100%", "withheld", "none"]
    assert responsibility[3] == "withheld"
    assert len(section.table.rows) == 3 + 7
    assert [p.figure.value for p in section.line_chart.points] == [100, None, None]


def synthetic(values: dict[str, int], month: date = JAN) -> Context:
    """One team's month of the measure's categories, straight into a context."""
    figures = Counter({(1, month, self_check.KEY, c): n for c, n in values.items()})
    return Context([1], PERIOD, PERIOD.months(), [month_label(m) for m in PERIOD.months()], figures)


@pytest.mark.parametrize(
    ("clearly", "less", "shown"),
    [
        (9, 0, "100%"),  # 10 of 10 as published
        (0, 9, "0%"),  # 0 of 10
        (9, 3, "withheld"),  # the 3 is hidden: the answers given are a range
        (3, 9, "withheld"),  # the 3 is hidden: a share would give it back
        (12, 9, "50%"),  # 10 of 20 as published (rounded to 5), never 12 of 21
        (0, 0, "none"),
    ],
)
def test_a_principles_share_is_built_from_published_parts(clearly, less, shown):
    principle = od()["dialogism"]
    ctx = synthetic({f"{principle.pk}:clearly": clearly, f"{principle.pk}:less": less})

    assert self_check.clearly_share(ctx, principle, [JAN]).text == shown


def test_small_counts_are_never_published(team, author, colleague):
    network = NetworkFactory(team=team, opened_on=OPENED)
    for day in (1, 2):
        meeting = meet(network, at(1, day), peers=[author], professionals=[colleague])
        SelfCheck.record(meeting, author, answers(HowPresent.STRONGLY))
    rows = self_check.rows(None, PERIOD) + peer_present.rows(None, PERIOD)

    section = self_check.section(context(rows, [team.pk]))

    figures = [f for _, row in section.table.rows for f in row]
    assert all(f.value in (None, 0) for f in figures)
    assert {f.text for f in figures} <= {"fewer than 8", "0", "none", "withheld"}


def test_the_lead_sees_it_on_the_page_and_in_the_export(login, team, team_lead, checks):
    rollup.refresh()
    client = login(team_lead)
    period = {"period": "custom", "start": "2025-01", "end": "2025-03"}

    page = client.get(reverse("dashboards:dashboard"), period).content.decode()
    export = csv_table(client.get(reverse("dashboards:export"), period))

    assert self_check.TITLE in page
    assert "not a fidelity rating" in page
    assert published(export, self_check.SLUG, "2025-01", "Meetings with a self-check") == {
        "count": "10",
        "status": "shown",
    }


def test_the_demo_dashboard_shows_the_self_check():
    """The demo team's checks are enough for some months' figures to be shown."""
    seed_demo()
    rollup.refresh()
    team = Team.objects.get()
    board = dashboard.build([team.pk], months_back(6, timezone.localdate()))

    section = next(s for s in board.sections if s.slug == self_check.SLUG)

    shown = {label: [f.text for f in row if f.shown] for label, row in section.table.rows}
    assert any(text != "0" for text in shown["Meetings with a self-check"])
    assert any(texts for label, texts in shown.items() if label.endswith("present"))
