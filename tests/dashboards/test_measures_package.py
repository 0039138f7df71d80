"""A measure is one module (dashboards/measures/): its query, its section and its
words. Every module in MEASURES has the interface; the rollup is every measure's
rows; adding a module to MEASURES adds its section to the page and the CSV; and
the page's own rules (principles, peers' time, charts, the tidy CSV)."""

import inspect
from collections import Counter
from datetime import date
from types import ModuleType

import pytest
from django.urls import reverse
from django.utils.html import escape

from dashboards import dashboard, measures, queries, rollup, suppression
from dashboards.measures import disclosure, peer_time
from dashboards.measures.base import Context, Period, Section, month_label
from dashboards.views import CSV_HEADER, VALUE_COLUMNS
from meetings.models import Activity, ActivityKind
from principles.models import OPEN_DIALOGUE, PEER_PRACTICE, Principle
from reflections.models import PrincipleNote
from teams.models import Team
from tests.dashboards.conftest import PERIOD, at, csv_table, published
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:dashboard")
EXPORT = reverse("dashboards:export")
FIRST_QUARTER = {"period": "custom", "start": "2025-01", "end": "2025-03"}
JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def context(figures=None, team_ids=(1,)) -> Context:
    months = PERIOD.months()
    return Context(
        list(team_ids), PERIOD, months, [month_label(m) for m in months], Counter(figures or {})
    )


def section(board, slug):
    return next(s for s in board.sections if s.slug == slug)


# The interface -------------------------------------------------------------------


@pytest.mark.parametrize("measure", measures.MEASURES, ids=lambda m: m.__name__)
def test_every_measure_module_has_the_interface(measure):
    assert measure.KEY is None or isinstance(measure.KEY, str)
    for name in ("SLUG", "TITLE", "DEFINITION", "WHAT_IT_TELLS"):
        assert isinstance(getattr(measure, name), str)
        assert getattr(measure, name).strip()
    assert "\n" not in measure.WHAT_IT_TELLS  # one line
    assert list(inspect.signature(measure.rows).parameters)[:2] == ["team_ids", "period"]
    assert list(inspect.signature(measure.section).parameters) == ["ctx"]
    # A live measure has no rows for the rollup.
    if measure.KEY is None:
        assert measure.rows(None, None) == []


def test_slugs_and_titles_are_unique():
    slugs = [m.SLUG for m in measures.MEASURES]
    titles = [m.TITLE for m in measures.MEASURES]
    assert len(set(slugs)) == len(slugs)
    assert len(set(titles)) == len(titles)


def test_the_rollup_is_every_measures_rows_concatenated(team, meetings, author):
    reflection = ReflectionFactory(author=author, written_at=at(2, 1))
    PrincipleNote.objects.create(
        reflection=reflection, principle=Principle.objects.peer_practice().first(), text="x"
    )
    now = at(6, 1)

    expected = []
    for measure in measures.MEASURES:
        if "now" in inspect.signature(measure.rows).parameters:
            expected += measure.rows([team.pk], PERIOD, now=now)
        else:
            expected += measure.rows([team.pk], PERIOD)

    assert queries.all_rows([team.pk], PERIOD, now) == expected
    assert expected  # the data reached more than nothing
    keys = [row[:4] for row in expected]
    assert len(set(keys)) == len(keys)  # one rollup row per (team, month, measure, category)


def test_the_page_is_every_measures_section_in_order(team, meetings):
    rollup.refresh()
    board = dashboard.build([team.pk], PERIOD)

    shown = [s.slug for s in board.sections]
    assert shown == [m.SLUG for m in measures.MEASURES if m.SLUG in shown]
    for s in board.sections:
        measure = next(m for m in measures.MEASURES if s.slug == m.SLUG)
        assert (s.title, s.definition, s.what_it_tells) == (
            measure.TITLE,
            measure.DEFINITION,
            measure.WHAT_IT_TELLS,
        )


def fake_measure() -> ModuleType:
    """A new measure: one module, nothing else touched."""
    module = ModuleType("dashboards.measures.fake")
    module.KEY = "fake"
    module.SLUG = "fake-measure"
    module.TITLE = "A fake measure"
    module.DEFINITION = "Counts nothing real."
    module.WHAT_IT_TELLS = "That adding a measure is one module."

    def rows(team_ids, period):
        teams = Team.objects.values_list("pk", flat=True) if team_ids is None else team_ids
        return [(team_id, JAN, "fake", "things", 12) for team_id in teams]

    def section(ctx):
        return Section(
            slug=module.SLUG,
            title=module.TITLE,
            definition=module.DEFINITION,
            figures=[("Things", suppression.count(ctx.total("fake", "things")))],
        )

    module.rows, module.section = rows, section
    return module


