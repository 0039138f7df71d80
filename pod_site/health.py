"""/livez and /healthz: is this web process alive, and is it able to serve?

/livez is liveness: 200 "ok" as text/plain, through the whole middleware
stack, touching neither the database nor the cache. A probe that restarts
stuck processes asks it; `make bench` measures every page against it
(docs/performance.md). /healthz is readiness (below): a process whose database
is down is alive but should not get traffic.

/healthz: is this web process able to serve? For load balancers and compose.

django-health-check with its checks listed here, not its defaults: the database,
and Redis (through the cache, which lives there) when REDIS_URL is set. Not DNS,
mail or disk: a digest SMTP server that is down must not take the site out of a
load balancer, and DNS and mail checks fail on a machine without internet.

Always JSON, reachable without signing in, no session, never cached. It says
which checks passed; it names no host, user or setting.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.checks import Cache, Database
from health_check.views import HealthCheckView


def checks() -> list:
    listed: list = [Database]
    if settings.REDIS_URL:
        listed.append(Cache)
    return listed


class HealthView(HealthCheckView):
    def get_checks(self):
        self.checks = checks()
        return super().get_checks()

    # django-health-check picks HTML or text from the Accept header; a probe
    # (curl, compose, a load balancer) always gets the JSON answer instead.
    def render_to_response(self, context, **response_kwargs):
        return self.render_to_response_json(response_kwargs.get("status", 200))

    def render_to_response_text(self, status):
        return self.render_to_response_json(status)


healthz = HealthView.as_view()


@never_cache
@require_safe
def livez(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No database, no cache, no template."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
