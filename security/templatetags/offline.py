"""{% session_tag %}: the tag that ties text kept in the browser to this session
(pod_site/offline.py, static/js/offline-store.js)."""

from django import template

from pod_site.offline import session_tag as tag_for

register = template.Library()


@register.simple_tag(takes_context=True)
def session_tag(context: template.Context) -> str:
    request = context.get("request")
    return tag_for(request) if request is not None else ""
