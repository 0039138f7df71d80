"""The protected reflective space: sharing a note, responses, reviews, sessions, digests.

A reflection is private until its author shares it, one note at a time, with a
supervisor (from the supervision links) or with an intervision group they
belong to. One rule per model decides who sees and who acts (docs/architecture.md,
"One rule per model"): `Share.objects.visible_to(user)` for shares (the current
supervision link, current group membership, the facilitator),
`Response.objects.visible_to(user)` for threads and
`SupervisionSession.objects.visible_to(user)` for sessions;
`Reflection.objects.visible_to(user)` is built on the share rule.

Every change to a note is a method here or on Reflection that writes its
AuditEvent in the same transaction (share, revoke, respond, review, addendum).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from principles.models import PEER_PRACTICE, SELF_DISCLOSURE
from reflections.fields import EncryptedTextField
from reflections.models import Disclosure, PrincipleNote, text_limit
from teams.models import (
    IntervisionGroup,
    SupervisionLink,
    review_overdue_days,
)

if TYPE_CHECKING:
    from teams.models import User


def _active(on: date | None = None) -> Q:
    """Not revoked, and not past the date the author shared it until."""
    on = on or timezone.localdate()
    return Q(revoked_at__isnull=True) & (Q(until__isnull=True) | Q(until__gte=on))


def _as_supervisor(user: User, on: date) -> Q:
    """Sent to `user` as supervisor, whose supervision link to the author is current."""
    supervises_author = SupervisionLink.objects.current(on).filter(
        supervisor=user, supervisee=OuterRef("reflection__author")
    )
    return Q(supervisor=user) & Exists(supervises_author)


def _in_group(user: User) -> Q:
    """Sent to an intervision group open to `user` (IntervisionGroup.objects.open_to)."""
    return Q(Exists(IntervisionGroup.objects.open_to(user).filter(pk=OuterRef("group_id"))))


class ShareQuerySet(models.QuerySet["Share"]):
    def active(self, on: date | None = None) -> ShareQuerySet:
        return self.filter(_active(on))

    def visible_to(self, user: User, on: date | None = None) -> ShareQuerySet:
        """The one rule for shares, for seeing and for acting: the author always
        (revoked shares included, so they can see what they shared and undid);
        while a share is active, the supervisor it is for while their supervision
        link to the author is current (started, not ended), and the group's
        current members and its facilitator."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        recipient = _active(on) & (_as_supervisor(user, on) | _in_group(user))
        return self.filter(Q(reflection__author=user) | recipient)

    # The rule's parts, for lists that can only hold one kind of share (the
    # inbox's queues): the same conditions, fewer to plan and to run.
    def received_as_supervisor(self, user: User, on: date | None = None) -> ShareQuerySet:
        """The supervisor's part of visible_to: active shares of other people's
        notes sent to `user` as their supervisor, while the link is current."""
        if not user.is_authenticated:
            return self.none()
        on = on or timezone.localdate()
        mine = _active(on) & _as_supervisor(user, on)
        return self.filter(mine).exclude(reflection__author=user)

    def received_in_groups(self, user: User, on: date | None = None) -> ShareQuerySet:
        """The groups' part of visible_to: active shares of other people's notes
        with the intervision groups open to `user`."""
        if not user.is_authenticated:
            return self.none()
        mine = _active(on) & _in_group(user)
        return self.filter(mine).exclude(reflection__author=user)

    def on_notes_by(self, user: User) -> ShareQuerySet:
        """The author's part of visible_to: every share of their own notes,
        revoked ones included. Cheaper to build and to run than visible_to where
        only the author's own notes are in question (their "new" markers)."""
        return self.filter(reflection__author=user)

    def received_by(self, user: User, on: date | None = None) -> ShareQuerySet:
        """The recipient's part of visible_to: shares of other people's notes."""
        return self.visible_to(user, on).exclude(reflection__author=user)

    def with_thread_length(self) -> ShareQuerySet:
        """Annotate `response_count`, the length of each share's thread, as a
        subquery (a Count over the join would GROUP BY the whole row). For
        shares that came through the rule: their threads are theirs to see."""
        thread_length = (
            Response.objects.filter(share=OuterRef("pk"))
            .order_by()
            .values("share")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(response_count=Coalesce(Subquery(thread_length), 0))

    def awaiting_review(self) -> ShareQuerySet:
        return self.filter(reviewed_at__isnull=True)

    def with_overdue_limit(self) -> ShareQuerySet:
        """Annotate `overdue_after`: the days a share may wait for review before it
        is overdue, the setting of the team its supervisor and author share
        (Team.review_overdue_days). A subquery in the same query: no query per row."""
        return self.annotate(
            overdue_after=review_overdue_days(
                supervisor=OuterRef("supervisor"), supervisee=OuterRef("reflection__author")
            )
        )

    def inbox_order(self) -> ShareQuerySet:
        """Asked to talk, asked for supervision or costly (3 or 4) first, then the
        longest waiting."""
        # The cost is a disclosure detail: it counts only where the author included it.
        urgent = (
            Q(talk_asked_at__isnull=False)
            | Q(reflection__wants_supervision=True)
            | Q(include_disclosure=True, reflection__disclosure__emotional_cost__gte=3)
        )
        return self.annotate(
            urgent=models.Case(
                models.When(urgent, then=models.Value(0)),
                default=models.Value(1),
                output_field=models.IntegerField(),
            )
        ).order_by("urgent", "shared_at")


def picked_shares(picked: models.QuerySet) -> ShareQuerySet:
    """The shares a query from the share rule picked (`picked`: its
    `values("pk")`, usually sliced), read by primary key.

    For lists that show 10 to 30 rows with their notes, authors and markers:
    PostgreSQL plans the rule and the order well on the narrow query, and badly
    when they share one query with the list's joins (the inbox: 30 -> 13 ms of
    SQL on seed_scale). Only ids the rule chose come in, so nothing here
    restates it."""
    return Share.objects.filter(pk__in=picked)


class Share(models.Model):
    """One reflection shared with one supervisor or one intervision group."""

    reflection = models.ForeignKey(
        "reflections.Reflection", on_delete=models.CASCADE, related_name="shares"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shares_received",
    )
    group = models.ForeignKey(
        IntervisionGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    include_disclosure = models.BooleanField(
        "include my self-disclosure",
        default=False,
        help_text=(
            "The self-disclosure principle note and the disclosure details, together; "
            "left out unless the author ticks this."
        ),
    )
    shared_at = models.DateTimeField(default=timezone.now)
    until = models.DateField("shared until", null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The author's request for a conversation about how the meeting left them
    # (reflections' aftercare): only ever set by the author, on a supervisor's share.
    talk_asked_at = models.DateTimeField("would like to talk since", null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-shared_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(supervisor__isnull=False) & Q(group__isnull=True))
                | (Q(supervisor__isnull=True) & Q(group__isnull=False)),
                name="share_with_a_supervisor_or_a_group",
            ),
            models.UniqueConstraint(
                fields=["reflection", "supervisor"],
                condition=Q(revoked_at__isnull=True, supervisor__isnull=False),
                name="one_live_share_per_supervisor",
                violation_error_message="This note is already shared with this supervisor.",
            ),
            models.UniqueConstraint(
                fields=["reflection", "group"],
                condition=Q(revoked_at__isnull=True, group__isnull=False),
                name="one_live_share_per_group",
                violation_error_message="This note is already shared with this group.",
            ),
        ]
        indexes = [models.Index(fields=["supervisor", "reviewed_at"])]

    def __str__(self) -> str:
        return f"Reflection {self.reflection_id} shared with {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("supervision:share_detail", args=[self.pk])

    @property
    def recipient(self) -> str:
        return str(self.supervisor or self.group)

    @property
    def waiting_days(self) -> int:
        """Whole days since the note was shared."""
        return max((timezone.now() - self.shared_at).days, 0)

    @property
    def is_overdue(self) -> bool:
        """Waiting for review longer than the team allows; needs `with_overdue_limit()`."""
        limit = getattr(self, "overdue_after", None)
        return self.reviewed_at is None and limit is not None and self.waiting_days > limit

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (
            self.until is None or self.until >= timezone.localdate()
        )

    # What the recipients read: the one place that decides it, for every page
    # a recipient sees (supervision/views.py) and every list that hints at it.

    @property
    def shows_self_disclosure(self) -> bool:
        """Whether the recipients see the author's self-disclosure: their note on the
        self-disclosure principle and their disclosure details, both or neither.
        Both are about the author's own lived experience."""
        return self.include_disclosure

    def visible_principle_notes(self) -> models.QuerySet[PrincipleNote]:
        """The principle notes the recipients may read: all but the one on
        self-disclosure, unless the author included their self-disclosure."""
        notes = self.reflection.principle_notes.select_related("principle__framework")
        if not self.shows_self_disclosure:
            notes = notes.exclude(
                principle__framework__slug=PEER_PRACTICE, principle__slug=SELF_DISCLOSURE
            )
        return notes

    def visible_disclosure(self) -> Disclosure | None:
        """The disclosure details, if the author included their self-disclosure."""
        if not self.shows_self_disclosure:
            return None
        return getattr(self.reflection, "disclosure", None)

    def clean(self) -> None:
        author_id = self.reflection.author_id
        if self.supervisor_id and not (
            SupervisionLink.objects.current()
            .filter(supervisor_id=self.supervisor_id, supervisee_id=author_id)
            .exists()
        ):
            raise ValidationError({"supervisor": "This person is not your supervisor."})
        if self.group_id and not self.group.members.filter(pk=author_id).exists():
            raise ValidationError({"group": "You are not a member of this group."})
        if self.until and self.until < timezone.localdate():
            raise ValidationError({"until": "Choose today or a later date."})

    def is_visible_to(self, user: User) -> bool:
        """Asked once per person for this instance (a page asks can_respond and
        can_review); acting re-reads the row under a lock (_locked), so a share
        revoked meanwhile is refused there whatever an earlier answer was, and
        the answers are forgotten then."""
        answers = self.__dict__.setdefault("_visible_answers", {})
        if user.pk not in answers:
            answers[user.pk] = Share.objects.visible_to(user).filter(pk=self.pk).exists()
        return answers[user.pk]

    def can_review(self, user: User) -> bool:
        """Only the supervisor a note was shared with marks it reviewed, while the
        share is visible to them (visible_to)."""
        return self.supervisor_id == user.pk and self.is_active and self.is_visible_to(user)

    def can_respond(self, user: User) -> bool:
        """The recipients respond, and the author replies in the thread, while the
        share is active and visible to them (visible_to)."""
        return self.is_active and self.is_visible_to(user)

    def _locked(self) -> Share:
        """This share's row, locked until the transaction ends: a response, a
        review and a revoke sent together are applied one after the other."""
        self.__dict__.pop("_visible_answers", None)
        return Share.objects.select_for_update(of=("self",)).get(pk=self.pk)

    @property
    def can_ask_to_talk(self) -> bool:
        """A conversation is asked of one supervisor, on a live share, once."""
        return bool(self.supervisor_id) and self.is_active and self.talk_asked_at is None

    @transaction.atomic
    def ask_to_talk(self, by: User) -> None:
        """The author asks the supervisor for a conversation about this note.

        Raises NotShared for anyone but the author, for a group's share, and once
        the share is revoked or past its date; asking again changes nothing."""
        locked = self._locked()
        if by.pk != locked.reflection.author_id or not locked.supervisor_id:
            raise NotShared("Only the author asks their supervisor for a conversation.")
        if not locked.is_active:
            raise NotShared("This note is no longer shared with this supervisor.")
        if locked.talk_asked_at is not None:
            return
        locked.talk_asked_at = timezone.now()
        locked.save(update_fields=["talk_asked_at"])
        self.talk_asked_at = locked.talk_asked_at
        AuditEvent.objects.record(
            by, Action.ASK_TO_TALK, reflection_id=self.reflection_id, share_id=self.pk
        )

    @transaction.atomic
    def read_by(self, user: User) -> None:
        """Record that a recipient read the note (the author's reads are not kept)."""
        if user.pk != self.reflection.author_id:
            AuditEvent.objects.record(
                user, Action.READ, reflection_id=self.reflection_id, share_id=self.pk
            )

    @transaction.atomic
    def respond(self, by: User, text: str) -> Response:
        """Add a response to the thread, which locks the note. Refused (NotShared)
        once the share is revoked or past its date, or no longer visible to `by`."""
        locked = self._locked()
        if not locked.can_respond(by):
            raise NotShared("This note is no longer shared with you.")
        response = Response.objects.create(share=locked, author=by, text=text)
        AuditEvent.objects.record(
            by, Action.RESPOND, reflection_id=self.reflection_id, share_id=self.pk
        )
        return response

    @transaction.atomic
    def mark_reviewed(self, by: User) -> bool:
        """The supervisor marks the note reviewed; False if it already was."""
        locked = self._locked()
        if not locked.can_review(by):
            raise NotShared("This note is no longer shared with you.")
        if locked.reviewed_at is not None:
            return False
        self.reviewed_at = locked.reviewed_at = timezone.now()
        locked.save(update_fields=["reviewed_at"])
        AuditEvent.objects.record(
            by, Action.REVIEW, reflection_id=self.reflection_id, share_id=self.pk
        )
        return True

    @transaction.atomic
    def revoke(self, by: User) -> bool:
        """The author stops sharing; False if it was already revoked."""
        locked = self._locked()
        if by.pk != self.reflection.author_id:
            raise NotShared("Only the author revokes a share.")
        if locked.revoked_at is not None:
            return False
        self.revoked_at = locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        AuditEvent.objects.record(
            by, Action.REVOKE, reflection_id=self.reflection_id, share_id=self.pk
        )
        return True


class NotShared(ValidationError):
    """Acting on a share that is not (or no longer) shared with the person."""


class ResponseQuerySet(models.QuerySet["Response"]):
    def visible_to(self, user: User) -> ResponseQuerySet:
        """The one rule for responses: those in the thread of a share visible to
        the person (Share.objects.visible_to)."""
        return self.filter(share__in=Share.objects.visible_to(user))

    def on_notes_by(self, user: User) -> ResponseQuerySet:
        """The author's part of visible_to: the threads of their own notes' shares."""
        return self.filter(share__reflection__author=user)


class Response(models.Model):
    """A message in the thread under a shared note."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="responses")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_responses"
    )
    text = EncryptedTextField(validators=[text_limit])
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Response {self.pk} on share {self.share_id}"


class Addendum(models.Model):
    """Something the author adds to a note that has responses, and so is locked."""

    reflection = models.ForeignKey(
        "reflections.Reflection", on_delete=models.CASCADE, related_name="addenda"
    )
    text = EncryptedTextField(validators=[text_limit])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk} to reflection {self.reflection_id}"


class SupervisionSessionQuerySet(models.QuerySet["SupervisionSession"]):
    def visible_to(self, user: User, on: date | None = None) -> SupervisionSessionQuerySet:
        """The one rule for sessions: its supervisee always; its supervisor while
        their supervision link to the supervisee is current; nobody else."""
        if not user.is_authenticated:
            return self.none()
        supervises = SupervisionLink.objects.current(on).filter(
            supervisor=user, supervisee=OuterRef("supervisee")
        )
        return self.filter(Q(supervisee=user) | (Q(supervisor=user) & Exists(supervises)))

    def held_in_month(self, on: date | None = None) -> SupervisionSessionQuerySet:
        """Sessions held in the calendar month of `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(held_on__year=on.year, held_on__month=on.month)

    def total_minutes(self) -> int:
        """The minutes these sessions lasted (sessions with no duration count none)."""
        return self.aggregate(total=models.Sum("duration"))["total"] or 0


class SessionKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one"
    GROUP = "group", "Group"
    AD_HOC = "ad_hoc", "Ad hoc"


MIN_SESSION_MINUTES = 5
MAX_SESSION_MINUTES = 480


class SessionLocked(ValidationError):
    """Changing a session record that its supervisee has confirmed, or acting on
    it as someone who may not."""


class SupervisionSession(models.Model):
    """A supervision session, recorded by the supervisor; its supervisee may add a
    comment and confirm the record, after which it does not change.

    Sessions recorded before duration and type existed keep no duration (null: the
    time was not recorded, and a guess would count in the monthly totals) and are
    one-to-one (the only kind there was)."""

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions_given"
    )
    supervisee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions_received"
    )
    held_on = models.DateField("date", default=timezone.localdate)
    duration = models.PositiveSmallIntegerField(
        "duration (minutes)",
        null=True,
        validators=[
            MinValueValidator(MIN_SESSION_MINUTES),
            MaxValueValidator(MAX_SESSION_MINUTES),
        ],
        help_text=f"From {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES} minutes.",
    )
    kind = models.CharField(
        "type",
        max_length=16,
        choices=SessionKind.choices,
        default=SessionKind.ONE_TO_ONE,
        db_default=SessionKind.ONE_TO_ONE,
    )
    discussed = models.ManyToManyField(
        Share, blank=True, related_name="sessions", verbose_name="shared notes discussed"
    )
    agreed_actions = EncryptedTextField(blank=True, validators=[text_limit])
    next_on = models.DateField("next session", null=True, blank=True)
    # The supervisee's part: their comment and their confirmation, once each.
    supervisee_comment = EncryptedTextField(blank=True, validators=[text_limit])
    commented_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SupervisionSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__isnull=True)
                | Q(duration__gte=MIN_SESSION_MINUTES, duration__lte=MAX_SESSION_MINUTES),
                name="session_duration_5_to_480_minutes",
                violation_error_message=(
                    f"A session lasts from {MIN_SESSION_MINUTES} to {MAX_SESSION_MINUTES} minutes."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Supervision of {self.supervisee} on {self.held_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A confirmed record is not changed: only confirm() itself writes to it."""
        if (
            self.pk is not None
            and not getattr(self, "_confirming", False)
            and SupervisionSession.objects.filter(pk=self.pk, confirmed_at__isnull=False).exists()
        ):
            raise SessionLocked("This record was confirmed by the supervisee; it is not changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{reverse('supervision:sessions')}#session-{self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def is_supervisee(self, user: User) -> bool:
        """Only the supervisee comments on and confirms the record."""
        return user.pk == self.supervisee_id

    def can_comment(self, user: User) -> bool:
        return self.is_supervisee(user) and self.commented_at is None and not self.is_confirmed

    def can_confirm(self, user: User) -> bool:
        return self.is_supervisee(user) and not self.is_confirmed

    @transaction.atomic
    def record(self, discussed: list[Share] | None = None) -> None:
        """Save a new session (and the notes discussed) with its audit row."""
        self.save()
        if discussed is not None:
            self.discussed.set(discussed)
        AuditEvent.objects.record(self.supervisor, Action.SESSION, detail={"session_id": self.pk})

    def _locked_for(self, by: User) -> SupervisionSession:
        """This session's row, locked, if `by` is its supervisee and it is still open."""
        locked = SupervisionSession.objects.select_for_update().get(pk=self.pk)
        if by.pk != locked.supervisee_id:
            raise SessionLocked("Only the supervisee comments on or confirms a session record.")
        if locked.confirmed_at is not None:
            raise SessionLocked("You have confirmed this record; it is not changed.")
        return locked

    @transaction.atomic
    def add_comment(self, by: User, text: str) -> None:
        """The supervisee's comment on the record, once, before they confirm it."""
        locked = self._locked_for(by)
        if locked.commented_at is not None:
            raise SessionLocked("You have already commented on this record.")
        now = timezone.now()
        self.supervisee_comment = locked.supervisee_comment = text
        self.commented_at = locked.commented_at = now
        locked.save(update_fields=["supervisee_comment", "commented_at"])
        AuditEvent.objects.record(by, Action.SESSION_COMMENT, detail={"session_id": self.pk})

    @transaction.atomic
    def confirm(self, by: User) -> bool:
        """The supervisee confirms the record; False if they already had."""
        try:
            locked = self._locked_for(by)
        except SessionLocked:
            if by.pk == self.supervisee_id:
                return False
            raise
        self.confirmed_at = locked.confirmed_at = timezone.now()
        locked._confirming = True
        locked.save(update_fields=["confirmed_at"])
        AuditEvent.objects.record(by, Action.SESSION_CONFIRM, detail={"session_id": self.pk})
        return True

    def clean(self) -> None:
        if (
            self.supervisor_id
            and self.supervisee_id
            and not (
                # The one rule for supervision: a link current now (one that has
                # ended gives no more access, to record or to read).
                SupervisionLink.objects.current()
                .filter(supervisor_id=self.supervisor_id, supervisee_id=self.supervisee_id)
                .exists()
            )
        ):
            raise ValidationError({"supervisee": "You do not supervise this person now."})
        if self.next_on and self.held_on and self.next_on < self.held_on:
            raise ValidationError({"next_on": "The next session comes after this one."})


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly, on Monday at 08:00"
    DAILY = "daily", "Daily, at 08:00"
    NONE = "none", "No digest"


class DigestPreference(models.Model):
    """How often a person wants the digest. No row means weekly for a supervisor
    and no digest for everyone else: a practitioner's or a group member's digest
    is chosen, never assumed (private by default: even a count-only email tells
    whoever reads their mailbox that they write reflective notes)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_preference"
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class DigestDelivery(models.Model):
    """One digest for one person and one period, claimed before it is sent.

    `supervisor` is the person the digest is for: a supervisor, or (since
    digests are for everyone) a practitioner or a group member or facilitator.
    The unique (supervisor, period_start) row is the claim: whoever creates it
    sends; a retry finds it and sends only if `sent_at` is still empty.
    """

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    period_start = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "period_start"], name="one_digest_per_supervisor_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Digest for {self.supervisor} from {self.period_start:%Y-%m-%d %H:%M}"


class ShareSeenQuerySet(models.QuerySet["ShareSeen"]):
    def of(self, user: User) -> ShareSeenQuerySet:
        return self.filter(user=user) if user.is_authenticated else self.none()

    def mark(self, user: User, share_ids: list[int], at: datetime | None = None) -> None:
        """Record that `user` has seen these shares (and their threads) now: one
        upsert, whatever the number of shares."""
        if not share_ids or not user.is_authenticated:
            return
        at = at or timezone.now()
        self.bulk_create(
            [ShareSeen(user=user, share_id=pk, seen_at=at) for pk in share_ids],
            update_conflicts=True,
            unique_fields=["user", "share"],
            update_fields=["seen_at"],
        )


class ShareSeen(models.Model):
    """When a person last looked at a share and its thread: the author on their
    note page, a recipient on the shared note's page. Holds ids and a time only.

    Read only through the one rule: the "new" markers annotate querysets that
    come from `Share.objects.visible_to` / `received_by` and
    `Response.objects.visible_to` (supervision/notifications.py), so a row left
    behind for a share someone may no longer see shows nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_seen"
    )
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="seen_by")
    seen_at = models.DateTimeField(default=timezone.now)

    objects = ShareSeenQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "share"], name="one_seen_row_per_person_share")
        ]

    def __str__(self) -> str:
        return f"Share {self.share_id} seen by {self.user_id} at {self.seen_at:%Y-%m-%d %H:%M}"
