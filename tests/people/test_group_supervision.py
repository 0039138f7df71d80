"""The team page links a supervisor to an intervision group, from a date until
another or for now: only the team's leads and admins, every change audited, and
each group's current and past supervisors shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from teams.models import GroupSupervisionLink, IntervisionGroup, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def group(team, author, colleague):
    group = IntervisionGroup.objects.create(team=team, name="Tuesday peers", facilitator=colleague)
    group.members.add(author)
    return group


def add_url(team, group):
    return reverse("people:group_link_add", args=[team.pk, group.pk])


def end_url(team, group, link):
    return reverse("people:group_link_end", args=[team.pk, group.pk, link.pk])


def link_data(supervisor, since=None, until=None):
    return {
        "supervisor": supervisor.pk,
        "since": (since or TODAY()).isoformat(),
        "until": until.isoformat() if until else "",
    }


def test_only_the_teams_leads_and_admins_reach_it(
    login, team, other_team, group, team_lead, author, colleague, supervisor, outsider, admin_user
):
    link = GroupSupervisionLink.objects.create(group=group, supervisor=supervisor)
    other_lead = UserFactory(email="other.lead@example.org")
    MembershipFactory(user=other_lead, team=other_team, role=Role.TEAM_LEAD)
    # The facilitator, a member, the group's supervisor, another team and its lead.
    for person in (author, colleague, supervisor, outsider, other_lead):
        client = login(person)
        assert client.get(add_url(team, group)).status_code == 404
        assert client.post(add_url(team, group), link_data(supervisor)).status_code == 404
        assert client.get(end_url(team, group, link)).status_code == 404
        assert client.post(end_url(team, group, link), {"until": TODAY()}).status_code == 404
    assert GroupSupervisionLink.objects.count() == 1
    assert GroupSupervisionLink.objects.get().until is None
    for person in (team_lead, admin_user):
        page = login(person).get(add_url(team, group))
        assert page.status_code == 200
        assert "<title>Add a supervisor for Tuesday peers" in page.content.decode()
        assert login(person).get(end_url(team, group, link)).status_code == 200


def test_a_group_of_another_team_is_not_found(login, team, other_team, team_lead, supervisor):
    facilitator = UserFactory()
    MembershipFactory(user=facilitator, team=other_team, role=Role.PEER_PRACTITIONER)
    theirs = IntervisionGroup.objects.create(
        team=other_team, name="Theirs", facilitator=facilitator
    )
    link = GroupSupervisionLink.objects.create(group=theirs, supervisor=supervisor)
    client = login(team_lead)

    assert client.get(add_url(team, theirs)).status_code == 404
    assert client.get(end_url(team, theirs, link)).status_code == 404


def test_a_link_of_another_group_is_not_found(login, team, group, team_lead, colleague, supervisor):
    second = IntervisionGroup.objects.create(team=team, name="Second", facilitator=colleague)
    link = GroupSupervisionLink.objects.create(group=second, supervisor=supervisor)

    assert login(team_lead).get(end_url(team, group, link)).status_code == 404


def test_a_lead_adds_a_supervisor_with_an_audit_trail(login, team, group, team_lead, supervisor):
    until = TODAY() + timedelta(days=60)

    response = login(team_lead).post(add_url(team, group), link_data(supervisor, until=until))

    assert response.status_code == 302
    assert response["Location"] == reverse("people:team", args=[team.pk]) + "#groups"
    link = GroupSupervisionLink.objects.get()
    assert (link.group, link.supervisor, link.since, link.until) == (
        group,
        supervisor,
        TODAY(),
        until,
    )
    assert set(group.current_supervisors()) == {supervisor}
    event = AuditEvent.objects.get(action=Action.TEAM_CHANGE)
    assert event.actor == team_lead
    assert event.detail == {
        "team_id": team.pk,
        "group_id": group.pk,
        "change": "group_link_added",
        "link_id": link.pk,
        "supervisor_id": supervisor.pk,
        "since": TODAY().isoformat(),
        "until": until.isoformat(),
    }


def test_the_form_is_sent_once(login, team, group, team_lead, supervisor):
    client = login(team_lead)
    page = client.get(add_url(team, group)).content.decode()
    key = page.split('name="form_key" value="')[1].split('"')[0]

    first = client.post(add_url(team, group), {**link_data(supervisor), "form_key": key})
    second = client.post(add_url(team, group), {**link_data(supervisor), "form_key": key})

    assert first.status_code == 302
    assert second.status_code in (302, 303)
    assert GroupSupervisionLink.objects.count() == 1


def test_only_a_supervisor_of_the_team_can_be_linked(
    login, team, other_team, group, team_lead, author
):
    elsewhere = UserFactory(email="elsewhere@example.org")
    MembershipFactory(user=elsewhere, team=other_team, role=Role.SUPERVISOR)
    client = login(team_lead)

    for person in (author, elsewhere):
        response = client.post(add_url(team, group), link_data(person))
        assert response.status_code == 422
        assert "<title>Error: Add a supervisor" in response.content.decode()
    assert not GroupSupervisionLink.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.TEAM_CHANGE).exists()


def test_invalid_dates_and_a_second_start_are_refused(login, team, group, team_lead, supervisor):
    client = login(team_lead)
    backwards = link_data(supervisor, since=TODAY(), until=TODAY() - timedelta(days=1))
    assert client.post(add_url(team, group), backwards).status_code == 422
    assert client.post(add_url(team, group), link_data(supervisor)).status_code == 302

    again = client.post(add_url(team, group), link_data(supervisor))

    assert again.status_code == 422
    assert "This supervision already starts on this date." in again.content.decode()
    assert GroupSupervisionLink.objects.count() == 1


def test_a_lead_ends_a_supervision_with_an_audit_trail(login, team, group, team_lead, supervisor):
    link = GroupSupervisionLink.objects.create(
        group=group, supervisor=supervisor, since=TODAY() - timedelta(days=10)
    )
    client = login(team_lead)

    too_early = client.post(
        end_url(team, group, link), {"until": (TODAY() - timedelta(days=11)).isoformat()}
    )
    assert too_early.status_code == 422
    done = client.post(end_url(team, group, link), {"until": TODAY().isoformat()})

    assert done.status_code == 302
    link.refresh_from_db()
    assert link.until == TODAY()
    assert supervisor in group.current_supervisors()
    assert supervisor not in group.current_supervisors(TODAY() + timedelta(days=1))
    event = AuditEvent.objects.get(action=Action.TEAM_CHANGE)
    assert event.detail == {
        "team_id": team.pk,
        "group_id": group.pk,
        "change": "group_link_ended",
        "link_id": link.pk,
        "supervisor_id": supervisor.pk,
        "until": TODAY().isoformat(),
    }


def test_the_team_page_shows_each_groups_current_and_past_supervisors(
    login, team, group, team_lead, supervisor, colleague
):
    former = UserFactory(first_name="Former", last_name="Supervisor")
    MembershipFactory(user=former, team=team, role=Role.SUPERVISOR)
    GroupSupervisionLink.objects.create(
        group=group,
        supervisor=former,
        since=TODAY() - timedelta(days=90),
        until=TODAY() - timedelta(days=31),
    )
    current = GroupSupervisionLink.objects.create(
        group=group, supervisor=supervisor, since=TODAY() - timedelta(days=30)
    )
    IntervisionGroup.objects.create(team=team, name="Unsupervised", facilitator=colleague)

    page = login(team_lead).get(reverse("people:team", args=[team.pk])).content.decode()

    section = page.split('id="groups"')[1].split('id="invitations"')[0]
    assert f"Supervisor: {supervisor}" in section
    assert f"Supervisor: {former}" in section
    # Only the current one is marked current, in words.
    assert section.count("Current</strong>") == 1
    current_line = section.split(f"Supervisor: {supervisor}")[1].split("</li>")[0]
    assert "Current</strong>" in current_line
    assert "with no end" in current_line
    assert end_url(team, group, current) in section
    assert add_url(team, group) in section
    assert "No supervisor: the group's summaries reach no one." in section


def test_a_leaving_supervisor_stops_supervising_their_groups(
    login, team, group, team_lead, supervisor
):
    link = GroupSupervisionLink.objects.create(
        group=group, supervisor=supervisor, since=TODAY() - timedelta(days=30)
    )

    response = login(team_lead).post(
        reverse("people:leaver", args=[team.pk, supervisor.pk]), {"notes": "keep"}
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.until == TODAY() - timedelta(days=1)
    assert not group.current_supervisors().exists()
