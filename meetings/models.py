"""Networks and their meetings.

A network is the person at the centre of a crisis with the people around them.
It is known by a pseudonymous reference the team chooses. The person at the
centre is a network member of their own kind (Relationship.PERSON), exactly one
per network, recorded like every member by a first or chosen name only: there is
no field for a surname, a date of birth, an identifier or a diagnosis, on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from pod_site.dates import check_range, shift_years
from pod_site.editing import Revisioned
from principles.models import OPEN_DIALOGUE, Principle
from teams.models import PRACTICE_ROLES, Membership, Role, Team

# Open Dialogue's standard: at least two practitioners meet with a network.
MINIMUM_PRACTITIONERS = 2
# A network opened (or closed) longer ago than this is a mistyped year.
OPENING_YEARS = 30
# A first contact typed further back than this is a mistyped year (the form checks
# it when the date changes, so an old network keeps the date it has).
FIRST_CONTACT_YEARS = 5


def first_contact_not_in_future(value: date) -> None:
    """A field validator, so it runs only when the form carries the field (a partial
    save without it leaves the date alone: pod_site/editing.py)."""
    check_range(
        value,
        latest=timezone.localdate(),
        too_late="The first contact date cannot be in the future.",
    )


class NetworkQuerySet(models.QuerySet["Network"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> NetworkQuerySet:
        """The one visibility rule for networks: members of the network's team see it."""
        if not user.is_authenticated:
            return self.none()
        # Exists rather than a join: a person may hold several roles in a team,
        # and a join would repeat the network once per role.
        return self.filter(Exists(Membership.objects.filter(team=OuterRef("team"), user=user)))

    def practised_by(self, user: settings.AUTH_USER_MODEL) -> NetworkQuerySet:
        """Networks of the teams where the person practises, so may log meetings."""
        return self.filter(team__in=user.practising_teams())

    def search(self, query: str) -> NetworkQuerySet:
        query = query.strip()
        return self.filter(reference__icontains=query) if query else self

    def with_meeting_summary(self) -> NetworkQuerySet:
        """Annotate `meeting_count` and `last_meeting_at` for lists."""
        return self.annotate(
            meeting_count=Count("meetings"), last_meeting_at=Max("meetings__starts_at")
        )

    def open_first(self) -> NetworkQuerySet:
        return self.order_by(F("closed_on").desc(nulls_first=True), "reference")


