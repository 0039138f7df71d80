"""Admin actions that erase data for good, each with a reason kept in the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

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
        return TemplateResponse(request, "admin/erase_confirm.html", context)

    action.__name__ = name
    return action
