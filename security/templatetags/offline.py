"""{% session_tag %}: the tag that ties text kept in the browser to this session;
{% session_limits as limits %}: how long, in seconds from now, the session may
last at most ({"ends_in", "idle"}, or None when signed out)
(pod_site/offline.py, static/js/offline-store.js)."""

from typing import Any

from django import template

from pod_site.offline import session_limits as limits_for
from pod_site.offline import session_tag as tag_for

register = template.Library()


@register.simple_tag(takes_context=True)
def session_tag(context: template.Context) -> str:
    request = context.get("request")
    return tag_for(request) if request is not None else ""


@register.simple_tag(takes_context=True)
def session_limits(context: template.Context) -> dict[str, Any] | None:
    request = context.get("request")
    return limits_for(request) if request is not None else None
