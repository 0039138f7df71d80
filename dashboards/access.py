"""Who sees the dashboard: team leads, for the teams they lead, and admins, for
every team. Everyone else gets 404, as for anything they may not see."""

from __future__ import annotations

from django.db.models import QuerySet

from teams.models import Team, User

# The session remembers, from sign-in, whether to show "Dashboard" in the menu,
# so that no page pays a query for it. The view checks for itself.
SESSION_KEY = "dashboards_nav"


def is_admin(user: User) -> bool:
    return user.is_active and (user.is_staff or user.is_superuser)


def teams_for(user: User) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    if is_admin(user):
        return Team.objects.order_by("name")
    return user.led_teams().order_by("name")
