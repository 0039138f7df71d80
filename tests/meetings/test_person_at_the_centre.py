"""The person at the centre: one member of their own kind per network, created with
the network, and whether they attended each meeting, asked first."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from meetings.forms import MeetingForm, NetworkForm, NetworkMemberForm
from meetings.models import (
    ONE_PERSON,
    PERSON_NOT_REMOVED,
    PERSON_STAYS,
    MemberAttendance,
    Network,
    NetworkMeeting,
    NetworkMember,
    PersonAttendance,
    Relationship,
)
from teams.models import Team
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BEFORE = ("meetings", "0005_network_first_contact")
GIVES_A_PERSON = ("meetings", "0007_give_networks_a_person")
NEW_NETWORK = reverse("meetings:network_create")
YESTERDAY = timezone.localdate() - timedelta(days=1)


def error_messages(excinfo, field: str) -> list[str]:
    return excinfo.value.message_dict[field]


def meeting_data(practitioners, members=(), **fields) -> dict:
    return {
        "person_attendance": "online",
        "starts_at_0": YESTERDAY.isoformat(),
        "starts_at_1": "14:30",
        "duration_minutes": "90",
        "place": "home",
        "practitioners": [person.pk for person in practitioners],
        "members": [member.pk for member in members],
        "_fields": ["practitioners", "members", "reflecting_conversation"],
        **fields,
    }


# Creating a network creates its person at the centre --------------------------


def test_adding_a_network_asks_the_persons_first_or_chosen_name(login, author, team):
    client = login(author)

    page = client.get(NEW_NETWORK).content.decode()
    response = client.post(
        NEW_NETWORK, {"reference": "Rowan", "person_name": "  Kai  ", "opened_on": YESTERDAY}
    )

    assert "The person&#x27;s first or chosen name" in page
    assert "never a surname, a date of birth or an identifier" in page
    network = Network.objects.get()
    assert response.url == network.get_absolute_url()
    person = network.person_at_the_centre()
    assert (person.name, person.relationship) == ("Kai", Relationship.PERSON)
    assert list(network.members.all()) == [person]


def test_the_persons_name_is_required_when_adding_a_network(login, author, team):
    response = login(author).post(NEW_NETWORK, {"reference": "Rowan", "opened_on": YESTERDAY})

    assert response.status_code == 422
    assert "Enter the first or chosen name of the person at the centre." in (
        response.content.decode()
    )
    assert not Network.objects.exists()
    assert not NetworkMember.objects.exists()


def test_the_name_field_is_asked_right_after_the_reference_and_only_when_adding(team):
    teams = Team.objects.filter(pk=team.pk)
    adding = NetworkForm(teams=teams)
    changing = NetworkForm(instance=NetworkFactory(team=team), teams=teams)

    assert list(adding.fields)[:2] == ["reference", "person_name"]
    assert adding.fields["person_name"].required
    assert "person_name" not in changing.fields


def test_the_network_page_shows_the_person_and_links_to_change_their_name(login, author, network):
    person = network.person_at_the_centre()
    page = login(author).get(network.get_absolute_url()).content.decode()

    assert "The person at the centre" in page
    assert person.name in page
    assert reverse("meetings:member_edit", args=[network.pk, person.pk]) in page


def test_the_persons_name_is_changed_on_its_own_page_without_a_relationship(login, author, network):
    person = network.person_at_the_centre()
    url = reverse("meetings:member_edit", args=[network.pk, person.pk])
    client = login(author)

    page = client.get(url).content.decode()
    response = client.post(url, {"name": "Kai", "relationship": "parent", "revision": "1"})

    assert "Change the name of the person at the centre" in page
    assert 'name="relationship"' not in page
    assert response.url == network.get_absolute_url()
    person.refresh_from_db()
    assert (person.name, person.relationship) == ("Kai", Relationship.PERSON)


def test_other_members_cannot_be_given_the_persons_relationship(network):
    form = NetworkMemberForm(
        {"name": "Kai", "relationship": "person"}, instance=NetworkMember(network=network)
    )

    assert Relationship.PERSON not in dict(form.fields["relationship"].choices)
    assert not form.is_valid()
    assert "relationship" in form.errors


# Exactly one per network ------------------------------------------------------


def test_a_second_person_at_the_centre_is_refused_by_validation(network):
    second = NetworkMember(network=network, name="Kai", relationship=Relationship.PERSON)

    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()

    assert error_messages(excinfo, "relationship") == [ONE_PERSON]


def test_a_second_person_at_the_centre_is_refused_by_the_database(network):
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkMember.objects.create(network=network, name="Kai", relationship="person")

    assert network.members.person_at_the_centre().count() == 1


def test_the_constraint_is_per_network(team):
    one, two = NetworkFactory(team=team), NetworkFactory(team=team)

    assert one.person_at_the_centre() != two.person_at_the_centre()
    assert NetworkMember.objects.person_at_the_centre().count() == 2


def test_the_person_at_the_centre_keeps_their_relationship(network):
    person = network.person_at_the_centre()
    person.relationship = Relationship.PARENT

    with pytest.raises(ValidationError) as excinfo:
        person.full_clean()

    assert error_messages(excinfo, "relationship") == [PERSON_STAYS]


def test_another_member_cannot_become_the_person_at_the_centre(team):
    network = NetworkFactory(team=team, person=False)  # even with the place free
    mum = NetworkMemberFactory(network=network)
    mum.relationship = Relationship.PERSON

    with pytest.raises(ValidationError) as excinfo:
        mum.full_clean()

    assert "Only the person at the centre" in error_messages(excinfo, "relationship")[0]


def test_the_person_at_the_centre_cannot_be_deleted_but_goes_with_the_network(network):
    person = network.person_at_the_centre()

    with pytest.raises(ValidationError) as excinfo:
        person.delete()
    assert excinfo.value.messages == [PERSON_NOT_REMOVED]
    assert NetworkMember.objects.filter(pk=person.pk).exists()

    network.delete()
    assert not NetworkMember.objects.filter(pk=person.pk).exists()


def test_the_person_is_recorded_by_name_only():
    fields = {field.name for field in NetworkMember._meta.get_fields()}

    assert not fields & {"surname", "last_name", "date_of_birth", "nhs_number", "identifier"}
    assert "surname" in NetworkMember._meta.get_field("name").help_text


# Whether the person attended each meeting -------------------------------------


def test_the_meeting_form_asks_the_persons_attendance_first(author, network, member):
    form = MeetingForm(instance=NetworkMeeting(network=network), user=author)
    person = network.person_at_the_centre()

    assert form.visible_fields()[0].name == "person_attendance"
    assert form.fields["person_attendance"].label == f"Was {person.name} at the meeting?"
    assert list(form.fields["person_attendance"].choices) == [
        ("in_person", "In person"),
        ("online", "Online"),
        ("phone", "By phone"),
        ("absent", "Not present"),
    ]


def test_the_log_a_meeting_page_shows_the_person_first(login, author, network):
    page = login(author).get(reverse("meetings:meeting_create", args=[network.pk]))
    html = page.content.decode()

    assert html.index('name="person_attendance"') < html.index('name="starts_at_0"')


def test_a_new_meeting_needs_the_persons_attendance(login, author, colleague, network):
    response = login(author).post(
        reverse("meetings:meeting_create", args=[network.pk]),
        meeting_data([author, colleague], person_attendance=""),
    )

    assert response.status_code == 422
    assert (
        '<a href="#id_person_attendance_0">Choose whether the person at the centre was there, '
        "and how.</a>" in response.content.decode()
    )
    assert not NetworkMeeting.objects.exists()


def test_logging_a_meeting_records_the_persons_attendance(login, author, colleague, network):
    login(author).post(
        reverse("meetings:meeting_create", args=[network.pk]),
        meeting_data([author, colleague], person_attendance="phone"),
    )

    meeting = NetworkMeeting.objects.get()
    assert meeting.person_attendance == PersonAttendance.PHONE
    assert not meeting.members_present.exists()  # the person is not a member present


def test_members_present_leave_out_the_person_at_the_centre(author, network, member):
    form = MeetingForm(instance=NetworkMeeting(network=network), user=author)

    assert list(form.fields["members"].queryset) == [member]


def test_ticking_the_person_as_a_member_present_is_refused(login, author, colleague, network):
    person = network.person_at_the_centre()

    response = login(author).post(
        reverse("meetings:meeting_create", args=[network.pk]),
        meeting_data([author, colleague], members=[person]),
    )

    assert response.status_code == 422
    assert not NetworkMeeting.objects.exists()


def test_attendance_rows_refuse_the_person_at_the_centre(network):
    meeting = NetworkMeetingFactory(network=network)
    attendance = MemberAttendance(meeting=meeting, member=network.person_at_the_centre())

    with pytest.raises(ValidationError) as excinfo:
        attendance.full_clean()

    assert "recorded on the meeting" in error_messages(excinfo, "member")[0]


def test_attendance_must_be_one_of_the_choices(network):
    meeting = NetworkMeetingFactory.build(network=network, person_attendance="sometimes")

    with pytest.raises(ValidationError) as excinfo:
        meeting.full_clean()
    assert error_messages(excinfo, "person_attendance") == [
        "Value 'sometimes' is not a valid choice."
    ]

    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()  # the database refuses it too


def test_a_meeting_logged_before_shows_not_recorded_and_may_stay_so(
    login, author, network, meeting
):
    NetworkMeeting.objects.filter(pk=meeting.pk).update(person_attendance=None)
    meeting.refresh_from_db()
    client = login(author)

    detail = client.get(meeting.get_absolute_url()).content.decode()
    form = MeetingForm(instance=meeting, user=author)

    assert meeting.person_attendance_shown == "Not recorded"
    assert "Not recorded" in detail
    assert not form.fields["person_attendance"].required
    response = client.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        {"duration_minutes": "75", "person_attendance": "", "revision": "1"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.duration_minutes, meeting.person_attendance) == (75, None)


def test_a_recorded_attendance_stays_required_when_editing(author, meeting):
    form = MeetingForm({"person_attendance": "", "revision": "1"}, instance=meeting, user=author)

    assert not form.is_valid()
    assert "person_attendance" in form.errors


def test_the_meeting_pages_show_how_the_person_attended(login, author, network, meeting):
    NetworkMeeting.objects.filter(pk=meeting.pk).update(person_attendance="online")
    client = login(author)

    assert "Online" in client.get(meeting.get_absolute_url()).content.decode()
    assert "Online" in client.get(network.get_absolute_url()).content.decode()


# The data migration -----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migration_gives_each_existing_network_its_person():
    # transaction=True: SQLite's schema editor refuses to run inside the atomic
    # block an ordinary django_db test is wrapped in.
    executor = MigrationExecutor(connection)
    if GIVES_A_PERSON not in executor.loader.applied_migrations:
        pytest.skip("test database was built without migrations (--nomigrations)")
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    team = old.get_model("teams", "Team").objects.create(name="Riverside")
    OldNetwork = old.get_model("meetings", "Network")
    OldMember = old.get_model("meetings", "NetworkMember")
    OldMeeting = old.get_model("meetings", "NetworkMeeting")
    birch = OldNetwork.objects.create(team=team, reference="Birch")
    long_ref = OldNetwork.objects.create(team=team, reference="R" * 40)
    OldMember.objects.create(network=birch, name="Mum", relationship="family")
    OldMeeting.objects.create(
        network=birch, starts_at=timezone.now(), duration_minutes=60, place="home"
    )
    before = (OldNetwork.objects.count(), OldMember.objects.count(), OldMeeting.objects.count())

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert before == (2, 1, 1)
    assert (Network.objects.count(), NetworkMember.objects.count()) == (2, 3)
    people = dict(NetworkMember.objects.person_at_the_centre().values_list("network_id", "name"))
    assert people == {birch.pk: "Birch", long_ref.pk: "R" * 40}
    assert NetworkMember.objects.get(name="Mum").relationship == Relationship.OTHER_FAMILY
    assert NetworkMeeting.objects.get().person_attendance is None  # "not recorded"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_data_migration_can_be_reversed_and_applied_again():
    executor = MigrationExecutor(connection)
    if GIVES_A_PERSON not in executor.loader.applied_migrations:
        pytest.skip("test database was built without migrations (--nomigrations)")
    network = NetworkFactory(reference="Birch", person="Kai")
    NetworkMemberFactory(network=network, name="Mum")

    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    assert list(
        old.get_model("meetings", "NetworkMember").objects.values_list("name", "relationship")
    ) == [("Mum", "family")]

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Named by the reference again: the name given before was undone with the kind.
    assert network.person_at_the_centre().name == "Birch"
    assert NetworkMember.objects.get(name="Mum").relationship == Relationship.OTHER_FAMILY


# The admin: two people at the centre entered at once ------------------------


def test_the_admin_refuses_two_people_at_the_centre_as_a_form_error(login, team):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client = login(admin)
    prefix = "members"
    data = {
        "team": team.pk,
        "reference": "Elm",
        "opened_on": YESTERDAY.isoformat(),
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-name": "Ash",
        f"{prefix}-0-relationship": "person",
        f"{prefix}-1-name": "Robin",
        f"{prefix}-1-relationship": "person",
    }

    response = client.post(reverse("admin:meetings_network_add"), data)

    assert response.status_code == 200
    assert ONE_PERSON in response.content.decode()
    assert not Network.objects.filter(reference="Elm").exists()
