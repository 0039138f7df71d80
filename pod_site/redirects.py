"""Where a `next` parameter may send someone: a path on this site, and nothing else.

Every view that reads `next` asks safe_next (allauth's account adapter,
teams/adapters.py, applies the same rule itself: teams imports nothing from
here), so a `next` that is not a local path is ignored
and the view goes where it would have gone without one. Django's
url_has_allowed_host_and_scheme alone lets through a relative non-path such as
`abc` (which `redirect()` then tries to reverse as a view name: a 500 after the
form was saved) and an absolute URL on our own host.
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(request: HttpRequest, url: str | None) -> bool:
    """Whether `url` is an absolute path on this site: "/" then no second "/" or "\\"."""
    if not url or not url.startswith("/") or url[1:2] in ("/", "\\"):
        return False
    return url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str, field: str = "next") -> str:
    """The `next` in the query string if it is a local path, else `default`."""
    url = request.GET.get(field, "")
    return url if is_local_path(request, url) else default
