"""Every change made from the team page, each with its AuditEvent (ids only) in
the same transaction, as for notes (docs/architecture.md)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Action, AuditEvent
from data_rights.erasure import erase_reflections_of
from teams.models import (
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    SupervisionLink,
    Team,
    User,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


def _role_change(by: User, team: Team, **detail: object) -> None:
    AuditEvent.objects.record(by, Action.ROLE_CHANGE, detail={"team_id": team.pk, **detail})


@transaction.atomic
def add_role(membership: Membership, by: User) -> Membership:
    membership.save()
    _role_change(
        by, membership.team, change="role_added", user_id=membership.user_id, role=membership.role
    )
    return membership


@transaction.atomic
def end_role(membership: Membership, by: User) -> None:
    detail = {"change": "role_ended", "user_id": membership.user_id, "role": membership.role}
    membership.delete()
    _role_change(by, membership.team, **detail)


@transaction.atomic
def add_link(link: SupervisionLink, team: Team, by: User) -> SupervisionLink:
    link.save()
    _role_change(
        by,
        team,
        change="link_added",
        link_id=link.pk,
        supervisor_id=link.supervisor_id,
        supervisee_id=link.supervisee_id,
        since=link.since.isoformat(),
        until=link.until.isoformat() if link.until else None,
    )
    return link


@transaction.atomic
def end_link(link: SupervisionLink, until: date, team: Team, by: User) -> None:
    link.until = until
    link.save(update_fields=["until"])
    _role_change(by, team, change="link_ended", link_id=link.pk, until=until.isoformat())


@transaction.atomic
def save_settings(team: Team, changed: Iterable[str], by: User) -> None:
    team.save()
    AuditEvent.objects.record(
        by, Action.TEAM_CHANGE, detail={"team_id": team.pk, "settings": sorted(changed)}
    )


@transaction.atomic
def save_group(group: IntervisionGroup, members: Iterable[User], by: User) -> IntervisionGroup:
    created = group.pk is None
    group.save()
    group.members.set(members)
    AuditEvent.objects.record(
        by,
        Action.TEAM_CHANGE,
        detail={
            "team_id": group.team_id,
            "group_id": group.pk,
            "change": "group_added" if created else "group_changed",
            "facilitator_id": group.facilitator_id,
            "member_ids": sorted(user.pk for user in members),
        },
    )
    return group


def _group_change(by: User, link: GroupSupervisionLink, **detail: object) -> None:
    AuditEvent.objects.record(
        by,
        Action.TEAM_CHANGE,
        detail={"team_id": link.group.team_id, "group_id": link.group_id, **detail},
    )


@transaction.atomic
def add_group_link(link: GroupSupervisionLink, by: User) -> GroupSupervisionLink:
    """A supervisor for an intervision group, from `since` (until `until`)."""
    link.save()
    _group_change(
        by,
        link,
        change="group_link_added",
        link_id=link.pk,
        supervisor_id=link.supervisor_id,
        since=link.since.isoformat(),
        until=link.until.isoformat() if link.until else None,
    )
    return link


@transaction.atomic
def end_group_link(link: GroupSupervisionLink, until: date, by: User) -> None:
    link.until = until
    link.save(update_fields=["until"])
    _group_change(
        by,
        link,
        change="group_link_ended",
        link_id=link.pk,
        supervisor_id=link.supervisor_id,
        until=until.isoformat(),
    )


@transaction.atomic
def deactivate(person: User, team: Team, by: User, *, erase_reason: str = "") -> int:
    """A leaver: the account is deactivated, every role and group membership ends,
    and current supervision links, of people and of intervision groups, end
    yesterday (or on their start, if that is today).
    Their notes are kept for them to export, or erased with a reason (audited there).
    Returns the number of notes erased."""
    yesterday = timezone.localdate() - timedelta(days=1)
    roles = list(person.memberships.values_list("team_id", "role"))
    person.memberships.all().delete()
    person.intervision_groups.clear()
    links = SupervisionLink.objects.current().filter(Q(supervisor=person) | Q(supervisee=person))
    group_links = GroupSupervisionLink.objects.current().filter(supervisor=person)
    for link in [*links, *group_links]:
        link.until = max(link.since, yesterday)
        link.save(update_fields=["until"])
    person.is_active = False
    person.save(update_fields=["is_active"])
    AuditEvent.objects.record(
        by,
        Action.DEACTIVATE,
        detail={
            "team_id": team.pk,
            "user_id": person.pk,
            "roles_ended": [list(role) for role in roles],
            "notes": "erased" if erase_reason else "kept",
        },
    )
    if erase_reason:
        return erase_reflections_of(person, erase_reason, by)
    return 0
