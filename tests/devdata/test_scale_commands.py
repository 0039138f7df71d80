"""seed_scale and bench_dashboard at a tiny size (COPY on PostgreSQL, batches on SQLite)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.models import Count, Q

from dashboards.models import MonthlyFigure
from meetings.models import Activity, Network, NetworkMeeting, Relationship
from reflections.models import Reflection
from teams.models import Team

pytestmark = pytest.mark.django_db

TINY = {"teams": 2, "practitioners": 12, "meetings": 40, "reflections": 80}


def test_seed_scale_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scale", **TINY, allow_sqlite=True)


def test_seed_scale_refuses_sqlite_unless_told(settings, monkeypatch):
    # The refusal reads the connection's vendor; on PostgreSQL, pretend.
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_scale", **TINY, force=True)


def test_seed_scale_then_refresh_then_bench(capsys):
    call_command("seed_scale", **TINY, force=True, allow_sqlite=True)

    assert Team.objects.count() == 2
    assert NetworkMeeting.objects.count() == 40
    assert Reflection.objects.count() == 80
    assert Activity.objects.exists()
    # Every network has exactly one person at the centre, as the model requires.
    people = Network.objects.annotate(
        people=Count("members", filter=Q(members__relationship=Relationship.PERSON))
    )
    assert set(people.values_list("people", flat=True)) == {1}
    call_command("refresh_dashboard")
    assert MonthlyFigure.objects.exists()
    call_command("bench_dashboard", runs=2)
    out = capsys.readouterr().out
    assert "one team" in out
    assert "all teams" in out
    assert "queries" in out
