from django import template

from meetings.forms import QuickActivityForm

register = template.Library()


@register.simple_tag
def quick_activity_form() -> QuickActivityForm:
    """An empty "Log other work" form for My practice: it needs no query."""
    return QuickActivityForm(auto_id="quick-%s")
