"""Forms for sharing, responding, supervision sessions and the digest choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from pod_site.dates import check_range, shift_years
from pod_site.forms import DesignSystemMixin
from principles.models import SELF_DISCLOSURE, Principle
from reflections.models import MAX_TEXT
from supervision.models import DigestPreference, Frequency, Share, SupervisionSession
from teams.models import IntervisionGroup, User

# Date ranges (docs/security.md, "Bad input"): a share's end within 5 years; a
# session held within the last 5 years (at most a day ahead, for a session
# recorded the evening before); the next session from today to a year ahead.
SHARE_UNTIL_YEARS = 5
SESSION_YEARS_BACK = 5


class ShareForm(DesignSystemMixin, forms.Form):
    """Share one note with some of my supervisors and intervision groups."""

    supervisors = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="My supervisors",
    )
    groups = forms.ModelMultipleChoiceField(
        queryset=IntervisionGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="My intervision groups",
    )
    until = forms.DateField(
        label="Share until",
        required=False,
        help_text="Leave empty to share until you revoke it.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # One choice for both parts about the author's own lived experience
    # (Share.shows_self_disclosure): the principle note and the disclosure details.
    include_disclosure = forms.BooleanField(
        label="Include my self-disclosure",
        required=False,
        help_text=(
            "Your sections “Self-disclosure (principle)” and “Disclosure details” (whether "
            "you disclosed, what you shared, what guided you, whether it felt safe, how "
            "colleagues responded and its emotional cost). Both are left out unless you "
            "tick this."
        ),
    )

    # Aftercare (supervision/aftercare.py): a request for a conversation goes to
    # the supervisors chosen above (Share.ask_to_talk), never to a group.
    ask_to_talk = forms.BooleanField(
        label="I would like to talk with my supervisor about how this meeting left me",
        required=False,
        help_text="Your supervisor sees that you asked, and nothing more.",
    )

    def __init__(self, *args: Any, author: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = author.current_supervisors()
        self.fields["groups"].queryset = IntervisionGroup.objects.filter(members=author)

    @classmethod
    def initial_from(cls, query: QueryDict) -> dict[str, Any]:
        """Choices a link may make in advance (the aftercare offer's "share and ask
        for a conversation"): ?supervisor=<id>&talk=1. Anything else is ignored."""
        initial: dict[str, Any] = {}
        supervisor = query.get("supervisor", "")
        if supervisor.isdigit():
            initial["supervisors"] = [int(supervisor)]
        if query.get("talk") == "1":
            initial["ask_to_talk"] = True
        return initial

    def clean_ask_to_talk(self) -> bool:
        asked = self.cleaned_data["ask_to_talk"]
        # Fields are cleaned in order: the supervisors chosen are known here.
        if asked and not self.cleaned_data.get("supervisors"):
            raise forms.ValidationError(
                "Choose the supervisor you would like to talk with, or untick this."
            )
        return asked

    def principles_always_shown(self) -> list[Principle]:
        """The peer practice principles whose notes every share carries: all but
        self-disclosure, which goes with the disclosure details."""
        return list(Principle.objects.peer_practice().exclude(slug=SELF_DISCLOSURE))

    def clean_until(self) -> Any:
        until = self.cleaned_data["until"]
        if until and until < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        check_range(
            until,
            latest=shift_years(timezone.localdate(), SHARE_UNTIL_YEARS),
            too_late=f"Choose a date within {SHARE_UNTIL_YEARS} years from today.",
        )
        return until

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("supervisors") and not cleaned.get("groups"):
            raise forms.ValidationError("Choose at least one supervisor or group to share with.")
        return cleaned

    def recipients(self) -> list[dict[str, Any]]:
        """One Share's worth of fields per chosen supervisor or group."""
        data = self.cleaned_data
        chosen = [{"supervisor": person} for person in data["supervisors"]]
        chosen += [{"group": group} for group in data["groups"]]
        return chosen


class ResponseForm(DesignSystemMixin, forms.Form):
    text = forms.CharField(
        label="Your response",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write your response before sending it."},
    )


class AddendumForm(DesignSystemMixin, forms.Form):
    text = forms.CharField(
        label="Add to this note",
        help_text="The note itself is locked because it has responses; this is added below it.",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write what you would like to add."},
    )


class SessionForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = SupervisionSession
        fields = [
            "supervisee",
            "held_on",
            "duration",
            "kind",
            "discussed",
            "agreed_actions",
            "next_on",
        ]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "duration": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "kind": forms.RadioSelect,
            "next_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "discussed": forms.CheckboxSelectMultiple,
            "agreed_actions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, supervisor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.supervisor = supervisor
        self.fields["supervisee"].queryset = supervisor.current_supervisees()
        self.fields["supervisee"].empty_label = "Choose a supervisee"
        self.fields["supervisee"].error_messages["required"] = "Choose a supervisee."
        self.fields["duration"].error_messages["required"] = (
            "Enter how long the session lasted, in minutes."
        )
        # What this supervisor may see now: the one rule for shares.
        self.fields["discussed"].queryset = (
            Share.objects.received_by(supervisor)
            .filter(supervisor=supervisor)
            .select_related("reflection__meeting__network", "reflection__author")
            .order_by("-shared_at")
        )
        self.fields["discussed"].label_from_instance = lambda share: (
            f"{share.reflection.author}: {share.reflection.title}"
        )
        self.fields["agreed_actions"].max_length = MAX_TEXT

    # Checked only when changed, so an older session can still be corrected.
    def clean_held_on(self) -> Any:
        held_on = self.cleaned_data["held_on"]
        if "held_on" in self.changed_data or not self.instance.pk:
            today = timezone.localdate()
            check_range(
                held_on,
                earliest=shift_years(today, -SESSION_YEARS_BACK),
                latest=today + timedelta(days=1),
                too_early=f"The session date must be within the last {SESSION_YEARS_BACK} years.",
                too_late="The session date can be at most a day ahead.",
            )
        return held_on

    def clean_next_on(self) -> Any:
        next_on = self.cleaned_data["next_on"]
        if "next_on" in self.changed_data:
            today = timezone.localdate()
            check_range(
                next_on,
                earliest=today,
                latest=shift_years(today, 1),
                too_early="The next session must be today or later.",
                too_late="The next session must be within a year from today.",
            )
        return next_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        supervisee = cleaned.get("supervisee")
        others = [
            s
            for s in cleaned.get("discussed", [])
            if s.reflection.author_id != getattr(supervisee, "pk", None)
        ]
        if supervisee and others:
            self.add_error("discussed", "Choose notes shared by this supervisee only.")
        return cleaned


class SessionCommentForm(DesignSystemMixin, forms.Form):
    """The supervisee's comment on a session record (SupervisionSession.add_comment)."""

    text = forms.CharField(
        label="Your comment on this record",
        help_text="Seen by you and your supervisor. You can comment once.",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write your comment before sending it."},
    )


class DigestPreferenceForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["frequency"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": "Email me a digest of what awaits me"}


def digest_preference_for(user, is_supervisor: bool | None = None) -> DigestPreference:
    """Their choice, or the default: weekly for a supervisor, none for everyone
    else (supervision/models.py, DigestPreference). Pass `is_supervisor` when the
    page already asked."""
    preference = DigestPreference.objects.filter(user=user).first()
    if preference is None:
        if is_supervisor is None:
            is_supervisor = user.is_supervisor
        default = Frequency.WEEKLY if is_supervisor else Frequency.NONE
        preference = DigestPreference(user=user, frequency=default)
    return preference


def digest_form_for(user, is_supervisor: bool | None = None) -> DigestPreferenceForm:
    """The digest choice form, showing what applies now (My practice, the inbox)."""
    return DigestPreferenceForm(instance=digest_preference_for(user, is_supervisor))
