"""Forms for networks, their members and their meetings.

Django renders every input; templates/forms/field.html adds nhsuk-frontend's
wrappers around it (see pod_site/forms.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from meetings.models import (
    FIRST_CONTACT_YEARS,
    Activity,
    ActivityKind,
    Network,
    NetworkMeeting,
    NetworkMember,
    PersonAttendance,
    Place,
    PractitionerAttendance,
    Relationship,
)
from pod_site.dates import check_range, shift_years
from pod_site.editing import EditFormMixin
from pod_site.forms import DesignSystemMixin
from teams.models import Role, Team, User

MEETING_TIME_TAKEN = "This network already has a meeting at this time."

# Meetings are logged soon after they happen; a date outside this range is
# almost always a mistyped year.
LATEST_AHEAD = timedelta(days=365)
EARLIEST_BEHIND = timedelta(days=5 * 365)


def date_input() -> forms.DateInput:
    return forms.DateInput(
        attrs={"type": "date", "class": "nhsuk-input--width-10"}, format="%Y-%m-%d"
    )


class NetworkSearchForm(DesignSystemMixin, forms.Form):
    q = forms.CharField(
        label="Search by reference",
        required=False,
        max_length=40,
        widget=forms.SearchInput(attrs={"class": "nhsuk-input--width-20", "spellcheck": "false"}),
    )


PERSON_NAME_HELP = (
    "Only a first or chosen name: never a surname, a date of birth or an identifier. "
    "The team can change it later."
)


class NetworkForm(EditFormMixin, DesignSystemMixin, forms.ModelForm):
    """A network, in one of the teams given: a choice only when there are several.

    Adding a network, it asks the first or chosen name of the person at the
    centre, recorded as the network's first member when the network is saved.
    """

    class Meta:
        model = Network
        fields = ["reference", "team", "opened_on", "first_contact_on"]
        widgets = {
            "team": forms.RadioSelect,
            "opened_on": date_input(),
            "first_contact_on": date_input(),
        }
        labels = {"opened_on": "Opened on", "first_contact_on": "First contact"}
        help_texts = {
            "first_contact_on": (
                "The day the person, or someone in their network, first contacted the team, "
                "if you know it. It may be before the network was opened here."
            )
        }
        error_messages = {
            "team": {"required": "Choose the team the network belongs to."},
            "reference": {
                "required": "Enter the network's reference.",
                "max_length": "The reference must be 40 characters or fewer.",
            },
            "opened_on": {
                "required": "Enter the date the network opened.",
                "invalid": "Enter a real date, for example 17/03/2026.",
            },
            "first_contact_on": {"invalid": "Enter a real date, for example 17/03/2026."},
        }

    def __init__(self, *args: Any, teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The default is today's date; no need to send it back to tell whether it changed.
        self.fields["opened_on"].show_hidden_initial = False
        team = self.fields["team"]
        team.queryset = teams
        if len(teams) == 1:
            # Nothing to choose. Disabled, the value comes from `initial` and
            # never from the request; it stays a form field so that the team's
            # unique-reference rule is checked.
            self.initial["team"] = teams[0].pk
            team.disabled = True
            team.widget = forms.HiddenInput()
        if self.creating:
            self.fields["person_name"] = forms.CharField(
                label="The person's first or chosen name",
                max_length=NetworkMember._meta.get_field("name").max_length,
                help_text=PERSON_NAME_HELP,
                error_messages={
                    "required": "Enter the first or chosen name of the person at the centre.",
                    "max_length": "Keep the name to 80 characters or fewer.",
                },
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
            self.order_fields(["reference", "person_name"])
            self.style_widgets()

    def clean_person_name(self) -> str:
        name = " ".join(self.cleaned_data["person_name"].split())
        if not name:
            raise ValidationError("Enter the first or chosen name of the person at the centre.")
        return name

    @transaction.atomic
    def save(self, commit: bool = True) -> Network:
        network = super().save(commit=commit)
        if commit and self.creating and "person_name" in self.cleaned_data:
            network.add_person_at_the_centre(self.cleaned_data["person_name"])
        return network

    def clean_first_contact_on(self) -> date | None:
        """Within the last FIRST_CONTACT_YEARS years (checked only when it changes,
        so an old network keeps its date), and not after the first meeting.

        Checked here rather than in Network.clean: a field's own clean runs only
        when the request carries it, so a partial save without it cannot fail on it.
        The model's validator refuses a future date.
        """
        value = self.cleaned_data.get("first_contact_on")
        if value is None:
            return value
        if "first_contact_on" in self.changed_data:
            years = FIRST_CONTACT_YEARS
            check_range(
                value,
                earliest=shift_years(timezone.localdate(), -years),
                too_early=f"The first contact date must be within the last {years} years.",
            )
        if self.instance.pk is not None:
            first = self.instance.meetings.aggregate(first=Min("starts_at"))["first"]
            first_day = timezone.localdate(first) if first is not None else None
            if first_day is not None and value > first_day:
                raise ValidationError(
                    f"The first meeting was on {first_day:%d %B %Y}, before this date."
                )
        return value


class NetworkEditForm(NetworkForm):
    class Meta(NetworkForm.Meta):
        fields = [*NetworkForm.Meta.fields, "closed_on"]
        widgets = {**NetworkForm.Meta.widgets, "closed_on": date_input()}
        labels = {**NetworkForm.Meta.labels, "closed_on": "Closed on"}
        help_texts = {
            **NetworkForm.Meta.help_texts,
            "closed_on": "Leave empty while the network is open.",
        }
        error_messages = {
            **NetworkForm.Meta.error_messages,
            "closed_on": {"invalid": "Enter a real date, for example 17/03/2026."},
        }


class NetworkMemberForm(EditFormMixin, DesignSystemMixin, forms.ModelForm):
    """A member around the person at the centre, or the person at the centre's own
    name: their relationship is fixed, so their form has no relationship field."""

    class Meta:
        model = NetworkMember
        fields = ["name", "relationship", "label"]
        widgets = {"relationship": forms.RadioSelect}
        labels = {"name": "First name or role", "label": "A word the network uses"}
        help_texts = {
            "label": "For example 'Nan' or 'key worker', if the network calls them something.",
        }
        error_messages = {
            "name": {
                "required": "Enter a first name or a role, such as Mum.",
                "max_length": "Keep this to 80 characters or fewer.",
            },
            "relationship": {"required": "Choose how they are related to the network."},
            "label": {"max_length": "Keep this to 40 characters or fewer."},
        }

    def __init__(self, *args: Any, form_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.is_person_at_the_centre:
            del self.fields["relationship"]
            name = self.fields["name"]
            name.label = "The person's first or chosen name"
            name.help_text = PERSON_NAME_HELP
            name.error_messages["required"] = (
                "Enter the first or chosen name of the person at the centre."
            )
        else:
            # Without the model's "---------" option; the person at the centre is
            # recorded with the network, and nobody else can become them.
            self.fields["relationship"].choices = [
                choice for choice in Relationship.choices if choice[0] != Relationship.PERSON
            ]
        if form_id:
            # Shown inside the meeting form, the fields belong to their own form
            # elsewhere on the page: HTML forms cannot nest.
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class ChooseNetworkForm(DesignSystemMixin, forms.Form):
    network = forms.ModelChoiceField(
        queryset=Network.objects.none(),
        label="Which network was the meeting with?",
        empty_label="Choose a network",
        error_messages={"required": "Choose the network.", "invalid_choice": "Choose the network."},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        network = self.fields["network"]
        network.queryset = (
            Network.objects.for_user(user).practised_by(user).select_related("team").open_first()
        )
        # References are unique only within a team.
        network.label_from_instance = lambda choice: f"{choice}, {choice.team}"


class MeetingForm(EditFormMixin, DesignSystemMixin, forms.ModelForm):
    """A meeting of the instance's network, with who attended."""

    # Disabled, the network comes from the URL and never from the request. As a
    # form field it makes Django check the one-meeting-at-a-time constraint.
    network = forms.ModelChoiceField(
        queryset=Network.objects.none(), disabled=True, widget=forms.HiddenInput
    )
    starts_at = forms.SplitDateTimeField(
        label="When did it start?",
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date", "class": "nhsuk-input--width-10"},
            time_attrs={"type": "time", "class": "nhsuk-input--width-10"},
            date_format="%Y-%m-%d",
            time_format="%H:%M",
        ),
        error_messages={
            "required": "Enter the date and the time the meeting started.",
            "invalid_date": "Enter a real date, for example 17/03/2026.",
            "invalid_time": "Enter a real time, for example 14:30.",
        },
    )
    practitioners = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Practitioners present",
        help_text="Open Dialogue meets a network with at least two practitioners.",
        error_messages={"required": "Choose the practitioners who were at the meeting."},
    )
    members = forms.ModelMultipleChoiceField(
        queryset=NetworkMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Network members present",
        help_text="The people around the person at the centre who took part.",
    )

    # The person at the centre first: the meeting is theirs.
    field_order = [
        "person_attendance",
        "starts_at",
        "duration_minutes",
        "place",
        "practitioners",
        "members",
        "reflecting_conversation",
    ]

    class Meta:
        model = NetworkMeeting
        fields = [
            "network",
            "person_attendance",
            "starts_at",
            "duration_minutes",
            "place",
            "reflecting_conversation",
        ]
        widgets = {
            "person_attendance": forms.RadioSelect,
            "duration_minutes": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}
            ),
            "place": forms.RadioSelect,
        }
        labels = {"duration_minutes": "How long did it last?", "place": "Where was it?"}
        help_texts = {"duration_minutes": "In minutes, for example 90."}
        error_messages = {
            "duration_minutes": {
                "required": "Enter how many minutes the meeting lasted.",
                "invalid": "Enter the number of minutes, like 90.",
            },
            "place": {"required": "Choose where the meeting was."},
            "person_attendance": {
                "required": "Choose whether the person at the centre was there, and how."
            },
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        network = self.instance.network
        self.fields["network"].queryset = Network.objects.filter(pk=network.pk)
        self.fields["place"].choices = Place.choices  # without the model's "---------"
        self._ask_person_attendance(network)

        # The role held at a logged meeting stands, even if the person's roles
        # in the team have changed since; newcomers hold their current role.
        self.recorded_roles = dict(
            self.instance.practitioner_attendances.values_list("practitioner_id", "role")
            if self.instance.pk
            else []
        )
        self.roles = network.practice_roles() | self.recorded_roles
        practitioners = self.fields["practitioners"]
        practitioners.queryset = User.objects.filter(pk__in=self.roles)
        practitioners.label_from_instance = self._practitioner_label
        # The person at the centre's attendance is person_attendance, not a tick here.
        self.fields["members"].queryset = network.members.around_the_person()

        if self.instance.pk:
            self.initial.setdefault("practitioners", list(self.recorded_roles))
            self.initial.setdefault(
                "members", list(self.instance.members_present.values_list("pk", flat=True))
            )
        elif user.pk in self.roles:
            self.initial.setdefault("practitioners", [user.pk])

    def _ask_person_attendance(self, network: Network) -> None:
        """Required for a new meeting, and for one that has it already; a meeting
        logged before it was asked may stay "not recorded"."""
        field = self.fields["person_attendance"]
        field.choices = PersonAttendance.choices  # without the model's "---------"
        person = network.person_at_the_centre()
        field.label = (
            f"Was {person.name} at the meeting?"
            if person
            else "Was the person at the centre at the meeting?"
        )
        field.help_text = "The person at the centre. Choose how they took part."
        recorded = not self.creating and self.instance.person_attendance is not None
        field.required = self.creating or recorded

    def _practitioner_label(self, user: User) -> str:
        return f"{user}, {Role(self.roles[user.pk]).label.lower()}"

    def clean_starts_at(self) -> datetime:
        starts_at = self.cleaned_data["starts_at"]
        # Checked only when changed, so an old meeting can still be corrected.
        if "starts_at" in self.changed_data:
            now = timezone.now()
            if starts_at > now + LATEST_AHEAD:
                raise ValidationError("The date must be less than a year from today.")
            if starts_at < now - EARLIEST_BEHIND:
                raise ValidationError("The date must be within the last 5 years.")
        return starts_at

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.new_attendances = [
            PractitionerAttendance(
                meeting=self.instance, practitioner=user, role=self.roles[user.pk]
            )
            for user in cleaned.get("practitioners", [])
            if user.pk not in self.recorded_roles
        ]
        for attendance in self.new_attendances:
            try:
                # The meeting is validated on its own, and may not be saved yet.
                attendance.full_clean(exclude=["meeting"])
            except ValidationError as error:
                self.add_error("practitioners", error.messages)
        return cleaned

    def _post_clean(self) -> None:
        super()._post_clean()
        # The one-meeting-at-a-time constraint is about the time: its error goes
        # with the time, not to the first field (the person at the centre).
        errors = self._errors.get(NON_FIELD_ERRORS) if self._errors else None
        if errors and MEETING_TIME_TAKEN in errors and "starts_at" in self.fields:
            others = [error for error in errors.as_data() if MEETING_TIME_TAKEN not in error]
            if others:
                self._errors[NON_FIELD_ERRORS] = self.error_class(
                    others, error_class="nonfield", renderer=self.renderer
                )
            else:
                del self._errors[NON_FIELD_ERRORS]
            self.add_error("starts_at", MEETING_TIME_TAKEN)

    def save_unless_taken(self) -> NetworkMeeting | None:
        """Save, or report the clash when a simultaneous submit saved this meeting first.

        Validation already refuses a time the network has a meeting at; this is for
        two submits that pass validation together (a double click on a slow line).
        """
        try:
            return self.save()
        except IntegrityError:
            meeting = self.instance
            clash = NetworkMeeting.objects.filter(
                network_id=meeting.network_id, starts_at=meeting.starts_at
            ).exclude(pk=meeting.pk)
            if not clash.exists():
                raise
            meeting.pk = None
            self.add_error("starts_at", MEETING_TIME_TAKEN)
            return None

    @transaction.atomic
    def save(self) -> NetworkMeeting:  # type: ignore[override]
        meeting = super().save()
        # An edit that did not carry a field leaves it as it was (pod_site/editing.py).
        if "practitioners" in self.cleaned_data:
            meeting.practitioner_attendances.exclude(
                practitioner__in=self.cleaned_data["practitioners"]
            ).delete()
            PractitionerAttendance.objects.bulk_create(self.new_attendances)
        if "members" in self.cleaned_data:
            meeting.members_present.set(self.cleaned_data["members"])
        return meeting


# Other work ------------------------------------------------------------------


class QuickActivityForm(DesignSystemMixin, forms.ModelForm):
    """The few fields My practice shows, with nothing to look up: kind, date, minutes.
    The team is the person's own when they practise in one; otherwise the full
    form asks."""

    class Meta:
        model = Activity
        fields = ["kind", "done_on", "duration_minutes"]
        widgets = {
            "done_on": date_input(),
            "duration_minutes": forms.NumberInput(
                attrs={
                    "class": "nhsuk-input--width-4",
                    "min": 1,
                    "max": 600,
                    "inputmode": "numeric",
                }
            ),
        }
        labels = {"done_on": "Date", "duration_minutes": "How long"}
        error_messages = {
            "kind": {"required": "Choose what kind of work it was."},
            "done_on": {
                "required": "Enter the date of the work.",
                "invalid": "Enter a real date, for example 17/03/2026.",
            },
            "duration_minutes": {
                "required": "Enter how many minutes it took.",
                "invalid": "Enter the minutes as a whole number, for example 45.",
            },
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose the kind of work"), *ActivityKind.choices]
        self.fields["done_on"].initial = timezone.localdate
        self.fields["done_on"].show_hidden_initial = False

    def clean_done_on(self) -> Any:
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise ValidationError("Log work that has happened: choose today or an earlier date.")
        if done_on < timezone.localdate() - EARLIEST_BEHIND:
            raise ValidationError("This date is more than five years ago. Check the year.")
        return done_on


class ActivityForm(QuickActivityForm):
    """Other work, with the team (when there is a choice) and, for practical
    support, the network it was for."""

    class Meta(QuickActivityForm.Meta):
        fields = ["team", "kind", "network", "done_on", "duration_minutes"]
        widgets = {**QuickActivityForm.Meta.widgets, "team": forms.RadioSelect}
        labels = {
            **QuickActivityForm.Meta.labels,
            "network": "Which network (for practical support)",
        }
        error_messages = {
            **QuickActivityForm.Meta.error_messages,
            "team": {"required": "Choose the team this work was for."},
        }

    def __init__(
        self, *args: Any, teams: QuerySet[Team], networks: QuerySet[Network], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.queryset = teams
        if len(teams) == 1:
            self.initial["team"] = teams[0].pk
            team.disabled = True
            team.widget = forms.HiddenInput()
        self.fields["network"].queryset = networks
        self.fields["network"].empty_label = "Not for one network"
        self.style_widgets()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("network") and data.get("kind") != ActivityKind.PRACTICAL_SUPPORT:
            self.add_error("network", "Only practical support is for a network. Choose none.")
        return data
