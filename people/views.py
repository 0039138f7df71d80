"""The team page: a team's leads, and admins, run the team here (people,
roles, supervision, groups, settings, leavers, invitations, and the frameworks
its practitioners reflect with: Open Dialogue's, and one of its own). Everyone else gets
404: to them the page does not exist. Each change is an audited function in
people/changes.py or people/invitations.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people import changes, invitations
from people.forms import (
    EndLinkForm,
    FrameworkForm,
    FrameworkSwitchForm,
    GroupForm,
    GroupLinkForm,
    InvitationForm,
    LeaverForm,
    LinkForm,
    PrincipleForm,
    RoleForm,
    TeamSettingsForm,
)
from people.models import Invitation
from pod_site.htmx import HtmxHttpRequest, form_status
from principles.models import Framework, Principle, TeamFramework
from security.submissions import submitted_once
from teams.models import (
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    SupervisionLink,
    Team,
    User,
)


def _is_admin(user: User) -> bool:
    return user.is_active and (user.is_staff or user.is_superuser)


def managed_teams(user: User) -> QuerySet[Team]:
    """The teams a person runs from the team page: those they lead; admins, all."""
    return Team.objects.all() if _is_admin(user) else user.led_teams()


def _team(request: HtmxHttpRequest, pk: int) -> Team:
    return get_object_or_404(managed_teams(request.user), pk=pk)


def _to_team(team: Team, anchor: str = "") -> HttpResponse:
    return redirect(reverse("people:team", args=[team.pk]) + (f"#{anchor}" if anchor else ""))


def _form_page(
    request: HtmxHttpRequest,
    team: Team,
    form: Any,
    *,
    title: str,
    button: str,
    creates: bool = False,
    intro: str = "",
    danger: bool = False,
) -> HttpResponse:
    context = {
        "team": team,
        "form": form,
        "title": title,
        "button": button,
        "creates": creates,
        "intro": intro,
        "danger": danger,
    }
    return render(request, "people/form.html", context, status=form_status(form))


@login_required
@require_GET
def team_list(request: HtmxHttpRequest) -> HttpResponse:
    teams = list(managed_teams(request.user))
    if not teams:
        raise Http404
    if len(teams) == 1:
        return _to_team(teams[0])
    return render(request, "people/team_list.html", {"teams": teams})


@login_required
@require_GET
def team(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The page the team is run from. Every list is made into plain rows here
    (names, dates and links worked out once), so the template only places them:
    it was most of the page's time (docs/performance.md). The settings form has
    its own page (team_settings); this one shows what they are."""
    team = _team(request, pk)
    people = _people_rows(team, request.user)
    frameworks = _frameworks(team)
    # The team's own framework is one of those it may choose: no query of its own.
    own_framework = next((f for f, _ in frameworks if f.team_id == team.pk), None)
    context = {
        "team": team,
        "time_zone": team.time_zone.replace("_", " "),
        "people": people,
        "links": _link_rows(team, [person["pk"] for person in people]),
        "groups": _group_rows(team),
        "invitations": _invitation_rows(team),
        "frameworks": _framework_rows(team, frameworks),
        "own_framework": own_framework,
        "own_principles": _principle_rows(team, own_framework),
    }
    return render(request, "people/team.html", context)


# The team page's rows ---------------------------------------------------------------

_STAND_IN = 2_147_483_647  # a pk no row has: reversed once, then replaced
# What a person's row shows of them (str(user) and its ordering), and no more.
_NAMED = ("first_name", "last_name", "email")


def _row_url(name: str, *args: int) -> Callable[[int], str]:
    """people:<name>'s URL for any row, its pk the last argument: reversed once
    (with a stand-in pk) rather than once a row."""
    head, _, tail = reverse(f"people:{name}", args=[*args, _STAND_IN]).rpartition(str(_STAND_IN))
    return lambda row_pk: f"{head}{row_pk}{tail}"


def _day(value: date | None) -> str:
    """What the template's date:"j F Y" shows ("3 March 2026"): the same function."""
    return date_format(value, "j F Y") if value else ""


