"""People, teams and the roles people hold in them.

One person may hold several roles in a team (a peer practitioner who also
facilitates an intervision group, a supervisor who is also a team lead), so a
role is a Membership row, not a field on the user.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import Action, AuditEvent

if TYPE_CHECKING:
    from collections.abc import Iterable


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who signs in. People sign in with their email address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["first_name", "last_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    # Role questions: asked of the person, here and nowhere else (views, digests,
    # MFA, the menu). Each is one query; none is cached, so a role taken away
    # counts from the next request.

    def holds_role(self, *roles: str) -> bool:
        """Whether the person holds any of these roles in any team."""
        return self.memberships.filter(role__in=roles).exists()

    @property
    def is_supervisor(self) -> bool:
        return self.holds_role(Role.SUPERVISOR)

    @property
    def practises(self) -> bool:
        """A peer practitioner or practitioner somewhere: logs meetings and work."""
        return self.holds_role(*PRACTICE_ROLES)

    def teams_as(self, *roles: str) -> models.QuerySet[Team]:
        """The teams where the person holds any of these roles (each team once)."""
        held = Membership.objects.filter(team=models.OuterRef("pk"), user=self, role__in=roles)
        return Team.objects.filter(models.Exists(held))

    def led_teams(self) -> models.QuerySet[Team]:
        return self.teams_as(Role.TEAM_LEAD)

    def practising_teams(self) -> models.QuerySet[Team]:
        return self.teams_as(*PRACTICE_ROLES)

    def supervisor_memberships(self) -> MembershipQuerySet:
        """The person's supervisor roles, oldest first (the first decides the digest's
        time zone)."""
        return self.memberships.filter(role=Role.SUPERVISOR).order_by("pk")

    def current_supervisors(self, on: date | None = None) -> models.QuerySet[User]:
        """Who supervises me now: a SupervisionLink that has started and not ended."""
        links = SupervisionLink.objects.current(on).filter(supervisee=self)
        return User.objects.filter(pk__in=links.values("supervisor_id"))

    def current_supervisees(self, on: date | None = None) -> models.QuerySet[User]:
        """Whom I supervise now: a SupervisionLink that has started and not ended."""
        links = SupervisionLink.objects.current(on).filter(supervisor=self)
        return User.objects.filter(pk__in=links.values("supervisee_id"))

    def monthly_supervision_target(self) -> int:
        """Minutes of supervision a month my (oldest) team asks for."""
        return (
            User.objects.filter(pk=self.pk)
            .values_list(monthly_supervision_minutes(self.pk), flat=True)
            .get()
        )

    def reflection_groups(self) -> IntervisionGroupQuerySet:
        """The intervision groups I belong to now or facilitate."""
        return IntervisionGroup.objects.joined_by(self)


def default_time_zone() -> str:
    return settings.TIME_ZONE


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        help_text="Used for digest emails and for grouping meetings by day and month.",
    )
    review_overdue_days = models.PositiveSmallIntegerField(
        "a shared note is overdue after (days)",
        default=14,
        db_default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="A note waiting for review longer than this is marked overdue in the inbox.",
    )
    monthly_supervision_minutes = models.PositiveSmallIntegerField(
        "supervision each month (minutes)",
        default=60,
        db_default=60,
        validators=[MinValueValidator(0), MaxValueValidator(6000)],
        help_text="The supervision time each person aims for in a month.",
    )
    # Shown privately to a practitioner after a costly self-disclosure or a hard
    # meeting (reflections' aftercare), never anywhere else. Not about anyone.
    support_information = models.TextField(
        "support for practitioners",
        blank=True,
        default="",
        db_default="",
        max_length=2000,
        help_text=(
            "Where practitioners can turn after a hard meeting: people to talk to, the "
            "staff wellbeing service, how to reach them. Each person sees it only on "
            "their own notes, when a note says a meeting cost them a lot."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": "This is not a known time zone."}) from None


class Role(models.TextChoices):
    PEER_PRACTITIONER = "peer_practitioner", "Peer practitioner"
    PRACTITIONER = "practitioner", "Practitioner"
    SUPERVISOR = "supervisor", "Supervisor"
    TEAM_LEAD = "team_lead", "Team lead"


# The roles a person can hold in a network meeting.
PRACTICE_ROLES = (Role.PEER_PRACTITIONER, Role.PRACTITIONER)


class Discipline(models.TextChoices):
    NURSING = "nursing", "Nursing"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    PSYCHOLOGY = "psychology", "Psychology"
    SOCIAL_WORK = "social_work", "Social work"
    OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
    OTHER = "other", "Other"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def practising(self) -> MembershipQuerySet:
        return self.filter(role__in=PRACTICE_ROLES)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    discipline = models.CharField(
        max_length=32,
        choices=Discipline.choices,
        blank=True,
        help_text="The professional background of a practitioner. Leave empty for other roles.",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "role"],
                name="membership_one_role_once",
                violation_error_message="This person already holds this role in this team.",
            ),
            models.CheckConstraint(
                condition=Q(role="practitioner", discipline__gt="")
                | (~Q(role="practitioner") & Q(discipline="")),
                name="membership_discipline_for_practitioners_only",
                violation_error_message=(
                    "A practitioner needs a discipline; other roles have none."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.team}"

    def clean(self) -> None:
        if self.role == Role.PRACTITIONER and not self.discipline:
            raise ValidationError({"discipline": "Choose the practitioner's discipline."})
        if self.role != Role.PRACTITIONER and self.discipline:
            raise ValidationError({"discipline": "Only practitioners have a discipline."})


class SupervisionLinkQuerySet(models.QuerySet["SupervisionLink"]):
    def current(self, on: date | None = None) -> SupervisionLinkQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(since__lte=on), Q(until__isnull=True) | Q(until__gte=on))


class SupervisionLink(models.Model):
    """A supervisor supervises a supervisee from one date, until another or for now."""

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisees_links"
    )
    supervisee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_links"
    )
    since = models.DateField(default=timezone.localdate)
    until = models.DateField(null=True, blank=True)

    objects = SupervisionLinkQuerySet.as_manager()

    class Meta:
        ordering = ["supervisor", "supervisee", "-since"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("supervisee")),
                name="supervision_not_self",
                violation_error_message="A person cannot supervise themselves.",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="supervision_until_after_since",
                violation_error_message="The end date must not be before the start date.",
            ),
            models.UniqueConstraint(
                fields=["supervisor", "supervisee", "since"],
                name="supervision_link_unique_start",
                violation_error_message="This supervision already starts on this date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.supervisee}"

    def clean(self) -> None:
        if (
            self.supervisor_id
            and not Membership.objects.filter(
                user_id=self.supervisor_id, role=Role.SUPERVISOR
            ).exists()
        ):
            raise ValidationError({"supervisor": "This person does not hold a supervisor role."})
        if self.supervisor_id and self.supervisee_id and self.since and self.overlapping().exists():
            raise ValidationError(
                "This person already supervises them for some of these dates: "
                "end that supervision first, or start this one after it ends."
            )

    def overlapping(self) -> SupervisionLinkQuerySet:
        """Other links between the same two people whose dates meet this one's
        (a second supervisor for cover is another person, not the same one twice)."""
        others = SupervisionLink.objects.filter(
            supervisor_id=self.supervisor_id, supervisee_id=self.supervisee_id
        ).exclude(pk=self.pk)
        others = others.filter(Q(until__isnull=True) | Q(until__gte=self.since))
        return others.filter(since__lte=self.until) if self.until else others


class IntervisionGroupQuerySet(models.QuerySet["IntervisionGroup"]):
    def joined_by(self, user: User) -> IntervisionGroupQuerySet:
        """The groups a person is a member of now, or facilitates. Leaving a group
        (removal from its members) ends access to what was shared with it."""
        if not user.is_authenticated:
            return self.none()
        member = IntervisionGroup.members.through.objects.filter(
            intervisiongroup=models.OuterRef("pk"), user=user
        )
        return self.filter(Q(facilitator=user) | models.Exists(member))

    def open_to(self, user: User) -> IntervisionGroupQuerySet:
        """The one rule for a group's records (the notes shared with it, its
        intervision sessions and their summaries): its facilitator, and each
        current member who has accepted the group's agreement as it stands now.
        A group that has not written its agreement yet is open to its members as
        before; once it has one, a new member (or everyone, after a change)
        accepts it first (docs/architecture.md, "Intervision")."""
        if not user.is_authenticated:
            return self.none()
        accepted = AgreementAcceptance.objects.filter(
            agreement__group=models.OuterRef("pk"),
            user=user,
            version=models.OuterRef("agreement__version"),
        )
        agreed = Q(agreement__isnull=True) | models.Exists(accepted)
        return self.joined_by(user).filter(Q(facilitator=user) | agreed)


class IntervisionGroup(models.Model):
    """Peers reflecting together on each other's practice, with a facilitator."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="intervision_groups")
    name = models.CharField(max_length=120)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_groups"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="intervision_groups", blank=True
    )

    objects = IntervisionGroupQuerySet.as_manager()

    class Meta:
        ordering = ["team", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "name"],
                name="intervision_group_name_unique_in_team",
                violation_error_message="This team already has a group with this name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.team})"

    def clean(self) -> None:
        if not (self.team_id and self.facilitator_id):
            return
        in_team = Membership.objects.filter(team_id=self.team_id, user_id=self.facilitator_id)
        if not in_team.exists():
            raise ValidationError({"facilitator": "The facilitator must belong to the team."})

    def members_outside_team(self, users: Iterable[User]) -> list[User]:
        """The given people who are not members of this group's team."""
        in_team = set(
            Membership.objects.filter(team_id=self.team_id).values_list("user_id", flat=True)
        )
        return [user for user in users if user.pk not in in_team]

    def is_open_to(self, user: User) -> bool:
        return IntervisionGroup.objects.open_to(user).filter(pk=self.pk).exists()

    def needs_acceptance_from(self, user: User) -> bool:
        """A current member who has not accepted the agreement as it stands now."""
        return (
            user.is_authenticated
            and self.facilitator_id != user.pk
            and self.members.filter(pk=user.pk).exists()
            and not self.is_open_to(user)
        )

    def current_supervisors(self, on: date | None = None) -> models.QuerySet[User]:
        """The supervisors linked to this group now (GroupSupervisionLink)."""
        links = self.supervision_links.current(on)
        return User.objects.filter(pk__in=links.values("supervisor_id"))


