"""Admin actions that erase data for good, each with a reason kept in the audit trail.

The People and Networks admins are registered by `teams` and `meetings`; this app
registers them again with its erasure actions added, so neither imports upwards.
It comes after both in INSTALLED_APPS, so its admin module is loaded after theirs.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from data_rights.erasure import erase_network, erase_reflections_of
from meetings.admin import NetworkAdmin
from meetings.models import Network
from teams.admin import UserAdmin
from teams.models import User

MAX_REASON = 500


def erasure_action(
    name: str, title: str, explanation: str, erase: Callable[[Model, str, object], object]
) -> Callable:
    """An admin action that asks for a reason, then calls erase(item, reason, by) per item."""

    @admin.action(description=title)
    def action(modeladmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        reason = request.POST.get("reason", "").strip()
        error = ""
        if request.POST.get("confirmed") == "yes":
            if reason and len(reason) <= MAX_REASON:
                items = list(queryset)
                for item in items:
                    erase(item, reason, request.user)
                modeladmin.message_user(request, f"Erased {len(items)}.", messages.SUCCESS)
                return None
            error = f"Give a reason of at most {MAX_REASON} characters."
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "queryset": queryset,
            "action": name,
            "reason": reason,
            "error": error,
        }
        return TemplateResponse(request, "data_rights/erase_confirm.html", context)

    action.__name__ = name
    return action


admin.site.unregister(User)
admin.site.unregister(Network)


@admin.register(User)
class UserWithErasureAdmin(UserAdmin):
    actions = [
        *UserAdmin.actions,
        erasure_action(
            "erase_reflections",
            "Erase the selected people's reflections",
            "Every reflection these people wrote is erased for good, with its shares, "
            "responses and earlier versions. Their accounts stay; deactivate them separately.",
            erase_reflections_of,
        ),
    ]


@admin.register(Network)
class NetworkWithErasureAdmin(NetworkAdmin):
    actions = [
        *NetworkAdmin.actions,
        erasure_action(
            "erase_networks",
            "Erase selected networks (meetings, members, attendance)",
            "These networks, their meetings, members and attendance are erased for good. "
            "Practitioners keep their reflections, no longer linked to a meeting.",
            erase_network,
        ),
    ]
