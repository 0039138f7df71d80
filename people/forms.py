"""The team page's forms: people, supervision, groups, settings, and the
frameworks the team reflects with."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any, ClassVar
from zoneinfo import available_timezones

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import IntegerField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from audit.models import Action, AuditEvent
from pod_site.forms import DesignSystemMixin, QuickSelect
from principles.models import MAX_PROMPTS, Framework, Principle
from teams.models import (
    Discipline,
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    Role,
    SupervisionLink,
    Team,
    User,
)

COMMON_TIME_ZONES = [
    "Europe/London",
    "Europe/Belfast",
    "Europe/Dublin",
    "Europe/Guernsey",
    "Europe/Isle_of_Man",
    "Europe/Jersey",
]


# Once per process: available_timezones() reads the whole tz database from
# disk on every call, which was most of the team page (docs/performance.md).
@cache
def time_zone_choices() -> list[tuple[str, str]]:
    common = [zone for zone in COMMON_TIME_ZONES if zone in available_timezones()]
    rest = sorted(available_timezones() - set(common))
    return [(zone, zone.replace("_", " ")) for zone in [*common, *rest]]


def _limits(model_field: Any) -> tuple[int, int]:
    """(lowest, highest) allowed by a model field's Min/MaxValueValidators."""
    by_kind = {type(v): v.limit_value for v in model_field.validators}
    return by_kind[MinValueValidator], by_kind[MaxValueValidator]


def team_people(team: Team) -> Any:
    return User.objects.filter(memberships__team=team, is_active=True).distinct()


def people_for_a_role(team: Team) -> Any:
    """Whom a team's lead can give a role in it: its people now, and those whose
    every role in it has ended (changes.end_role deletes the membership and
    audits it with the team's id), so that a role ended by mistake can be given
    back. Nobody from another team."""
    ended = (
        AuditEvent.objects.filter(
            action=Action.ROLE_CHANGE, detail__team_id=team.pk, detail__change="role_ended"
        )
        .annotate(person=Cast(KT("detail__user_id"), IntegerField()))
        .values("person")
    )
    return User.objects.filter(
        Q(memberships__team=team) | Q(pk__in=ended), is_active=True
    ).distinct()


class TeamSettingsForm(DesignSystemMixin, forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        # About 600 zones: options in one template, not an include each.
        widget=QuickSelect,
        help_text="Used for digest emails and for grouping meetings by day and month.",
    )

    class Meta:
        model = Team
        fields = [
            "time_zone",
            "review_overdue_days",
            "monthly_supervision_minutes",
            "support_information",
        ]
        widgets = {"support_information": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "support_information": {"max_length": "Keep this to 2,000 characters or fewer."}
        }

    # The model's limits (Team's validators), in the input and in words: a browser
    # left to the field's defaults offers 0 days, and "1e" arrives as nothing at all.
    UNITS: ClassVar[dict[str, str]] = {
        "review_overdue_days": "days",
        "monthly_supervision_minutes": "minutes",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, unit in self.UNITS.items():
            low, high = _limits(Team._meta.get_field(name))
            field = self.fields[name]
            field.widget.attrs.update(min=low, max=high)
            words = f"Enter a whole number of {unit} from {low} to {high}."
            for code in ("required", "invalid", "min_value", "max_value"):
                field.error_messages[code] = words


class RoleForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "discipline"]
        labels = {"user": "Person"}

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, instance=Membership(team=team), **kwargs)
        self.fields["user"].queryset = people_for_a_role(team)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        held = Membership.objects.filter(
            team=self.instance.team, user=data.get("user"), role=data.get("role")
        )
        if data.get("user") and held.exists():
            raise forms.ValidationError("This person already holds this role in this team.")
        return data


class LinkForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = SupervisionLink
        fields = ["supervisor", "supervisee", "since", "until"]
        widgets = {
            "since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "until": "Leave empty for supervision with no end. For cover while a supervisor "
            "is away, give the last day of cover: a person may have more than one "
            "supervisor at a time.",
        }

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = team_people(team)
        self.fields["supervisor"].queryset = people.filter(
            memberships__team=team, memberships__role=Role.SUPERVISOR
        )
        self.fields["supervisee"].queryset = people


