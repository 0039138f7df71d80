"""Aftercare: what the app offers an author after a meeting that cost them.

Hendy, Tew and Carr (2023, https://doi.org/10.3389/fpsyg.2023.1176839) name
the emotional cost of self-disclosure for peer practitioners. When a note says
a meeting cost its author a lot (Reflection.asks_for_aftercare: a disclosure
with an emotional cost of 3 or 4, or "how I am after this meeting" 0 or 1), the
author's own page of the note offers, quietly:

- a conversation with each of their current supervisors: asked on the note's
  live share with that supervisor (Share.ask_to_talk), or, when the note is not
  shared with them, by sharing it with the request ticked;
- their teams' support information (Team.support_information, set on the team
  page);
- a word that the paper names this cost.

Only the author ever sees the offer. Nothing is recorded that it was shown;
only what the author chooses to do is (a share, a request to talk), each by
its own audited model method. No dashboard counts any of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reflections.models import Reflection
from supervision.models import Share
from teams.models import SupervisionLink, Team, User


@dataclass(frozen=True)
class SupervisorOffer:
    """One current supervisor and the note's live share with them, if any."""

    supervisor: User
    share: Share | None

    @property
    def asked_at(self) -> datetime | None:
        return self.share.talk_asked_at if self.share else None


@dataclass(frozen=True)
class Aftercare:
    """What the author's page of the note offers; see the module's docstring."""

    after_disclosure: bool
    after_a_hard_meeting: bool
    supervisors: list[SupervisorOffer]
    support: list[Team]
    can_share: bool


def aftercare_for(reflection: Reflection) -> Aftercare | None:
    """The offer for the author of `reflection`, or None when the note does not
    say the meeting cost them a lot. Three queries when it does, none when not.

    `reflection` must be the author's own (Reflection.objects.mine); the
    disclosure is read from it (select_related by with_details avoids a query).
    """
    reasons = reflection.aftercare_reasons()
    if not reasons:
        return None
    author = reflection.author_id
    links = (
        SupervisionLink.objects.current()
        .filter(supervisee_id=author)
        .select_related("supervisor")
        .order_by("supervisor__first_name", "supervisor__email")
    )
    supervisors = list({link.supervisor.pk: link.supervisor for link in links}.values())
    shares = {
        share.supervisor_id: share
        for share in Share.objects.active()
        .filter(reflection=reflection, supervisor__in=supervisors)
        .order_by("shared_at")
    }
    support = [
        team
        for team in Team.objects.filter(memberships__user_id=author).distinct().order_by("name")
        if team.support_information.strip()
    ]
    return Aftercare(
        after_disclosure="disclosure" in reasons,
        after_a_hard_meeting="wellbeing" in reasons,
        supervisors=[SupervisorOffer(person, shares.get(person.pk)) for person in supervisors],
        support=support,
        can_share=not reflection.is_draft,
    )
