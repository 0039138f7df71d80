"""Admin for intervision: when a group met, who was there and what was agreed,
never what anyone wrote. The encrypted text fields (the group's notes, a
summary's themes and questions, the supervisor's response) are not shown; every
change goes through the audited model methods, so nothing here is editable."""

from django.contrib import admin

from intervision.models import IntervisionSession, SummaryConsent, SupervisionSummary


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IntervisionSession)
class IntervisionSessionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "group", "held_on", "duration", "recorded_by", "created_at"]
    list_filter = ["held_on"]
    list_select_related = ["group", "recorded_by"]
    fields = [
        "group",
        "held_on",
        "duration",
        "attendees",
        "presenter",
        "facilitator",
        "note_taker",
        "recorded_by",
        "created_at",
        "revision",
    ]
    exclude = ["notes", "brought"]
    readonly_fields = fields


@admin.register(SupervisionSummary)
class SupervisionSummaryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "session", "drafted_by", "changed_at", "agreed_at", "reviewed_at"]
    list_filter = ["agreed_at", "reviewed_at"]
    list_select_related = ["session__group", "drafted_by"]
    fields = [
        "session",
        "drafted_by",
        "changed_at",
        "agreed_at",
        "agreed_on",
        "responded_by",
        "responded_at",
        "reviewed_by",
        "reviewed_at",
        "revision",
    ]
    exclude = ["themes", "questions", "response"]
    readonly_fields = fields


@admin.register(SummaryConsent)
class SummaryConsentAdmin(ReadOnlyAdmin):
    list_display = ["summary_id", "user", "at"]
    list_select_related = ["user"]
    fields = ["summary", "user", "at"]
    readonly_fields = fields
