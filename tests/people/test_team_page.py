"""The team page: only the team's leads and admins; every change audited."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from people.forms import time_zone_choices
from reflections.models import Reflection
from supervision.models import Share
from teams.models import IntervisionGroup, Membership, Role, SupervisionLink
from tests.factories import MembershipFactory, ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def team_url(team, name="team", *args):
    return reverse(f"people:{name}", args=[team.pk, *args])


def test_only_the_teams_leads_and_admins_see_it(
    login, team, other_team, team_lead, author, supervisor, outsider, admin_user
):
    other_lead = UserFactory(email="other.lead@example.org")
    MembershipFactory(user=other_lead, team=other_team, role=Role.TEAM_LEAD)
    for person in (author, supervisor, outsider, other_lead):
        assert login(person).get(team_url(team)).status_code == 404
    assert login(team_lead).get(team_url(team)).status_code == 200
    page = login(admin_user).get(team_url(team))
    assert page.status_code == 200
    assert author.email in page.content.decode()


def test_a_role_is_added_and_ended_with_an_audit_trail(login, team, team_lead, author):
    client = login(team_lead)
    response = client.post(team_url(team, "role_add"), {"user": author.pk, "role": Role.SUPERVISOR})
    assert response.status_code == 302
    membership = Membership.objects.get(user=author, team=team, role=Role.SUPERVISOR)
    event = AuditEvent.objects.get(action=Action.ROLE_CHANGE)
    assert event.actor == team_lead
    assert event.detail["change"] == "role_added"
    # Twice is refused with a message, not an error.
    again = client.post(team_url(team, "role_add"), {"user": author.pk, "role": Role.SUPERVISOR})
    assert again.status_code == 422
    client.post(team_url(team, "role_end", membership.pk))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(
        action=Action.ROLE_CHANGE, detail__change="role_ended"
    ).exists()


def test_a_role_ended_by_mistake_can_be_given_back(login, team, other_team, team_lead, author):
    """Ending someone's only role takes them off the team's list; they stay among
    the people a role can be given to, so the lead can undo it. Nobody from
    another team is offered."""
    (membership,) = Membership.objects.filter(user=author, team=team)
    stranger = UserFactory(email="stranger@example.org")
    MembershipFactory(user=stranger, team=other_team, role=Role.PEER_PRACTITIONER)
    client = login(team_lead)

    ended = client.post(team_url(team, "role_end", membership.pk), follow=True)
    assert "To undo it, give them the role again" in ended.content.decode()
    assert not Membership.objects.filter(user=author, team=team).exists()
    offered = client.get(team_url(team, "role_add")).context["form"].fields["user"].queryset
    assert author in offered and stranger not in offered

    again = client.post(team_url(team, "role_add"), {"user": author.pk, "role": membership.role})

    assert again.status_code == 302
    assert Membership.objects.filter(user=author, team=team, role=membership.role).exists()
    refused = client.post(
        team_url(team, "role_add"), {"user": stranger.pk, "role": Role.SUPERVISOR}
    )
    assert refused.status_code == 422


def test_cover_supervision_gives_access_only_while_current(
    login, team, team_lead, author, supervisor
):
    cover = UserFactory(email="cover@example.org")
    MembershipFactory(user=cover, team=team, role=Role.SUPERVISOR)
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    today = timezone.localdate()
    response = login(team_lead).post(
        team_url(team, "link_add"),
        {
            "supervisor": cover.pk,
            "supervisee": author.pk,
            "since": today.isoformat(),
            "until": (today + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    # Two current supervisors at once is allowed.
    assert set(author.current_supervisors()) == {supervisor, cover}
    assert AuditEvent.objects.filter(
        action=Action.ROLE_CHANGE, detail__change="link_added"
    ).exists()
    note = ReflectionFactory(author=author)
    share = Share.objects.create(reflection=note, supervisor=cover)
    assert Share.objects.visible_to(cover).filter(pk=share.pk).exists()
    assert Reflection.objects.visible_to(cover).filter(pk=note.pk).exists()
    # The lead ends the cover yesterday... it cannot end before it started, so
    # it ends today and access goes tomorrow.
    link = SupervisionLink.objects.get(supervisor=cover)
    bad = login(team_lead).post(
        team_url(team, "link_end", link.pk), {"until": (today - timedelta(days=1)).isoformat()}
    )
    assert bad.status_code == 422
    login(team_lead).post(team_url(team, "link_end", link.pk), {"until": today.isoformat()})
    link.refresh_from_db()
    assert link.until == today
    tomorrow = today + timedelta(days=1)
    assert cover not in author.current_supervisors(tomorrow)
    import time_machine

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert not Share.objects.visible_to(cover).exists()
        assert not Reflection.objects.visible_to(cover).filter(pk=note.pk).exists()
        assert Share.objects.visible_to(author).filter(pk=share.pk).exists()


def test_the_same_supervision_twice_at_once_is_refused(login, team, team_lead, author, supervisor):
    today = timezone.localdate()
    SupervisionLink.objects.create(
        supervisor=supervisor,
        supervisee=author,
        since=today - timedelta(days=30),
        until=today + timedelta(days=30),
    )
    client = login(team_lead)

    def add(since, until=""):
        return client.post(
            team_url(team, "link_add"),
            {"supervisor": supervisor.pk, "supervisee": author.pk, "since": since, "until": until},
        )

    refused = add(today.isoformat())
    assert refused.status_code == 422
    assert "already supervises them for some of these dates" in refused.content.decode()
    assert SupervisionLink.objects.count() == 1
    # Once that supervision has ended, the same two people may start again.
    assert add((today + timedelta(days=31)).isoformat()).status_code == 302
    assert SupervisionLink.objects.count() == 2


@pytest.mark.parametrize(
    ("days", "minutes", "message"),
    [
        ("0", "60", "Enter a whole number of days from 1 to 365."),
        ("", "60", "Enter a whole number of days from 1 to 365."),
        ("14", "6001", "Enter a whole number of minutes from 0 to 6000."),
    ],
)
def test_settings_say_their_limits_in_the_input_and_in_words(
    login, team, team_lead, days, minutes, message
):
    client = login(team_lead)
    page = client.get(team_url(team, "settings")).content.decode()
    for name, low, high in [
        ("review_overdue_days", 1, 365),
        ("monthly_supervision_minutes", 0, 6000),
    ]:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'min="{low}"' in tag and f'max="{high}"' in tag

    response = client.post(
        team_url(team, "settings"),
        {
            "time_zone": "Europe/London",
            "review_overdue_days": days,
            "monthly_supervision_minutes": minutes,
        },
    )

    assert response.status_code == 422
    assert message in response.content.decode()


def test_settings_offer_uk_time_zones_first_and_are_audited(login, team, team_lead):
    assert time_zone_choices()[0][0] == "Europe/London"
    client = login(team_lead)
    bad = client.post(
        team_url(team, "settings"),
        {"time_zone": "Mars/Olympus", "review_overdue_days": 14, "monthly_supervision_minutes": 60},
    )
    assert bad.status_code == 422
    client.post(
        team_url(team, "settings"),
        {
            "time_zone": "Europe/Dublin",
            "review_overdue_days": 10,
            "monthly_supervision_minutes": 90,
        },
    )
    team.refresh_from_db()
    assert (team.time_zone, team.review_overdue_days, team.monthly_supervision_minutes) == (
        "Europe/Dublin",
        10,
        90,
    )
    assert AuditEvent.objects.filter(action=Action.TEAM_CHANGE).exists()


def test_settings_have_their_own_page_and_saving_returns_to_the_team(
    login, team, team_lead, author, outsider
):
    client = login(team_lead)
    # The team page shows the settings and links to their page; the form is there.
    page = client.get(team_url(team)).content.decode()
    settings_url = team_url(team, "settings")
    assert 'name="time_zone"' not in page
    assert f'href="{settings_url}">Change team settings</a>' in page
    form = client.get(settings_url)
    assert form.status_code == 200
    assert f'<form method="post" action="{settings_url}"' in form.content.decode()
    assert form.content.decode().count("<option") == len(time_zone_choices())
    assert form.context["form"]["time_zone"].value() == team.time_zone
    # Saving comes back to the team page's settings, with the message, and shows them.
    saved = client.post(
        settings_url,
        {
            "time_zone": "Europe/Jersey",
            "review_overdue_days": 7,
            "monthly_supervision_minutes": 45,
            "support_information": "Talk to Robin.\nStaff wellbeing: 0100.",
        },
        follow=True,
    )
    assert saved.redirect_chain == [(team_url(team) + "#settings", 302)]
    shown = saved.content.decode()
    assert "Team settings saved." in shown
    assert "Europe/Jersey" in shown and "7 days" in shown and "45 minutes" in shown
    assert "Talk to Robin.<br>Staff wellbeing: 0100." in shown
    # Nobody else reaches the page.
    for person in (author, outsider):
        assert login(person).get(settings_url).status_code == 404


def test_a_group_is_created_with_facilitator_and_members(login, team, team_lead, author, colleague):
    response = login(team_lead).post(
        team_url(team, "group_add"),
        {"name": "Tuesday peers", "facilitator": colleague.pk, "members": [author.pk]},
    )
    assert response.status_code == 302
    group = IntervisionGroup.objects.get(team=team, name="Tuesday peers")
    assert group.facilitator == colleague
    assert list(group.members.all()) == [author]
    assert AuditEvent.objects.filter(action=Action.TEAM_CHANGE, detail__group_id=group.pk).exists()
    edit = login(team_lead).post(
        team_url(team, "group_edit", group.pk),
        {"name": "Tuesday peers", "facilitator": colleague.pk, "members": []},
    )
    assert edit.status_code == 302
    assert not group.members.exists()


def test_a_leaver_keeps_their_notes(login, team, team_lead, author, supervisor):
    SupervisionLink.objects.create(
        supervisor=supervisor, supervisee=author, since=timezone.localdate() - timedelta(days=30)
    )
    ReflectionFactory(author=author)
    response = login(team_lead).post(team_url(team, "leaver", author.pk), {"notes": "keep"})
    assert response.status_code == 302
    author.refresh_from_db()
    assert not author.is_active
    assert not author.memberships.exists()
    assert not author.current_supervisors().exists()
    assert Reflection.objects.filter(author=author).count() == 1
    assert AuditEvent.objects.filter(action=Action.DEACTIVATE, detail__user_id=author.pk).exists()


def test_a_leavers_notes_are_erased_with_a_reason(login, team, team_lead, author):
    ReflectionFactory(author=author)
    client = login(team_lead)
    no_reason = client.post(team_url(team, "leaver", author.pk), {"notes": "erase"})
    assert no_reason.status_code == 422
    assert Reflection.objects.filter(author=author).exists()
    client.post(team_url(team, "leaver", author.pk), {"notes": "erase", "reason": "Asked to"})
    assert not Reflection.objects.filter(author=author).exists()
    erase = AuditEvent.objects.get(action=Action.ERASE)
    assert erase.detail == {"author_id": author.pk, "reflections": 1, "reason": "Asked to"}
