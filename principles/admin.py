from django.contrib import admin

from principles.models import Framework, Principle, Prompt, TeamFramework


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "doi_url"]
    list_filter = [("team", admin.EmptyFieldListFilter)]


@admin.register(Principle)
class PrincipleAdmin(admin.ModelAdmin):
    list_display = ["name", "framework", "order", "retired_at"]
    list_filter = ["framework"]
    inlines = [PromptInline]


@admin.register(TeamFramework)
class TeamFrameworkAdmin(admin.ModelAdmin):
    """Which frameworks each team reflects under. Teams' leads change this on
    the team page, where it is audited; here it is read-only."""

    list_display = ["team", "framework", "enabled_at"]
    list_filter = ["framework"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