def test_adding_a_measure_module_adds_its_section_to_the_page_and_the_csv(
    monkeypatch, login, team, team_lead
):
    fake = fake_measure()
    monkeypatch.setattr(measures, "MEASURES", [*measures.MEASURES, fake])

    assert ("fake", "things") in {(row[2], row[3]) for row in queries.all_rows([team.pk], None)}
    rollup.refresh()
    board = dashboard.build([team.pk], PERIOD)
    added = section(board, "fake-measure")
    assert [(label, f.text) for label, f in added.figures] == [("Things", "10")]
    assert added.what_it_tells == "That adding a measure is one module."  # from the module

    client = login(team_lead)
    page = client.get(PAGE, FIRST_QUARTER).content.decode()
    assert 'id="fake-measure"' in page
    assert "That adding a measure is one module." in page
    export = csv_table(client.get(EXPORT, FIRST_QUARTER))
    assert published(export, "fake-measure", "whole period", "Things") == {
        "count": "10",
        "status": "shown",
    }


def test_a_measure_with_nothing_to_show_is_left_off(monkeypatch, team):
    fake = fake_measure()
    fake.section = lambda ctx: None
    monkeypatch.setattr(measures, "MEASURES", [*measures.MEASURES, fake])

    board = dashboard.build([team.pk], PERIOD)

    assert "fake-measure" not in [s.slug for s in board.sections]


# The measures' own rules -----------------------------------------------------------


def test_principles_list_peer_practice_always_and_open_dialogue_only_when_used(team, author):
    peer = list(Principle.objects.peer_practice().order_by("order"))
    dialogue = list(Principle.objects.filter(framework__slug=OPEN_DIALOGUE).order_by("order"))
    assert len(peer) == 4
    assert dialogue

    def listed(period=PERIOD):
        board = dashboard.build([team.pk], period)
        return {label for label, _ in section(board, "principles").table.rows}

    rollup.refresh()
    assert listed() == {p.name for p in peer}  # no rows of zeros for Open Dialogue

    reflection = ReflectionFactory(author=author, written_at=at(2, 1))
    PrincipleNote.objects.create(reflection=reflection, principle=dialogue[1], text="Heard")
    rollup.refresh()
    assert listed() == {p.name for p in peer} | {dialogue[1].name}
    # Used outside the period: not listed in it.
    assert listed(Period(date(2025, 4, 1), date(2025, 4, 30))) == {p.name for p in peer}
    assert {p.framework.slug for p in peer} == {PEER_PRACTICE}


def test_peers_time_is_in_hours_and_as_shares_of_their_logged_time():
    minutes = {NETWORK: 0 for NETWORK in ()}
    figures = Counter()
    # 60 meeting records of 90 minutes, 20 practical support of 90, 20 admin of 90.
    for category, records in (
        (peer_time.NETWORK_MEETINGS, 60),
        (ActivityKind.PRACTICAL_SUPPORT.value, 20),
        (ActivityKind.ADMIN.value, 20),
    ):
        figures[(1, FEB, peer_time.KEY, category)] = records * 90
        figures[(1, FEB, peer_time.RECORDS, category)] = records
    assert not minutes

    result = peer_time.section(context(figures))
    texts = {label: f.text for label, f in result.figures}

    assert texts["Network meetings"] == "90 hours"
    assert texts["Practical support for a network"] == "30 hours"
    assert texts["Admin"] == "30 hours"
    assert texts["Training"] == "0 hours"
    assert texts["Share of peers' time: network meetings"] == "60%"
    assert texts["Share of peers' time: practical support"] == "20%"
    assert texts["Share of peers' time: other work"] == "20%"
    assert {f.unit for _, f in result.figures} == {"hours", "percent"}
    # The chart compares the three shares.
    assert [(b.label, b.figure.text) for b in result.bar_chart.bars] == [
        ("Network meetings", "60%"),
        ("Practical support", "20%"),
        ("Other work", "20%"),
    ]
    # By month: January logged nothing, so it has no shares.
    jan = dict(zip(result.table.columns, result.table.rows[0][1], strict=True))
    assert jan["Share of peers' time: network meetings"].text == "none"


def test_peers_time_shares_are_withheld_when_their_hours_are(team, author):
    for day in range(1, 4):  # 3 records: withheld
        Activity.objects.create(
            practitioner=author,
            team=team,
            kind=ActivityKind.ADMIN,
            done_on=date(2025, 2, day),
            duration_minutes=600,
        )
    rollup.refresh()

    result = section(dashboard.build([team.pk], PERIOD), "peer-time")
    texts = {label: f.text for label, f in result.figures}

    assert texts["Admin"] == "withheld"
    assert texts["Share of peers' time: other work"] == "withheld"
    assert not result.bar_chart.has_data


