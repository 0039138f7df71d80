"""Forms for an intervision group's agreement, its sessions, the group's notes
and the summary it takes to supervision.

Forms only gather and check what was typed: every save goes through the model
methods (GroupAgreement.write, IntervisionSession.record and write_notes,
SupervisionSummary.draft, edit and respond), which check who may and write the
audit rows. No form shows a shared note's text: a note brought to a session is
named by its author and date only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from intervision.models import MAX_SESSION_MINUTES, MIN_SESSION_MINUTES, IntervisionSession
from pod_site.dates import check_range, shift_years
from pod_site.editing import EditFormMixin
from pod_site.forms import DesignSystemMixin
from reflections.models import MAX_TEXT
from teams.models import GroupAgreement, IntervisionGroup, User

# Date range (docs/security.md, "Bad input"): a session held within the last
# 5 years, or scheduled up to a year ahead.
SESSION_YEARS_BACK = 5
SESSION_DAYS_AHEAD = 365

NO_NAMES = "No names of network members: write about the practice, not the people."


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(DesignSystemMixin, forms.ModelForm):
    """The group's four terms and its quorum, saved through GroupAgreement.write."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser's limits, as the model's (the field itself starts them at 0).
        self.fields["quorum"].widget.attrs.update(min=1, max=50)

    class Meta:
        model = GroupAgreement
        fields = [*GroupAgreement.TERMS, "quorum"]
        widgets = {
            **{term: forms.Textarea(attrs={"rows": 4}) for term in GroupAgreement.TERMS},
            "quorum": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        error_messages = {
            "what_is_recorded": {"required": "Say what the group writes down about its sessions."},
            "who_may_read": {"required": "Say who may read the group's records."},
            "confidentiality_limits": {
                "required": "Say when something said in the group would be taken outside it."
            },
            "taken_to_supervision": {
                "required": "Say what the group shares with its supervisor, and how it decides."
            },
        }


def group_people(group: IntervisionGroup):
    """The group's current members and its facilitator, by name."""
    return User.objects.filter(
        Q(pk__in=group.members.values("pk")) | Q(pk=group.facilitator_id)
    ).order_by("first_name", "last_name", "email")


class SessionForm(EditFormMixin, DesignSystemMixin, forms.ModelForm):
    """Schedule or record a session: date, length, who was there, the round's
    roles and the notes brought. Saved with IntervisionSession.record."""

    class Meta:
        model = IntervisionSession
        fields = [
            "held_on",
            "duration",
            "attendees",
            "presenter",
            "facilitator",
            "note_taker",
            "brought",
        ]
        widgets = {
            "held_on": _date_input(),
            "duration": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "attendees": forms.CheckboxSelectMultiple,
            "brought": forms.CheckboxSelectMultiple,
        }
        labels = {
            "held_on": "Date",
            "facilitator": "Facilitator of this round",
        }
        error_messages = {
            "held_on": {"required": "Enter the date of the session."},
            "attendees": {"invalid_choice": "Choose people from this group."},
            "presenter": {"invalid_choice": "Choose someone from this group."},
            "facilitator": {"invalid_choice": "Choose someone from this group."},
            "note_taker": {"invalid_choice": "Choose someone from this group."},
            "brought": {"invalid_choice": "Choose notes shared with this group."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        session: IntervisionSession = self.instance
        people = group_people(session.group)
        if session.pk:
            # Someone who attended and has since left the group stays on the record.
            people = User.objects.filter(
                Q(pk__in=people.values("pk")) | Q(pk__in=session.attendees.values("pk"))
            ).order_by("first_name", "last_name", "email")
        for name in ("attendees", "presenter", "facilitator", "note_taker"):
            self.fields[name].queryset = people
        for name in ("presenter", "facilitator", "note_taker"):
            self.fields[name].empty_label = "Not named"
        # The browser's limits, as the model's (the field itself starts them at 0).
        self.fields["duration"].widget.attrs.update(
            min=MIN_SESSION_MINUTES, max=MAX_SESSION_MINUTES
        )
        self.fields["attendees"].help_text = (
            "The group's members and facilitator who were there. For a session still "
            "ahead, leave this until it has taken place."
        )
        # Named by author and date only: never the note's title or text.
        self.fields["brought"].queryset = session.bringable_shares().order_by(
            "-reflection__written_at"
        )
        self.fields["brought"].label_from_instance = brought_label
        self.fields["brought"].help_text = (
            "Notes members have shared with the group (and still share). Only those "
            "who attended read them from the session."
        )

    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if "held_on" in self.changed_data or not self.instance.pk:
            today = timezone.localdate()
            check_range(
                held_on,
                earliest=shift_years(today, -SESSION_YEARS_BACK),
                latest=today + timedelta(days=SESSION_DAYS_AHEAD),
                too_early=f"The session date must be within the last {SESSION_YEARS_BACK} years.",
                too_late="A session can be scheduled up to a year ahead.",
            )
        return held_on

    def chosen(self, name: str) -> Any:
        """What the form says for `name`, or (a field this request did not carry,
        when editing) what is saved now."""
        if name in self.cleaned_data:
            return self.cleaned_data[name]
        session: IntervisionSession = self.instance
        if name in ("attendees", "brought"):
            return list(getattr(session, name).all()) if session.pk else []
        return getattr(session, name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        attendees = self.chosen("attendees")
        try:
            self.instance.clean_people(
                attendees,
                self.chosen("presenter"),
                self.chosen("facilitator"),
                self.chosen("note_taker"),
            )
        except ValidationError as error:
            self.add_people_errors(error)
        return cleaned

    def add_people_errors(self, error: ValidationError) -> None:
        """Each message on its field, or on the form when the field was not sent."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def brought_label(share: Any) -> str:
    written = timezone.localtime(share.reflection.written_at)
    return f"{share.reflection.author}, note of {written:%-d %B %Y}"


class RevisionForm(DesignSystemMixin, forms.Form):
    """A plain form that edits a Revisioned record: the revision it was loaded from."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    @property
    def based_on(self) -> int | None:
        return self.cleaned_data.get("revision")


class NotesForm(RevisionForm):
    """The note-taker's notes of the session (IntervisionSession.write_notes)."""

    notes = forms.CharField(
        label="The group's notes",
        help_text=f"Seen by those who attended and the group's facilitator. {NO_NAMES}",
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class SummaryForm(RevisionForm):
    """The summary for supervision, drafted and changed by the note-taker."""

    marks_optional_fields = False

    themes = forms.CharField(
        label="Themes",
        help_text=f"What came up, in the group's words. {NO_NAMES}",
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    questions = forms.CharField(
        label="Questions to take further",
        help_text="What the group would like its supervisor to think about with it. " + NO_NAMES,
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not (cleaned.get("themes", "").strip() or cleaned.get("questions", "").strip()):
            raise forms.ValidationError("Write the themes, the questions, or both.")
        return cleaned


class SummaryResponseForm(DesignSystemMixin, forms.Form):
    """The supervisor's response to a summary, once (SupervisionSummary.respond)."""

    response = forms.CharField(
        label="Your response to the group",
        help_text="The group sees your response. You can respond once.",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write your response before sending it."},
    )
