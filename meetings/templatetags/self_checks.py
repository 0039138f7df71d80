"""Where a meeting's page and a reflection on a meeting link to the self-check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.urls import reverse

from meetings.models import NetworkMeeting, SelfCheck
from teams.models import User

register = template.Library()


@dataclass(frozen=True)
class SelfCheckLink:
    url: str
    answered_at: datetime | None


@register.simple_tag
def self_check_link(meeting: NetworkMeeting | None, user: User) -> SelfCheckLink | None:
    """The link to `user`'s own self-check of `meeting`, with when they answered
    it; None unless they were recorded at the meeting (only they may answer).
    Uses the meeting's prefetched attendances when it has them."""
    if meeting is None or not user.is_authenticated:
        return None
    if not any(a.practitioner_id == user.pk for a in meeting.practitioner_attendances.all()):
        return None
    answered_at = (
        SelfCheck.objects.mine(user)
        .filter(meeting=meeting)
        .values_list("answered_at", flat=True)
        .first()
    )
    return SelfCheckLink(reverse("meetings:self_check", args=[meeting.pk]), answered_at)
