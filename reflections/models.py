"""Reflective notes a practitioner writes after a network meeting, or in general.

Private by default: `Reflection.objects.visible_to(user)` is the one visibility
rule: the author's notes, and notes shared with the person while the share is
visible to them (supervision.Share.objects.visible_to: the current supervision
link, current group membership, the facilitator). `.mine(user)` is its author's
part, what a person may change. See docs/architecture.md, "One rule per model".

Every change to a note is a method here that writes its AuditEvent in the same
transaction: share_with, add_addendum, finish, record_edit (a finished note's
edit), restore; erasure is data_rights/erasure.py.

Every free-text field is encrypted at rest (reflections/fields.py).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from pod_site.editing import Revisioned
from principles.models import PEER_PRACTICE, Framework, Principle
from reflections.fields import EncryptedTextField
from reflections.identifiers import FieldFindings
from teams.models import Team

if TYPE_CHECKING:
    from collections.abc import Callable

    from supervision.models import Addendum, Share
    from teams.models import IntervisionGroup, User

# Long enough for any reflection; short enough that a paste of something else
# is caught before it is stored.
MAX_TEXT = 20_000
text_limit = MaxLengthValidator(MAX_TEXT, f"Keep this to {MAX_TEXT:,} characters or fewer.")

T = TypeVar("T")

# The field of a form's "Save it as it is", after the identifier guard held back a
# change to a shared note (Reflection.change_checked_for_readers).
SAVE_AS_IT_IS = "save_as_it_is"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class Presence(models.TextChoices):
    NOT_AT_ALL = "not_at_all", "Not at all"
    A_LITTLE = "a_little", "A little"
    CLEARLY = "clearly", "Clearly"
    STRONGLY = "strongly", "Strongly"


class Disclosed(models.TextChoices):
    NO = "no", "No"
    IN_DIALOGUE = "dialogue", "Yes, in the dialogue"
    IN_REFLECTING = "reflecting", "Yes, in a reflecting conversation"


class FeltSafe(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class ColleagueResponse(models.TextChoices):
    SUPPORTIVE = "supportive", "Supportive"
    NEUTRAL = "neutral", "Neutral"
    UNCOMFORTABLE = "uncomfortable", "Uncomfortable"
    NOT_NOTICED = "not_noticed", "Not noticed"


# Draft history (Reflection.keep_version): the last ten saves, then one per
# five minutes of editing.
VERSIONS_KEPT_ALL = 10
VERSION_SPACING = timedelta(minutes=5)

# The reflection form shows, beside each principle, at most this many of the
# author's own notes on earlier meetings with the same network.
EARLIER_NOTES_SHOWN = 5

# 0 to 4, for emotional cost and for how I am after the meeting.
SCALE_0_TO_4 = [MaxValueValidator(4, "Choose a number from 0 to 4.")]
# Aftercare is offered after a disclosure that cost 3 or 4, or when the author
# is 0 or 1 after the meeting (issue: step 11).
AFTERCARE_COST = 3
AFTERCARE_WELLBEING = 1


def search_key(text: str) -> str:
    """Text as search compares it: Unicode NFC, case-folded (so "STRASSE"
    finds "straße", and a decomposed "e" + accent finds the composed "é"),
    and NFC again, since case-folding can decompose ("İ")."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def _token(field: str) -> models.Expression:
    """A column of EncryptedTextField as it is stored: the token, not decrypted
    (search decrypts a note's parts one by one, and only as far as it must)."""
    return models.ExpressionWrapper(F(field), output_field=models.TextField())


