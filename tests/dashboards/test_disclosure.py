"""Disclosure control against arithmetic (dashboards/suppression.py): the attack,
and what it shows so far.

The attacker is a team lead who can choose any period (any run of months), any
of their teams or all of them together, and read every count published for it.
The attack takes every published figure as a constraint on the atoms it adds up
(a team's month of one category; 0 is exact, "fewer than 8" is 1 to 7, a figure
rounded to 5 is p - 2 to p + 2) and finds the least and the most each
suppressed figure can be by linear programming: by duality, the best any linear
combination of published figures can do (totals minus parts, overlapping
periods, measures sharing a denominator, and chains of them). A suppressed
figure is recovered when only one whole number lies between the two.

What it shows: suppression alone gives hidden cells back (the demo's fault);
rounding every period on its own still does, across overlapping periods. So the
dashboard publishes cell by cell (`suppression.count` for one team's month,
`Context.count`) and adds every wider figure up from the published cells
(`suppression.total`): a test below checks that on the demo data for periods of
1 to 12 months. Within one team's month, the meeting figures overlap (all
meetings, with a peer, first meetings, co-working, reflecting conversations),
and rounding each on its own is undone too; so a month publishes only the parts
of two splits and adds every such figure up from them. The random small teams
attack exactly what is published; the demo's cells are attacked measure by
measure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from dashboards import dashboard, rollup, suppression
from dashboards.forms import months_back
from dashboards.measures.base import WHOLE_PERIOD, month_label
from dashboards.models import MonthlyFigure
from devdata.demo import seed_demo
from teams.models import Team

Atom = tuple[int, int, str]  # team, month index, category
Publish = Callable[[int], suppression.Figure]


@dataclass(frozen=True)
class Constraint:
    atoms: frozenset[Atom]
    low: int
    high: int
    suppressed: bool


def bounds_of(figure: suppression.Figure, rounds: bool) -> tuple[int, int, bool]:
    """What a published figure tells: the range its true value lies in."""
    if figure.value is None:
        return 1, suppression.THRESHOLD - 1, True
    if figure.value == 0 or not rounds:
        return figure.value, figure.value, False
    half = suppression.ROUND_TO // 2
    return max(suppression.THRESHOLD, figure.value - half), figure.value + half, False


def published_sums(
    teams: Iterable[int], months: int, category_sets: Iterable[frozenset[str]]
) -> Iterable[frozenset[Atom]]:
    """Every sum a team lead can have published: each period (a run of months),
    for each team and for all of them, for each set of categories a figure adds."""
    teams = sorted(teams)
    team_choices = [[team] for team in teams] + ([teams] if len(teams) > 1 else [])
    for first in range(months):
        for last in range(first, months):
            for chosen in team_choices:
                for categories in category_sets:
                    yield frozenset(
                        (team, month, category)
                        for team in chosen
                        for month in range(first, last + 1)
                        for category in categories
                    )


def constraints(
    atoms: dict[Atom, int], sums, publish: Publish, rounds: bool = True
) -> list[Constraint]:
    """Each published sum as a constraint; `rounds`: whether `publish` rounds."""
    found = {}
    for members in sums:
        if members not in found:
            true = sum(atoms[atom] for atom in members)
            found[members] = Constraint(members, *bounds_of(publish(true), rounds))
    return list(found.values())


def recovered(atoms: dict[Atom, int], rules: list[Constraint]) -> list[tuple[frozenset, int]]:
    """The suppressed figures whose value the published figures pin down.

    For each, the least and the most it can be given every published figure
    (linear programming over the atoms: by duality, the best any linear
    combination of the published figures can do). Recovered when only one whole
    number lies between them."""
    order = {atom: n for n, atom in enumerate(atoms)}
    rows, upper = [], []
    for rule in rules:
        row = np.zeros(len(order))
        row[[order[a] for a in rule.atoms]] = 1
        rows += [row, -row]
        upper += [rule.high, -rule.low]
    found = []
    for target in (rule for rule in rules if rule.suppressed):
        goal = np.zeros(len(order))
        goal[[order[a] for a in target.atoms]] = 1
        least = linprog(goal, A_ub=rows, b_ub=upper, bounds=(0, None), method="highs")
        most = linprog(-goal, A_ub=rows, b_ub=upper, bounds=(0, None), method="highs")
        assert least.success and most.success, "the published figures are consistent"
        low, high = math.ceil(least.fun - 1e-6), math.floor(-most.fun + 1e-6)
        if low == high:
            found.append((target.atoms, low))
    return found


# A month of one team's meetings, split every way a published figure splits
# them: peer present, a professional present, first meeting, reflecting conversation.
MEETING_KINDS = [
    f"peer{peer}-prof{prof}-first{first}-refl{refl}-att{att}"
    for peer in (0, 1)
    for prof in (0, 1)
    for first in (0, 1)
    for refl in (0, 1)
    # The person at the centre: there, not there, not recorded.
    for att in ("p", "a", "n")
]


def kinds(**wanted: int | str) -> frozenset[str]:
    return frozenset(k for k in MEETING_KINDS if all(f"{n}{v}" in k for n, v in wanted.items()))


# Every count the dashboard shows about a team's month of meetings. They share
# denominators and overlap (all meetings, with a peer, first meetings, each kind
# of co-working, with a reflecting conversation).
FIGURES = [
    frozenset(MEETING_KINDS),  # network meetings
    kinds(peer=1),  # with a peer present
    kinds(first=1),  # first meetings
    kinds(first=1, peer=1),  # first meetings with a peer
    kinds(peer=1, prof=1),  # co-working: peer with professional
    kinds(peer=0, prof=1),  # professional only
    kinds(peer=1, prof=0),  # peer only
    kinds(peer=0, prof=0),  # no practitioner recorded
    kinds(refl=1),  # with a reflecting conversation
    kinds(att="p"),  # with the person at the centre there
    kinds(att="p") | kinds(att="a"),  # the person's attendance recorded
]
# What the dashboard publishes of them, each on its own, for one team's month:
# the parts of two splits (who was there; first meetings by peer) and the
# meetings with a reflecting conversation, and the person at the centre there or
# not. Every figure above is added up from these (dashboards/measures/).
PUBLISHED = [
    kinds(peer=1, prof=1),
    kinds(peer=0, prof=1),
    kinds(peer=1, prof=0),
    kinds(peer=0, prof=0),
    kinds(first=1, peer=1),
    kinds(first=1, peer=0),
    kinds(refl=1),
    kinds(att="p"),
    kinds(att="a"),
]


def cells(
    teams: int, months: int, figures: list[frozenset[str]] = PUBLISHED
) -> Iterable[frozenset[Atom]]:
    """What is published on its own, for each team and each month. Every wider
    figure is `suppression.total` of these (tested below)."""
    for team in range(teams):
        for month in range(months):
            for figure in figures:
                yield frozenset((team, month, kind) for kind in figure)


def small_teams():
    """1 or 2 teams, 1 to 3 months, the counts a small team has in a month."""

    def atoms_for(shape):
        teams, months = shape
        keys = [(t, m, k) for t in range(teams) for m in range(months) for k in MEETING_KINDS]
        return st.lists(
            st.sampled_from([0, 0, 0, 1, 2, 3]) | st.integers(0, 9),
            min_size=len(keys),
            max_size=len(keys),
        ).map(lambda values: (teams, months, dict(zip(keys, values, strict=True))))

    return st.tuples(st.integers(1, 2), st.integers(1, 3)).flatmap(atoms_for)


@settings(max_examples=300, deadline=None)
@given(small_teams())
def test_no_hidden_count_is_recovered_in_a_random_small_team(team_data):
    teams, months, atoms = team_data
    rules = constraints(atoms, cells(teams, months), suppression.count)

    assert recovered(atoms, rules) == []


def test_rounding_every_figure_of_a_month_on_its_own_is_undone():
    """Found by the property test when each figure of a month was rounded on its
    own: 8 peer-with-professional and 8 peer-only meetings (10 and 10, so 16 or
    more with a peer), 16 with a peer and 17 in all (both 15: at most 17), so
    the hidden professional-only count was 1."""
    atoms = {(0, 0, kind): 0 for kind in MEETING_KINDS}
    atoms[(0, 0, "peer1-prof1-first1-refl1-attp")] = 8
    atoms[(0, 0, "peer1-prof0-first1-refl1-attp")] = 8
    atoms[(0, 0, "peer0-prof1-first1-refl1-attp")] = 1
    every_figure = constraints(atoms, cells(1, 1, FIGURES), suppression.count)

    assert (frozenset((0, 0, k) for k in kinds(peer=0, prof=1)), 1) in recovered(
        atoms, every_figure
    )
    assert recovered(atoms, constraints(atoms, cells(1, 1), suppression.count)) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=12))
def test_a_total_is_added_up_from_its_published_cells_only(months):
    """A period's (or all teams') total depends on nothing but the published
    cells: two runs of data with the same published cells give the same total."""
    published = [suppression.count(n) for n in months]
    again = [suppression.count(suppression.count(n).value or 0) for n in months]
    whole = suppression.total(published)

    assert whole.low <= sum(months) + 2 * len(months)
    assert whole.high >= sum(months) - 2 * len(months)
    if all(p.value is not None for p in published):
        assert whole == suppression.total(again)
    if whole.value is None and whole.low == whole.high:
        raise AssertionError("a range that is one value would be published as it")


def independent(atoms: dict[Atom, int], months: int) -> list[Constraint]:
    """The rule before cells: every period's total suppressed and rounded on its own."""
    sums = published_sums([0], months, [frozenset(MEETING_KINDS)])
    return constraints(atoms, sums, suppression.count)


