"""Intervision: the group's own record of its sessions, and what it chooses to
take to supervision.

An intervision group (teams.IntervisionGroup) is a peer space that makes no
decisions and is not a management forum. Its records belong to it:

- an `IntervisionSession` records when the group met, who attended, the roles of
  the round (presenter, facilitator, note-taker), the notes members brought
  (only notes already shared with the group) and the group's notes of the
  session, written by the note-taker;
- a `SupervisionSummary` is drafted by the note-taker after a session (themes,
  questions to take further, no names of network members) and reaches the
  group's supervisor only when enough of those who attended agree
  (`GroupAgreement.quorum`, or everyone who attended).

One rule per model (docs/architecture.md, "One rule per model"):
`IntervisionSession.objects.visible_to(user)` (that a session took place: the
group's facilitator and members who accepted its agreement),
`IntervisionSession.objects.notes_visible_to(user)` (what was said: those who
attended and the group's facilitator) and `SupervisionSummary.objects.visible_to(user)`
(the group, and once agreed the group's supervisor while their link is current).
Every change is a model method here that writes its AuditEvent in the same
transaction, and so is every read of a record by anyone but its author. Audit
rows hold ids, never text.

This app sits below supervision: it imports teams, reflections and audit, and
names `supervision.Share` only as a string, so supervision's inbox and digest can
count what awaits a supervisor here without a circle of imports.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from pod_site.editing import Revisioned
from reflections.fields import EncryptedTextField
from reflections.models import text_limit
from teams.models import GroupSupervisionLink, IntervisionGroup

if TYPE_CHECKING:
    from collections.abc import Iterable

    from teams.models import User

ATTENDANCE_FIXED = "A summary for supervision has been drafted: who attended is fixed."
MIN_SESSION_MINUTES = 5
MAX_SESSION_MINUTES = 480


class NotAllowed(ValidationError):
    """Acting on an intervision record as someone who may not, or after it closed."""


class IntervisionSessionQuerySet(models.QuerySet["IntervisionSession"]):
    def visible_to(self, user: User) -> IntervisionSessionQuerySet:
        """That a session took place (its date, length and whether one attended):
        the group's facilitator and its current members who accepted its agreement
        (IntervisionGroup.objects.open_to). A former member sees nothing."""
        return self.filter(group__in=IntervisionGroup.objects.open_to(user))

    def notes_visible_to(self, user: User) -> IntervisionSessionQuerySet:
        """What was said (the roles, the notes brought, the group's notes): those of
        `visible_to` who attended, and the group's facilitator."""
        attended = IntervisionSession.attendees.through.objects.filter(
            intervisionsession=OuterRef("pk"), user=user
        )
        return self.visible_to(user).filter(Q(group__facilitator=user) | Exists(attended))

    def held_between(self, start: date, end: date) -> IntervisionSessionQuerySet:
        return self.filter(held_on__gte=start, held_on__lt=end)


class IntervisionSession(Revisioned):
    """One meeting of an intervision group: scheduled ahead, recorded after."""

    group = models.ForeignKey(IntervisionGroup, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("date", default=timezone.localdate)
    duration = models.PositiveSmallIntegerField(
        "duration (minutes)",
        null=True,
        blank=True,
        validators=[
            MinValueValidator(MIN_SESSION_MINUTES),
            MaxValueValidator(MAX_SESSION_MINUTES),
        ],
        help_text=f"From {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES} minutes.",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="intervision_sessions_attended",
        help_text="Members of the group who were there.",
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who brought their practice to the round.",
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who facilitated this round (not always the group's facilitator).",
    )
    note_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who writes the group's notes and drafts the summary for supervision.",
    )
    brought = models.ManyToManyField(
        "supervision.Share",
        blank=True,
        related_name="intervision_sessions",
        verbose_name="notes brought",
        help_text="Notes members had already shared with the group.",
    )
    notes = EncryptedTextField("the group's notes", blank=True, validators=[text_limit])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = IntervisionSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__isnull=True)
                | Q(duration__gte=MIN_SESSION_MINUTES, duration__lte=MAX_SESSION_MINUTES),
                name="intervision_duration_5_to_480_minutes",
                violation_error_message=(
                    f"A session lasts from {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES} minutes."
                ),
            ),
        ]
        indexes = [models.Index(fields=["group", "held_on"])]

    def __str__(self) -> str:
        return f"{self.group.name} on {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("intervision:session", args=[self.pk])

    @property
    def is_scheduled(self) -> bool:
        """Still ahead: nothing to record yet."""
        return self.held_on > timezone.localdate()

    @property
    def author_id(self) -> int | None:
        """Whose record this is: the note-taker writes it (until one is named, the
        person who recorded it). Their own reads are not audited."""
        return self.note_taker_id or self.recorded_by_id

    def attended(self, user: User) -> bool:
        return self.attendees.filter(pk=user.pk).exists()

    def can_record(self, user: User) -> bool:
        """The group's facilitator and the round's facilitator keep the record
        (date, attendance, roles, notes brought) while the group is open to them."""
        return user.pk in {self.group.facilitator_id, self.facilitator_id} and (
            self.group.is_open_to(user)
        )

    def can_write_notes(self, user: User) -> bool:
        """Only the note-taker writes the group's notes and the summary."""
        return (
            self.note_taker_id is not None
            and user.pk == self.note_taker_id
            and IntervisionSession.objects.notes_visible_to(user).filter(pk=self.pk).exists()
        )

    def bringable_shares(self) -> models.QuerySet:
        """Notes that could be brought: shared with the group and still shared."""
        return self.group.shares.active().select_related("reflection__author")

    def attendance_is_fixed(self, attendees: Iterable[User]) -> bool:
        """Whether `attendees` would change who attended after a summary was
        drafted. Those who attended decide whether it goes to supervision, so who
        they were cannot change under them (someone who would not agree taken off
        the record just before the last agreement)."""
        if self.pk is None or not SupervisionSummary.objects.filter(session=self).exists():
            return False
        recorded = set(self.attendees.values_list("pk", flat=True))
        return {person.pk for person in attendees} != recorded

    def clean_people(
        self,
        attendees: Iterable[User],
        presenter: User | None,
        facilitator: User | None,
        note_taker: User | None,
    ) -> None:
        """Attendees are the group's people; the round's roles are among them.
        Someone recorded as attending who has since left the group stays on the
        record (keeping them is not adding them)."""
        members = set(self.group.members.values_list("pk", flat=True))
        members.add(self.group.facilitator_id)
        if self.pk is not None:
            members.update(self.attendees.values_list("pk", flat=True))
        present = {user.pk for user in attendees}
        errors: dict[str, str] = {}
        if present - members:
            errors["attendees"] = "Only the group's members and facilitator attend its sessions."
        elif self.attendance_is_fixed(attendees):
            errors["attendees"] = ATTENDANCE_FIXED
        for field, person in (
            ("presenter", presenter),
            ("facilitator", facilitator),
            ("note_taker", note_taker),
        ):
            if person is not None and person.pk not in present:
                errors[field] = "Choose someone who attended."
        if errors:
            raise ValidationError(errors)

    @transaction.atomic
    def record(self, by: User, attendees: Iterable[User], brought: Iterable[Any] = ()) -> None:
        """Save the session (new, or changed by a facilitator) with its audit row.
        `brought` must be shares of this group (checked: others are refused)."""
        if self.pk is None:
            self.recorded_by = by
        brought, attendees = list(brought), list(attendees)
        if any(share.group_id != self.group_id for share in brought):
            raise ValidationError({"brought": "Only notes shared with this group."})
        if self.attendance_is_fixed(attendees):
            raise ValidationError({"attendees": ATTENDANCE_FIXED})
        self.save()
        self.attendees.set(list(attendees))
        self.brought.set(brought)
        AuditEvent.objects.record(by, Action.IV_SESSION, detail={"intervision_session_id": self.pk})

    @transaction.atomic
    def write_notes(self, by: User, text: str, based_on: int) -> bool:
        """The note-taker saves the group's notes; False if the record changed since
        `based_on` (a second tab, a facilitator's edit): nothing is written."""
        if not self.can_write_notes(by):
            raise NotAllowed("Only the note-taker writes the group's notes.")
        if not self.claim_revision(based_on):
            return False
        self.notes = text
        IntervisionSession.objects.filter(pk=self.pk).update(notes=self.notes)
        AuditEvent.objects.record(by, Action.IV_NOTES, detail={"intervision_session_id": self.pk})
        return True

    @transaction.atomic
    def notes_read_by(self, user: User) -> None:
        """Record a read of the session's notes by anyone but its author."""
        if user.pk != self.author_id:
            AuditEvent.objects.record(
                user, Action.IV_NOTES_READ, detail={"intervision_session_id": self.pk}
            )


