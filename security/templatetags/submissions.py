"""`{% form_key %}`: the per-render key of a form that creates something.

Put it inside every form that posts to a view decorated with
`security.submissions.submitted_once`. Each render gets a fresh key, so a form
shown again (after errors, or re-rendered by htmx) can be sent again, while
the same render sent twice creates one record. For a field that sits outside
its form's element, name the form: `{% form_key form="add-member" %}`.
"""

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from security.submissions import FORM_KEY

register = template.Library()


@register.simple_tag
def form_key(form: str = "") -> SafeString:
    if form:
        return format_html(
            '<input type="hidden" name="{}" value="{}" form="{}">', FORM_KEY, uuid.uuid4(), form
        )
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_KEY, uuid.uuid4())