def test_rounding_each_period_on_its_own_is_undone_across_overlapping_periods():
    """Found by the property test when every period was rounded on its own:
    months of 7, 6 and 1 meetings. Months 1-2 (13, shown as 15) minus month 1
    (at most 7) leave month 2 at least 6; months 2-3 (7, fewer than 8) minus
    month 3 (at least 1) leave it at most 6: month 2 held 6."""
    atoms = {(0, month, kind): 0 for month in range(3) for kind in MEETING_KINDS}
    kind = MEETING_KINDS[0]
    atoms[(0, 0, kind)], atoms[(0, 1, kind)], atoms[(0, 2, kind)] = 7, 6, 1

    month_2 = frozenset((0, 1, k) for k in MEETING_KINDS)
    assert (month_2, 6) in recovered(atoms, independent(atoms, 3))
    assert recovered(atoms, constraints(atoms, cells(1, 3), suppression.count)) == []


def suppression_alone(number: int) -> suppression.Figure:
    """The first rule: 1 to 7 hidden, every other count exact."""
    if suppression.is_small(number):
        return suppression.Figure(None, suppression.FEWER_THAN)
    return suppression.Figure(number, str(number))


def test_the_attack_recovers_cells_hidden_by_suppression_alone():
    """The demo's fault: 68 meetings in the period, 61 in the months shown, so
    the hidden month held 7."""
    atoms = {(0, month, kind): 0 for month in range(3) for kind in MEETING_KINDS}
    kind = MEETING_KINDS[0]
    atoms[(0, 0, kind)], atoms[(0, 1, kind)], atoms[(0, 2, kind)] = 30, 31, 7
    sums = list(published_sums([0], 3, [frozenset(MEETING_KINDS)]))

    old = recovered(atoms, constraints(atoms, sums, suppression_alone, rounds=False))

    assert (frozenset((0, 2, k) for k in MEETING_KINDS), 7) in old


