"""Small factories for the domain. Each makes the least a valid row needs."""

from datetime import timedelta

import factory
from django.utils import timezone

from meetings.models import (
    Network,
    NetworkMeeting,
    NetworkMember,
    PersonAttendance,
    Place,
    PractitionerAttendance,
    Relationship,
)
from reflections.models import Reflection
from teams.models import Membership, Role, Team, User

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.PEER_PRACTITIONER
    discipline = factory.LazyAttribute(lambda m: "nursing" if m.role == Role.PRACTITIONER else "")


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    reference = factory.Sequence(lambda n: f"NW-{n:03d}")
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=90))

    @factory.post_generation
    def person(network, create, extracted, **kwargs):
        """Every network has its person at the centre, as the network form makes
        one: NetworkFactory(person="Ash") names them, person=False leaves them out."""
        if create and extracted is not False:
            network.add_person_at_the_centre(extracted or "Robin")


class NetworkMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMember

    network = factory.SubFactory(NetworkFactory)
    name = "Mum"
    relationship = Relationship.PARENT


class NetworkMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMeeting

    network = factory.SubFactory(NetworkFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    duration_minutes = 90
    place = Place.HOME
    person_attendance = PersonAttendance.IN_PERSON


class PractitionerAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PractitionerAttendance

    meeting = factory.SubFactory(NetworkMeetingFactory)
    practitioner = factory.SubFactory(UserFactory)
    role = Role.PEER_PRACTITIONER


class ReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection

    author = factory.SubFactory(UserFactory)
    text = "What happened between us."