class Network(Revisioned):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="networks")
    reference = models.CharField(
        max_length=40,
        help_text="A pseudonymous reference the team chooses. Never the person's full name.",
    )
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    # Open Dialogue's "immediate help": the dashboard counts the days from this
    # to the network's first meeting (dashboards/measures/immediate_help.py).
    first_contact_on = models.DateField(
        "first contact",
        null=True,
        blank=True,
        validators=[first_contact_not_in_future],
        help_text="When the person or someone in their network first contacted the team.",
    )

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["team", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "reference"],
                name="network_reference_unique_in_team",
                violation_error_message="This team already has a network with this reference.",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="network_closed_after_opened",
                violation_error_message="A network cannot close before it opened.",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("meetings:network_detail", args=[self.pk])

    def clean(self) -> None:
        self.reference = " ".join(self.reference.split())
        self.check_date_ranges()
        if self.pk is None:
            return
        # Keep the dates consistent with the meetings already logged, which
        # NetworkMeeting.clean checks the other way round.
        span = self.meetings.aggregate(first=Min("starts_at"), last=Max("starts_at"))
        if span["first"] is None:
            return
        first, last = timezone.localdate(span["first"]), timezone.localdate(span["last"])
        errors = {}
        if self.opened_on and first < self.opened_on:
            errors["opened_on"] = f"The first meeting was on {first:%d %B %Y}, before this date."
        if self.closed_on and last > self.closed_on:
            errors["closed_on"] = f"The last meeting was on {last:%d %B %Y}, after this date."
        if errors:
            raise ValidationError(errors)

    def check_date_ranges(self) -> None:
        """Opened and closed within the last OPENING_YEARS years and not in the future."""
        today = timezone.localdate()
        earliest = shift_years(today, -OPENING_YEARS)
        errors = {}
        for field, what in (("opened_on", "opening"), ("closed_on", "closing")):
            try:
                check_range(
                    getattr(self, field),
                    earliest=earliest,
                    latest=today,
                    too_early=f"The {what} date must be within the last {OPENING_YEARS} years.",
                    too_late=f"The {what} date cannot be in the future.",
                )
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    def person_at_the_centre(self) -> NetworkMember | None:
        """The member the network gathers around (one per network, a constraint)."""
        return self.members.person_at_the_centre().first()

    def add_person_at_the_centre(self, name: str) -> NetworkMember:
        """Record the person at the centre of a new network, by first or chosen name."""
        name_field = NetworkMember._meta.get_field("name")
        return NetworkMember.objects.create(
            network=self,
            name=" ".join(name.split())[: name_field.max_length],
            relationship=Relationship.PERSON,
        )

    def is_practised_by(self, user: settings.AUTH_USER_MODEL) -> bool:
        """Whether the person may log meetings for this network and change it."""
        return user.practising_teams().filter(pk=self.team_id).exists()

    def practice_roles(self) -> dict[int, str]:
        """The role each practising member of the team holds at a meeting, by user id.

        Someone who is both a peer practitioner and a practitioner attends as a
        peer: the peer contribution is what the team needs to see.
        """
        roles: dict[int, str] = {}
        for user_id, role in (
            Membership.objects.practising()
            .filter(team_id=self.team_id)
            .values_list("user_id", "role")
        ):
            if role == Role.PEER_PRACTITIONER or user_id not in roles:
                roles[user_id] = role
        return roles


class Relationship(models.TextChoices):
    """How someone is related to the network: one list, the person at the centre first.

    Kept in this order on the member form and the network page; the groups
    shown on the network page are RELATIONSHIP_GROUPS.
    """

    PERSON = "person", "The person at the centre"
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    OTHER_FAMILY = "other_family", "Other family"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    CARER = "carer", "Carer"
    COLLEAGUE = "colleague", "Colleague"
    PEER_SUPPORTER = "peer_supporter", "Peer supporter from outside the team"
    INTERPRETER = "interpreter", "Interpreter"
    ADVOCATE = "advocate", "Advocate"
    PROFESSIONAL_HOUSING = "professional_housing", "Professional: housing"
    PROFESSIONAL_GP = "professional_gp", "Professional: GP"
    PROFESSIONAL_SCHOOL = "professional_school", "Professional: school"
    PROFESSIONAL_EMPLOYMENT = "professional_employment", "Professional: employment"
    PROFESSIONAL_SOCIAL_CARE = "professional_social_care", "Professional: social care"
    PROFESSIONAL_OTHER = "professional_other", "Other professional"


# The network page lists members under these headings, in this order.
RELATIONSHIP_GROUPS: list[tuple[str, list[Relationship]]] = [
    (
        "Family",
        [
            Relationship.PARENT,
            Relationship.CHILD,
            Relationship.SIBLING,
            Relationship.PARTNER,
            Relationship.OTHER_FAMILY,
        ],
    ),
    (
        "Friends and community",
        [Relationship.FRIEND, Relationship.NEIGHBOUR, Relationship.COLLEAGUE],
    ),
    (
        "Support",
        [
            Relationship.CARER,
            Relationship.PEER_SUPPORTER,
            Relationship.INTERPRETER,
            Relationship.ADVOCATE,
        ],
    ),
    (
        "Professionals from other services",
        [
            Relationship.PROFESSIONAL_HOUSING,
            Relationship.PROFESSIONAL_GP,
            Relationship.PROFESSIONAL_SCHOOL,
            Relationship.PROFESSIONAL_EMPLOYMENT,
            Relationship.PROFESSIONAL_SOCIAL_CARE,
            Relationship.PROFESSIONAL_OTHER,
        ],
    ),
]

