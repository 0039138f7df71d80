"""The network page's map and tables (meetings/network_map.py) on hand-made data.

The network "Oak" has six meetings, oldest first:

    meeting  Robin (centre)  Mum  Nan  Sam (friend)  GP    practitioners
    1        in person       yes  -    -             -     Alex (peer), Priya
    2        online          yes  -    yes           -     Alex, Priya
    3        absent          yes  -    -             -     Alex, Jo
    4        phone           yes  yes  -             -     Alex, Priya
    5        absent          -    -    -             -     Jo, Priya
    6        not recorded    yes  -    -             -     Alex, Jo

and a GP who has not come yet. So: Robin came to 3 of 6 (2 without them, 1 not
recorded); Mum 5 of 6 (inner ring), Nan and Sam 1 of 6 (middle), the GP none
(outer). Alex came to 1, 2, 3, 4, 6: first and latest, so stayed; Priya came to
1, 2, 4, 5: missed the latest; Jo came to 3, 5, 6: missed the first.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from meetings.models import PersonAttendance, Relationship
from meetings.network_map import LABEL_CHARACTERS, RING_RADII, picture_of
from teams.models import Role
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    PractitionerAttendanceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
ATTENDANCE = [
    PersonAttendance.IN_PERSON,
    PersonAttendance.ONLINE,
    PersonAttendance.ABSENT,
    PersonAttendance.PHONE,
    PersonAttendance.ABSENT,
    None,
]


def day(n: int) -> datetime:
    return datetime(2026, 10, 1, 10, 0, tzinfo=LONDON) + timedelta(days=7 * (n - 1))


@pytest.fixture
def oak(team, author, colleague):
    jo = UserFactory(first_name="Jo", last_name="", email="jo@example.org")
    MembershipFactory(user=jo, team=team, role=Role.PRACTITIONER)
    network = NetworkFactory(
        team=team, reference="Oak", person="Robin", opened_on=day(1).date() - timedelta(days=3)
    )
    mum = NetworkMemberFactory(network=network, name="Mum", relationship=Relationship.PARENT)
    nan = NetworkMemberFactory(
        network=network, name="Edna", relationship=Relationship.OTHER_FAMILY, label="Nan"
    )
    sam = NetworkMemberFactory(network=network, name="Sam", relationship=Relationship.FRIEND)
    NetworkMemberFactory(
        network=network, name="Dr Okafor", relationship=Relationship.PROFESSIONAL_GP
    )
    came = {1: [mum], 2: [mum, sam], 3: [mum], 4: [mum, nan], 5: [], 6: [mum]}
    practitioners = {
        1: [author, colleague],
        2: [author, colleague],
        3: [author, jo],
        4: [author, colleague],
        5: [jo, colleague],
        6: [author, jo],
    }
    for n in range(1, 7):
        meeting = NetworkMeetingFactory(
            network=network, starts_at=day(n), person_attendance=ATTENDANCE[n - 1]
        )
        meeting.members_present.add(*came[n])
        for person in practitioners[n]:
            role = Role.PEER_PRACTITIONER if person == author else Role.PRACTITIONER
            PractitionerAttendanceFactory(meeting=meeting, practitioner=person, role=role)
    return network


def test_the_person_at_the_centre_came_to_three_of_six(oak):
    person = picture_of(oak).person

    assert person.member.name == "Robin"
    assert (person.meetings, person.attended, person.absent, person.not_recorded) == (6, 3, 2, 1)
    assert person.ways == [("in person", 1), ("online", 1), ("by phone", 1)]
    assert person.last_came == day(4)


def test_members_grouped_by_relationship_with_their_attendance(oak):
    picture = picture_of(oak)

    table = [
        (heading, row.member.name, row.attended, row.last_came, row.ring)
        for heading, rows in picture.groups
        for row in rows
    ]
    assert table == [
        ("Family", "Mum", 5, day(6), 0),
        ("Family", "Edna", 1, day(4), 1),
        ("Friends and community", "Sam", 1, day(2), 1),
        ("Professionals from other services", "Dr Okafor", 0, None, 2),
    ]


def test_practitioners_continuity_since_the_first_meeting(oak, author, colleague):
    picture = picture_of(oak)

    rows = [
        (str(r.practitioner), r.is_peer, r.attended, r.first_came, r.last_came)
        for r in picture.practitioners
    ]
    assert rows == [
        (str(author), True, 5, day(1), day(6)),
        (str(colleague), False, 4, day(1), day(5)),
        ("Jo", False, 3, day(3), day(6)),
    ]
    assert [str(r.practitioner) for r in picture.stayed] == [str(author)]
    assert (picture.first_meeting, picture.latest_meeting) == (day(1), day(6))
    assert picture.without_the_person == 2


def test_the_map_places_everyone_on_the_ring_their_attendance_gives(oak):
    points = picture_of(oak).points

    placed = {p.row.member.name: (round((p.x**2 + p.y**2) ** 0.5), p.group_index) for p in points}
    assert placed == {
        "Mum": (RING_RADII[0], 0),
        "Edna": (RING_RADII[1], 0),
        "Sam": (RING_RADII[1], 1),
        "Dr Okafor": (RING_RADII[2], 2),
    }
    # The first sits at the top, then clockwise: the group stays together.
    assert (points[0].x, points[0].y) == (0, -RING_RADII[0])
    assert [p.row.member.name for p in points] == ["Mum", "Edna", "Sam", "Dr Okafor"]
    # Every label (about 7 units a character at 14px) stays inside the 360 by 360 picture.
    assert all(abs(p.x) + LABEL_CHARACTERS * 7 / 2 <= 180 for p in points)
    assert all(abs(p.label_y) <= 180 - 4 for p in points)


def test_a_network_with_no_meetings_puts_everyone_on_the_outer_ring(team):
    network = NetworkFactory(team=team, person="Ash")
    NetworkMemberFactory(network=network, name="Dad", relationship=Relationship.PARENT)

    picture = picture_of(network)

    assert picture.meetings == 0
    assert picture.person.attended == 0
    assert [row.ring for row in picture.members] == [2]
    assert picture.practitioners == []


def test_the_picture_costs_the_same_queries_for_a_bigger_network(
    oak, team, django_assert_num_queries
):
    with django_assert_num_queries(5):
        picture_of(oak)
    for n in range(7, 30):
        meeting = NetworkMeetingFactory(network=oak, starts_at=day(n))
        member = NetworkMemberFactory(network=oak, name=f"Cousin {n}", relationship="other_family")
        meeting.members_present.add(member)
        PractitionerAttendanceFactory(meeting=meeting, practitioner=UserFactory())
    with django_assert_num_queries(5):
        picture_of(oak)


def test_the_network_page_shows_the_map_and_the_tables(oak, login, author):
    page = login(author).get(reverse("meetings:network_detail", args=[oak.pk])).content.decode()

    assert 'role="img" aria-labelledby="network-map-title network-map-desc"' in page
    assert "Robin at the centre, with 4 people around them" in page
    assert "Who came to the network's meetings" in page
    assert "3 of 6" in page  # Robin
    assert "5 of 6" in page  # Mum
    assert "(Nan)" in page
    assert "6 meetings held so far. Robin came to 3 (in person 1, online 1, by phone 1)" in page
    assert "2 of 6 meetings were held without Robin, marked below." in page
    assert page.count("Without Robin</strong>") == 2
    assert "Stayed since the first meeting" in page
    # One row in the practitioners' table says Yes, the two others No.
    practitioners = page.split('id="practitioners-caption"')[1].split("</table>")[0]
    assert practitioners.count('<td class="nhsuk-table__cell">Yes</td>') == 1
    assert practitioners.count('<td class="nhsuk-table__cell">No</td>') == 2


def test_the_lead_sees_the_map_without_change_links(oak, login, team_lead):
    page = login(team_lead).get(reverse("meetings:network_detail", args=[oak.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    assert "Map of the network around Robin" in body
    assert "/members/" not in body.split('id="who-came-caption"')[1].split("</table>")[0]


def test_someone_outside_the_team_gets_404(oak, login, outsider):
    response = login(outsider).get(reverse("meetings:network_detail", args=[oak.pk]))

    assert response.status_code == 404


def test_a_planned_meeting_counts_for_nobody_until_it_is_held(oak, author):
    planned = NetworkMeetingFactory(
        network=oak, starts_at=day(6) + timedelta(days=200), person_attendance="absent"
    )
    PractitionerAttendanceFactory(meeting=planned, practitioner=author)

    picture = picture_of(oak, now=day(6) + timedelta(days=1))

    assert picture.meetings == 6
    assert picture.latest_meeting == day(6)
    assert picture.without_the_person == 2
    assert picture.practitioners[0].attended == 5


def test_a_long_name_is_shortened_on_the_map_only(team):
    network = NetworkFactory(team=team, person="Ash")
    NetworkMemberFactory(
        network=network, name="Maximilian-Alexander", relationship=Relationship.SIBLING
    )

    [point] = picture_of(network).points

    assert point.label == "Maximilia…"
    assert picture_of(network).members[0].member.name == "Maximilian-Alexander"
