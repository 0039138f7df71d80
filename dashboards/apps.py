from typing import Any

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(remember_dashboard_nav, dispatch_uid="dashboards_nav")


def remember_dashboard_nav(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """At sign-in, remember in the session whether the person leads a team, so
    the menu can show "Dashboard" without a query on every page."""
    from dashboards.access import SESSION_KEY

    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_KEY] = user.led_teams().exists()