def _people_rows(team: Team, viewer: User) -> list[dict[str, Any]]:
    """Each person of the team with their roles, in the order of the people table."""
    memberships = (
        Membership.objects.filter(team=team)
        .select_related("user")
        .only("role", "discipline", *(f"user__{field}" for field in _NAMED))
        .order_by("user", "role")
    )
    end_role, leaving = _row_url("role_end", team.pk), _row_url("leaver", team.pk)
    people: dict[int, dict[str, Any]] = {}
    for membership in memberships:
        person = membership.user
        row = people.get(person.pk)
        if row is None:
            row = people[person.pk] = {
                "pk": person.pk,
                "name": str(person),
                "email": person.email,
                "leaving_url": "" if person.pk == viewer.pk else leaving(person.pk),
                "roles": [],
            }
        row["roles"].append(
            {
                "label": membership.get_role_display(),
                "discipline": membership.get_discipline_display() if membership.discipline else "",
                "end_url": end_role(membership.pk),
            }
        )
    return list(people.values())


def _link_rows(team: Team, members: list[int]) -> list[dict[str, Any]]:
    """The supervision of the team's people (members: their pks), by supervisee,
    latest first, each with whether it is current (the model's own rule,
    SupervisionLink.objects.current)."""
    # (Narrowed to the same people, so PostgreSQL reads only their links for it.)
    current = SupervisionLink.objects.current().filter(pk=OuterRef("pk"), supervisee_id__in=members)
    links = (
        SupervisionLink.objects.filter(supervisee_id__in=members)
        .select_related("supervisor", "supervisee")
        .only(
            "since",
            "until",
            *(f"{who}__{field}" for who in ("supervisor", "supervisee") for field in _NAMED),
        )
        .annotate(is_current=Exists(current))
        .order_by("supervisee", "-since")
    )
    end = _row_url("link_end", team.pk)
    return [
        {
            "supervisee": str(link.supervisee),
            "supervisor": str(link.supervisor),
            "text": str(link),
            "is_current": link.is_current,
            "since": _day(link.since),
            "until": _day(link.until),
            "end_url": end(link.pk),
        }
        for link in links
    ]


def _group_rows(team: Team) -> list[dict[str, Any]]:
    """The team's intervision groups, each with its members and supervisors."""
    groups = (
        team.intervision_groups.select_related("facilitator")
        .prefetch_related(
            "members", Prefetch("supervision_links", queryset=_group_links_with_current())
        )
        .order_by("name")  # one team's: its own ordering's join of the team is not needed
    )
    edit = _row_url("group_edit", team.pk)
    rows = []
    for group in groups:
        end = _row_url("group_link_end", team.pk, group.pk)
        rows.append(
            {
                "name": group.name,
                "facilitator": str(group.facilitator),
                "members": ", ".join(str(member) for member in group.members.all()) or "none",
                "edit_url": edit(group.pk),
                "add_link_url": reverse("people:group_link_add", args=[team.pk, group.pk]),
                "links": [
                    {
                        "supervisor": str(link.supervisor),
                        "is_current": link.is_current,
                        "since": _day(link.since),
                        "until": _day(link.until),
                        "end_url": end(link.pk),
                    }
                    for link in group.supervision_links.all()
                ],
            }
        )
    return rows


def _group_links_with_current() -> QuerySet[GroupSupervisionLink]:
    """A group's supervisors, latest first, each with `is_current` (the model's
    own rule, GroupSupervisionLink.objects.current)."""
    current = GroupSupervisionLink.objects.current().filter(pk=OuterRef("pk"))
    return (
        GroupSupervisionLink.objects.select_related("supervisor")
        .annotate(is_current=Exists(current))
        .order_by("-since", "pk")
    )


def _invitation_rows(team: Team) -> list[dict[str, Any]]:
    """The team's invitations, newest first; only open ones can be sent again or withdrawn."""
    resend = _row_url("invitation_resend", team.pk)
    withdraw = _row_url("invitation_withdraw", team.pk)
    rows = []
    for invitation in team.invitations.select_related("user", "invited_by"):
        row = {
            "name": str(invitation.user),
            "email": invitation.user.email,
            "roles": ", ".join(invitation.role_labels()),
            "sent": date_format(timezone.localtime(invitation.sent_at), "j F Y H:i"),
            "invited_by": str(invitation.invited_by) if invitation.invited_by else "",
            "status": "",
        }
        if invitation.accepted_at:
            row["status"] = f"Accepted {_day(timezone.localtime(invitation.accepted_at))}"
        elif invitation.withdrawn_at:
            row["status"] = f"Withdrawn {_day(timezone.localtime(invitation.withdrawn_at))}"
        else:
            row["resend_url"] = resend(invitation.pk)
            row["withdraw_url"] = withdraw(invitation.pk)
        rows.append(row)
    return rows