class GroupLinkForm(DesignSystemMixin, forms.ModelForm):
    """A supervisor for an intervision group: they see the summaries the group
    agrees to share while the link is current (GroupSupervisionLink)."""

    class Meta:
        model = GroupSupervisionLink
        fields = ["supervisor", "since", "until"]
        widgets = {
            "since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "supervisor": "Someone with a supervisor role in this team.",
            "until": "Leave empty for supervision with no end. For cover while a supervisor "
            "is away, give the last day of cover: a group may have more than one "
            "supervisor at a time.",
        }

    def __init__(self, *args: Any, group: IntervisionGroup, **kwargs: Any) -> None:
        super().__init__(*args, instance=GroupSupervisionLink(group=group), **kwargs)
        self.fields["supervisor"].queryset = team_people(group.team).filter(
            memberships__team=group.team, memberships__role=Role.SUPERVISOR
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The group is not a field of the form, so the model's unique start is
        # checked here rather than by validate_constraints.
        taken = GroupSupervisionLink.objects.filter(
            group=self.instance.group, supervisor=data.get("supervisor"), since=data.get("since")
        )
        if data.get("supervisor") and data.get("since") and taken.exists():
            raise forms.ValidationError("This supervision already starts on this date.")
        return data


class EndLinkForm(DesignSystemMixin, forms.Form):
    """The last day of a supervision link, of a person or of a group."""

    until = forms.DateField(
        label="Last day of supervision",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, link: SupervisionLink | GroupSupervisionLink, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.link = link

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until < self.link.since:
            raise forms.ValidationError("The end date must not be before the start date.")
        return until


class GroupForm(DesignSystemMixin, forms.ModelForm):
    class Meta:
        model = IntervisionGroup
        fields = ["name", "facilitator", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        kwargs.setdefault("instance", IntervisionGroup(team=team))
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = team_people(team)
        self.fields["members"].queryset = team_people(team)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        taken = IntervisionGroup.objects.filter(team=self.instance.team, name=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This team already has a group with this name.")
        return name


class LeaverForm(DesignSystemMixin, forms.Form):
    KEEP, ERASE = "keep", "erase"
    notes = forms.ChoiceField(
        label="Their notes",
        choices=[
            (KEEP, "Keep them, so the person can still ask for an export"),
            (ERASE, "Erase them now (this cannot be undone)"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False,
        max_length=200,
        help_text="Needed to erase: it is kept in the audit trail. Do not write about the notes.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("notes") == self.ERASE and not data.get("reason", "").strip():
            self.add_error("reason", "Give a reason for erasing their notes.")
        return data


class InvitationForm(DesignSystemMixin, forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Email address")
    roles = forms.MultipleChoiceField(
        label="Roles in the team", choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )
    discipline = forms.ChoiceField(
        choices=[("", "—"), *Discipline.choices],
        required=False,
        help_text="For a practitioner only.",
    )
    supervisor = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    groups = forms.ModelMultipleChoiceField(
        label="Intervision groups",
        queryset=IntervisionGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = team_people(team).filter(
            memberships__team=team, memberships__role=Role.SUPERVISOR
        )
        self.fields["groups"].queryset = team.intervision_groups.all()

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "This person already has an account: give them a role on the team page."
            )
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        roles = data.get("roles") or []
        if Role.PRACTITIONER in roles and not data.get("discipline"):
            self.add_error("discipline", "Choose the practitioner's discipline.")
        if Role.PRACTITIONER not in roles and data.get("discipline"):
            self.add_error("discipline", "Only practitioners have a discipline.")
        return data


# "Where it comes from" of a team's own framework: a reference or a line or two.
MAX_CITATION = 1000


def visible_text(value: str, message: str, *, required: bool = True) -> str:
    """`value` without the invisible characters around and between its words
    (zero-width spaces, joiners, other format characters), its whitespace
    collapsed; ValidationError(message) when nothing visible is left and it is
    `required`. Names and questions a team writes are read by everyone."""
    visible = "".join(ch for ch in value if unicodedata.category(ch) != "Cf")
    visible = " ".join(visible.split())
    if required and not any(ch.isalnum() for ch in visible):
        raise forms.ValidationError(message)
    return visible


def same_words(one: str, other: str) -> bool:
    """Whether two names read the same (Unicode-normalised, any case)."""
    return (
        unicodedata.normalize("NFKC", one).casefold()
        == unicodedata.normalize("NFKC", other).casefold()
    )


class FrameworkForm(DesignSystemMixin, forms.ModelForm):
    """The name of a team's own framework, and where it comes from."""

    def clean_name(self) -> str:
        name = visible_text(self.cleaned_data["name"], "Give the framework a name.")
        taken = Framework.objects.shared().values_list("name", flat=True)
        if any(same_words(name, other) for other in taken):
            raise forms.ValidationError(
                "The app already offers a framework of this name: choose another, so that "
                "practitioners can tell them apart."
            )
        return name

    def clean_citation(self) -> str:
        citation = visible_text(self.cleaned_data["citation"], "", required=False)
        if len(citation) > MAX_CITATION:
            raise forms.ValidationError(f"Keep this to {MAX_CITATION:,} characters or fewer.")
        return citation

    class Meta:
        model = Framework
        fields = ["name", "citation"]
        labels = {"name": "Name of the framework", "citation": "Where it comes from"}
        help_texts = {
            "name": "Practitioners see it as a section of their notes, after the peer "
            "practice principles.",
            "citation": "Optional: a source, a training, or how the team came to it.",
        }
        widgets = {"citation": forms.Textarea(attrs={"rows": 3})}


class PrincipleForm(DesignSystemMixin, forms.Form):
    """A principle of the team's own framework, with up to MAX_PROMPTS prompts.
    `retired` only when changing one: a principle is never deleted, so that
    every note written on it is kept (principles.models)."""

    name = forms.CharField(label="Name of the principle", max_length=120)
    summary = forms.CharField(
        label="What it means",
        help_text="A few sentences practitioners can open beside their note.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    prompt_1 = forms.CharField(
        label="Question 1",
        max_length=300,
        help_text="Questions that help someone reflect, in the first person: “What did I notice…?”",
    )
    prompt_2 = forms.CharField(label="Question 2", max_length=300, required=False)
    prompt_3 = forms.CharField(label="Question 3", max_length=300, required=False)
    retired = forms.BooleanField(
        label="Retire this principle",
        required=False,
        help_text="It is no longer offered for new notes. Notes already written on it "
        "are kept and shown.",
    )

    def __init__(
        self,
        *args: Any,
        principle: Principle | None = None,
        framework: Framework | None = None,
        **kwargs: Any,
    ) -> None:
        self.framework = framework
        if principle is not None:
            prompts = [prompt.text for prompt in principle.prompts.all()]
            kwargs.setdefault(
                "initial",
                {
                    "name": principle.name,
                    "summary": principle.summary,
                    "retired": principle.is_retired,
                    **{f"prompt_{n}": text for n, text in enumerate(prompts, start=1)},
                },
            )
        super().__init__(*args, **kwargs)
        if principle is None:
            del self.fields["retired"]
        self.principle = principle

    @property
    def prompts(self) -> list[str]:
        return [self.cleaned_data.get(f"prompt_{n}", "") for n in range(1, MAX_PROMPTS + 1)]

    def clean_name(self) -> str:
        name = visible_text(self.cleaned_data["name"], "Give the principle a name.")
        if self.framework is not None:
            others = self.framework.principles.exclude(pk=getattr(self.principle, "pk", None))
            if any(same_words(name, other.name) for other in others):
                raise forms.ValidationError(
                    "This framework already has a principle of this name: choose another."
                )
        return name

    def clean_summary(self) -> str:
        return visible_text(self.cleaned_data["summary"], "Say what the principle means.")

    def clean_prompt_1(self) -> str:
        return visible_text(self.cleaned_data["prompt_1"], "Write at least one question.")

    def clean_prompt_2(self) -> str:
        return visible_text(self.cleaned_data["prompt_2"], "", required=False)

    def clean_prompt_3(self) -> str:
        return visible_text(self.cleaned_data["prompt_3"], "", required=False)


class FrameworkSwitchForm(forms.Form):
    """Turn a framework on or off for a team (the team page's buttons)."""

    enabled = forms.TypedChoiceField(
        choices=[("1", "On"), ("0", "Off")], coerce=lambda value: value == "1"
    )
