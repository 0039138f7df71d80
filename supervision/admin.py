"""Admin for supervision: who shared what with whom and when, never what a note says."""

from django.contrib import admin

from supervision.models import DigestDelivery, DigestPreference, Share


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["reflection_id", "supervisor", "group", "shared_at", "until", "revoked_at"]
    list_filter = ["include_disclosure"]
    fields = [
        "reflection",
        "supervisor",
        "group",
        "include_disclosure",
        "shared_at",
        "until",
        "revoked_at",
        "reviewed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["supervisor", "period_start", "claimed_at", "sent_at", "attempts"]
    readonly_fields = ["supervisor", "period_start", "claimed_at", "sent_at", "attempts"]
