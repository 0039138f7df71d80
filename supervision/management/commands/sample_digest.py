"""Write a supervisor's digest email, as it would be sent now, to a .eml file.

python manage.py sample_digest                       the first supervisor's
python manage.py sample_digest --supervisor EMAIL    this supervisor's
python manage.py sample_digest --outbox DIR          into DIR (default: the outbox)

`make run` runs it for the demo supervisor, so var/outbox/ holds a digest to
open in a mail program. It goes through the digest's own code (build_digest,
render_digest, send_digest_email), so it carries what every digest carries:
counts and a link, never note text. It is a sample: it claims no period, so
the real digest is still sent when it is due, and a digest with nothing to
report, which is never sent, is written all the same.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from pod_site.mail import EmlFileBackend
from supervision.digest import build_digest, send_digest_email
from teams.models import Membership, Role, User


def default_outbox() -> Path:
    """Where the embedded email backend writes (EMAIL_URL unset or file://), else var/outbox/."""
    return Path(getattr(settings, "EMAIL_FILE_PATH", None) or settings.VAR_DIR / "outbox")


class Command(BaseCommand):
    help = "Write a supervisor's digest email, as it would be sent now, to a .eml file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--supervisor", metavar="EMAIL", help="This supervisor (default: the first one)."
        )
        parser.add_argument(
            "--outbox", metavar="DIR", type=Path, help="The folder to write to (default: outbox)."
        )

    def handle(
        self, *args: object, supervisor: str | None, outbox: Path | None, **options: object
    ) -> None:
        person = self._supervisor(supervisor)
        digest = build_digest(person, timezone.now())
        backend = EmlFileBackend(file_path=str(outbox or default_outbox()))
        send_digest_email(person, digest, connection=backend)
        note = " (nothing to report: a real digest would not be sent)" if digest.is_empty else ""
        self.stdout.write(f"Sample digest for {person.email}: {backend.written[0]}{note}")

    @staticmethod
    def _supervisor(email: str | None) -> User:
        if email:
            person = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
            if person is None or not person.is_supervisor:
                raise CommandError(f"No active supervisor has the email address {email!r}.")
            return person
        first = (
            Membership.objects.filter(role=Role.SUPERVISOR, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if first is None:
            raise CommandError("There is no active supervisor.")
        return first.user
