"""Forms for sharing, responding, supervision sessions and the digest choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from pod_site.forms import DesignSystemMixin
from reflections.models import MAX_TEXT
from supervision.models import DigestPreference, Share, SupervisionSession
from teams.models import IntervisionGroup, SupervisionLink, User


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
    include_disclosure = forms.BooleanField(
        label="Include my self-disclosure details",
        required=False,
        help_text="They are left out unless you tick this.",
    )

    def __init__(self, *args: Any, author: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supervisor_ids = SupervisionLink.objects.current().filter(supervisee=author)
        self.fields["supervisors"].queryset = User.objects.filter(
            pk__in=supervisor_ids.values("supervisor_id")
        )
        self.fields["groups"].queryset = IntervisionGroup.objects.filter(members=author)

    def clean_until(self) -> Any:
        until = self.cleaned_data["until"]
        if until and until < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
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
        fields = ["supervisee", "held_on", "discussed", "agreed_actions", "next_on"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "discussed": forms.CheckboxSelectMultiple,
            "agreed_actions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, supervisor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.supervisor = supervisor
        supervisee_ids = SupervisionLink.objects.current().filter(supervisor=supervisor)
        self.fields["supervisee"].queryset = User.objects.filter(
            pk__in=supervisee_ids.values("supervisee_id")
        )
        self.fields["discussed"].queryset = (
            Share.objects.for_supervisor(supervisor)
            .select_related("reflection__meeting__network", "reflection__author")
            .order_by("-shared_at")
        )
        self.fields["discussed"].label_from_instance = lambda share: (
            f"{share.reflection.author}: {share.reflection.title}"
        )
        self.fields["agreed_actions"].max_length = MAX_TEXT

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


class DigestPreferenceForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["frequency"]
        widgets = {"frequency": forms.RadioSelect}
        labels = {"frequency": "Email me a digest of what awaits me"}
