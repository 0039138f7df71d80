"""Admin for supervision: who shared what with whom and when, never what a note says."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.utils import timezone

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

    def has_delete_permission(self, request, obj=None) -> bool:
        # A share is revoked by its author (Share.revoke), and erased only with
        # the note (data_rights/erasure.py), both audited.
        return False


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency"]


# The longest digest period: an unsent delivery older than this has surely ended.
LONGEST_PERIOD = timedelta(days=7)


def _with_outcome(queryset: QuerySet[DigestDelivery]) -> QuerySet[DigestDelivery]:
    """Annotate `given_up`: unsent, and its period is over (a later period has
    been claimed, or it began longer ago than the longest period)."""
    later = DigestDelivery.objects.filter(
        supervisor=OuterRef("supervisor"), period_start__gt=OuterRef("period_start")
    )
    over = Q(Exists(later)) | Q(period_start__lte=timezone.now() - LONGEST_PERIOD)
    return queryset.annotate(
        given_up=Case(When(Q(sent_at__isnull=True) & over, then=True), default=False)
    )


class OutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [
            ("sent", "Sent or nothing to report"),
            ("trying", "Still trying"),
            ("given_up", "Given up"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "trying":
            return queryset.filter(sent_at__isnull=True, given_up=False)
        if self.value() == "given_up":
            return queryset.filter(given_up=True)
        return queryset


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["supervisor", "period_start", "claimed_at", "sent_at", "attempts", "outcome"]
    list_filter = [OutcomeFilter]
    readonly_fields = [
        "supervisor",
        "period_start",
        "claimed_at",
        "sent_at",
        "attempts",
        "outcome",
    ]

    def get_queryset(self, request):
        return _with_outcome(super().get_queryset(request))

    @admin.display(description="outcome")
    def outcome(self, delivery: DigestDelivery) -> str:
        """Sent, still trying, or given up and why (docs/operations.md, digests)."""
        if delivery.sent_at is not None:
            return "Sent" if delivery.attempts else "Nothing to report"
        if not getattr(delivery, "given_up", False):
            return f"Still trying ({delivery.attempts} failed attempts so far)"
        if delivery.attempts:
            return (
                f"Given up: its period ended after {delivery.attempts} failed attempts "
                "(the mail server refused or could not be reached); the next digest "
                "counts everything since the last one sent"
            )
        return (
            "Given up: its period ended before a send finished (no worker ran it); "
            "the next digest counts everything since the last one sent"
        )