NAME_HELP = (
    "A first or chosen name, or a role, as the network uses it. Never a surname, "
    "a date of birth or an identifier."
)
ONE_PERSON = "A network has exactly one person at the centre."
PERSON_STAYS = (
    "The person at the centre stays the person at the centre: their relationship cannot change."
)
NOT_THE_PERSON = (
    "Only the person at the centre, recorded when the network was added, has this relationship."
)
PERSON_NOT_REMOVED = "The person at the centre cannot be removed from their network."


class NetworkMemberQuerySet(models.QuerySet["NetworkMember"]):
    def person_at_the_centre(self) -> NetworkMemberQuerySet:
        return self.filter(relationship=Relationship.PERSON)

    def around_the_person(self) -> NetworkMemberQuerySet:
        """Everyone else: the members whose attendance a meeting ticks."""
        return self.exclude(relationship=Relationship.PERSON)


class NetworkMember(Revisioned):
    """Someone in the network, recorded by first name or role ("Mum", "housing officer").

    The person at the centre is a member too, exactly one per network (a
    constraint), created with the network; they cannot be removed or become
    another kind of member, and nobody else can become them.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=80, help_text=NAME_HELP)
    relationship = models.CharField(max_length=32, choices=Relationship.choices)
    label = models.CharField(
        max_length=40,
        blank=True,
        help_text="A word the network uses: 'Nan', 'key worker'.",
    )

    objects = NetworkMemberQuerySet.as_manager()

    class Meta:
        ordering = ["network", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network"],
                condition=Q(relationship="person"),
                name="network_has_one_person_at_the_centre",
                violation_error_message=ONE_PERSON,
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_person_at_the_centre(self) -> bool:
        return self.relationship == Relationship.PERSON

    def clean(self) -> None:
        if self.pk is not None:
            saved = (
                type(self)
                ._base_manager.filter(pk=self.pk)
                .values_list("relationship", flat=True)
                .first()
            )
            if saved == Relationship.PERSON and not self.is_person_at_the_centre:
                raise ValidationError({"relationship": PERSON_STAYS})
            if saved is not None and saved != Relationship.PERSON and self.is_person_at_the_centre:
                raise ValidationError({"relationship": NOT_THE_PERSON})
        if self.is_person_at_the_centre and self.network_id is not None:
            others = NetworkMember.objects.filter(
                network_id=self.network_id, relationship=Relationship.PERSON
            ).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError({"relationship": ONE_PERSON})

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """Refused for the person at the centre, who goes only with their network
        (a network's deletion cascades without calling this)."""
        if self.is_person_at_the_centre:
            raise ValidationError(PERSON_NOT_REMOVED)
        return super().delete(*args, **kwargs)


class Place(models.TextChoices):
    HOME = "home", "Home"
    TEAM_BASE = "team_base", "Team base"
    ONLINE = "online", "Online"
    PHONE = "phone", "Phone"
    OTHER = "other", "Other"


class NetworkMeetingQuerySet(models.QuerySet["NetworkMeeting"]):
    def for_user(self, user: settings.AUTH_USER_MODEL) -> NetworkMeetingQuerySet:
        """The one visibility rule for meetings: members of the network's team see them."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Membership.objects.filter(team=OuterRef("network__team"), user=user))
        )

    def attended_by(self, user: settings.AUTH_USER_MODEL) -> NetworkMeetingQuerySet:
        return self.filter(
            Exists(PractitionerAttendance.objects.filter(meeting=OuterRef("pk"), practitioner=user))
        )

    def with_is_first(self) -> NetworkMeetingQuerySet:
        """Annotate `is_first_meeting`: no earlier meeting of the same network exists."""
        earlier = NetworkMeeting.objects.filter(
            network=OuterRef("network"), starts_at__lt=OuterRef("starts_at")
        )
        return self.annotate(is_first_meeting=~Exists(earlier))

    def timeline(self) -> NetworkMeetingQuerySet:
        """Newest first, with whether each is the first and who attended, in fixed queries."""
        return (
            self.with_is_first()
            .select_related("network")
            .prefetch_related(
                Prefetch(
                    "practitioner_attendances",
                    queryset=PractitionerAttendance.objects.select_related("practitioner"),
                ),
                "members_present",
            )
            .order_by("-starts_at")
        )


class PersonAttendance(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    PHONE = "phone", "By phone"
    ABSENT = "absent", "Not present"


class NetworkMeeting(Revisioned):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="meetings")
    # NULL only for meetings logged before it was asked ("not recorded"), which is
    # not an answer; the meeting form requires it for a new meeting.
    person_attendance = models.CharField(  # noqa: DJ001
        "did the person at the centre attend?",
        max_length=16,
        choices=PersonAttendance.choices,
        null=True,
        blank=True,
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)",
        validators=[
            MinValueValidator(1, "A meeting lasts at least 1 minute."),
            MaxValueValidator(600, "A meeting lasts at most 600 minutes (10 hours)."),
        ],
    )
    place = models.CharField(max_length=16, choices=Place.choices)
    reflecting_conversation = models.BooleanField(
        "reflecting conversation held",
        default=False,
        help_text="Did the practitioners talk together, in the room, about what they heard?",
    )
    practitioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="PractitionerAttendance",
        related_name="attended_meetings",
    )
    members_present = models.ManyToManyField(
        NetworkMember, through="MemberAttendance", related_name="attended_meetings"
    )

    objects = NetworkMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            # Also the index for a network's meetings by time. It stops a form
            # submitted twice from logging the same meeting twice.
            models.UniqueConstraint(
                fields=["network", "starts_at"],
                name="meeting_network_starts_at_unique",
                violation_error_message="This network already has a meeting at this time.",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="meeting_duration_1_to_600_minutes",
                violation_error_message="A meeting lasts from 1 to 600 minutes.",
            ),
            models.CheckConstraint(
                condition=Q(person_attendance__isnull=True)
                | Q(person_attendance__in=PersonAttendance.values),
                name="meeting_person_attendance_valid",
                violation_error_message="Choose how the person at the centre attended.",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.network} · {local:%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def person_attendance_shown(self) -> str:
        """How the person at the centre attended, or "Not recorded" for an older meeting."""
        return self.get_person_attendance_display() if self.person_attendance else "Not recorded"

    def clean(self) -> None:
        if self.starts_at is None or self.network_id is None:
            return
        day = timezone.localdate(self.starts_at)
        if day < self.network.opened_on:
            raise ValidationError(
                {
                    "starts_at": (
                        f"This is before the network opened on {self.network.opened_on:%d %B %Y}."
                    )
                }
            )
        if self.network.closed_on and day > self.network.closed_on:
            raise ValidationError(
                {
                    "starts_at": (
                        f"This is after the network closed on {self.network.closed_on:%d %B %Y}."
                    )
                }
            )

    @property
    def is_first(self) -> bool:
        """Whether this is the network's first meeting, derived from the data."""
        annotated = getattr(self, "is_first_meeting", None)
        if annotated is not None:
            return annotated
        return not self.network.meetings.filter(starts_at__lt=self.starts_at).exists()

    def practitioner_warning(self) -> str | None:
        """A warning, never a refusal, when fewer than two practitioners were present."""
        count = self.practitioner_attendances.count()
        if count >= MINIMUM_PRACTITIONERS:
            return None
        return (
            f"Only {count} practitioner{'s' if count != 1 else ''} recorded. Open Dialogue "
            f"meets a network with at least {MINIMUM_PRACTITIONERS} practitioners."
        )


class PractitionerAttendance(models.Model):
    """A practitioner at a meeting, with the role they held in it."""

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="practitioner_attendances"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_attendances"
    )
    role = models.CharField(
        max_length=32, choices=[(role.value, role.label) for role in PRACTICE_ROLES]
    )

    class Meta:
        ordering = ["meeting", "role", "practitioner"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "practitioner"],
                name="practitioner_attends_meeting_once",
                violation_error_message="This practitioner is already recorded at this meeting.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} ({self.get_role_display()})"

    def clean(self) -> None:
        team = _team_of(self)
        if team is None or self.practitioner_id is None:
            return
        holds_role = Membership.objects.filter(
            user_id=self.practitioner_id, team=team, role=self.role
        ).exists()
        if holds_role:
            return
        in_team = Membership.objects.filter(user_id=self.practitioner_id, team=team).exists()
        if not in_team:
            raise ValidationError(
                {"practitioner": f"{self.practitioner} is not a member of the team {team}."}
            )
        raise ValidationError(
            {"role": f"{self.practitioner} is not a {Role(self.role).label.lower()} in {team}."}
        )


