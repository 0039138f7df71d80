"""The dashboard's monthly rollup: aggregate numbers only, refreshed by Celery beat.

Every measure is a sum over months (continuity counts each network in the month
of its latest meeting), so the page adds up a few
hundred rows here instead of scanning millions of notes and meetings on each
request. Rows hold counts and minutes by team, month and category: no person,
no note, no text.
"""

from __future__ import annotations

from django.db import models

from teams.models import Team


class MonthlyFigure(models.Model):
    """One number: a measure's category in a team's month (dashboards/measures/)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    measure = models.CharField(max_length=32)
    category = models.CharField(max_length=48)
    value = models.BigIntegerField()

    class Meta:
        ordering = ["team", "month", "measure", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "month", "measure", "category"], name="one_monthly_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.month:%Y-%m} {self.measure} {self.category}: {self.value}"


class RollupRefresh(models.Model):
    """When the rollup was last rebuilt, shown on the page as its freshness."""

    finished_at = models.DateTimeField()
    seconds = models.FloatField()
    figures = models.PositiveIntegerField()

    class Meta:
        ordering = ["-finished_at"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"Rollup refreshed at {self.finished_at:%Y-%m-%d %H:%M}"
