from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dashboards.access import SESSION_KEY, is_admin


def dashboard_nav(request: HttpRequest) -> dict[str, object]:
    """Whether the menu shows "Dashboard": for admins and team leads.

    Read from the session (set at sign-in, dashboards/apps.py), so it costs no
    query; lazy, so a page without the menu does not even look.
    """

    def shows() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return is_admin(user) or bool(request.session.get(SESSION_KEY))

    return {"shows_dashboard": SimpleLazyObject(shows)}