def test_self_disclosure_with_nothing_to_draw_has_no_chart_and_says_so(login, team, team_lead):
    rollup.refresh()

    result = section(dashboard.build([team.pk], PERIOD), "disclosure")

    assert result.line_chart is None
    assert result.chart_note == disclosure.NO_CHART
    page = login(team_lead).get(PAGE, FIRST_QUARTER).content.decode()
    part = page.split('id="disclosure"')[1].split("</section>")[0]
    assert "<svg" not in part
    assert "No chart: no month in the period has enough reflections" in part
    # Every section says what it tells you.
    board = dashboard.build([team.pk], PERIOD)
    assert board.sections
    for shown in board.sections:
        assert shown.what_it_tells
        assert escape(shown.what_it_tells) in page


def test_a_chart_with_nothing_to_show_is_not_drawn(login, team, team_lead):
    rollup.refresh()  # no meetings: every month withheld, every count 0

    page = login(team_lead).get(PAGE, FIRST_QUARTER).content.decode()
    part = page.split('id="peer-present"')[1].split("</section>")[0]

    assert "<svg" not in part
    assert "No chart:" in part


def test_the_stylesheet_hides_charts_where_their_text_would_be_under_12px():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    rule = css.split("@media (max-width: 40.0525em) {\n  .app-chart {")[1].split("}")[0]
    assert "display: none" in rule


# The tidy CSV ----------------------------------------------------------------------


def test_the_csv_is_tidy_one_header_one_row_per_month_measure_figure(
    login, team, team_lead, meetings
):
    rollup.refresh()
    response = login(team_lead).get(EXPORT, FIRST_QUARTER)
    text = b"".join(response.streaming_content).decode()
    header, *_ = text.splitlines()
    assert header == ",".join(CSV_HEADER)
    assert CSV_HEADER == [
        "team",
        "period_start",
        "period_end",
        "month",
        "measure",
        "figure",
        "count",
        "percent",
        "hours",
        "days",
        "per_meeting",
        "count_low",
        "count_high",
        "status",
    ]
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(text)))
    keys = [(r["month"], r["measure"], r["figure"]) for r in rows]
    assert len(set(keys)) == len(keys)
    assert {r["team"] for r in rows} == {"Riverside"}
    assert {(r["period_start"], r["period_end"]) for r in rows} == {("2025-01-01", "2025-03-31")}
    assert {r["month"] for r in rows} == {"2025-01", "2025-02", "2025-03", "whole period"}
    board = dashboard.build([team.pk], PERIOD)
    assert {r["measure"] for r in rows} == {s.slug for s in board.sections}
    for row in rows:
        filled = [column for column in VALUE_COLUMNS if row[column] != ""]
        if row["status"] == "shown":
            assert len(filled) == 1, row
            float(row[filled[0]])  # a number: no unit, no comma, no %
        elif row["status"] == "range":
            assert filled == [], row
            assert int(row["count_low"]) < int(row["count_high"]), row
        else:
            assert row["status"] in {"fewer than 8", "withheld", "none"}, row
            assert filled == [], row
    # Six hidden parts (who was there, month by month), added up: a range.
    assert published(rows, "peer-present", "whole period", "Network meetings") == {
        "count_low": "6",
        "count_high": "42",
        "status": "range",
    }
    # January: 2 peer with professional and 1 professional only, each hidden.
    assert published(rows, "peer-present", "2025-01", "Network meetings") == {
        "count_low": "2",
        "count_high": "14",
        "status": "range",
    }
    assert published(rows, "supervision", "whole period", "Median days to the first response") == {
        "status": "none"
    }


def test_csv_units_pick_the_column(login, team, team_lead, author):
    for day in range(1, 11):
        Activity.objects.create(
            practitioner=author,
            team=team,
            kind=ActivityKind.ADMIN,
            done_on=date(2025, 2, day),
            duration_minutes=60,
        )
    rollup.refresh()

    rows = csv_table(login(team_lead).get(EXPORT, FIRST_QUARTER))

    assert published(rows, "peer-time", "whole period", "Admin") == {
        "hours": "10",
        "status": "shown",
    }
    assert published(rows, "peer-time", "2025-02", "Share of peers' time: other work") == {
        "percent": "100",
        "status": "shown",
    }
    assert published(rows, "peer-time", "2025-01", "Admin") == {"hours": "0", "status": "shown"}
