from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from meetings.models import (
    ONE_PERSON,
    PERSON_NOT_REMOVED,
    MemberAttendance,
    Network,
    NetworkMeeting,
    NetworkMember,
    PractitionerAttendance,
    Relationship,
)


class NetworkMemberFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.is_person_at_the_centre:
                raise ValidationError(PERSON_NOT_REMOVED)
        # Each row's own check cannot see the other unsaved rows: two people at
        # the centre entered at once would reach the database's constraint.
        people = [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("relationship") == Relationship.PERSON
        ]
        if len(people) > 1:
            raise ValidationError(ONE_PERSON)


class NetworkMemberInline(admin.TabularInline):
    model = NetworkMember
    formset = NetworkMemberFormSet
    fields = ["name", "relationship", "label"]
    extra = 1


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    # The erasure action is added by data_rights/admin.py, which registers this again.
    list_display = ["reference", "team", "opened_on", "closed_on"]
    list_filter = ["team"]
    search_fields = ["reference"]
    inlines = [NetworkMemberInline]

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        network = form.instance
        # Every network has its person at the centre: named by the reference
        # until the team changes it, when none was entered here.
        if network.person_at_the_centre() is None:
            network.add_person_at_the_centre(network.reference)


class PractitionerAttendanceInline(admin.TabularInline):
    model = PractitionerAttendance
    extra = 2
    autocomplete_fields = ["practitioner"]


class MemberAttendanceInline(admin.TabularInline):
    model = MemberAttendance
    extra = 1


@admin.register(NetworkMeeting)
class NetworkMeetingAdmin(admin.ModelAdmin):
    list_display = [
        "network",
        "starts_at",
        "duration_minutes",
        "place",
        "person_attendance",
        "reflecting_conversation",
    ]
    list_filter = ["network__team", "place", "person_attendance", "reflecting_conversation"]
    date_hierarchy = "starts_at"
    search_fields = ["network__reference"]
    inlines = [PractitionerAttendanceInline, MemberAttendanceInline]

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Fewer than two practitioners is Open Dialogue's concern, not an error.
        warning = form.instance.practitioner_warning()
        if warning:
            self.message_user(request, warning, level=messages.WARNING)
