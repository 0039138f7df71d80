from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from teams.models import IntervisionGroup, Membership, SupervisionLink, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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
