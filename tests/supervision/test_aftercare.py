"""Aftercare (step 11, part 3): after a costly self-disclosure (cost 3 or 4) or a
meeting the author is not OK after (0 or 1), the author's own page of the note
offers a conversation with their supervisor, their team's support information
and a word that the paper names this cost. Nobody else sees any of it until the
author acts, and nothing records that it was shown."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from reflections.models import Disclosed, Disclosure, Status
from supervision.digest import build_digest
from supervision.models import Share
from teams.models import IntervisionGroup, Membership, Role, SupervisionLink
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

OFFER = "After this meeting"
SUPPORT = "Ring Sol on 0161 496 0000, any weekday."


@pytest.fixture
def linked(author, supervisor):
    SupervisionLink.objects.create(
        supervisor=supervisor, supervisee=author, since=timezone.localdate() - timedelta(days=30)
    )
    return supervisor


def note(author, *, cost=None, disclosed=Disclosed.IN_DIALOGUE, wellbeing=None, **fields):
    reflection = ReflectionFactory(
        author=author, status=Status.FINAL, wellbeing=wellbeing, **fields
    )
    if cost is not None or disclosed != Disclosed.IN_DIALOGUE:
        Disclosure.objects.create(reflection=reflection, disclosed=disclosed, emotional_cost=cost)
    return reflection


def page(client, reflection) -> str:
    response = client.get(reflection.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("fields", "offered"),
    [
        ({"cost": 4}, True),
        ({"cost": 3}, True),
        ({"cost": 2}, False),
        ({"cost": 4, "disclosed": Disclosed.NO}, False),  # no disclosure, no cost of one
        ({"cost": 3, "disclosed": Disclosed.IN_REFLECTING}, True),
        ({"wellbeing": 0}, True),
        ({"wellbeing": 1}, True),
        ({"wellbeing": 2}, False),
        ({}, False),
    ],
)
def test_offered_after_a_costly_disclosure_or_a_hard_meeting(login, author, fields, offered):
    reflection = note(author, **fields)

    assert (OFFER in page(login(author), reflection)) is offered


def test_the_offer_words_what_the_note_said_and_cites_the_paper(login, author, linked):
    reflection = note(author, cost=4, wellbeing=1)

    body = page(login(author), reflection)

    assert (
        "sharing your own experience in this meeting cost you a lot, and that you are not OK"
        in body
    )
    assert "https://doi.org/10.3389/fpsyg.2023.1176839" in body
    assert "Only you can see this" in body


def test_the_offer_shows_the_teams_support_information(login, author, team):
    team.support_information = SUPPORT
    team.save()

    assert SUPPORT in page(login(author), note(author, cost=3))


def test_without_support_information_it_says_who_can_add_it(login, author):
    body = page(login(author), note(author, cost=3))

    assert "Your team lead can add it in the team settings." in body


def test_the_team_lead_writes_the_support_information_in_the_team_settings(login, team_lead, team):
    client = login(team_lead)
    response = client.post(
        reverse("people:settings", args=[team.pk]),
        {
            "time_zone": team.time_zone,
            "review_overdue_days": 14,
            "monthly_supervision_minutes": 60,
            "support_information": SUPPORT,
        },
    )

    assert response.status_code == 302
    team.refresh_from_db()
    assert team.support_information == SUPPORT
    event = AuditEvent.objects.get(action=Action.TEAM_CHANGE)
    assert event.detail["settings"] == ["support_information"]  # which, never what


def test_support_information_longer_than_2000_characters_is_refused_and_kept(
    login, team_lead, team
):
    text = "x" * 2001
    response = login(team_lead).post(
        reverse("people:settings", args=[team.pk]),
        {
            "time_zone": team.time_zone,
            "review_overdue_days": 14,
            "monthly_supervision_minutes": 60,
            "support_information": text,
        },
    )

    assert response.status_code in (200, 422)
    body = response.content.decode()
    assert "Keep this to 2,000 characters or fewer." in body
    assert text in body  # nothing typed is lost


def test_a_note_not_shared_offers_to_share_it_with_the_request(login, author, linked):
    reflection = note(author, cost=3)

    body = page(login(author), reflection)

    share_url = reverse("supervision:share", args=[reflection.pk])
    assert f'href="{share_url}?supervisor={linked.pk}&amp;talk=1"' in body
    assert f"Share this note with {linked} and ask for a conversation" in body


def test_a_draft_says_it_can_be_shared_once_finished(login, author, linked):
    draft = note(author, cost=3)
    draft.status = Status.DRAFT
    draft.save()

    body = page(login(author), draft)

    assert "When you finish this note, you can share it with" in body


def test_asking_on_a_live_share_flags_it_once_and_is_audited(login, author, linked):
    reflection = note(author, cost=4)
    share = reflection.share_with(supervisor=linked)
    client = login(author)

    assert f"Ask {linked} for a conversation" in page(client, reflection)
    response = client.post(reverse("supervision:ask_to_talk", args=[share.pk]))
    client.post(reverse("supervision:ask_to_talk", args=[share.pk]))  # again: no change

    assert response.status_code == 302
    share.refresh_from_db()
    assert share.talk_asked_at is not None
    assert AuditEvent.objects.filter(action=Action.ASK_TO_TALK, share_id=share.pk).count() == 1
    assert "You asked" in page(client, reflection)


def test_the_supervisor_sees_the_request_only_once_asked(login, author, linked):
    reflection = note(author, cost=4, wellbeing=0)
    share = reflection.share_with(supervisor=linked, include_disclosure=True)
    supervisor = login(linked)

    inbox = supervisor.get(reverse("supervision:inbox")).content.decode()
    shared = supervisor.get(share.get_absolute_url()).content.decode()
    assert "Asks for a conversation" not in inbox
    assert "would like to talk with you about how this meeting left them" not in shared
    assert OFFER not in shared  # the offer is the author's alone

    share.ask_to_talk(author)

    assert (
        "Asks for a conversation" in supervisor.get(reverse("supervision:inbox")).content.decode()
    )
    shared = supervisor.get(share.get_absolute_url()).content.decode()
    assert "would like to talk with you about how this meeting left them" in shared


def test_only_the_author_can_ask_and_only_of_a_supervisor(login, author, linked, colleague, team):
    reflection = note(author, cost=4)
    share = reflection.share_with(supervisor=linked)
    group = IntervisionGroup.objects.create(team=team, name="Tuesday group", facilitator=colleague)
    group.members.add(author, colleague)
    group_share = reflection.share_with(group=group)
    url = reverse("supervision:ask_to_talk", args=[share.pk])

    assert login(linked).post(url).status_code == 404
    assert login(colleague).post(url).status_code == 404
    group_url = reverse("supervision:ask_to_talk", args=[group_share.pk])
    assert login(author).post(group_url).status_code == 404
    share.refresh_from_db()
    assert share.talk_asked_at is None
    assert not AuditEvent.objects.filter(action=Action.ASK_TO_TALK).exists()


def test_a_revoked_share_refuses_the_request_with_a_message(login, author, linked):
    reflection = note(author, cost=4)
    share = reflection.share_with(supervisor=linked)
    share.revoke(author)
    client = login(author)

    response = client.post(reverse("supervision:ask_to_talk", args=[share.pk]), follow=True)

    assert "no longer shared with this supervisor" in response.content.decode()
    share.refresh_from_db()
    assert share.talk_asked_at is None


def test_showing_the_offer_records_nothing(login, author, linked):
    reflection = note(author, cost=4, wellbeing=0)
    client = login(author)
    before = AuditEvent.objects.count()

    page(client, reflection)

    assert AuditEvent.objects.count() == before


def test_the_digest_counts_a_request_to_talk(author, linked):
    reflection = note(author, cost=4)
    share = reflection.share_with(supervisor=linked)
    before = build_digest(linked, timezone.now()).want_to_talk

    share.ask_to_talk(author)

    assert build_digest(linked, timezone.now() + timedelta(seconds=1)).want_to_talk == before + 1


def test_no_dashboard_or_export_for_research_counts_requests_to_talk():
    # The request is a conversation between two people, not a measure: no module
    # of the dashboards reads it (a count could point at one person in a small team).
    from pathlib import Path

    import dashboards

    sources = Path(dashboards.__file__).parent.rglob("*.py")
    assert not [path for path in sources if "talk_asked_at" in path.read_text()]


def test_membership_in_two_teams_shows_each_teams_support(login, author, team, other_team):
    Membership.objects.create(user=author, team=other_team, role=Role.PEER_PRACTITIONER)
    team.support_information = SUPPORT
    team.save()
    other_team.support_information = "Hillside: the wellbeing hub, room 4."
    other_team.save()

    body = page(login(author), note(author, cost=3))

    assert SUPPORT in body and "the wellbeing hub, room 4." in body
    assert "<strong>Hillside</strong>" in body and "<strong>Riverside</strong>" in body


def test_the_share_form_takes_the_request_from_the_offers_link(login, author, linked):
    reflection = note(author, cost=3)
    url = reverse("supervision:share", args=[reflection.pk])

    body = login(author).get(f"{url}?supervisor={linked.pk}&talk=1").content.decode()
    plain = login(author).get(f"{url}?supervisor=nonsense&talk=yes").content.decode()

    assert re.search(rf'name="supervisors" value="{linked.pk}"[^>]*checked', body)
    assert re.search(r'name="ask_to_talk"[^>]*checked', body)
    assert not re.search(r'name="ask_to_talk"[^>]*checked', plain)
    assert not re.search(rf'name="supervisors" value="{linked.pk}"[^>]*checked', plain)


def test_sharing_with_the_request_ticked_asks_once_shared(login, author, linked):
    reflection = note(author, cost=3, text="Nothing to identify anyone.")
    url = reverse("supervision:share", args=[reflection.pk])

    response = login(author).post(url, {"supervisors": [linked.pk], "ask_to_talk": "on"})

    assert response.status_code == 302
    share = Share.objects.get(reflection=reflection, supervisor=linked)
    assert share.talk_asked_at is not None
    assert AuditEvent.objects.filter(action=Action.ASK_TO_TALK, share_id=share.pk).count() == 1


def test_a_request_to_talk_needs_a_supervisor_chosen(login, author, linked, colleague, team):
    reflection = note(author, cost=3, text="Nothing to identify anyone.")
    group = IntervisionGroup.objects.create(team=team, name="Tuesday group", facilitator=colleague)
    group.members.add(author, colleague)
    url = reverse("supervision:share", args=[reflection.pk])

    response = login(author).post(url, {"groups": [group.pk], "ask_to_talk": "on"})

    assert response.status_code == 422
    assert "Choose the supervisor you would like to talk with" in response.content.decode()
    assert not Share.objects.filter(reflection=reflection).exists()


def test_an_address_in_the_support_information_is_a_link_and_markup_stays_text(login, author, team):
    team.support_information = "See https://wellbeing.example.org <script>alert(1)</script>"
    team.save()

    body = page(login(author), note(author, cost=3))

    assert '<a href="https://wellbeing.example.org"' in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