def _team_of(attendance: PractitionerAttendance) -> Team | None:
    """The team of an attendance's meeting, which in a form may not be saved yet."""
    try:
        return attendance.meeting.network.team
    except ObjectDoesNotExist:
        return None


class MemberAttendance(models.Model):
    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="member_attendances"
    )
    member = models.ForeignKey(NetworkMember, on_delete=models.CASCADE, related_name="attendances")

    class Meta:
        ordering = ["meeting", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="member_attends_meeting_once",
                violation_error_message="This network member is already recorded at this meeting.",
            )
        ]

    def __str__(self) -> str:
        return str(self.member)

    def clean(self) -> None:
        try:
            network_id = self.meeting.network_id
        except ObjectDoesNotExist:
            return
        if self.member_id and network_id and self.member.network_id != network_id:
            raise ValidationError({"member": "This person belongs to another network."})
        if self.member_id and self.member.is_person_at_the_centre:
            raise ValidationError(
                {
                    "member": (
                        "The person at the centre's attendance is recorded on the meeting, "
                        "not among the members present."
                    )
                }
            )


# Other work ------------------------------------------------------------------
# Work a practitioner does that is not a network meeting. Peers' time split
# between meetings and this is the sign of role drift the dashboard shows.


class ActivityKind(models.TextChoices):
    PRACTICAL_SUPPORT = "practical_support", "Practical support for a network"
    ADMIN = "admin", "Admin"
    TRAINING = "training", "Training"
    SUPERVISION = "supervision", "Supervision or intervision"
    OTHER = "other", "Other"


