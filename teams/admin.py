from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from audit.models import Action, AuditEvent
from teams.models import IntervisionGroup, Membership, SupervisionLink, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


def audit_role_change(request: HttpRequest, membership: Membership, change: str) -> None:
    AuditEvent.objects.record(
        request.user,
        Action.ROLE_CHANGE,
        detail={
            "change": change,
            "user_id": membership.user_id,
            "team_id": membership.team_id,
            "role": membership.role,
        },
    )


class AuditsRoleChanges:
    """Every role given, changed or taken away in the admin is an AuditEvent."""

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is not Membership:
            return
        for membership in formset.new_objects:
            audit_role_change(request, membership, "added")
        for membership, _ in formset.changed_objects:
            audit_role_change(request, membership, "changed")
        for membership in formset.deleted_objects:
            audit_role_change(request, membership, "removed")


@admin.register(User)
class UserAdmin(AuditsRoleChanges, DjangoUserAdmin):
    # The erasure action is added by data_rights/admin.py, which registers this again.
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # People who leave are deactivated, not deleted: deleting a person would
        # cascade to their notes without the audited erasure and its reason.
        return False


@admin.register(Team)
class TeamAdmin(AuditsRoleChanges, admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_role_change(request, obj, "changed" if change else "added")

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        audit_role_change(request, obj, "removed")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for membership in queryset:
            audit_role_change(request, membership, "removed")
        super().delete_queryset(request, queryset)

    list_display = ["user", "team", "role", "discipline"]
    list_filter = ["team", "role", "discipline"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "team"]


@admin.register(SupervisionLink)
class SupervisionLinkAdmin(admin.ModelAdmin):
    list_display = ["supervisor", "supervisee", "since", "until"]
    autocomplete_fields = ["supervisor", "supervisee"]


class IntervisionGroupForm(forms.ModelForm):
    class Meta:
        model = IntervisionGroup
        fields = ["team", "name", "facilitator", "members"]

    def clean(self) -> dict:
        cleaned = super().clean()
        team = cleaned.get("team")
        if team:
            self.instance.team = team
            outside = self.instance.members_outside_team(cleaned.get("members", []))
            if outside:
                names = ", ".join(str(person) for person in outside)
                self.add_error("members", f"Not members of {team}: {names}.")
        return cleaned


@admin.register(IntervisionGroup)
class IntervisionGroupAdmin(admin.ModelAdmin):
    form = IntervisionGroupForm
    list_display = ["name", "team", "facilitator"]
    list_filter = ["team"]
    filter_horizontal = ["members"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Deleting a group would delete what was shared with it and its threads;
        # remove its members instead (they lose access at once).
        return False