def _linked_when_agreed(user: User, on: date) -> Exists:
    """`user` supervises the summary's group on `on` through a link that had
    started, and had been made, by the time the summary was agreed (so a link
    dated back later reaches nothing agreed before it was made)."""
    return Exists(
        GroupSupervisionLink.objects.current(on).filter(
            supervisor=user,
            group=OuterRef("session__group"),
            since__lte=OuterRef("agreed_on"),
            created_at__lte=OuterRef("agreed_at"),
        )
    )


class SummaryQuerySet(models.QuerySet["SupervisionSummary"]):
    def agreed(self) -> SummaryQuerySet:
        return self.filter(agreed_at__isnull=False)

    def visible_to(self, user: User, on: date | None = None) -> SummaryQuerySet:
        """The one rule for summaries: the group (its facilitator and members who
        accepted its agreement); once agreed, a supervisor linked to the group
        when it was agreed and still (`_linked_when_agreed`). Nothing else of the
        group reaches the supervisor."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        return self.filter(
            Q(session__group__in=IntervisionGroup.objects.open_to(user))
            | (Q(agreed_at__isnull=False) & _linked_when_agreed(user, on))
        )

    def for_supervisor(self, user: User, on: date | None = None) -> SummaryQuerySet:
        """The supervisor's part of visible_to: agreed summaries of groups they
        supervise (a supervisor in the group too sees it here only once agreed)."""
        if not user.is_authenticated:
            return self.none()
        return self.agreed().filter(_linked_when_agreed(user, on or timezone.localdate()))

    def awaiting_review_by(self, user: User) -> SummaryQuerySet:
        return self.for_supervisor(user).filter(reviewed_at__isnull=True)


class SupervisionSummary(Revisioned):
    """What a group chooses to take to its supervisor from one session."""

    session = models.OneToOneField(
        IntervisionSession, on_delete=models.CASCADE, related_name="summary"
    )
    themes = EncryptedTextField(
        blank=True,
        validators=[text_limit],
        help_text="What came up, in the group's words. No names of network members.",
    )
    questions = EncryptedTextField(
        "questions to take further",
        blank=True,
        validators=[text_limit],
        help_text="What the group would like its supervisor to think about with it.",
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)
    # The date the summary was agreed, in the service's time zone: a supervisor
    # sees it if their link to the group had started by then.
    agreed_on = models.DateField(null=True, blank=True)
    response = EncryptedTextField(blank=True, validators=[text_limit])
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SummaryQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["agreed_at", "reviewed_at"])]

    def __str__(self) -> str:
        return f"Summary of {self.session}"

    def get_absolute_url(self) -> str:
        return reverse("intervision:summary", args=[self.pk])

    @property
    def is_agreed(self) -> bool:
        return self.agreed_at is not None

    def agreements_needed(self) -> int:
        """How many of those who attended must agree: the group's quorum (at most
        everyone who attended), or everyone who attended. Only those still in the
        group count: someone who has left can no longer agree."""
        group = self.session.group
        attended = (
            self.session.attendees.filter(Q(pk=group.facilitator_id) | Q(intervision_groups=group))
            .distinct()
            .count()
        )
        agreement = getattr(group, "agreement", None)
        quorum = agreement.quorum if agreement is not None else None
        return min(quorum, attended) if quorum else attended

    def agreed_by(self, user: User) -> bool:
        return self.consents.filter(user=user).exists()

    def can_edit(self, user: User) -> bool:
        return not self.is_agreed and self.session.can_write_notes(user)

    def can_agree(self, user: User) -> bool:
        """Someone who attended, still in the group, who has not agreed yet."""
        return (
            not self.is_agreed
            and not self.agreed_by(user)
            and bool(self.themes or self.questions)
            and self.session.attended(user)
            and self.session.group.is_open_to(user)
        )

    def can_respond(self, user: User) -> bool:
        return (
            self.responded_at is None
            and SupervisionSummary.objects.for_supervisor(user).filter(pk=self.pk).exists()
        )

    def can_review(self, user: User) -> bool:
        return (
            self.reviewed_at is None
            and SupervisionSummary.objects.for_supervisor(user).filter(pk=self.pk).exists()
        )

    def _locked(self) -> SupervisionSummary:
        return SupervisionSummary.objects.select_for_update().get(pk=self.pk)

    def _audit(self, by: User, action: Action) -> None:
        AuditEvent.objects.record(
            by,
            action,
            detail={"intervision_session_id": self.session_id, "summary_id": self.pk},
        )

    @classmethod
    @transaction.atomic
    def draft(
        cls, session: IntervisionSession, by: User, themes: str, questions: str
    ) -> SupervisionSummary:
        """The note-taker's first draft of the session's summary."""
        if not session.can_write_notes(by):
            raise NotAllowed("Only the note-taker drafts the summary.")
        summary = cls.objects.create(
            session=session, themes=themes, questions=questions, drafted_by=by
        )
        summary._audit(by, Action.IV_SUMMARY)
        return summary

    @transaction.atomic
    def edit(self, by: User, themes: str, questions: str, based_on: int) -> bool:
        """The note-taker changes the draft; False if it changed since `based_on`.
        Agreements given to the earlier text are withdrawn: each agrees to what
        the supervisor will read. Refused once the summary is agreed."""
        locked = self._locked()
        if not locked.can_edit(by):
            raise NotAllowed("The summary is agreed, or you are not its note-taker.")
        if not self.claim_revision(based_on):
            return False
        self.themes, self.questions, self.changed_at = themes, questions, timezone.now()
        SupervisionSummary.objects.filter(pk=self.pk).update(
            themes=self.themes, questions=self.questions, changed_at=self.changed_at
        )
        self.consents.all().delete()
        self._audit(by, Action.IV_SUMMARY)
        return True

    @transaction.atomic
    def agree(self, by: User, based_on: int | None = None) -> bool:
        """One attendee agrees to share the summary as it stands; when enough have
        (agreements_needed), it is agreed and reaches the group's supervisor.
        True when this agreement made it agreed. `based_on`: the revision the
        person read; an agreement to text that has changed since is refused."""
        locked = self._locked()
        if not locked.is_agreed and locked.agreed_by(by):
            return False  # a second click: their agreement stands
        if based_on is not None and based_on != locked.revision:
            raise NotAllowed("The summary changed after you opened it: read it again first.")
        if not locked.can_agree(by):
            raise NotAllowed("Only those who attended agree, before it is agreed.")
        SummaryConsent.objects.create(summary=locked, user=by)
        self._audit(by, Action.IV_AGREE)
        if locked.consents.count() < locked.agreements_needed():
            return False
        now = timezone.now()
        self.agreed_at = locked.agreed_at = now
        self.agreed_on = locked.agreed_on = timezone.localdate(now)
        locked.save(update_fields=["agreed_at", "agreed_on"])
        return True

    @transaction.atomic
    def read_by(self, user: User) -> None:
        """Record a read of the summary by anyone but the note-taker who drafted it."""
        if user.pk != self.drafted_by_id:
            self._audit(user, Action.IV_SUMMARY_READ)

    @transaction.atomic
    def respond(self, by: User, text: str) -> None:
        """The supervisor responds, once; the group sees the response."""
        locked = self._locked()
        if not locked.can_respond(by):
            raise NotAllowed("This summary is not yours to respond to, or has a response.")
        now = timezone.now()
        self.response = locked.response = text
        self.responded_by = locked.responded_by = by
        self.responded_at = locked.responded_at = now
        locked.save(update_fields=["response", "responded_by", "responded_at"])
        self._audit(by, Action.IV_RESPOND)

    @transaction.atomic
    def mark_reviewed(self, by: User) -> bool:
        """The supervisor marks the summary reviewed; False if it already was."""
        locked = self._locked()
        if locked.reviewed_at is not None:
            return False
        if not locked.can_review(by):
            raise NotAllowed("This summary is not yours to review.")
        self.reviewed_at = locked.reviewed_at = timezone.now()
        self.reviewed_by = locked.reviewed_by = by
        locked.save(update_fields=["reviewed_at", "reviewed_by"])
        self._audit(by, Action.IV_REVIEW)
        return True


class SummaryConsent(models.Model):
    """One attendee agreed to share a summary as it stood."""

    summary = models.ForeignKey(
        SupervisionSummary, on_delete=models.CASCADE, related_name="consents"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "user"], name="agree_summary_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} agreed {self.summary}"