class ActivityQuerySet(models.QuerySet["Activity"]):
    def mine(self, user: settings.AUTH_USER_MODEL) -> ActivityQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(practitioner=user)


class Activity(models.Model):
    """Logged work other than a network meeting: what kind, when and how long."""

    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField("what kind of work", max_length=24, choices=ActivityKind.choices)
    network = models.ForeignKey(
        Network,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        help_text="Only for practical support for a network.",
    )
    done_on = models.DateField("date", default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(
        "how long (minutes)",
        validators=[
            MinValueValidator(1, "Enter at least 1 minute."),
            MaxValueValidator(600, "Enter at most 600 minutes (10 hours)."),
        ],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-done_on", "-created_at"]
        verbose_name_plural = "activities"
        indexes = [
            # The dashboard sums a team's work by month.
            models.Index(fields=["team", "done_on"], name="activity_team_done_on"),
            models.Index(fields=["practitioner", "-done_on"], name="activity_practitioner_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=600),
                name="activity_duration_1_to_600_minutes",
                violation_error_message="Other work lasts from 1 to 600 minutes.",
            ),
            models.CheckConstraint(
                condition=Q(network__isnull=True) | Q(kind="practical_support"),
                name="activity_network_for_practical_support_only",
                violation_error_message="Only practical support is for a network.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.duration_minutes} min on {self.done_on}"

    def clean(self) -> None:
        if self.network_id and self.kind != ActivityKind.PRACTICAL_SUPPORT:
            raise ValidationError({"network": "Only practical support is for a network."})
        if self.network_id and self.team_id and self.network.team_id != self.team_id:
            raise ValidationError({"network": "This network belongs to another team."})


# The dialogic self-check -------------------------------------------------------
# After a meeting, each practitioner recorded at it may say how present each of
# Open Dialogue's seven principles was. It is the team's self-report about the
# meeting, never a rating of a person: only its author sees their answers, and a
# team lead sees them only as suppressed monthly counts
# (dashboards/measures/self_check.py).


class HowPresent(models.TextChoices):
    """How present a principle was in the meeting, as one practitioner saw it."""

    NOT_AT_ALL = "not_at_all", "Not at all"
    A_LITTLE = "a_little", "A little"
    CLEARLY = "clearly", "Clearly"
    STRONGLY = "strongly", "Strongly"
    NOT_SURE = "not_sure", "Not sure"


# The answers the dashboard counts as "clearly present".
CLEARLY_PRESENT = (HowPresent.CLEARLY, HowPresent.STRONGLY)
NOT_THERE = "Only the practitioners recorded at a meeting answer its self-check."


class SelfCheckNotAllowed(ValidationError):
    """Answering a meeting's self-check as someone not recorded at the meeting."""


@dataclass(frozen=True)
class MeetingFact:
    """Something the app already knows about a meeting, shown beside the check."""

    label: str
    value: str
    # Whether it is as Open Dialogue describes (None: not a yes-or-no matter).
    as_practised: bool | None = None


def meeting_facts(meeting: NetworkMeeting) -> list[MeetingFact]:
    """What the meeting's record says: practitioners, the reflecting conversation,
    the network members present and the person at the centre. Uses the meeting's
    prefetched attendances when it has them (NetworkMeetingQuerySet.timeline)."""
    practitioners = len(meeting.practitioner_attendances.all())
    members = len(meeting.members_present.all())
    attended = meeting.person_attendance
    return [
        MeetingFact(
            "Practitioners recorded",
            f"{practitioners} (Open Dialogue meets a network with at least "
            f"{MINIMUM_PRACTITIONERS})",
            practitioners >= MINIMUM_PRACTITIONERS,
        ),
        MeetingFact(
            "Reflecting conversation",
            "Held" if meeting.reflecting_conversation else "Not held",
            meeting.reflecting_conversation,
        ),
        MeetingFact(
            "Network members present, besides the person at the centre",
            str(members) if members else "None recorded",
            members > 0,
        ),
        MeetingFact(
            "The person at the centre",
            meeting.person_attendance_shown,
            None if attended is None else attended != PersonAttendance.ABSENT,
        ),
    ]


class SelfCheckQuerySet(models.QuerySet["SelfCheck"]):
    def mine(self, user: settings.AUTH_USER_MODEL) -> SelfCheckQuerySet:
        """The one visibility rule: a self-check is its author's alone."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(practitioner=user)


class SelfCheck(Revisioned):
    """One practitioner's answers about one meeting: one per principle of Open
    Dialogue (SelfCheckAnswer), at most one check per practitioner per meeting."""

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="self_checks"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="self_checks"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = SelfCheckQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "practitioner"],
                name="self_check_once_per_practitioner",
                violation_error_message="You have already answered this meeting's self-check.",
            )
        ]

    def __str__(self) -> str:
        return f"Self-check of {self.meeting} by {self.practitioner}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:self_check", args=[self.meeting_id])

    @staticmethod
    def principles() -> models.QuerySet[Principle]:
        """What the check asks about: Open Dialogue's seven principles, in order."""
        return Principle.objects.filter(framework__slug=OPEN_DIALOGUE).order_by("order")

    @staticmethod
    def may_answer(meeting: NetworkMeeting, user: settings.AUTH_USER_MODEL) -> bool:
        """Whether `user` was recorded at the meeting, so may answer its check."""
        return (
            user.is_authenticated
            and PractitionerAttendance.objects.filter(meeting=meeting, practitioner=user).exists()
        )

    def answers_by_slug(self) -> dict[str, str]:
        """{principle slug: HowPresent value} for the answers saved."""
        return {answer.principle.slug: answer.how_present for answer in self.answers.all()}

    @classmethod
    @transaction.atomic
    def record(
        cls,
        meeting: NetworkMeeting,
        practitioner: settings.AUTH_USER_MODEL,
        answers: Mapping[str, str],
        *,
        based_on: int | None = None,
    ) -> SelfCheck | None:
        """Save `practitioner`'s answers about `meeting` and write the audit row.

        `answers` maps an Open Dialogue principle's slug to a HowPresent value. A
        first check must answer every principle ("not sure" is an answer); a
        change (`based_on`: the revision it was loaded from) may carry only some,
        and leaves the others as they were. Returns the check, or None, saving
        nothing, when it changed since `based_on` or was answered meanwhile from
        another tab. Raises SelfCheckNotAllowed for someone not recorded at the
        meeting and ValidationError for an unknown principle or answer.
        """
        if not cls.may_answer(meeting, practitioner):
            raise SelfCheckNotAllowed(NOT_THERE)
        principles = {principle.slug: principle for principle in cls.principles()}
        unknown = sorted(set(answers) - set(principles))
        if unknown:
            raise ValidationError(f"Not a principle of this check: {', '.join(unknown)}.")
        invalid = sorted(slug for slug, value in answers.items() if value not in HowPresent.values)
        if invalid:
            raise ValidationError(f"Not an answer to this check: {', '.join(invalid)}.")
        check = cls.objects.filter(meeting=meeting, practitioner=practitioner).first()
        if check is None:
            if based_on is not None:
                return None
            missing = [p.name for slug, p in principles.items() if slug not in answers]
            if missing:
                raise ValidationError(f"Answer every principle: {', '.join(missing)}.")
            try:
                with transaction.atomic():
                    check = cls.objects.create(meeting=meeting, practitioner=practitioner)
            except IntegrityError:  # answered from another tab meanwhile
                return None
            SelfCheckAnswer.objects.bulk_create(
                SelfCheckAnswer(self_check=check, principle=principles[slug], how_present=value)
                for slug, value in answers.items()
            )
            edited = False
        else:
            if based_on is None or not check.claim_revision(based_on):
                return None
            for slug, value in answers.items():
                SelfCheckAnswer.objects.update_or_create(
                    self_check=check, principle=principles[slug], defaults={"how_present": value}
                )
            check.changed_at = timezone.now()
            cls.objects.filter(pk=check.pk).update(changed_at=check.changed_at)
            edited = True
        AuditEvent.objects.record(
            practitioner,
            Action.SELF_CHECK,
            detail={"meeting_id": meeting.pk, "self_check_id": check.pk, "edited": edited},
        )
        return check


class SelfCheckAnswer(models.Model):
    """How present one principle was, in one practitioner's self-check."""

    self_check = models.ForeignKey(SelfCheck, on_delete=models.CASCADE, related_name="answers")
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="+")
    how_present = models.CharField(max_length=16, choices=HowPresent.choices)

    class Meta:
        ordering = ["self_check", "principle"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_check", "principle"], name="self_check_answers_principle_once"
            ),
            models.CheckConstraint(
                condition=Q(how_present__in=HowPresent.values),
                name="self_check_answer_valid",
                violation_error_message="Choose how present the principle was.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principle}: {self.get_how_present_display()}"
