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
from principles.models import Framework, Principle, TeamFramework
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


# Frameworks the team reflects with (principles.models) -------------------------


def _framework_change(by: User, team: Team, change: str, **detail: object) -> None:
    AuditEvent.objects.record(
        by, Action.TEAM_CHANGE, detail={"team_id": team.pk, "change": change, **detail}
    )


@transaction.atomic
def switch_framework(team: Team, framework: Framework, enabled: bool, by: User) -> bool:
    """Turn a framework on or off for the team's notes. Notes already written
    under it are kept, and shown, either way. Returns False when nothing
    changed (it was already so), and writes no audit row then."""
    rows = TeamFramework.objects.filter(team=team, framework=framework)
    if enabled:
        _, changed = TeamFramework.objects.get_or_create(team=team, framework=framework)
    else:
        changed = rows.delete()[0] > 0
    if changed:
        _framework_change(
            by,
            team,
            "framework_enabled" if enabled else "framework_disabled",
            framework_id=framework.pk,
        )
    return changed


@transaction.atomic
def create_own_framework(team: Team, name: str, citation: str, by: User) -> Framework:
    """The team's own framework (one per team), enabled for it at once."""
    framework = Framework.create_for_team(team, name, citation)
    _framework_change(by, team, "framework_added", framework_id=framework.pk)
    return framework


@transaction.atomic
def save_own_framework(framework: Framework, changed: Iterable[str], by: User) -> None:
    framework.save()
    _framework_change(
        by, framework.team, "framework_changed", framework_id=framework.pk, fields=sorted(changed)
    )


@transaction.atomic
def add_principle(
    framework: Framework, name: str, summary: str, prompts: list[str], by: User
) -> Principle:
    principle = framework.add_principle(name, summary, prompts)
    _framework_change(
        by,
        framework.team,
        "principle_added",
        framework_id=framework.pk,
        principle_id=principle.pk,
        prompts=principle.prompts.count(),
    )
    return principle


@transaction.atomic
def revise_principle(
    principle: Principle, *, name: str, summary: str, prompts: list[str], retired: bool, by: User
) -> list[str]:
    """Change one of the team's own principles (or retire it); audited with the
    names of what changed, never the words."""
    changed = principle.revise(name=name, summary=summary, prompts=prompts, retired=retired)
    if changed:
        _framework_change(
            by,
            principle.framework.team,
            "principle_changed",
            framework_id=principle.framework_id,
            principle_id=principle.pk,
            fields=changed,
        )
    return changed


@transaction.atomic
def move_principle_up(principle: Principle, by: User) -> bool:
    moved = principle.move_up()
    if moved:
        _framework_change(
            by,
            principle.framework.team,
            "principle_moved",
            framework_id=principle.framework_id,
            principle_id=principle.pk,
            order=principle.order,
        )
    return moved
