"""The dashboard's choices: which teams and which months. A GET form, so every
choice is a URL that can be bookmarked or shared."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from dashboards.queries import Period
from pod_site.dates import shift_years
from pod_site.forms import DesignSystemMixin
from teams.models import Team

ALL_TEAMS = "all"
PRESET_MONTHS = {"3": 3, "6": 6, "12": 12}
DEFAULT_PERIOD = "12"
CUSTOM = "custom"
LONGEST_MONTHS = 36
# The first month chosen: within this many years (like a network's opening).
EARLIEST_YEARS = 30


def months_back(months: int, today: date) -> Period:
    """The current month and the months before it, `months` in all, to today."""
    start = today.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return Period(start=start, end=today)


def month_input() -> forms.DateInput:
    return forms.DateInput(
        attrs={"type": "month", "class": "nhsuk-input--width-10"}, format="%Y-%m"
    )


class DashboardForm(DesignSystemMixin, forms.Form):
    marks_optional_fields = False

    team = forms.ChoiceField(label="Team")
    period = forms.ChoiceField(
        label="Period",
        choices=[
            ("3", "Last 3 months"),
            ("6", "Last 6 months"),
            ("12", "Last 12 months"),
            (CUSTOM, "Choose the months"),
        ],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a period."},
    )
    start = forms.DateField(
        label="From (month)",
        required=False,
        input_formats=["%Y-%m"],
        widget=month_input(),
        help_text="For chosen months, for example 2026-01.",
        error_messages={"invalid": "Enter a month as year and month, for example 2026-01."},
    )
    end = forms.DateField(
        label="To (month)",
        required=False,
        input_formats=["%Y-%m"],
        widget=month_input(),
        error_messages={"invalid": "Enter a month as year and month, for example 2026-06."},
    )

    def __init__(self, data: Any = None, *, teams: list[Team], all_label: str) -> None:
        initial = {
            "team": ALL_TEAMS if len(teams) > 1 else str(teams[0].pk),
            "period": DEFAULT_PERIOD,
        }
        # Fields left out of the URL take their defaults, so "?period=6" is enough.
        if data is not None:
            data = {**initial, **{key: data.get(key) for key in data}}
        super().__init__(data, initial=initial)
        self.teams = teams
        choices = [(str(team.pk), team.name) for team in teams]
        if len(teams) > 1:
            choices.insert(0, (ALL_TEAMS, all_label))
        self.fields["team"].choices = choices
        self.fields["team"].error_messages["invalid_choice"] = "Choose one of your teams."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("period") != CUSTOM:
            return data
        start, end = data.get("start"), data.get("end")
        if "start" not in self.errors and start is None:
            self.add_error("start", "Enter the first month.")
        if "end" not in self.errors and end is None:
            self.add_error("end", "Enter the last month.")
        if start and end:
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months < 1:
                self.add_error("end", "The last month must not be before the first.")
            elif months > LONGEST_MONTHS:
                self.add_error("end", f"Choose at most {LONGEST_MONTHS} months.")
            elif start > timezone.localdate():
                self.add_error("start", "Choose a month that has started.")
            elif start < shift_years(timezone.localdate(), -EARLIEST_YEARS):
                self.add_error("start", f"Choose a month within the last {EARLIEST_YEARS} years.")
        return data

    def selection(self) -> tuple[list[int], Period]:
        """The team ids and the period chosen (defaults for an unbound form)."""
        data = self.cleaned_data if self.is_bound else self.initial
        team = data.get("team", ALL_TEAMS)
        team_ids = [t.pk for t in self.teams] if team == ALL_TEAMS else [int(team)]
        today = timezone.localdate()
        period = data.get("period", DEFAULT_PERIOD)
        if period != CUSTOM:
            return team_ids, months_back(PRESET_MONTHS[period], today)
        end = data["end"]
        last_day = (end.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return team_ids, Period(start=data["start"], end=min(last_day, today))
