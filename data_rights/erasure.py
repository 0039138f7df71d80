"""What an admin can erase, and what retention deletes.

- `erase_network(...)`: a network with its meetings, members and attendance; the
  authors keep their reflections, unlinked from the meeting.
- `erase_reflections_of(...)`: a departing practitioner's reflections.
- `delete_expired_reflections(...)`: reflections past REFLECTION_RETENTION_YEARS.
Each erasure writes an AuditEvent with the reason; the trail keeps ids only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import Action, AuditEvent
from meetings.models import Network
from reflections.models import Reflection
from security.models import PendingPost
from teams.models import User


@transaction.atomic
def erase_network(network: Network, reason: str, by: User) -> None:
    """Erase a network, its members, meetings and attendance. Reflections stay with
    their authors, no longer linked to a meeting (the foreign key sets null)."""
    detail = {"network_id": network.pk, "meetings": network.meetings.count(), "reason": reason}
    network.delete()
    AuditEvent.objects.record(by, Action.ERASE, detail=detail)


@transaction.atomic
def erase_reflections_of(person: User, reason: str, by: User) -> int:
    """Erase every reflection a person wrote, with their shares, threads and versions."""
    reflections = Reflection.objects.filter(author=person)
    ids = list(reflections.values_list("pk", flat=True))
    reflections.delete()  # cascades to notes, disclosures, versions, shares, threads
    # Forms they sent while signed out may hold note text (security.PendingPost).
    PendingPost.objects.filter(user=person).delete()
    AuditEvent.objects.record(
        by,
        Action.ERASE,
        detail={"author_id": person.pk, "reflections": len(ids), "reason": reason},
    )
    return len(ids)


@transaction.atomic
def delete_expired_reflections(now: datetime | None = None) -> int:
    """Delete reflections written more than REFLECTION_RETENTION_YEARS ago (0: keep)."""
    years = settings.REFLECTION_RETENTION_YEARS
    if not years:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=round(365.25 * years))
    expired = Reflection.objects.filter(written_at__lt=cutoff)
    count = expired.count()
    if count:
        expired.delete()
        AuditEvent.objects.record(
            None,
            Action.RETENTION,
            detail={"reflections": count, "before": cutoff.isoformat(), "years": years},
        )
    return count
