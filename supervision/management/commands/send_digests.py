"""Send the supervisors' digests that are due, in this process (no broker needed).

python manage.py send_digests                      send every due digest
python manage.py send_digests --dry-run            print what would be sent, claim nothing
python manage.py send_digests --supervisor EMAIL   only this supervisor
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from supervision.digest import (
    RETRY_ERRORS,
    build_digest,
    deliver_digest,
    due_supervisor_ids,
    render_digest,
)
from teams.models import User


class Command(BaseCommand):
    help = "Send the supervisors' digest emails that are due (or print them with --dry-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the counts and subject of each due digest; send and claim nothing.",
        )
        parser.add_argument(
            "--supervisor", metavar="EMAIL", help="Only the supervisor with this email address."
        )

    def handle(
        self, *args: object, dry_run: bool, supervisor: str | None, **options: object
    ) -> None:
        now = timezone.now()
        among = [self._supervisor(supervisor).pk] if supervisor else None
        people = User.objects.in_bulk(due_supervisor_ids(now, among=among))
        if not people:
            self.stdout.write("No digest is due.")
        elif dry_run:
            for person in people.values():
                self._preview(person, now)
            self.stdout.write(f"Dry run: {len(people)} digest(s) due; nothing sent or claimed.")
        else:
            self._deliver(people, now)

    @staticmethod
    def _supervisor(email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user has the email address {email!r}.")
        if not user.is_supervisor:
            raise CommandError(f"{email!r} does not hold a supervisor role.")
        return user

    def _preview(self, person: User, now: datetime) -> None:
        digest = build_digest(person, now)
        subject = "(nothing to report: no email)" if digest.is_empty else render_digest(digest)[0]
        oldest = "-" if digest.oldest_waiting_days is None else digest.oldest_waiting_days
        self.stdout.write(
            f"Supervisor {person.pk} <{person.email}>, {digest.frequency} digest\n"
            f"  Subject: {subject}\n"
            f"  Awaiting review: {digest.awaiting_review}"
            f" (oldest waiting {oldest} days; {digest.want_to_talk} ask to talk)\n"
            f"  Newly shared: {digest.newly_shared}\n"
            f"  Intervision: {digest.intervision_shared} shared,"
            f" {digest.intervision_responses} responses,"
            f" in {digest.intervision_groups} group(s) they facilitate"
        )

    def _deliver(self, people: dict[int, User], now: datetime) -> None:
        failed = 0
        for supervisor_id, person in people.items():
            try:
                outcome = deliver_digest(supervisor_id, now)
            except RETRY_ERRORS as exc:
                failed += 1
                outcome = f"not sent ({type(exc).__name__}: {exc})"
            self.stdout.write(f"Supervisor {supervisor_id} <{person.email}>: {outcome}")
        if failed:
            raise CommandError(f"{failed} digest(s) could not be sent; run again to retry.")
