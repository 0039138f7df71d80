from django.contrib import admin

from reflections.models import Reflection


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    """Admins see that notes exist, never what they say: note text is private."""

    list_display = ["pk", "author", "status", "written_at"]
    list_filter = ["status"]
    fields = ["author", "meeting", "status", "written_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Never hard-deleted here: only the audited erasure with a reason
        # (data_rights/erasure.py, the People admin's "Erase" action).
        return False

    def get_queryset(self, request):
        # The admin's read path: that notes exist, never what they say.
        return super().get_queryset(request).defer("text")
