"""Networks, members and meetings: a stale save is refused and shown, a partial one
changes only what it carries, an empty one changes nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Network, NetworkMeeting, NetworkMember

pytestmark = pytest.mark.django_db


def meeting_fields(meeting, **changes) -> dict:
    local = timezone.localtime(meeting.starts_at)
    return {
        "starts_at_0": f"{local:%Y-%m-%d}",
        "starts_at_1": f"{local:%H:%M}",
        "duration_minutes": str(meeting.duration_minutes),
        "place": meeting.place,
        "practitioners": list(
            meeting.practitioner_attendances.values_list("practitioner", flat=True)
        ),
        "members": list(meeting.members_present.values_list("pk", flat=True)),
        "_fields": ["practitioners", "members", "reflecting_conversation"],
        "revision": str(meeting.revision),
        **changes,
    }


def test_a_stale_network_edit_is_refused_and_shows_both_versions(login, author, network):
    url = reverse("meetings:network_edit", args=[network.pk])
    client = login(author)
    base = {"opened_on": network.opened_on.isoformat(), "revision": "1"}
    assert client.post(url, {**base, "reference": "Ash"}).status_code == 302

    response = client.post(url, {**base, "reference": "Elm"})

    content = response.content.decode()
    assert response.status_code == 409
    assert "Not saved: this changed after you opened it" in content
    assert "Ash" in content and "Elm" in content
    assert 'name="revision" value="2"' in content
    assert Network.objects.get(pk=network.pk).reference == "Ash"


def test_a_stale_member_edit_is_refused(login, author, network, member):
    url = reverse("meetings:member_edit", args=[network.pk, member.pk])
    client = login(author)
    client.post(url, {"name": "Mother", "relationship": "parent", "revision": "1"})

    response = client.post(url, {"name": "Mam", "relationship": "parent", "revision": "1"})

    assert response.status_code == 409
    assert NetworkMember.objects.get(pk=member.pk).name == "Mother"


def test_a_stale_meeting_edit_is_refused_and_keeps_what_was_sent(login, author, colleague, meeting):
    url = reverse("meetings:meeting_edit", args=[meeting.pk])
    client = login(author)
    assert client.post(url, meeting_fields(meeting, duration_minutes="45")).status_code == 302

    response = client.post(url, meeting_fields(meeting, duration_minutes="120", revision="1"))

    content = response.content.decode()
    assert response.status_code == 409
    assert "How long did it last?" in content  # the field that differs, by its label
    assert 'value="120"' in content  # what I sent is still in the form
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 45


def test_a_meeting_edit_with_one_field_changes_that_field_only(login, author, meeting, member):
    url = reverse("meetings:meeting_edit", args=[meeting.pk])
    NetworkMeeting.objects.filter(pk=meeting.pk).update(reflecting_conversation=True)

    response = login(author).post(url, {"duration_minutes": "30", "revision": "1"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 30
    assert meeting.practitioner_attendances.count() == 2
    assert list(meeting.members_present.all()) == [member]
    assert meeting.reflecting_conversation is True


@pytest.mark.parametrize(
    "route", ["network_edit", "member_edit", "meeting_edit", "network_create", "meeting_create"]
)
def test_a_request_with_none_of_the_fields_changes_nothing(
    login, author, network, member, meeting, route
):
    args = {
        "network_edit": [network.pk],
        "member_edit": [network.pk, member.pk],
        "meeting_edit": [meeting.pk],
        "network_create": [],
        "meeting_create": [network.pk],
    }[route]
    before = (
        Network.objects.count(),
        NetworkMeeting.objects.count(),
        list(Network.objects.values()),
        list(NetworkMember.objects.values()),
        list(NetworkMeeting.objects.values()),
    )

    response = login(author).post(
        reverse(f"meetings:{route}", args=args), {"csrfmiddlewaretoken": "x", "revision": "1"}
    )

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    after = (
        Network.objects.count(),
        NetworkMeeting.objects.count(),
        list(Network.objects.values()),
        list(NetworkMember.objects.values()),
        list(NetworkMeeting.objects.values()),
    )
    assert after == before
