"""Logging a network meeting, and who attended it."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from meetings.forms import MeetingForm
from meetings.models import NetworkMeeting, PractitionerAttendance
from teams.models import Role
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    PractitionerAttendanceFactory,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)


def new_url(network) -> str:
    return reverse("meetings:meeting_create", args=[network.pk])


def meeting_data(practitioners, members=(), day=YESTERDAY, at="14:30", **fields) -> dict:
    return {
        "person_attendance": "in_person",
        "starts_at_0": day.isoformat(),
        "starts_at_1": at,
        "duration_minutes": "90",
        "place": "home",
        "practitioners": [person.pk for person in practitioners],
        "members": [member.pk for member in members],
        "reflecting_conversation": "on",
        # As the page sends them: the checkboxes named (templates/forms/field.html),
        # and, when editing, the revision the form was loaded from.
        "_fields": ["practitioners", "members", "reflecting_conversation"],
        "revision": "1",
        **fields,
    }


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_form_offers_the_teams_practitioners_and_ticks_me(
    login, author, colleague, team_lead, supervisor, outsider, network, member
):
    page = login(author).get(new_url(network)).content.decode()

    assert (
        f'value="{author.pk}" class="nhsuk-checkboxes__input" id="id_practitioners_0" checked'
        in (page)
    )
    assert f"{author}, peer practitioner" in page
    assert f"{colleague}, practitioner" in page
    for not_practising in (team_lead, supervisor, outsider):
        assert str(not_practising) not in page
    assert f'name="members" value="{member.pk}"' in page


def test_logging_a_meeting_records_who_attended_in_their_roles(
    login, author, colleague, network, member
):
    response = login(author).post(new_url(network), meeting_data([author, colleague], [member]))

    meeting = NetworkMeeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    assert timezone.localtime(meeting.starts_at) == timezone.make_aware(
        datetime.combine(YESTERDAY, time(14, 30))
    )
    assert (meeting.duration_minutes, meeting.place, meeting.reflecting_conversation) == (
        90,
        "home",
        True,
    )
    roles = dict(meeting.practitioner_attendances.values_list("practitioner", "role"))
    assert roles == {author.pk: Role.PEER_PRACTITIONER, colleague.pk: Role.PRACTITIONER}
    assert list(meeting.members_present.all()) == [member]
    assert texts(response) == ["Meeting logged."]


def test_someone_who_is_both_peer_and_practitioner_attends_as_a_peer(login, author, network, team):
    MembershipFactory(user=author, team=team, role=Role.PRACTITIONER)

    login(author).post(new_url(network), meeting_data([author]))

    assert PractitionerAttendance.objects.get().role == Role.PEER_PRACTITIONER


def test_fewer_than_two_practitioners_is_a_warning_and_the_meeting_is_saved(login, author, network):
    response = login(author).post(new_url(network), meeting_data([author]), follow=True)
    page = response.content.decode()

    assert NetworkMeeting.objects.count() == 1
    assert "Only 1 practitioner recorded." in page
    assert "nhsuk-card--warning" in page


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (
            timezone.localdate() + timedelta(days=400),
            "The date must be less than a year from today.",
        ),
        (
            timezone.localdate() - timedelta(days=6 * 365),
            "The date must be within the last 5 years.",
        ),
    ],
)
def test_a_date_far_from_today_is_a_field_error(login, author, team, day, message):
    network = NetworkFactory(team=team, opened_on=timezone.localdate() - timedelta(days=7 * 365))

    response = login(author).post(new_url(network), meeting_data([author], day=day))
    page = response.content.decode()

    assert f'<a href="#id_starts_at_0">{message}</a>' in page
    assert 'aria-describedby="id_starts_at_error"' in page
    assert f'value="{day.isoformat()}"' in page
    assert not NetworkMeeting.objects.exists()


def test_a_meeting_before_the_network_opened_is_a_field_error(login, author, network):
    day = network.opened_on - timedelta(days=1)

    response = login(author).post(new_url(network), meeting_data([author], day=day))

    assert "This is before the network opened on" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_at_1": ""}, "Enter the date and the time the meeting started."),
        ({"starts_at_0": "2026-02-30"}, "Enter a real date, for example 17/03/2026."),
        ({"starts_at_1": "25:00"}, "Enter a real time, for example 14:30."),
        ({"duration_minutes": "an hour"}, "Enter the number of minutes, like 90."),
        ({"duration_minutes": "601"}, "A meeting lasts at most 600 minutes (10 hours)."),
        ({"place": "pub"}, "Select a valid choice. pub is not one of the available choices."),
        ({"practitioners": []}, "Choose the practitioners who were at the meeting."),
    ],
)
def test_bad_input_shows_errors_and_keeps_what_was_typed(
    login, author, colleague, network, member, fields, message
):
    data = {**meeting_data([author, colleague], [member]), **fields}

    response = login(author).post(new_url(network), data)
    page = response.content.decode()

    assert response.status_code == 422
    assert "<title>Error: Log a meeting" in page
    assert message in page
    assert not NetworkMeeting.objects.exists()
    if fields.get("duration_minutes"):
        assert f'value="{fields["duration_minutes"]}"' in page
    assert f'value="{member.pk}" class="nhsuk-checkboxes__input" id="id_members_0" checked' in page


def test_practitioners_from_outside_the_practising_team_are_refused(
    login, author, team_lead, outsider, network
):
    for stranger in (team_lead, outsider):
        response = login(author).post(new_url(network), meeting_data([author, stranger]))

        assert f"Select a valid choice. {stranger.pk} is not one of the available choices." in (
            response.content.decode()
        )
    assert not NetworkMeeting.objects.exists()


def test_members_of_another_network_are_refused(login, author, network, team):
    stranger = NetworkMemberFactory(network=NetworkFactory(team=team))

    response = login(author).post(new_url(network), meeting_data([author], [stranger]))

    assert f"{stranger.pk} is not one of the available choices." in response.content.decode()
    assert not NetworkMeeting.objects.exists()


def test_a_posted_network_is_ignored_the_url_decides(login, author, network, team):
    elsewhere = NetworkFactory(team=team)

    login(author).post(new_url(network), meeting_data([author], network=elsewhere.pk))

    assert NetworkMeeting.objects.get().network == network


def test_submitting_the_same_meeting_twice_logs_it_once(login, author, network):
    client = login(author)
    data = meeting_data([author])

    client.post(new_url(network), data)
    again = client.post(new_url(network), data)

    assert NetworkMeeting.objects.count() == 1
    assert '<a href="#id_starts_at_0">This network already has a meeting at this time.</a>' in (
        again.content.decode()
    )


def test_two_submits_that_pass_validation_together_log_it_once(author, network):
    """A double click on a slow line: both requests validate before either saves."""
    first, second = (
        MeetingForm(meeting_data([author]), instance=NetworkMeeting(network=network), user=author)
        for _ in range(2)
    )
    assert first.is_valid() and second.is_valid()

    assert first.save_unless_taken() is not None
    with transaction.atomic():  # as in a request: the failed insert rolls back alone
        assert second.save_unless_taken() is None

    assert NetworkMeeting.objects.count() == 1
    assert second.errors["starts_at"] == ["This network already has a meeting at this time."]


def test_a_meeting_and_its_attendance_are_saved_together_or_not_at_all(
    author, network, monkeypatch
):
    form = MeetingForm(
        meeting_data([author]), instance=NetworkMeeting(network=network), user=author
    )
    assert form.is_valid(), form.errors

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(PractitionerAttendance.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        form.save()

    assert not NetworkMeeting.objects.exists()


def test_choosing_the_network_first_leads_to_its_meeting_form(login, author, network):
    response = login(author).get(
        reverse("meetings:meeting_choose_network"), {"network": network.pk}
    )

    assert response.url == new_url(network)


def test_only_networks_i_practise_for_can_be_chosen(login, author, other_team, team, network):
    MembershipFactory(user=author, team=other_team, role=Role.SUPERVISOR)
    theirs = NetworkFactory(team=other_team, reference="Theirs")
    url = reverse("meetings:meeting_choose_network")
    client = login(author)

    page = client.get(url).content.decode()
    refused = client.get(url, {"network": theirs.pk})

    assert "Birch, Riverside" in page
    assert "Theirs" not in page
    assert refused.status_code == 422
    assert "<title>Error: Log a meeting" in refused.content.decode()


class TestEditing:
    def test_the_form_shows_the_meeting_as_it_was_logged(self, login, author, meeting):
        page = login(author).get(reverse("meetings:meeting_edit", args=[meeting.pk])).content
        local = timezone.localtime(meeting.starts_at)

        assert f'value="{local:%Y-%m-%d}"'.encode() in page
        assert f'value="{local:%H:%M}"'.encode() in page
        # The person at the centre there in person, home, two practitioners and Mum.
        assert page.count(b" checked") == 5

    def test_changing_who_attended_keeps_the_roles_they_held(
        self, login, author, colleague, team, meeting
    ):
        newcomer = MembershipFactory(team=team, role=Role.PEER_PRACTITIONER).user
        # The colleague trained as a peer since; at this meeting they were a practitioner.
        MembershipFactory(user=colleague, team=team, role=Role.PEER_PRACTITIONER)
        url = reverse("meetings:meeting_edit", args=[meeting.pk])
        day = timezone.localtime(meeting.starts_at)

        response = login(author).post(
            url, meeting_data([colleague, newcomer], day=day.date(), at=f"{day:%H:%M}")
        )

        assert response.url == meeting.get_absolute_url()
        roles = dict(meeting.practitioner_attendances.values_list("practitioner", "role"))
        assert roles == {colleague.pk: Role.PRACTITIONER, newcomer.pk: Role.PEER_PRACTITIONER}
        assert not meeting.members_present.exists()
        assert texts(response) == ["Meeting saved."]

    def test_an_old_meeting_can_still_be_corrected(self, login, author, colleague, team):
        long_ago = (timezone.now() - timedelta(days=6 * 365)).replace(second=0, microsecond=0)
        network = NetworkFactory(team=team, opened_on=timezone.localdate(long_ago))
        meeting = NetworkMeetingFactory(network=network, starts_at=long_ago)
        PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
        local = timezone.localtime(long_ago)
        data = meeting_data(
            [author, colleague], day=local.date(), at=f"{local:%H:%M}", duration_minutes="75"
        )

        login(author).post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)

        meeting.refresh_from_db()
        assert meeting.duration_minutes == 75

    def test_moving_a_meeting_onto_another_of_the_networks_meetings_is_refused(
        self, login, author, meeting
    ):
        other = NetworkMeetingFactory(
            network=meeting.network, starts_at=meeting.starts_at - timedelta(days=1)
        )
        # Factories give seconds; the form gives whole minutes.
        other.starts_at = other.starts_at.replace(second=0, microsecond=0)
        other.save()
        local = timezone.localtime(other.starts_at)
        data = meeting_data([author], day=local.date(), at=f"{local:%H:%M}")

        response = login(author).post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)

        assert "This network already has a meeting at this time." in response.content.decode()

    def test_fewer_than_two_practitioners_after_an_edit_is_a_warning(self, login, author, meeting):
        local = timezone.localtime(meeting.starts_at)
        data = meeting_data([author], day=local.date(), at=f"{local:%H:%M}")

        response = login(author).post(reverse("meetings:meeting_edit", args=[meeting.pk]), data)

        assert texts(response) == [
            "Meeting saved.",
            "Only 1 practitioner recorded. Open Dialogue meets a network with at least 2 "
            "practitioners.",
        ]


def test_the_meeting_page_shows_who_attended(login, team_lead, author, colleague, meeting):
    page = login(team_lead).get(meeting.get_absolute_url()).content.decode()

    assert "First meeting" in page
    assert str(author) in page and "Peer" in page
    assert str(colleague) in page
    assert "Mum" in page
    assert "<h2>My reflection</h2>" in page
    assert "Change this meeting" not in page  # a team lead only looks
