"""Forms in the design system, for every app.

Django renders every input, with its value, id, aria-describedby and
aria-invalid; templates/forms/field.html adds nhsuk-frontend's wrappers around
it (label, hint, error message, fieldset) and templates/forms/error_summary.html
the summary at the top. The widgets only need the design system's classes,
which DesignSystemMixin gives them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.widgets import Input

# The nhsuk-frontend class of each kind of widget, the more specific first:
# a CheckboxSelectMultiple is a RadioSelect, a CheckboxInput is an Input.
WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "nhsuk-checkboxes__input"),
    (forms.RadioSelect, "nhsuk-radios__input"),
    (forms.CheckboxInput, "nhsuk-checkboxes__input"),
    (forms.Select, "nhsuk-select"),
    (forms.Textarea, "nhsuk-textarea"),
    (Input, "nhsuk-input"),
]


def _add_design_system_class(widget: forms.Widget) -> None:
    if isinstance(widget, forms.MultiWidget):
        for subwidget in widget.widgets:
            _add_design_system_class(subwidget)
        return
    for widget_type, css_class in WIDGET_CLASSES:
        if isinstance(widget, widget_type):
            classes = widget.attrs.get("class", "").split()
            if css_class not in classes:
                widget.attrs["class"] = " ".join([css_class, *classes])
            return


class QuickSelect(forms.Select):
    """A select for long lists (a team's networks): options rendered in one template."""

    template_name = "forms/widgets/select.html"


class InlineRadioSelect(forms.RadioSelect):
    """Radios side by side, for short answers such as 0 to 4 (nhsuk-radios--inline)."""

    inline = True


class DesignSystemMixin:
    """Give every widget of a form its nhsuk-frontend class."""

    # Set False where every field is optional, so labels need not all say so.
    marks_optional_fields = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        """Class every widget; call again after adding fields in __init__."""
        for field in self.fields.values():  # type: ignore[attr-defined]
            _add_design_system_class(field.widget)
