from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devdata.demo import DEMO_PASSWORD, DEMO_PEOPLE, seed_demo


class Command(BaseCommand):
    help = "Create demo people, a team, networks, meetings and notes. Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a real service).",
        )
        parser.add_argument(
            "--print-logins", action="store_true", help="List the demo sign-ins afterwards."
        )

    def handle(self, *args: object, force: bool, print_logins: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo makes demo accounts with a published password, so it only runs "
                "with DEBUG on. Use --force if you really mean it."
            )
        summary = seed_demo()
        self.stdout.write(
            f"Demo data ready: {summary.users} people, {summary.networks} networks, "
            f"{summary.meetings} meetings, {summary.reflections} reflections."
        )
        if print_logins:
            self.stdout.write(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
            for person in DEMO_PEOPLE:
                role = "admin" if person.is_admin else person.role.label.lower()
                if person.discipline:
                    role += f" ({person.discipline.replace('_', ' ')})"
                self.stdout.write(f"  {person.email:<32} {role}")
