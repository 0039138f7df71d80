"""Demo data for `make run`: one team, its people, networks, meetings and a few notes.

Idempotent: people, the team and networks are found by their natural keys, and
a network's meetings (and their reflections) are made only when it has none, so
running it again changes nothing. The random choices come from a fixed seed, so
every machine gets the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from intervision.models import IntervisionSession, SupervisionSummary
from meetings.models import (
    HowPresent,
    MemberAttendance,
    Network,
    NetworkMeeting,
    NetworkMember,
    PersonAttendance,
    Place,
    PractitionerAttendance,
    Relationship,
    SelfCheck,
)
from principles.models import Principle
from reflections.models import Disclosed, Disclosure, PrincipleNote, Reflection, Status
from supervision.models import Response, Share
from teams.models import (
    Discipline,
    GroupAgreement,
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    Role,
    SupervisionLink,
    Team,
    User,
)

DEMO_PASSWORD = "open-dialogue-demo"  # noqa: S105 (printed for people trying the demo)  # nosec B105
DEMO_TEAM = "Riverside POD team"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    role: Role | None
    discipline: str = ""
    is_admin: bool = False


PEERS = [
    DemoPerson("alex.peer@example.org", "Alex", "Rivers", Role.PEER_PRACTITIONER),
    DemoPerson("sam.peer@example.org", "Sam", "Okafor", Role.PEER_PRACTITIONER),
    DemoPerson("jo.peer@example.org", "Jo", "Whitfield", Role.PEER_PRACTITIONER),
]
PRACTITIONERS = [
    DemoPerson("priya.nurse@example.org", "Priya", "Shah", Role.PRACTITIONER, Discipline.NURSING),
    DemoPerson(
        "tom.psychiatrist@example.org", "Tom", "Evans", Role.PRACTITIONER, Discipline.PSYCHIATRY
    ),
    DemoPerson(
        "maya.socialworker@example.org", "Maya", "Jones", Role.PRACTITIONER, Discipline.SOCIAL_WORK
    ),
]
SUPERVISOR = DemoPerson("ruth.supervisor@example.org", "Ruth", "Adeyemi", Role.SUPERVISOR)
TEAM_LEAD = DemoPerson("chris.lead@example.org", "Chris", "Morgan", Role.TEAM_LEAD)
ADMIN = DemoPerson("admin@example.org", "Dana", "Admin", None, is_admin=True)
DEMO_PEOPLE = [*PEERS, *PRACTITIONERS, SUPERVISOR, TEAM_LEAD, ADMIN]

NETWORK_REFERENCES = [
    "Birch", "Cedar", "Elm", "Hazel", "Juniper", "Larch",
    "Maple", "Oak", "Rowan", "Willow", "Alder", "Holly",
]  # fmt: skip

# Days from a network's first contact to its first meeting, for the two networks in
# every three that record a first contact (the third leaves it empty, as teams do).
FIRST_CONTACT_DAYS = [1, 0, 3, 2, 6, 1, 9, 2]

# The person at the centre of each network, by a chosen first name (one per
# reference, in NETWORK_REFERENCES' order).
PERSON_NAMES = [
    "Kai", "Mia", "Tom", "Leah", "Ravi", "Nell",
    "Olu", "Bea", "Finn", "Ada", "Jay", "Rosa",
]  # fmt: skip

# (name as the network uses it, relationship, a word the network uses or "")
MEMBER_POOL = [
    ("Mum", Relationship.PARENT, ""),
    ("Dad", Relationship.PARENT, ""),
    ("Sister", Relationship.SIBLING, ""),
    ("Grandmother", Relationship.OTHER_FAMILY, "Nan"),
    ("Partner", Relationship.PARTNER, ""),
    ("Best friend", Relationship.FRIEND, ""),
    ("Neighbour", Relationship.NEIGHBOUR, ""),
    ("Workmate", Relationship.COLLEAGUE, ""),
    ("Support worker", Relationship.CARER, "key worker"),
    ("Advocate", Relationship.ADVOCATE, ""),
    ("Housing officer", Relationship.PROFESSIONAL_HOUSING, ""),
    ("Work coach", Relationship.PROFESSIONAL_EMPLOYMENT, ""),
    ("GP", Relationship.PROFESSIONAL_GP, ""),
    ("Head of year", Relationship.PROFESSIONAL_SCHOOL, ""),
    ("Social worker", Relationship.PROFESSIONAL_SOCIAL_CARE, ""),
]

# How the person at the centre took part, weighted as teams see it: mostly there.
PERSON_ATTENDANCE_POOL = [
    PersonAttendance.IN_PERSON,
    PersonAttendance.IN_PERSON,
    PersonAttendance.IN_PERSON,
    PersonAttendance.ONLINE,
    PersonAttendance.PHONE,
    PersonAttendance.ABSENT,
]

REFLECTION_TEXTS = [
    "The room was tense at first. Things eased once everyone had said something.",
    "Long silences today; I tried not to fill them.",
    "A family member spoke for the first time about the night it started.",
    "We kept coming back to sleep and money. I noticed my own tiredness.",
    "The reflecting conversation seemed to land: people nodded along.",
]
PRINCIPLE_NOTE_TEXTS = {
    "attunement": "I noticed the quiet one at the edge of the room and asked what they saw.",
    "validation": "I said out loud that the fear made sense, given everything.",
    "connection-and-mutuality": "I let it show that I was moved. Nobody rushed to fix things.",
    "self-disclosure": "I kept my own story back today; it did not feel like the moment.",
}


@dataclass
class DemoSummary:
    users: int
    networks: int
    meetings: int
    reflections: int


def _person(spec: DemoPerson) -> User:
    user, created = User.objects.get_or_create(
        email=spec.email,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "is_staff": spec.is_admin,
            "is_superuser": spec.is_admin,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _meeting_start(day: datetime, rng: random.Random) -> datetime:
    hour = rng.choice([9, 10, 11, 13, 14, 15, 16])
    return timezone.make_aware(datetime.combine(day.date(), time(hour, rng.choice([0, 30]))))


@transaction.atomic
def seed_demo(today: datetime | None = None) -> DemoSummary:
    """Create the demo team and its data, or leave it as it is if it exists."""
    now = today or timezone.now()
    rng = random.Random(2023)  # noqa: S311 (demo data, not security)  # nosec B311
    team, _ = Team.objects.get_or_create(name=DEMO_TEAM)

    people = {spec.email: _person(spec) for spec in DEMO_PEOPLE}
    for spec in DEMO_PEOPLE:
        if spec.role:
            Membership.objects.get_or_create(
                user=people[spec.email], team=team, role=spec.role, discipline=spec.discipline
            )
    supervisor = people[SUPERVISOR.email]
    peers = [people[spec.email] for spec in PEERS]
    practitioners = [people[spec.email] for spec in PRACTITIONERS]
    six_months_ago = (now - timedelta(days=182)).date()
    for peer in peers:
        SupervisionLink.objects.get_or_create(
            supervisor=supervisor, supervisee=peer, defaults={"since": six_months_ago}
        )
    group, _ = IntervisionGroup.objects.get_or_create(
        team=team, name="Peer intervision", defaults={"facilitator": peers[2]}
    )
    group.members.add(*peers)

    principles = list(Principle.objects.peer_practice())
    for index, reference in enumerate(NETWORK_REFERENCES):
        opened_on = (now - timedelta(days=180 - index * 12)).date()
        network, _ = Network.objects.get_or_create(
            team=team, reference=reference, defaults={"opened_on": opened_on}
        )
        NetworkMember.objects.get_or_create(
            network=network,
            relationship=Relationship.PERSON,
            defaults={"name": PERSON_NAMES[index % len(PERSON_NAMES)]},
        )
        if network.meetings.exists():
            continue
        members = [
            NetworkMember.objects.get_or_create(
                network=network, name=name, relationship=relationship, label=label
            )[0]
            for name, relationship, label in rng.sample(MEMBER_POOL, k=rng.randint(2, 4))
        ]
        _seed_meetings(network, members, peers, practitioners, principles, index, now, rng)
    _seed_first_contacts(team)
    if not SelfCheck.objects.filter(meeting__network__team=team).exists():
        _seed_self_checks(team)
    if not Share.objects.filter(reflection__author__in=peers).exists():
        _seed_sharing(supervisor, group, peers, now, rng)
    if not group.sessions.exists():
        _seed_intervision(group, peers, supervisor, now, six_months_ago)

    return DemoSummary(
        users=User.objects.filter(email__in=[spec.email for spec in DEMO_PEOPLE]).count(),
        networks=Network.objects.filter(team=team).count(),
        meetings=NetworkMeeting.objects.filter(network__team=team).count(),
        reflections=Reflection.objects.filter(author__in=people.values()).count(),
    )


def _seed_first_contacts(team: Team) -> None:
    """A first contact a few days before the first meeting, for about two thirds of
    the networks: only where none is set, so running again changes nothing."""
    chosen = [ref for index, ref in enumerate(NETWORK_REFERENCES) if index % 3 != 2]
    networks = (
        Network.objects.filter(team=team, reference__in=chosen, first_contact_on__isnull=True)
        .annotate(first_at=Min("meetings__starts_at"))
        .filter(first_at__isnull=False)
    )
    for network in networks:
        days = FIRST_CONTACT_DAYS[NETWORK_REFERENCES.index(network.reference) % 8]
        first_day = timezone.localdate(network.first_at)
        Network.objects.filter(pk=network.pk).update(
            first_contact_on=first_day - timedelta(days=days)
        )


def _seed_meetings(
    network: Network,
    members: list[NetworkMember],
    peers: list[User],
    practitioners: list[User],
    principles: list[Principle],
    index: int,
    now: datetime,
    rng: random.Random,
) -> None:
    """About five meetings for a network, with the attendance patterns a team sees.

    Networks 0-3 keep one peer at every meeting (continuity); networks 4-7 have a
    first meeting without a peer, who joins later; the rest mix peers freely.
    """
    constant_peer = peers[index % len(peers)]
    meeting_count = rng.randint(3, 7)
    day = datetime.combine(network.opened_on, time(12), tzinfo=now.tzinfo)
    for number in range(meeting_count):
        day = day + timedelta(days=rng.randint(2, 14) if number else rng.randint(0, 2))
        if day >= now:
            break
        meeting = NetworkMeeting.objects.create(
            network=network,
            starts_at=_meeting_start(day, rng),
            duration_minutes=rng.choice([60, 75, 90, 90, 120]),
            place=rng.choice([Place.HOME, Place.HOME, Place.TEAM_BASE, Place.ONLINE, Place.PHONE]),
            person_attendance=rng.choice(PERSON_ATTENDANCE_POOL),
            reflecting_conversation=rng.random() < 0.7,
        )
        if index < 4:
            peer = constant_peer
        elif index < 8 and number == 0:
            peer = None
        else:
            peer = rng.choice([*peers, None])
        if peer is None:
            # Now and then only one practitioner made it: Open Dialogue's warning case.
            colleague_count = 1 if rng.random() < 0.1 else 2
        else:
            colleague_count = rng.choice([1, 1, 2])
        colleagues = rng.sample(practitioners, k=colleague_count)
        if peer:
            PractitionerAttendance.objects.create(
                meeting=meeting, practitioner=peer, role=Role.PEER_PRACTITIONER
            )
        for colleague in colleagues:
            PractitionerAttendance.objects.create(
                meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER
            )
        present = [member for member in members if rng.random() < 0.75] or members[:1]
        MemberAttendance.objects.bulk_create(
            MemberAttendance(meeting=meeting, member=member) for member in present
        )
        if peer and rng.random() < 0.5:
            _seed_reflection(meeting, peer, principles, rng)


def _seed_reflection(
    meeting: NetworkMeeting, author: User, principles: list[Principle], rng: random.Random
) -> None:
    reflection = Reflection.objects.create(
        author=author,
        meeting=meeting,
        written_at=meeting.starts_at + timedelta(hours=rng.randint(2, 30)),
        text=rng.choice(REFLECTION_TEXTS),
        status=Status.FINAL if rng.random() < 0.8 else Status.DRAFT,
    )
    if rng.random() < 0.3:
        Disclosure.objects.create(
            reflection=reflection,
            disclosed=rng.choice([Disclosed.IN_DIALOGUE, Disclosed.IN_REFLECTING]),
            what_shared="That I have been where they are.",
            what_guided="It felt like it might help the quieter ones speak.",
            felt_safe=rng.choice(["yes", "partly", "no"]),
            colleague_response=rng.choice(["supportive", "neutral", "uncomfortable"]),
            emotional_cost=rng.randint(0, 4),
        )
    for principle in rng.sample(principles, k=min(len(principles), rng.randint(1, 3))):
        PrincipleNote.objects.create(
            reflection=reflection,
            principle=principle,
            text=PRINCIPLE_NOTE_TEXTS.get(principle.slug, ""),
        )


# How the demo team sees each Open Dialogue principle in its meetings (weights of
# not at all, a little, clearly, strongly, not sure): strong on dialogism and
# the network, less sure about continuity and tolerating uncertainty.
SELF_CHECK_WEIGHTS = {
    "immediate-help": (0, 0, 5, 3, 2),
    "social-network-perspective": (0, 0, 4, 6, 0),
    "flexibility-and-mobility": (0, 0, 6, 3, 1),
    "responsibility": (0, 0, 5, 4, 1),
    "psychological-continuity": (1, 4, 4, 1, 0),
    "tolerance-of-uncertainty": (0, 5, 4, 1, 1),
    "dialogism": (0, 0, 3, 7, 0),
}


def _seed_self_checks(team: Team) -> None:
    """Dialogic self-checks from about four in five of the practitioners at each
    meeting, so the dashboard's self-report has months to show. Its own random
    numbers, so the rest of the demo is as it was."""
    rng = random.Random(14)  # noqa: S311 (demo data, not security)  # nosec B311
    choices = [value for value, _ in HowPresent.choices]
    meetings = NetworkMeeting.objects.filter(network__team=team).order_by("starts_at", "pk")
    for meeting in meetings.prefetch_related("practitioner_attendances"):
        for attendance in meeting.practitioner_attendances.all():
            if rng.random() < 0.8:
                answers = {
                    slug: rng.choices(choices, weights=weights)[0]
                    for slug, weights in SELF_CHECK_WEIGHTS.items()
                }
                SelfCheck.record(meeting, attendance.practitioner, answers)


DEMO_AGREEMENT = {
    "what_is_recorded": (
        "The date, who came, the roles of the round and a few lines on the themes. "
        "No names of the people in our networks."
    ),
    "who_may_read": "Those of us who were there, and our facilitator.",
    "confidentiality_limits": (
        "What is said stays in the group, unless someone's safety is at risk: then "
        "we say so in the group first."
    ),
    "taken_to_supervision": (
        "Only a summary of themes and questions, when everyone who was there agrees."
    ),
}


@transaction.atomic
def _seed_intervision(
    group: IntervisionGroup,
    peers: list[User],
    supervisor: User,
    now: datetime,
    since: date,
) -> None:
    """The group's agreement, its supervisor, and three monthly sessions: the
    oldest summary reviewed with a response, the latest awaiting review."""
    facilitator = group.facilitator
    agreement = GroupAgreement.write(group, facilitator, quorum=None, **DEMO_AGREEMENT)
    for peer in peers:
        agreement.accept(peer)
    # Made when it started (six months ago), so it reaches the summaries since.
    made = datetime.combine(since, time(9), tzinfo=now.tzinfo)
    GroupSupervisionLink.objects.get_or_create(
        group=group, supervisor=supervisor, defaults={"since": since, "created_at": made}
    )
    shared = list(group.shares.order_by("shared_at"))
    for months_ago in (2, 1, 0):
        held_on = (now - timedelta(days=30 * months_ago + 3)).date()
        presenter, note_taker = peers[months_ago % 2], peers[(months_ago + 1) % 2]
        session = IntervisionSession(
            group=group,
            held_on=held_on,
            duration=90,
            presenter=presenter,
            facilitator=facilitator,
            note_taker=note_taker,
        )
        brought = [share for share in shared if share.reflection.author_id == presenter.pk]
        session.record(facilitator, peers, brought[:1])
        session.write_notes(
            note_taker,
            "We listened to how it felt to stay with silence in a first meeting, and "
            "to when sharing one's own story helped and when it did not.",
            session.revision,
        )
        summary = SupervisionSummary.draft(
            session,
            note_taker,
            "Pacing self-disclosure in first meetings; holding silence.",
            "How do we know when a disclosure is for the network and not for us?",
        )
        for peer in peers:
            summary.agree(peer)
        if months_ago == 2:
            summary.respond(supervisor, "Let us take the pacing question to our next session.")
            summary.mark_reviewed(supervisor)
        # Dated as the story goes: agreed two days after the session, reviewed later.
        agreed_at = datetime.combine(held_on + timedelta(days=2), time(17), tzinfo=now.tzinfo)
        SupervisionSummary.objects.filter(pk=summary.pk).update(
            agreed_at=min(agreed_at, now), agreed_on=min(agreed_at, now).date()
        )
        if summary.reviewed_at:
            SupervisionSummary.objects.filter(pk=summary.pk).update(
                reviewed_at=agreed_at + timedelta(days=3),
                responded_at=agreed_at + timedelta(days=3),
            )


@transaction.atomic
def _seed_sharing(
    supervisor: User, group: IntervisionGroup, peers: list[User], now: datetime, rng: random.Random
) -> None:
    """Share some finished notes, so the supervisor's inbox and the group have a story."""
    finished = list(
        Reflection.objects.filter(author__in=peers, status=Status.FINAL).order_by("written_at")
    )
    # Through the audited methods every view uses; then dated as the story goes.
    for number, reflection in enumerate(finished[-10:]):
        share = reflection.share_with(supervisor=supervisor, include_disclosure=number % 2 == 0)
        shared_at = reflection.written_at + timedelta(hours=2)
        Share.objects.filter(pk=share.pk).update(shared_at=shared_at)
        if number < 4:
            response = share.respond(
                supervisor, "Thank you for sharing this. Let's make time for it when we meet."
            )
            share.mark_reviewed(supervisor)
            a_day_later = shared_at + timedelta(days=1)
            Response.objects.filter(pk=response.pk).update(created_at=a_day_later)
            Share.objects.filter(pk=share.pk).update(reviewed_at=a_day_later)
    for reflection in finished[-3:]:
        share = reflection.share_with(group=group)
        Share.objects.filter(pk=share.pk).update(shared_at=now - timedelta(days=2))
