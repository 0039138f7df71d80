"""Data rights: what a person can take away, and what an admin can erase.

- `everything_about(user)`: all the app holds about a person, as JSON, streamed.
- `erase_network(...)`: a network with its meetings, members and attendance; the
  authors keep their reflections, unlinked from the meeting.
- `erase_reflections_of(...)`: a departing practitioner's reflections.
- `delete_expired_reflections(...)`: reflections past REFLECTION_RETENTION_YEARS.
Each erasure writes an AuditEvent with the reason; the trail keeps ids only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import Action, AuditEvent
from meetings.models import Network
from reflections.models import Reflection
from security.models import PendingPost
from supervision.models import Response, SupervisionSession
from teams.models import User


def everything_about(user: User) -> Iterator[str]:
    """Yield a JSON document of everything held about `user`, part by part."""
    profile = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }
    memberships = [
        {"team": m.team.name, "role": m.get_role_display(), "discipline": m.discipline}
        for m in user.memberships.select_related("team")
    ]
    supervision = [
        {
            "supervisor": str(link.supervisor),
            "supervisee": str(link.supervisee),
            "since": link.since.isoformat(),
            "until": link.until.isoformat() if link.until else None,
        }
        for link in (user.supervisor_links.all() | user.supervisees_links.all()).select_related(
            "supervisor", "supervisee"
        )
    ]
    yield "{\n"
    yield f'"profile": {json.dumps(profile)},\n'
    yield f'"memberships": {json.dumps(memberships)},\n'
    yield f'"supervision_links": {json.dumps(supervision)},\n'
    yield '"reflections": '
    yield from _json_array(
        _reflection_with_sharing(reflection)
        for reflection in Reflection.objects.mine(user)
        .with_details()
        .prefetch_related("shares__supervisor", "shares__group", "addenda")
        .order_by("written_at")
        .iterator(chunk_size=200)
    )
    yield ',\n"responses_i_wrote": '
    yield from _json_array(
        {"share": r.share_id, "written_at": r.created_at.isoformat(), "text": r.text}
        # Only while the thread is visible to them: a former supervisor's or group
        # member's responses go with their access (Response.objects.visible_to).
        for r in Response.objects.visible_to(user)
        .filter(author=user)
        .order_by("created_at")
        .iterator(500)
    )
    yield ',\n"supervision_sessions": '
    yield from _json_array(
        {
            "supervisor": str(s.supervisor),
            "supervisee": str(s.supervisee),
            "held_on": s.held_on.isoformat(),
            "agreed_actions": s.agreed_actions,
            "next_on": s.next_on.isoformat() if s.next_on else None,
        }
        for s in SupervisionSession.objects.visible_to(user).select_related(
            "supervisor", "supervisee"
        )
    )
    yield ',\n"meetings_attended": '
    yield from _json_array(
        {
            "network": a.meeting.network.reference,
            "starts_at": a.meeting.starts_at.isoformat(),
            "role": a.get_role_display(),
        }
        for a in user.meeting_attendances.select_related("meeting__network").iterator(500)
    )
    yield ',\n"audit_events_by_me": '
    yield from _json_array(
        {"at": e.at.isoformat(), "action": e.action, "reflection_id": e.reflection_id}
        for e in AuditEvent.objects.filter(actor=user).order_by("at").iterator(500)
    )
    yield "\n}\n"


def _json_array(items: Iterable[Any]) -> Iterator[str]:
    yield "["
    for index, item in enumerate(items):
        yield ("\n" if index == 0 else ",\n") + json.dumps(item, ensure_ascii=False)
    yield "\n]"


def _reflection_with_sharing(reflection: Reflection) -> dict[str, Any]:
    data = reflection.snapshot()
    data["shared_with"] = [
        {
            "with": share.recipient,
            "shared_at": share.shared_at.isoformat(),
            "revoked_at": share.revoked_at.isoformat() if share.revoked_at else None,
        }
        for share in reflection.shares.all()
    ]
    data["addenda"] = [addendum.text for addendum in reflection.addenda.all()]
    return data


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