class ReflectionQuerySet(models.QuerySet["Reflection"]):
    def mentioning(self, words: str) -> list[int]:
        """The ids of these notes, in this queryset's order, whose decrypted
        text (the note, its principle notes, its disclosure) mentions `words`,
        as `Reflection.mentions` says. Three queries at any size, no model
        instances: the stored tokens only, streamed, and each note's parts
        decrypted in turn until one matches. Nothing is kept or stored."""
        from reflections.fields import decrypt

        needle = search_key(words)
        chosen = self.order_by().values("pk")
        parts: dict[int, list[str]] = {}
        notes = (
            PrincipleNote.objects.filter(reflection__in=chosen)
            .exclude(text="")
            .values_list("reflection_id", _token("text"))
        )
        for reflection_id, token in notes.iterator(chunk_size=2000):
            parts.setdefault(reflection_id, []).append(token)
        disclosures = Disclosure.objects.filter(reflection__in=chosen).values_list(
            "reflection_id", _token("what_shared"), _token("what_guided")
        )
        for reflection_id, *tokens in disclosures.iterator(chunk_size=2000):
            parts.setdefault(reflection_id, []).extend(token for token in tokens if token)

        def found(tokens: Iterable[str]) -> bool:
            return any(needle in search_key(decrypt(token)) for token in tokens if token)

        rows = self.values_list("pk", _token("text")).iterator(chunk_size=2000)
        return [pk for pk, text in rows if found(chain([text], parts.get(pk, ())))]

    def visible_to(self, user: User) -> ReflectionQuerySet:
        """The one visibility rule for reflections: the author's, and those shared
        with me while the share is active (supervision.Share.objects.visible_to)."""
        if not user.is_authenticated:
            return self.none()
        from supervision.models import Share  # supervision builds on reflections

        shared_with_me = Share.objects.visible_to(user).filter(reflection=OuterRef("pk"))
        return self.filter(Q(author=user) | Exists(shared_with_me))

    def mine(self, user: User) -> ReflectionQuerySet:
        """My own notes: the author's part of visible_to(user), the only notes a
        person may change (write, finish, restore, share, revoke) and export."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(author=user)

    def drafts(self) -> ReflectionQuerySet:
        return self.filter(status=Status.DRAFT)

    def written(self) -> ReflectionQuerySet:
        """Notes with something in them, as `Reflection.has_content` says, in the
        database: finished ones, and drafts with text or a principle noted. An
        empty draft is not yet a reflection (it leaves its meeting waiting for one).
        Encrypted text is stored as "" when empty, so the database can tell."""
        noted = PrincipleNote.objects.filter(reflection=OuterRef("pk")).exclude(
            text="", presence=""
        )
        return self.filter(Q(status=Status.FINAL) | ~Q(text="") | Exists(noted))

    def for_the_guard(self) -> ReflectionQuerySet:
        """What Reflection.identifier_findings reads, in a fixed number of queries."""
        return self.with_details().prefetch_related("meeting__network__members", "addenda")

    def with_details(self) -> ReflectionQuerySet:
        """Everything a list or export shows, in a fixed number of queries."""
        return self.select_related("meeting__network", "disclosure").prefetch_related(
            models.Prefetch(
                "principle_notes", PrincipleNote.objects.select_related("principle__framework")
            )
        )

    def touching(self, principle: Principle) -> ReflectionQuerySet:
        """Reflections with something written or rated on a principle (of any
        framework: slugs are unique only within one, so it takes the principle)."""
        return self.filter(
            Exists(
                PrincipleNote.objects.filter(
                    reflection=OuterRef("pk"), principle=principle
                ).exclude(text="", presence="")
            )
        )

    def with_disclosure(self) -> ReflectionQuerySet:
        return self.filter(
            disclosure__disclosed__in=[Disclosed.IN_DIALOGUE, Disclosed.IN_REFLECTING]
        )


class Reflection(Revisioned):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    meeting = models.ForeignKey(
        "meetings.NetworkMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflections",
        help_text="Leave empty for a general reflection.",
    )
    written_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    text = EncryptedTextField("what happened between us", blank=True, validators=[text_limit])
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    wants_supervision = models.BooleanField(
        "I would like to talk about this in supervision", default=False
    )
    wellbeing = models.PositiveSmallIntegerField(
        "how I am after this meeting",
        null=True,
        blank=True,
        validators=SCALE_0_TO_4,
        help_text="0 is very low, 4 is very well.",
    )

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        ordering = ["-written_at"]
        indexes = [models.Index(fields=["author", "-written_at"])]
        constraints = [
            # One note per person per meeting: a double click on "Write a
            # reflection" finds the draft that is already there.
            models.UniqueConstraint(
                fields=["author", "meeting"],
                condition=Q(meeting__isnull=False),
                name="one_reflection_per_author_per_meeting",
                violation_error_message="You already have a reflection on this meeting.",
            ),
            models.CheckConstraint(
                condition=Q(wellbeing__isnull=True) | Q(wellbeing__lte=4),
                name="reflection_wellbeing_0_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"Reflection {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reflections:detail", args=[self.pk])

    def clean(self) -> None:
        if self.meeting_id and self.author_id:
            attended = self.meeting.practitioner_attendances.filter(
                practitioner_id=self.author_id
            ).exists()
            if not attended:
                raise ValidationError(
                    {"meeting": "You can only reflect on a meeting you attended."}
                )

    def read_receipts(self, viewer: User) -> models.QuerySet:
        """Who has read this note and when (first and last time, how often): the one
        rule for read receipts is that only the note's author sees them."""
        if viewer.pk != self.author_id:
            return AuditEvent.objects.none()
        return AuditEvent.objects.read_receipts(self.pk)

    @property
    def is_locked(self) -> bool:
        """A note with a response is locked, so a response always refers to what was
        written; the author can still add an addendum."""
        return self.shares.filter(responses__isnull=False).exists()

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def title(self) -> str:
        """How the author sees this note in lists: the meeting, or "General reflection"."""
        if self.meeting is None:
            return "General reflection"
        local = timezone.localtime(self.meeting.starts_at)
        return f"{self.meeting.network.reference}, {local:%-d %b %Y}"

    def aftercare_reasons(self) -> set[str]:
        """Why the author's page offers aftercare (supervision/aftercare.py): "disclosure"
        when they disclosed at an emotional cost of AFTERCARE_COST or more,
        "wellbeing" when they are AFTERCARE_WELLBEING or lower after the meeting."""
        reasons = set()
        disclosure = getattr(self, "disclosure", None)
        if (
            disclosure is not None
            and disclosure.did_disclose
            and (disclosure.emotional_cost or 0) >= AFTERCARE_COST
        ):
            reasons.add("disclosure")
        if self.wellbeing is not None and self.wellbeing <= AFTERCARE_WELLBEING:
            reasons.add("wellbeing")
        return reasons

    def principles_to_write(self) -> list[Principle]:
        """The principles this note's form has a section for, in reading order
        (Principle.objects.in_reading_order), each with its prompts.

        Those of every framework enabled for the note's team(s) that are not
        retired (Framework.objects.enabled_for: the peer practice principles
        always): for a note about a meeting, the meeting's network's team; for a
        general note, the teams the author practises in. And every principle the
        note already has a note on, whatever its framework or team chose since,
        so nothing written is ever hidden or lost; those are marked
        `offered=False`. Two queries.
        """
        if self.meeting_id:
            teams = Team.objects.filter(networks__meetings=self.meeting_id)
        elif self.author_id:
            teams = self.author.practising_teams()
        else:
            teams = Team.objects.none()
        offered = Q(framework__in=Framework.objects.enabled_for(teams), retired_at__isnull=True)
        shown = offered
        if self.pk:
            written = PrincipleNote.objects.filter(reflection=self, principle=OuterRef("pk"))
            shown |= Q(Exists(written))
        return list(
            Principle.objects.filter(shown)
            # False: kept only for what this note already says on it.
            .annotate(offered=Case(When(offered, then=Value(True)), default=Value(False)))
            .in_reading_order()
            .prefetch_related("prompts")
        )

    def notes_beyond_peer_practice(self) -> models.QuerySet[PrincipleNote]:
        """The written notes under frameworks other than the peer practice
        principles (Open Dialogue's, a team's own), with their principles: every
        share carries them, so the share form names them. One query."""
        return (
            self.principle_notes.written()
            .exclude(principle__framework__slug=PEER_PRACTICE)
            .select_related("principle__framework")
            .order_by("principle__framework__name", "principle__order")
        )

    def has_content(self) -> bool:
        notes = self.principle_notes.all()
        return bool(self.text.strip() or any(note.text.strip() or note.presence for note in notes))

    def mentions(self, words: str) -> bool:
        """Whether the note's decrypted text contains these words, compared as
        `search_key` folds them (NFC, case-folded). For many notes at once,
        ReflectionQuerySet.mentioning does the same without loading them."""
        needle = search_key(words)
        disclosure = getattr(self, "disclosure", None)
        texts = [self.text, *(note.text for note in self.principle_notes.all())]
        if disclosure:
            texts += [disclosure.what_shared, disclosure.what_guided]
        return any(needle in search_key(text) for text in texts if text)

    def snapshot(self) -> dict[str, Any]:
        """Everything the author wrote, as plain data (for versions and exports)."""
        disclosure = getattr(self, "disclosure", None)
        return {
            "id": self.pk,
            "meeting": (
                {
                    "network": self.meeting.network.reference,
                    "starts_at": self.meeting.starts_at.isoformat(),
                }
                if self.meeting
                else None
            ),
            "written_at": self.written_at.isoformat(),
            "status": self.status,
            "text": self.text,
            "principles": [
                {
                    "principle": note.principle.name,
                    # Another framework's note says which (names repeat across
                    # frameworks, and a team may rename its own principles);
                    # a peer practice note reads as it always has.
                    **(
                        {}
                        if note.principle.framework.slug == PEER_PRACTICE
                        else {
                            "framework": note.principle.framework.name,
                            "principle_key": note.principle.key,
                        }
                    ),
                    "presence": note.get_presence_display() if note.presence else None,
                    "note": note.text,
                }
                for note in self.principle_notes.all()
                if note.text or note.presence
            ],
            "disclosure": disclosure.snapshot() if disclosure else None,
            "wants_supervision": self.wants_supervision,
            "wellbeing": self.wellbeing,
        }

    @transaction.atomic
    def keep_version(self, snapshot: dict[str, Any] | None = None) -> ReflectionVersion:
        """Keep the note as it stands (or `snapshot`, what it said before a save).

        Then thin out the history: the newest VERSIONS_KEPT_ALL versions all
        stay; of older ones, the first of each VERSION_SPACING of editing (so
        the note as first saved is always there), and hours of autosaves leave
        a readable trail rather than thousands of rows.
        """
        version = ReflectionVersion.objects.create(
            reflection=self,
            revision=self.revision,
            content=json.dumps(snapshot or self.snapshot(), ensure_ascii=False),
        )
        self.prune_versions()
        return version

    def prune_versions(self) -> None:
        older = list(
            self.versions.order_by("-saved_at", "-pk").values_list("pk", "saved_at")[
                VERSIONS_KEPT_ALL:
            ]
        )
        spacing = VERSION_SPACING.total_seconds()
        seen_slots, doomed = set(), []
        for pk, saved_at in reversed(older):
            slot = int(saved_at.timestamp() // spacing)
            if slot in seen_slots:
                doomed.append(pk)
            seen_slots.add(slot)
        if doomed:
            ReflectionVersion.objects.filter(pk__in=doomed).delete()

    @transaction.atomic
    def restore(self, version: ReflectionVersion) -> None:
        """Make the note say what `version` said; what it says now is kept as a version.

        Raises ValidationError for a locked note (a response refers to what
        was written) or a version of another note.
        """
        if version.reflection_id != self.pk:
            raise ValidationError("That version belongs to another note.")
        if self.is_locked:
            raise ValidationError("This note has responses, so it is locked.")
        locked = Reflection.objects.select_for_update(of=("self",)).with_details().get(pk=self.pk)
        locked.keep_version()
        data = version.data()
        locked.text = data.get("text", "")
        locked.wants_supervision = data.get("wants_supervision", False)
        locked.wellbeing = data.get("wellbeing")
        locked.save(update_fields=["text", "wants_supervision", "wellbeing", "updated_at"])
        presence_by_label = {label: value for value, label in Presence.choices}
        PrincipleNote.objects.filter(reflection=locked).delete()
        PrincipleNote.objects.bulk_create(
            PrincipleNote(
                reflection=locked,
                principle=principle,
                text=item.get("note") or "",
                presence=presence_by_label.get(item.get("presence") or "", ""),
            )
            for principle, item in _principles_of(data.get("principles", []))
        )
        Disclosure.objects.filter(reflection=locked).delete()
        if disclosure := data.get("disclosure"):
            Disclosure.objects.create(reflection=locked, **Disclosure.from_snapshot(disclosure))
        locked.claim_revision(locked.revision)
        AuditEvent.objects.record(
            self.author,
            Action.RESTORE,
            reflection_id=self.pk,
            detail={"version_id": version.pk, "revision": version.revision},
        )
        self.refresh_from_db()

    @transaction.atomic
    def finish(self, now: datetime | None = None) -> None:
        if not self.has_content():
            raise ValidationError("Write something before you finish this note.")
        self.status = Status.FINAL
        self.finished_at = self.finished_at or now or timezone.now()
        self.save(update_fields=["status", "finished_at", "updated_at"])
        # A tab still holding the draft must not save over the finished note unawares.
        self.claim_revision(self.revision)
        AuditEvent.objects.record(self.author, Action.FINISH, reflection_id=self.pk)

    @transaction.atomic
    def discard(self) -> None:
        """The author throws a draft away: the note and all its versions go, and
        an audit row (ids only) says so. A finished note is never discarded."""
        locked = Reflection.objects.select_for_update(of=("self",)).get(pk=self.pk)
        if locked.status != Status.DRAFT:
            raise ValidationError("Only a draft can be discarded; this note is finished.")
        AuditEvent.objects.record(
            self.author,
            Action.DISCARD,
            reflection_id=self.pk,
            detail={"versions": locked.versions.count(), "meeting_id": locked.meeting_id},
        )
        locked.delete()

    def record_edit(self, before: dict[str, Any], based_on: int) -> None:
        """After a save changed the note (inside its transaction): keep what it
        replaced as a version, raise the revision and, for a finished note, write
        the audit row. Editing a draft (autosave included) is not audited."""
        self.keep_version(before)
        self.claim_revision(based_on)
        if self.status == Status.FINAL:
            AuditEvent.objects.record(
                self.author, Action.EDIT, reflection_id=self.pk, detail={"revision": based_on}
            )

    @transaction.atomic
    def share_with(
        self,
        *,
        supervisor: User | None = None,
        group: IntervisionGroup | None = None,
        until: date | None = None,
        include_disclosure: bool = False,
        shared_anyway: dict[str, int] | None = None,
    ) -> Share:
        """The author shares this note with one supervisor or one group. Raises
        IntegrityError when it is already shared with them (a live share).
        `shared_anyway`: the author was shown identifiers in the note and shared
        anyway; how many of each kind ({"name": 2}, no text) goes in the audit row."""
        from supervision.models import Share  # supervision builds on reflections

        share = Share.objects.create(
            reflection=self,
            supervisor=supervisor,
            group=group,
            until=until,
            include_disclosure=include_disclosure,
        )
        AuditEvent.objects.record(
            self.author,
            Action.SHARE,
            reflection_id=self.pk,
            share_id=share.pk,
            detail={
                "include_disclosure": include_disclosure,
                **({"identifiers_shared_anyway": shared_anyway} if shared_anyway else {}),
            },
        )
        return share

    @transaction.atomic
    def add_addendum(self, text: str) -> Addendum:
        """The author adds to a note (a locked one keeps what was responded to)."""
        addendum = self.addenda.create(text=text)
        AuditEvent.objects.record(
            self.author,
            Action.ADDENDUM,
            reflection_id=self.pk,
            detail={"addendum_id": addendum.pk},
        )
        return addendum

    def findings_for_readers(self) -> list[FieldFindings] | None:
        """The identifier guard over what this note's readers see now: every live
        share's recipients (the self-disclosure parts only if a share includes
        them). None when nobody else can read it."""
        live = list(self.shares.active().values_list("include_disclosure", flat=True))
        if not live:
            return None
        return self.identifier_findings(include_disclosure=any(live))

    def change_checked_for_readers(
        self, change: Callable[[], T], *, confirmed: bool = False
    ) -> tuple[T | None, list[FieldFindings]]:
        """Make `change` (a save of this note, an addendum to it) under the
        identifier guard: a note someone else can read leaves its author with
        every change, so a change that adds to what its readers see something the
        guard finds (a name, an NHS number: reflections/identifiers.py) is undone,
        unless `confirmed`. Returns (what `change` returned, []) when it was made,
        or (None, the findings it would have added) when it was undone; the
        author's text is then still in their form, to edit or confirm."""
        before = None if confirmed else self.findings_for_readers()
        with transaction.atomic():
            result = change()
            if before is None:
                return result, []
            after = Reflection.objects.for_the_guard().get(pk=self.pk).findings_for_readers()
            added = _added(before, after or [])
            if added:
                transaction.set_rollback(True)
                return None, added
        return result, []

    def identifier_findings(
        self,
        *,
        include_disclosure: bool = True,
        include_addenda: bool = True,
        today: date | None = None,
    ) -> list[FieldFindings]:
        """What in this note could identify someone in its meeting's network.

        Checks (reflections/identifiers.py) the text, each principle note, the
        disclosure's two texts and each addendum against every name recorded in
        the network (the person at the centre's too) and its reference; a general
        reflection has no network, so only against the patterns (NHS number,
        phone, email, postcode, date of birth). Returns one FieldFindings per
        part with findings, labelled as the author sees the part ("What happened
        between us"), in the note's order; [] when nothing was found.

        `include_disclosure=False` leaves out what a share without the author's
        self-disclosure does not show (the self-disclosure principle note and the
        disclosure details); `include_addenda=False`, the addenda (the export does
        not carry them). Uses prefetched members, notes and addenda when there
        are; otherwise a query for each. Logs nothing.
        """
        from principles.models import SELF_DISCLOSURE
        from reflections.identifiers import check_fields

        names: list[str] = []
        references: list[str] = []
        if self.meeting_id:
            network = self.meeting.network
            names = [member.name for member in network.members.all()]
            references = [network.reference]
        fields = [("What happened between us", self.text)]
        for note in self.principle_notes.all():
            if include_disclosure or note.principle.slug != SELF_DISCLOSURE:
                fields.append((note.principle.heading, note.text))
        disclosure = getattr(self, "disclosure", None)
        if disclosure is not None and include_disclosure:
            fields += [
                ("Disclosure details: what I shared", disclosure.what_shared),
                ("Disclosure details: what guided my decision", disclosure.what_guided),
            ]
        if include_addenda:
            for addendum in self.addenda.all():
                added = timezone.localtime(addendum.created_at)
                fields.append((f"Added {added:%-d %b %Y, %H:%M}", addendum.text))
        return check_fields(fields, names=names, references=references, today=today)


def _principles_of(items: list[dict[str, Any]]) -> list[tuple[Principle, dict[str, Any]]]:
    """Each principle item of a snapshot with the principle it is about.

    Another framework's item names its principle by `principle_key` (kept
    through a rename); an older version's, or a peer practice one's, by name:
    the peer practice principle of that name first, then any (seeded names are
    distinct). An item whose principle no longer exists is left out.
    """
    principles = list(Principle.objects.select_related("framework"))
    by_key = {p.key: p for p in principles}
    by_name: dict[str, Principle] = {}
    # Peer practice first, then the other shared frameworks, then teams' own.
    for principle in sorted(
        principles,
        key=lambda p: (p.framework.slug != PEER_PRACTICE, p.framework.team_id is not None),
    ):
        by_name.setdefault(principle.name, principle)
    found: dict[int, tuple[Principle, dict[str, Any]]] = {}
    for item in items:
        principle = by_key.get(item.get("principle_key") or "") or (
            None if item.get("principle_key") else by_name.get(item.get("principle", ""))
        )
        if principle is not None:
            found[principle.pk] = (principle, item)
    return list(found.values())


def _added(before: list[FieldFindings], after: list[FieldFindings]) -> list[FieldFindings]:
    """The findings of `after` that `before` did not have anywhere in the note
    (the same kind and the same words, in any case), grouped as in `after`."""
    seen = {(f.kind, f.fragment.casefold()) for part in before for f in part.findings}
    added = []
    for part in after:
        new = tuple(f for f in part.findings if (f.kind, f.fragment.casefold()) not in seen)
        if new:
            added.append(FieldFindings(part.label, new))
    return added


class PrincipleNoteQuerySet(models.QuerySet["PrincipleNote"]):
    def written(self) -> PrincipleNoteQuerySet:
        """Notes with something in them: text, or how present the principle was."""
        return self.exclude(text="", presence="")

    def earlier_for(
        self, reflection: Reflection, *, per_principle: int = EARLIER_NOTES_SHOWN
    ) -> PrincipleNoteQuerySet:
        """The author's own notes on earlier meetings of the same network, for the
        form's "earlier notes" panels: at most `per_principle` for each principle,
        newest meeting first, ordered by principle. One query, however many
        principles; each note comes with its reflection and meeting.

        Only `reflection.author`'s notes, never this reflection's, never an empty
        note or an empty draft's (a discarded draft no longer exists). Nothing for
        a general reflection (no meeting) or one not yet about a saved meeting.
        """
        meeting = reflection.meeting
        if meeting is None or not reflection.author_id:
            return self.none()
        notes = (
            self.written()
            .filter(
                # A note with something in it makes its reflection a written one.
                reflection__author_id=reflection.author_id,
                reflection__meeting__network_id=meeting.network_id,
                reflection__meeting__starts_at__lt=meeting.starts_at,
            )
            .exclude(reflection_id=reflection.pk)
            .annotate(
                newness=Window(
                    RowNumber(),
                    partition_by=[F("principle_id")],
                    order_by=[F("reflection__meeting__starts_at").desc(), F("pk").desc()],
                )
            )
            .filter(newness__lte=per_principle)
        )
        return notes.select_related("reflection__meeting").order_by("principle_id", "newness")


class PrincipleNote(models.Model):
    """What a reflection says about one principle, and how present it was."""

    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="principle_notes"
    )
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="notes")
    text = EncryptedTextField(blank=True, validators=[text_limit])
    presence = models.CharField(
        "how present was this in the meeting",
        max_length=16,
        choices=Presence.choices,
        blank=True,
    )

    objects = PrincipleNoteQuerySet.as_manager()

    class Meta:
        ordering = ["reflection", "principle__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "principle"],
                name="one_note_per_principle_per_reflection",
                violation_error_message="This reflection already has a note on this principle.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.principle} note on reflection {self.reflection_id}"


class Disclosure(models.Model):
    """Whether the author shared their own experience, and what it cost them."""

    reflection = models.OneToOneField(
        Reflection, on_delete=models.CASCADE, related_name="disclosure"
    )
    disclosed = models.CharField(
        "did I disclose", max_length=16, choices=Disclosed.choices, blank=True
    )
    what_shared = EncryptedTextField(
        "what I shared, in a few words", blank=True, validators=[text_limit]
    )
    what_guided = EncryptedTextField("what guided my decision", blank=True, validators=[text_limit])
    felt_safe = models.CharField(
        "did it feel safe", max_length=8, choices=FeltSafe.choices, blank=True
    )
    colleague_response = models.CharField(
        "how colleagues responded", max_length=16, choices=ColleagueResponse.choices, blank=True
    )
    emotional_cost = models.PositiveSmallIntegerField(
        "its emotional cost to me",
        null=True,
        blank=True,
        validators=SCALE_0_TO_4,
        help_text="0 is none, 4 is very high.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(emotional_cost__isnull=True) | Q(emotional_cost__lte=4),
                name="disclosure_cost_0_to_4",
            )
        ]

    def __str__(self) -> str:
        return f"Disclosure on reflection {self.reflection_id}"

    @staticmethod
    def from_snapshot(data: dict[str, Any]) -> dict[str, Any]:
        """The field values of a `snapshot()` (which shows choices by their labels)."""

        def value_of(choices: type[models.TextChoices], label: str | None) -> str:
            return {choice.label: choice.value for choice in choices}.get(label or "", "")

        return {
            "disclosed": value_of(Disclosed, data.get("disclosed")),
            "what_shared": data.get("what_shared") or "",
            "what_guided": data.get("what_guided") or "",
            "felt_safe": value_of(FeltSafe, data.get("felt_safe")),
            "colleague_response": value_of(ColleagueResponse, data.get("colleague_response")),
            "emotional_cost": data.get("emotional_cost"),
        }

    @property
    def did_disclose(self) -> bool:
        return self.disclosed in (Disclosed.IN_DIALOGUE, Disclosed.IN_REFLECTING)

    def snapshot(self) -> dict[str, Any]:
        return {
            "disclosed": self.get_disclosed_display() if self.disclosed else None,
            "what_shared": self.what_shared,
            "what_guided": self.what_guided,
            "felt_safe": self.get_felt_safe_display() if self.felt_safe else None,
            "colleague_response": (
                self.get_colleague_response_display() if self.colleague_response else None
            ),
            "emotional_cost": self.emotional_cost,
        }


class ReflectionVersion(models.Model):
    """An earlier state of a note, kept by every save that changed it (drafts
    included), thinned out by Reflection.prune_versions, restorable by its author."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="versions")
    saved_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(
        null=True, blank=True, help_text="The note's revision this was."
    )
    content = EncryptedTextField(help_text="The note as it was, as JSON.")

    class Meta:
        ordering = ["-saved_at"]

    def __str__(self) -> str:
        return f"Version of reflection {self.reflection_id} from {self.saved_at:%Y-%m-%d %H:%M}"

    def data(self) -> dict[str, Any]:
        return json.loads(self.content)
