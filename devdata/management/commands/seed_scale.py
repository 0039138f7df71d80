from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from devdata.scale import ScaleOptions, seed_scale


class Command(BaseCommand):
    help = (
        "Bulk-load a large data set (teams, people, networks, meetings, reflections, "
        "other work) for measuring the dashboard. Use a database of its own."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = ScaleOptions()
        parser.add_argument("--teams", type=int, default=defaults.teams)
        parser.add_argument("--practitioners", type=int, default=defaults.practitioners)
        parser.add_argument("--meetings", type=int, default=defaults.meetings)
        parser.add_argument("--reflections", type=int, default=defaults.reflections)
        parser.add_argument("--seed", type=int, default=defaults.seed, help="Random seed.")
        parser.add_argument(
            "--allow-sqlite",
            action="store_true",
            help="Run on SQLite too (slow; only for trying the command at a small size).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a real service).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_scale adds thousands of accounts with a published password, so it only "
                "runs with DEBUG on. Use --force if you really mean it."
            )
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                "seed_scale is for PostgreSQL (set DATABASE_URL to a database of its own, "
                "such as postgres://pod:pod@127.0.0.1:5432/pod_scale). "
                "Use --allow-sqlite for a small trial."
            )
        sizes = {
            name: options[name] for name in ("teams", "practitioners", "meetings", "reflections")
        }
        for name, value in sizes.items():
            if not isinstance(value, int) or value < (1 if name == "teams" else 0):
                raise CommandError(f"--{name} must be a whole number of at least 1.")
        self.stdout.write(
            "Seeding " + ", ".join(f"{value:,} {name}" for name, value in sizes.items()) + " ..."
        )
        summary = seed_scale(
            ScaleOptions(**sizes, seed=options["seed"]),  # type: ignore[arg-type]
            log=self.stdout.write,
        )
        total = sum(summary.rows.values())
        self.stdout.write(self.style.SUCCESS(f"Done: {total:,} rows in {summary.seconds:.0f} s."))
