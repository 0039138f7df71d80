"""Where each role lands: after signing in, and on the home URL "/".

Each role's work has a page: practising (peer practitioner, practitioner) My
practice, supervising the supervision inbox, leading a team (or administering
the service) the dashboard. A person with several roles lands on the first of
theirs in that order, practising first (their own notes and meetings are what
only they can do), and switches to the others with the "Your roles" links at
the top of each of these pages (templates/base.html).

The pages are URL names, so this module imports no app above teams/. Which of
them a person has is worked out at sign-in and kept in the session, so that
the switcher costs no query on any page; "/" asks again each time (the view
checks the roles it redirects by).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from teams.models import Team, User

PRACTICE = "home"
INBOX = "supervision:inbox"
DASHBOARD = "dashboards:dashboard"

SESSION_KEY = "role_pages"
# Whether the person is in (or facilitates) an intervision group: the menu's
# "Intervision" item, worked out at sign-in like the role pages.
GROUPS_KEY = "in_intervision_group"


class RolePage(NamedTuple):
    view_name: str
    label: str
    url: str
    current: bool


LABELS = {PRACTICE: "My practice", INBOX: "Supervision inbox", DASHBOARD: "Dashboard"}


def _sees_dashboard(user: User) -> bool:
    # As dashboards.access: team leads, and admins (who see every team, when there is one).
    if user.is_active and (user.is_staff or user.is_superuser):
        return Team.objects.exists()
    return user.led_teams().exists()


def role_pages(user: User) -> list[str]:
    """The person's role pages, in landing order (up to three queries)."""
    pages = []
    if user.practises:
        pages.append(PRACTICE)
    if user.is_supervisor:
        pages.append(INBOX)
    if _sees_dashboard(user):
        pages.append(DASHBOARD)
    return pages


def landing_page(user: User, *, practises: bool | None = None) -> str:
    """The URL name of the page the person lands on: the first of their role
    pages, My practice when they hold none. Asks only as far as it must
    (`practises` when the caller knows it already)."""
    if user.practises if practises is None else practises:
        return PRACTICE
    if user.is_supervisor:
        return INBOX
    if _sees_dashboard(user):
        return DASHBOARD
    return PRACTICE


def landing_url(request: HttpRequest) -> str:
    """Where a person who just signed in goes when no `next` says otherwise."""
    pages = request.session.get(SESSION_KEY)
    if pages is None:
        pages = request.session[SESSION_KEY] = role_pages(request.user)
    return reverse(pages[0] if pages else PRACTICE)


def remember_role_pages(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """At sign-in (Django's user_logged_in), keep the person's role pages in the session."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[SESSION_KEY] = role_pages(user)
    request.session[GROUPS_KEY] = user.reflection_groups().exists()


def switcher(request: HttpRequest) -> list[RolePage]:
    """The "Your roles" links, read from the session (no query): for a person
    with more than one role page, on each of those pages; otherwise none."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    pages = request.session.get(SESSION_KEY) or []
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else None
    if len(pages) < 2 or here not in pages:
        return []
    return [RolePage(name, LABELS[name], reverse(name), name == here) for name in pages]


def role_nav(request: HttpRequest) -> dict[str, object]:
    """Context processor: the "Your roles" links, whether the menu offers
    My practice (to people who practise, or who hold no role yet) and whether it
    offers Intervision (to members and facilitators of a group). Lazy, and
    from the session, so no page pays a query for them."""

    def offers_practice() -> bool:
        pages = getattr(request, "session", {}).get(SESSION_KEY)
        return not pages or PRACTICE in pages

    def in_groups() -> bool:
        # From the session; a session from before this was kept asks once a page.
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        known = getattr(request, "session", {}).get(GROUPS_KEY)
        return user.reflection_groups().exists() if known is None else bool(known)

    return {
        "role_pages": SimpleLazyObject(lambda: switcher(request)),
        "offers_practice": SimpleLazyObject(offers_practice),
        "in_intervision_group": SimpleLazyObject(in_groups),
    }