def _framework_rows(team: Team, frameworks: list[tuple[Framework, bool]]) -> list[dict[str, Any]]:
    """The frameworks the team may turn on or off, each with whether it is on."""
    switch = _row_url("framework_switch", team.pk)
    return [
        {
            "name": framework.name,
            "own": bool(framework.team_id),
            "enabled": enabled,
            "switch_url": switch(framework.pk),
        }
        for framework, enabled in frameworks
    ]


def _principle_rows(team: Team, framework: Framework | None) -> list[dict[str, Any]]:
    """The team's own framework's principles, in order, each with its questions."""
    if framework is None:
        return []
    prefetch_related_objects([framework], "principles__prompts")
    edit, up = _row_url("principle_edit", team.pk), _row_url("principle_up", team.pk)
    return [
        {
            "name": principle.name,
            "is_retired": principle.is_retired,
            "prompts": [prompt.text for prompt in principle.prompts.all()],
            "edit_url": edit(principle.pk),
            "up_url": up(principle.pk),
        }
        for principle in framework.principles.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The team's settings, on their own page: the time-zone select alone (about
    600 zones) was most of the team page's time."""
    team = _team(request, pk)
    form = TeamSettingsForm(request.POST if request.method == "POST" else None, instance=team)
    if form.is_bound and form.is_valid():
        changes.save_settings(form.instance, form.changed_data, request.user)
        messages.success(request, "Team settings saved.")
        return _to_team(team, "settings")
    # A refused form's team keeps what was stored (is_valid changed the instance).
    return _form_page(
        request,
        _team(request, pk) if form.is_bound else team,
        form,
        title="Team settings",
        button="Save settings",
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def role_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    form = RoleForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        membership = changes.add_role(form.save(commit=False), request.user)
        messages.success(
            request, f"{membership.user} is now {membership.get_role_display().lower()}."
        )
        return _to_team(team, "people")
    return _form_page(
        request, team, form, title="Give someone a role", button="Add the role", creates=True
    )


@login_required
@require_POST
def role_end(request: HtmxHttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    team = _team(request, pk)
    membership = get_object_or_404(Membership.objects.filter(team=team), pk=membership_pk)
    changes.end_role(membership, request.user)
    messages.success(
        request,
        f"{membership.user} is no longer {membership.get_role_display().lower()}. "
        "To undo it, give them the role again: they stay in “Give someone a role”.",
    )
    return _to_team(team, "people")


def _team_links(team: Team) -> QuerySet[SupervisionLink]:
    return SupervisionLink.objects.filter(supervisee__memberships__team=team).distinct()


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def link_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    form = LinkForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        changes.add_link(form.save(commit=False), team, request.user)
        messages.success(request, "Supervision added.")
        return _to_team(team, "supervision")
    return _form_page(
        request,
        team,
        form,
        title="Add supervision",
        button="Add supervision",
        creates=True,
        intro="A supervisor sees what a supervisee shares with them only while this "
        "supervision is current: from its start until its end.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def link_end(request: HtmxHttpRequest, pk: int, link_pk: int) -> HttpResponse:
    team = _team(request, pk)
    link = get_object_or_404(_team_links(team), pk=link_pk)
    form = EndLinkForm(request.POST or None, link=link)
    if request.method == "POST" and form.is_valid():
        changes.end_link(link, form.cleaned_data["until"], team, request.user)
        messages.success(request, "Supervision end saved.")
        return _to_team(team, "supervision")
    return _form_page(
        request,
        team,
        form,
        title="End supervision",
        button="Save the end date",
        intro=f"{link}. After the last day, the supervisor no longer sees what was shared.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def group_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    form = GroupForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        group = changes.save_group(
            form.save(commit=False), form.cleaned_data["members"], request.user
        )
        messages.success(request, f"Group {group.name} added.")
        return _to_team(team, "groups")
    return _form_page(
        request, team, form, title="Add an intervision group", button="Add the group", creates=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HtmxHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    team = _team(request, pk)
    group = get_object_or_404(team.intervision_groups.all(), pk=group_pk)
    form = GroupForm(request.POST or None, team=team, instance=group)
    if request.method == "POST" and form.is_valid():
        changes.save_group(form.save(commit=False), form.cleaned_data["members"], request.user)
        messages.success(request, f"Group {group.name} saved.")
        return _to_team(team, "groups")
    return _form_page(
        request,
        team,
        form,
        title=f"Change {group.name}",
        button="Save the group",
        intro="Someone taken out of the group no longer sees what was shared with it.",
    )


def _team_group(team: Team, group_pk: int) -> IntervisionGroup:
    return get_object_or_404(team.intervision_groups.select_related("team"), pk=group_pk)


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def group_link_add(request: HtmxHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    """A supervisor for one of the team's intervision groups."""
    team = _team(request, pk)
    group = _team_group(team, group_pk)
    form = GroupLinkForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        link = changes.add_group_link(form.save(commit=False), request.user)
        messages.success(request, f"{link.supervisor} now supervises {group.name}.")
        return _to_team(team, "groups")
    return _form_page(
        request,
        team,
        form,
        title=f"Add a supervisor for {group.name}",
        button="Add supervision",
        creates=True,
        intro="The supervisor sees the summaries the group agrees to take to supervision "
        "while this supervision is current, and nothing else of the group: not its "
        "sessions, its notes or what its members shared with it.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_link_end(request: HtmxHttpRequest, pk: int, group_pk: int, link_pk: int) -> HttpResponse:
    team = _team(request, pk)
    group = _team_group(team, group_pk)
    link = get_object_or_404(
        group.supervision_links.select_related("supervisor", "group"), pk=link_pk
    )
    form = EndLinkForm(request.POST or None, link=link)
    if request.method == "POST" and form.is_valid():
        changes.end_group_link(link, form.cleaned_data["until"], request.user)
        messages.success(request, "Supervision end saved.")
        return _to_team(team, "groups")
    return _form_page(
        request,
        team,
        form,
        title=f"End {link.supervisor}'s supervision of {group.name}",
        button="Save the end date",
        intro="After the last day, the supervisor no longer sees the group's summaries, "
        "including those agreed before.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def leaver(request: HtmxHttpRequest, pk: int, user_pk: int) -> HttpResponse:
    team = _team(request, pk)
    person = get_object_or_404(
        User.objects.filter(memberships__team=team, is_active=True)
        .exclude(pk=request.user.pk)
        .distinct(),
        pk=user_pk,
    )
    form = LeaverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        erase = form.cleaned_data["notes"] == LeaverForm.ERASE
        erased = changes.deactivate(
            person,
            team,
            request.user,
            erase_reason=form.cleaned_data["reason"].strip() if erase else "",
        )
        done = f"{person} can no longer sign in; their roles have ended."
        if erase:
            done += f" {erased} notes erased."
        messages.success(request, done)
        return _to_team(team, "people")
    return _form_page(
        request,
        team,
        form,
        title=f"{person} is leaving",
        button="Deactivate the account",
        danger=True,
        intro="They will no longer be able to sign in, and every role, group and "
        "supervision of theirs ends.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def invite(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    form = InvitationForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = invitations.invite(
            team=team,
            by=request.user,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            roles=data["roles"],
            discipline=data["discipline"],
            supervisor=data["supervisor"],
            groups=list(data["groups"]),
        )
        messages.success(request, f"Invitation sent to {invitation.user.email}.")
        return _to_team(team, "invitations")
    return _form_page(
        request,
        team,
        form,
        title="Invite someone",
        button="Send the invitation",
        creates=True,
        intro="They get an email with a link to choose their password. The link works once "
        "and expires; you can send it again.",
    )


def _open_invitation(team: Team, invitation_pk: int) -> Invitation:
    return get_object_or_404(team.invitations.open(), pk=invitation_pk)


@login_required
@require_POST
def invitation_resend(request: HtmxHttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    team = _team(request, pk)
    invitation = _open_invitation(team, invitation_pk)
    invitations.resend(invitation, request.user)
    messages.success(
        request,
        f"Invitation sent again to {invitation.user.email}; the earlier link no longer works.",
    )
    return _to_team(team, "invitations")


@login_required
@require_POST
def invitation_withdraw(request: HtmxHttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    team = _team(request, pk)
    invitation = _open_invitation(team, invitation_pk)
    invitations.withdraw(invitation, request.user)
    messages.success(request, f"Invitation to {invitation.user.email} withdrawn.")
    return _to_team(team, "invitations")


# Frameworks the team reflects with ------------------------------------------------


def _frameworks(team: Team) -> list[tuple[Framework, bool]]:
    """The frameworks the team may turn on or off (never the peer practice
    principles, always on; never another team's), each with whether it is on."""
    enabled = TeamFramework.objects.filter(team=team, framework=OuterRef("pk"))
    return [
        (framework, framework.is_enabled)
        for framework in Framework.objects.choosable_by(team).annotate(is_enabled=Exists(enabled))
    ]


def _own_framework(team: Team) -> Framework:
    return get_object_or_404(Framework.objects.filter(team=team))


def _own_principle(team: Team, principle_pk: int) -> Principle:
    return get_object_or_404(
        Principle.objects.filter(framework__team=team).select_related("framework__team"),
        pk=principle_pk,
    )


@login_required
@require_POST
def framework_switch(request: HtmxHttpRequest, pk: int, framework_pk: int) -> HttpResponse:
    """Turn one of the frameworks the team may choose on or off (POST enabled=1|0).
    404 for the peer practice principles (always on) and another team's own."""
    team = _team(request, pk)
    framework = get_object_or_404(Framework.objects.choosable_by(team), pk=framework_pk)
    form = FrameworkSwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose on or off.")
        return _to_team(team, "frameworks")
    enabled = form.cleaned_data["enabled"]
    changes.switch_framework(team, framework, enabled, request.user)
    if enabled:
        messages.success(request, f"Notes in {team.name} now have a section for {framework}.")
    else:
        messages.success(
            request,
            f"{framework} is off for new notes in {team.name}. Notes already written "
            "under it keep what they say.",
        )
    return _to_team(team, "frameworks")


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def framework_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The team's own framework (one per team): its name; principles come next."""
    team = _team(request, pk)
    if Framework.objects.filter(team=team).exists():
        return redirect("people:framework_edit", pk=team.pk)
    form = FrameworkForm(request.POST or None, instance=Framework(team=team))
    if request.method == "POST" and form.is_valid():
        framework = changes.create_own_framework(
            team, form.cleaned_data["name"], form.cleaned_data["citation"], request.user
        )
        messages.success(request, f"{framework} added: now add its principles.")
        return redirect("people:principle_add", pk=team.pk)
    return _form_page(
        request,
        team,
        form,
        title="Your team's own framework",
        button="Add the framework",
        creates=True,
        intro="Principles your team reflects on, each with questions to help. Practitioners "
        "see them in their notes after the peer practice principles, and can filter "
        "their notes by them. Only your team sees them.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    framework = _own_framework(team)
    form = FrameworkForm(request.POST or None, instance=framework)
    if request.method == "POST" and form.is_valid():
        changes.save_own_framework(form.instance, form.changed_data, request.user)
        messages.success(request, f"{framework} saved.")
        return _to_team(team, "frameworks")
    return _form_page(request, team, form, title=f"Change {framework}", button="Save the framework")


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def principle_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    framework = _own_framework(team)
    form = PrincipleForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            principle = changes.add_principle(
                framework, data["name"], data["summary"], form.prompts, request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{principle} added to {framework}.")
            return _to_team(team, "frameworks")
    return _form_page(
        request,
        team,
        form,
        title=f"Add a principle to {framework}",
        button="Add the principle",
        creates=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def principle_edit(request: HtmxHttpRequest, pk: int, principle_pk: int) -> HttpResponse:
    team = _team(request, pk)
    principle = _own_principle(team, principle_pk)
    form = PrincipleForm(request.POST or None, principle=principle, framework=principle.framework)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes.revise_principle(
                principle,
                name=data["name"],
                summary=data["summary"],
                prompts=form.prompts,
                retired=data["retired"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{principle} saved.")
            return _to_team(team, "frameworks")
    return _form_page(
        request,
        team,
        form,
        title=f"Change {principle}",
        button="Save the principle",
        intro="Notes already written on it keep what they say. A principle is never "
        "deleted: retire it, and it is no longer offered for new notes.",
    )


@login_required
@require_POST
def principle_up(request: HtmxHttpRequest, pk: int, principle_pk: int) -> HttpResponse:
    """Move one of the team's own principles one place earlier."""
    team = _team(request, pk)
    principle = _own_principle(team, principle_pk)
    changes.move_principle_up(principle, request.user)
    return _to_team(team, "frameworks")