AGREEMENT_LIMIT = 2_000


class GroupAgreement(models.Model):
    """What an intervision group agrees about its own records, in its own words.

    Changing it raises `version`; every member then accepts it again before they
    see the group's records (IntervisionGroup.objects.open_to). Not note text: it
    says what is recorded and who may read it, and it is shown to every member."""

    group = models.OneToOneField(
        IntervisionGroup, on_delete=models.CASCADE, related_name="agreement"
    )
    what_is_recorded = models.TextField(
        max_length=AGREEMENT_LIMIT,
        help_text="What the group writes down about its sessions, and what it does not.",
    )
    who_may_read = models.TextField(
        max_length=AGREEMENT_LIMIT, help_text="Who may read the group's records."
    )
    confidentiality_limits = models.TextField(
        "limits of confidentiality",
        max_length=AGREEMENT_LIMIT,
        help_text="When something said in the group would be taken outside it.",
    )
    taken_to_supervision = models.TextField(
        "what would be taken to supervision",
        max_length=AGREEMENT_LIMIT,
        help_text="What the group shares with its supervisor, and how it decides.",
    )
    quorum = models.PositiveSmallIntegerField(
        "members who must agree a summary",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=(
            "How many of those who attended a session must agree its summary before "
            "the supervisor sees it. Leave empty for everyone who attended."
        ),
    )
    version = models.PositiveIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Agreement of {self.group.name} (version {self.version})"

    TERMS = ("what_is_recorded", "who_may_read", "confidentiality_limits", "taken_to_supervision")

    def accepted_by(self, user: User) -> bool:
        return self.acceptances.filter(user=user, version=self.version).exists()

    @classmethod
    @transaction.atomic
    def write(cls, group: IntervisionGroup, by: User, **terms: Any) -> GroupAgreement:
        """The group's facilitator writes or changes the agreement. A change to its
        terms (not only the quorum) raises the version: every member accepts again.
        The facilitator's own acceptance is recorded with it."""
        if by.pk != group.facilitator_id:
            raise ValidationError("Only the group's facilitator changes its agreement.")
        agreement = cls.objects.select_for_update().filter(group=group).first()
        if agreement is None:
            agreement = cls(group=group)
        elif any(getattr(agreement, term) != terms.get(term) for term in cls.TERMS):
            agreement.version += 1
        for name, value in terms.items():
            setattr(agreement, name, value)
        agreement.changed_at, agreement.changed_by = timezone.now(), by
        agreement.full_clean()
        agreement.save()
        agreement.accept(by)
        AuditEvent.objects.record(
            by, Action.AGREEMENT, detail={"group_id": group.pk, "version": agreement.version}
        )
        return agreement

    @transaction.atomic
    def accept(self, by: User, version: int | None = None) -> bool:
        """A member (or the facilitator) accepts the agreement as it stands; False
        if they already had. `version`: the version the person read; accepting
        one that has changed since is refused (AgreementChanged)."""
        group = self.group
        current = GroupAgreement.objects.select_for_update().get(pk=self.pk).version
        if version is not None and version != current:
            raise AgreementChanged(
                "The agreement changed after you opened it: read it again before you accept."
            )
        self.version = current
        if by.pk != group.facilitator_id and not group.members.filter(pk=by.pk).exists():
            raise ValidationError("Only the group's members accept its agreement.")
        _, created = AgreementAcceptance.objects.get_or_create(
            agreement=self, user=by, version=self.version
        )
        if created:
            AuditEvent.objects.record(
                by,
                Action.AGREEMENT_ACCEPT,
                detail={"group_id": group.pk, "version": self.version},
            )
        return created


