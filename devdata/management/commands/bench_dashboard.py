"""Render the dashboard server-side, through the whole Django stack as the test
client does (URLs, middleware, session, view, template), and time it.

For one team over 12 months (as that team's lead) and for all teams (as an
admin): the median and 95th percentile of 20 renders, and the queries each ran.
"""

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from teams.models import Membership, Role, User


class Command(BaseCommand):
    help = "Time the dashboard: one team over 12 months, and all teams."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20)

    # It times the dashboard, not signing in: its clients skip the MFA step.
    @override_settings(MFA_REQUIRED_ROLES=[], MFA_REQUIRED_FOR_STAFF=False)
    def handle(self, *args: object, runs: int, **options: object) -> None:
        lead = (
            Membership.objects.filter(role=Role.TEAM_LEAD)
            .select_related("user", "team")
            .order_by("team__name")
            .first()
        )
        admin = User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
        if lead is None or admin is None:
            raise CommandError("Needs a team lead and an admin: run seed_scale first.")
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

        url = reverse("dashboards:dashboard")
        cases = [
            (
                f"one team ({lead.team.name}), 12 months, as its lead",
                lead.user,
                f"{url}?team={lead.team.pk}&period=12",
            ),
            ("all teams, 12 months, as an admin", admin, f"{url}?team=all&period=12"),
        ]
        self.stdout.write(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
        for label, user, path in cases:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            client.get(path)  # warm up: the first request compiles the templates
            timings, queries = [], []
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(path)
                    timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{path} answered {response.status_code}")
                queries.append(len(captured))
            timings.sort()
            p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
            self.stdout.write(
                f"{label}: median {statistics.median(timings):.0f} ms, "
                f"95th percentile {p95:.0f} ms, {max(queries)} queries "
                f"({runs} renders)"
            )
