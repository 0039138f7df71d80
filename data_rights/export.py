"""What a person can take away: everything the app holds about them, as JSON.

`everything_about(user)` streams it part by part (UK GDPR rights of access and
portability); the view is `data_rights.views.my_data`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, Q

from audit.models import AuditEvent
from intervision.models import IntervisionSession, SupervisionSummary
from meetings.models import SelfCheck, SelfCheckAnswer
from reflections.models import Reflection
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
            "duration_minutes": s.duration,
            "type": s.get_kind_display(),
            "agreed_actions": s.agreed_actions,
            "next_on": s.next_on.isoformat() if s.next_on else None,
            "supervisee_comment": s.supervisee_comment,
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
        }
        for s in SupervisionSession.objects.visible_to(user).select_related(
            "supervisor", "supervisee"
        )
    )
    yield ',\n"intervision_notes_i_wrote": '
    # What they wrote as a note-taker or a group's supervisor, while they may still
    # read it (the one rule of each model): a former member's go with their access.
    yield from _json_array(
        {"group": s.group.name, "held_on": s.held_on.isoformat(), "notes": s.notes}
        for s in IntervisionSession.objects.notes_visible_to(user)
        .filter(note_taker=user)
        .exclude(notes="")
        .select_related("group")
    )
    yield ',\n"supervision_summaries": '
    yield from _json_array(
        {
            "group": m.session.group.name,
            "session_held_on": m.session.held_on.isoformat(),
            "themes": m.themes if m.drafted_by_id == user.pk else None,
            "questions": m.questions if m.drafted_by_id == user.pk else None,
            "agreed_at": m.agreed_at.isoformat() if m.agreed_at else None,
            "response": m.response if m.responded_by_id == user.pk else None,
        }
        for m in SupervisionSummary.objects.visible_to(user)
        .filter(Q(drafted_by=user) | Q(responded_by=user))
        .select_related("session__group")
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
    yield ',\n"dialogic_self_checks": '
    yield from _json_array(
        {
            "network": check.meeting.network.reference,
            "meeting_starts_at": check.meeting.starts_at.isoformat(),
            "answers": {
                answer.principle.name: answer.get_how_present_display()
                for answer in check.answers.all()
            },
        }
        for check in SelfCheck.objects.mine(user)
        .select_related("meeting__network")
        .prefetch_related(Prefetch("answers", SelfCheckAnswer.objects.select_related("principle")))
        .order_by("meeting__starts_at")
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
            "asked_to_talk_at": share.talk_asked_at.isoformat() if share.talk_asked_at else None,
        }
        for share in reflection.shares.all()
    ]
    data["addenda"] = [addendum.text for addendum in reflection.addenda.all()]
    return data
