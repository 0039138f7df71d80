"""Forms for writing reflections and for finding them again."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from meetings.models import Network, NetworkMeeting
from pod_site.editing import EditFormMixin
from pod_site.forms import DesignSystemMixin, InlineRadioSelect, QuickSelect
from principles.models import PEER_PRACTICE, SELF_DISCLOSURE, Framework, Principle
from reflections.models import (
    MAX_TEXT,
    ColleagueResponse,
    Disclosed,
    Disclosure,
    FeltSafe,
    Presence,
    PrincipleNote,
    Reflection,
    ReflectionQuerySet,
    Status,
)

SCALE_CHOICES = [("", "Not answered")] + [(str(n), str(n)) for n in range(5)]
DISCLOSURE_FIELDS = [
    "disclosed",
    "what_shared",
    "what_guided",
    "felt_safe",
    "colleague_response",
    "emotional_cost",
]


def _text_field(label: str, hint: str = "", rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        required=False,
        max_length=MAX_TEXT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _choice_field(
    label: str, choices: list[tuple[str, str]], hint: str = "", inline: bool = False
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        required=False,
        choices=[("", "Not answered"), *choices],
        widget=InlineRadioSelect if inline else forms.RadioSelect,
    )


def _scale_field(label: str, hint: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=hint,
        required=False,
        choices=SCALE_CHOICES,
        coerce=int,
        empty_value=None,
        widget=InlineRadioSelect,
    )


class StartReflectionForm(DesignSystemMixin, forms.Form):
    """Which meeting a new reflection is about: one I attended, or none."""

    meeting = forms.ModelChoiceField(
        queryset=NetworkMeeting.objects.none(),
        required=False,
        empty_label="A general reflection, not about one meeting",
        label="Which meeting is this about?",
        help_text="Meetings you attended, newest first.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            NetworkMeeting.objects.for_user(user)
            .attended_by(user)
            .select_related("network")
            .order_by("-starts_at")
        )


class ReflectionForm(EditFormMixin, DesignSystemMixin, forms.Form):
    """The whole note: free text, one note per principle, the disclosure, and how I am.

    Principle fields are named `note_<key>` and `presence_<key>` (Principle.key:
    the slug of a peer practice principle, "<framework>__<slug>" of another's);
    the template groups them by framework with the principle's prompts (see
    `principle_sections`). `principles` is `Reflection.principles_to_write()`:
    the frameworks enabled for the note's team, and whatever it has notes on,
    so a request can only write under those.
    """

    # Every part of a reflection is optional: labels need not all say so.
    marks_optional_fields = False

    text = _text_field(
        "What happened between us",
        "Whatever stays with you from the meeting, in your own words.",
        rows=8,
    )
    disclosed = _choice_field("Did I disclose?", Disclosed.choices)
    what_shared = _text_field("What I shared, in a few words", rows=3)
    what_guided = _text_field("What guided my decision", "Whether you shared or held back.", rows=3)
    felt_safe = _choice_field("Did it feel safe?", FeltSafe.choices, inline=True)
    colleague_response = _choice_field("How did colleagues respond?", ColleagueResponse.choices)
    emotional_cost = _scale_field("Its emotional cost to me", "0 is none, 4 is very high.")
    wants_supervision = forms.BooleanField(
        label="I would like to talk about this in supervision", required=False
    )
    wellbeing = _scale_field("How I am after this meeting", "0 is very low, 4 is very well.")

    def __init__(self, *args: Any, principles: list[Principle], **kwargs: Any) -> None:
        self.principles = principles
        super().__init__(*args, **kwargs)
        for principle in self.principles:
            self.fields[f"note_{principle.key}"] = _text_field(
                f"My note on {principle.name.lower()}", rows=4
            )
            self.fields[f"presence_{principle.key}"] = _choice_field(
                f"How present was {principle.name.lower()} in the meeting?", Presence.choices
            )
        self.style_widgets()

    @classmethod
    def initial_for(cls, reflection: Reflection) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "revision": reflection.revision,
            "text": reflection.text,
            "wants_supervision": reflection.wants_supervision,
            "wellbeing": reflection.wellbeing,
        }
        for note in reflection.principle_notes.all():
            initial[f"note_{note.principle.key}"] = note.text
            initial[f"presence_{note.principle.key}"] = note.presence
        disclosure = getattr(reflection, "disclosure", None)
        if disclosure:
            initial.update({name: getattr(disclosure, name) for name in DISCLOSURE_FIELDS})
        return initial

    def principle_sections(self) -> list[dict[str, Any]]:
        """Each principle with its prompts and its two bound fields, for the template,
        in reading order (the peer practice principles first, then each framework):
        [{"principle", "note", "presence", "self_disclosure": bool,
          "framework_written": bool (something is written under this principle's
          framework, so its collapsed section opens), "kept": bool (no longer
          offered: the framework was disabled or the principle retired, and it
          is shown for what this note says on it)}].

        A principle whose fields a (hand-made) partial request left out is not
        shown: those fields were dropped from the form (EditFormMixin).
        """
        sections = [
            {
                "principle": principle,
                "note": self[f"note_{principle.key}"],
                "presence": self[f"presence_{principle.key}"],
                # Shared only with the disclosure details (Share.shows_self_disclosure).
                "self_disclosure": principle.framework.slug == PEER_PRACTICE
                and principle.slug == SELF_DISCLOSURE,
                "kept": not getattr(principle, "offered", True),
            }
            for principle in self.principles
            if f"note_{principle.key}" in self.fields and f"presence_{principle.key}" in self.fields
        ]
        written = {
            section["principle"].framework_id
            for section in sections
            if section["note"].value() or section["presence"].value()
        }
        for section in sections:
            section["framework_written"] = section["principle"].framework_id in written
        return sections

    def sections_sent(self) -> list[Principle]:
        """The principles whose note or presence this request carries."""
        return [
            p
            for p in self.principles
            if f"note_{p.key}" in self.fields or f"presence_{p.key}" in self.fields
        ]

    @transaction.atomic
    def save(self, reflection: Reflection, *, autosave: bool = False) -> SaveOutcome:
        """Write what the request carries into the reflection and its parts.

        The reflection's row is locked first, so an autosave and a "Finish"
        sent together (focus leaves the text for the button) are applied one
        after the other. Refused, changing nothing, when the note has moved on
        from the revision this form was loaded from (CONFLICT), or, for an
        autosave, when the note has been finished meanwhile (FINISHED). What
        the save replaces is kept as a version (Reflection.keep_version), and
        a save that changes nothing keeps no version and leaves the revision.
        """
        locked = (
            Reflection.objects.select_for_update(of=("self",)).with_details().get(pk=reflection.pk)
        )
        if autosave and locked.status != Status.DRAFT:
            return SaveOutcome.FINISHED
        before = locked.snapshot()
        if locked.revision != self.based_on:
            # Stale, unless it says exactly what is stored: a retry of a save
            # whose answer was lost on the way back is not a conflict.
            if self._changes_nothing(locked, before):
                return SaveOutcome.UNCHANGED
            return SaveOutcome.CONFLICT
        if self._changes_nothing(locked, before, keep=True):
            return SaveOutcome.UNCHANGED
        # Keeps a version and raises the revision; a finished note's edit is audited.
        locked.record_edit(before, self.based_on)
        reflection.refresh_from_db()
        reflection._prefetched_objects_cache = {}
        reflection.__dict__.pop("disclosure", None)
        return SaveOutcome.SAVED

    def _changes_nothing(
        self, locked: Reflection, before: dict[str, Any], *, keep: bool = False
    ) -> bool:
        """Apply the form; True if what is stored is then as it was `before`.

        The changes are rolled back if they change nothing, or unless `keep`.
        """
        with transaction.atomic():
            self._apply(locked)
            # Read back what is now stored, to see whether anything changed.
            unchanged = Reflection.objects.with_details().get(pk=locked.pk).snapshot() == before
            if unchanged or not keep:
                transaction.set_rollback(True)
        return unchanged

    def _apply(self, reflection: Reflection) -> None:
        data = self.cleaned_data
        own = [name for name in ("text", "wants_supervision", "wellbeing") if name in data]
        for name in own:
            setattr(reflection, name, data[name])
        reflection.save(update_fields=[*own, "updated_at"])
        existing = {note.principle_id: note for note in reflection.principle_notes.all()}
        changed, added = [], []
        for principle in self.sections_sent():
            note = existing.get(principle.pk) or PrincipleNote(
                reflection=reflection, principle=principle
            )
            note.text = data.get(f"note_{principle.key}", note.text)
            note.presence = data.get(f"presence_{principle.key}", note.presence)
            if note.pk:
                changed.append(note)
            elif note.text or note.presence:
                added.append(note)
        PrincipleNote.objects.bulk_update(changed, ["text", "presence"])
        PrincipleNote.objects.bulk_create(added)
        disclosure = {name: data[name] for name in DISCLOSURE_FIELDS if name in data}
        if disclosure and not Disclosure.objects.filter(reflection=reflection).update(**disclosure):
            Disclosure.objects.create(reflection=reflection, **disclosure)


class SaveOutcome(enum.Enum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    FINISHED = "finished"


PERIODS = {
    "30d": ("Last 30 days", timedelta(days=30)),
    "3m": ("Last 3 months", timedelta(days=91)),
    "12m": ("Last 12 months", timedelta(days=365)),
}


class TimelineFilterForm(DesignSystemMixin, forms.Form):
    """Filters for My reflections. Every combination is a bookmarkable URL."""

    marks_optional_fields = False

    q = forms.CharField(
        label="Search my notes", required=False, max_length=200, widget=forms.SearchInput
    )
    # Choices made per person in __init__: principles grouped by framework
    # (<optgroup>), networks by reference. Plain choices read as (id, label)
    # pairs: a person may have met a hundred networks, and model choices would
    # load each one as a model for every page of My reflections.
    principle = forms.ChoiceField(required=False, widget=QuickSelect)
    network = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    period = forms.ChoiceField(
        choices=[("", "Any time")] + [(key, label) for key, (label, _) in PERIODS.items()],
        required=False,
    )
    disclosure = forms.BooleanField(label="With a disclosure", required=False)
    supervision = forms.BooleanField(label="Asked for supervision", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.principles = {p.key: p for p in self.principles_for(user)}
        groups: dict[str, list[tuple[str, str]]] = {}
        for key, principle in self.principles.items():
            groups.setdefault(principle.framework.name, []).append((key, principle.name))
        self.fields["principle"].choices = [("", "Any principle"), *groups.items()]
        # Only networks of meetings I attended: the ones my notes can be about.
        networks = (
            Network.objects.for_user(user)
            .filter(Exists(NetworkMeeting.objects.attended_by(user).filter(network=OuterRef("pk"))))
            .order_by("reference")
            .values_list("pk", "reference")
        )
        self.fields["network"].choices = [("", "Any network"), *networks]

    @staticmethod
    def principles_for(user: Any) -> list[Principle]:
        """What a person can filter their notes by, in reading order: the
        principles of every framework enabled for a team they practise in (the
        peer practice principles always; retired ones left out), and every
        principle they have written a note on, whatever its framework. One query."""
        enabled = Framework.objects.enabled_for(user.practising_teams())
        written = PrincipleNote.objects.written().filter(
            reflection__in=Reflection.objects.mine(user), principle=OuterRef("pk")
        )
        return list(
            Principle.objects.filter(
                Q(framework__in=enabled, retired_at__isnull=True) | Q(Exists(written))
            ).in_reading_order()
        )

    def filter(self, reflections: ReflectionQuerySet) -> ReflectionQuerySet:
        """Apply the database filters. Text search happens after decryption.
        `principle` is a Principle.key ("attunement", "open-dialogue__dialogism")."""
        data = self.cleaned_data
        if data.get("principle"):
            reflections = reflections.touching(self.principles[data["principle"]])
        if data.get("network"):
            reflections = reflections.filter(meeting__network_id=data["network"])
        if data.get("period"):
            reflections = reflections.filter(
                written_at__gte=timezone.now() - PERIODS[data["period"]][1]
            )
        if data.get("disclosure"):
            reflections = reflections.with_disclosure()
        if data.get("supervision"):
            reflections = reflections.filter(wants_supervision=True)
        return reflections