class AgreementChanged(ValidationError):
    """Accepting a version of an agreement that is no longer the current one."""


class AgreementAcceptance(models.Model):
    """A member accepted one version of their group's agreement, on a date."""

    agreement = models.ForeignKey(
        GroupAgreement, on_delete=models.CASCADE, related_name="acceptances"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreements_accepted"
    )
    version = models.PositiveIntegerField()
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "user", "version"], name="accept_agreement_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted version {self.version}"


class GroupSupervisionLink(models.Model):
    """A supervisor who reviews the summaries an intervision group agrees to share,
    from one date, until another or for now (like SupervisionLink for a person)."""

    group = models.ForeignKey(
        IntervisionGroup, on_delete=models.CASCADE, related_name="supervision_links"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_supervision_links"
    )
    since = models.DateField(default=timezone.localdate)
    until = models.DateField(null=True, blank=True)
    # When the link was made: summaries agreed before it stay out of reach even
    # when `since` is set to an earlier date (intervision SummaryQuerySet).
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SupervisionLinkQuerySet.as_manager()

    class Meta:
        ordering = ["group", "-since"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="group_supervision_until_after_since",
                violation_error_message="The end date must not be before the start date.",
            ),
            models.UniqueConstraint(
                fields=["group", "supervisor", "since"],
                name="group_supervision_unique_start",
                violation_error_message="This supervision already starts on this date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.group.name}"

    def clean(self) -> None:
        if (
            self.supervisor_id
            and self.group_id
            and not Membership.objects.filter(
                user_id=self.supervisor_id, team_id=self.group.team_id, role=Role.SUPERVISOR
            ).exists()
        ):
            raise ValidationError(
                {"supervisor": "This person does not hold a supervisor role in the team."}
            )


# Team settings that apply to a person ----------------------------------------


def team_setting(setting: str, *, person: object, supervisor: object = None) -> Coalesce:
    """The value of a Team setting that applies to `person`: with a supervisor, that
    of the oldest team where the supervisor supervises and the person is a member;
    without, that of the person's oldest team; the field's default if there is none.
    `person` and `supervisor` are users, ids or expressions (OuterRef), so this goes
    into an annotation as a subquery, with no query per row."""
    if supervisor is None:
        memberships = Membership.objects.filter(user=person)
    else:
        memberships = Membership.objects.filter(
            user=supervisor, role=Role.SUPERVISOR, team__memberships__user=person
        )
    value = memberships.order_by("pk").values(f"team__{setting}")[:1]
    field = Team._meta.get_field(setting)
    return Coalesce(Subquery(value), Value(field.get_default()), output_field=field)


def review_overdue_days(*, supervisor: object, supervisee: object) -> Coalesce:
    """Days a note shared with a supervisor may wait for review (Team.review_overdue_days)."""
    return team_setting("review_overdue_days", person=supervisee, supervisor=supervisor)


def monthly_supervision_minutes(person: object, supervisor: object = None) -> Coalesce:
    """The person's monthly supervision target (Team.monthly_supervision_minutes)."""
    return team_setting("monthly_supervision_minutes", person=person, supervisor=supervisor)