# What the dashboard publishes -----------------------------------------------------


def _monthly_columns(section, labels) -> dict[str, list[suppression.Figure]]:
    """A section's table read as {figure: [its figure for each month]}, whether
    the months are its rows or its columns."""
    table = section.table
    if table is None:
        return {}
    if [label for label, _ in table.rows] == labels:
        return {
            column: [cells[n] for _, cells in table.rows] for n, column in enumerate(table.columns)
        }
    if table.columns[: len(labels)] == labels:
        return {label: cells[: len(labels)] for label, cells in table.rows}
    return {}


@pytest.mark.django_db
@pytest.mark.parametrize("months", [1, 3, 6, 12])
def test_every_count_over_a_period_is_added_up_from_its_published_months(months):
    """On the demo data, for periods of 1 to 12 months: every count for the whole
    period is the sum of the same count's published months (their ranges, when
    some are hidden), so it tells nobody more than the months do, and
    subtracting one period from another gives back nothing the months do not."""
    seed_demo()
    rollup.refresh()
    team = Team.objects.get()
    period = months_back(months, timezone.localdate())
    labels = [month_label(month) for month in period.months()]
    board = dashboard.build([team.pk], period)
    checked = 0
    for section in board.sections:
        whole = dict(section.figures)
        if section.table is not None and section.table.columns[-1:] == [WHOLE_PERIOD]:
            whole.update({label: cells[-1] for label, cells in section.table.rows})
        for label, parts in _monthly_columns(section, labels).items():
            figure = whole.get(label)
            if figure is None or figure.unit != "count" or figure.low is None:
                continue
            expected = suppression.total(parts)
            assert (figure.low, figure.high) == (expected.low, expected.high), (section.slug, label)
            checked += 1
    assert checked >= 5


@pytest.mark.django_db
def test_no_suppressed_cell_is_recovered_in_the_demo_data():
    """Every measure the demo's rollup holds, cell by cell (a team's month): its
    categories alone, all together and in pairs, attacked together. (Not yet
    every figure of a month together: see the module's docstring.)"""
    seed_demo()
    rollup.refresh()
    rows = list(
        MonthlyFigure.objects.values_list("team_id", "month", "measure", "category", "value")
    )
    assert rows, "the demo has figures"
    by_measure: dict[str, dict[Atom, int]] = {}
    for team, month, measure, category, value in rows:
        by_measure.setdefault(measure, {})[(team, month.toordinal(), category)] = value
    for measure, atoms in by_measure.items():
        categories = sorted({category for _, _, category in atoms})
        sets = [frozenset(categories)] + [frozenset({c}) for c in categories]
        if len(categories) <= 8:
            sets += [frozenset(pair) for pair in combinations(categories, 2)]
        places = {(team, month) for team, month, _ in atoms}
        for team, month in places:
            for category in categories:
                atoms.setdefault((team, month, category), 0)
        sums = [
            frozenset((team, month, c) for c in chosen) for team, month in places for chosen in sets
        ]
        rules = constraints(atoms, sums, suppression.count)

        assert recovered(atoms, rules) == [], measure
