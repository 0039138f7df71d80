"""Saving edits safely: every save names the revision it was based on, and
changes only the fields it carries.

Used by every editable record (reflections, networks, network members, network
meetings) and by the forms that change them:

- `Revisioned` gives a model a `revision` number, raised by one on every save
  through a form. `claim_revision(based_on)` raises it only if the row is still
  at `based_on`, in one conditional UPDATE, so of two tabs that loaded the same
  revision exactly one saves; the other is told (409) and shown both versions.
- `EditFormMixin` gives a form the hidden `revision` field, and keeps only the
  fields a request carries, so a request with one field changes one field and
  a request with none of them is refused (`carries_nothing`, 400).

A checkbox that is not ticked sends nothing, so the field template adds a
hidden `_fields` input naming each checkbox field: absent from the request
means "not sent", not "unticked".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import F

# The hidden input that says a checkbox field was on the form (templates/forms/field.html).
PRESENT_FIELDS = "_fields"


class Revisioned(models.Model):
    """A record edited in forms: a revision number a save must be based on."""

    revision = models.PositiveIntegerField(
        default=1,
        db_default=1,
        editable=False,
        help_text="Raised by one on every saved edit.",
    )

    class Meta:
        abstract = True

    def claim_revision(self, based_on: int) -> bool:
        """Raise the revision if the row is still at `based_on`; False if it is not.

        Call inside the transaction that saves the edit: the UPDATE locks the
        row until it commits, so a second save based on the same revision
        finds it changed and is refused.
        """
        claimed = (
            type(self)
            ._base_manager.filter(pk=self.pk, revision=based_on)
            .update(revision=F("revision") + 1)
        )
        if claimed:
            self.revision = based_on + 1
        return bool(claimed)

    def current_revision(self) -> int:
        return type(self)._base_manager.values_list("revision", flat=True).get(pk=self.pk)


class EditFormMixin:
    """For a form that edits an existing record (or creates one, with `creating`).

    - adds a hidden `revision` field, the revision the form was loaded from;
    - when bound, drops the fields the request does not carry (an edit then
      leaves them as they are), except when creating, where a missing field
      is an error like any other;
    - `carries_nothing` is True when the request has none of the form's fields.
    """

    creating = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        if not self.creating:
            fields["revision"] = forms.IntegerField(
                widget=forms.HiddenInput, min_value=1, required=True
            )
            instance = getattr(self, "instance", None)
            if isinstance(instance, Revisioned) and instance.pk:
                self.initial.setdefault("revision", instance.revision)  # type: ignore[attr-defined]
        self.carries_nothing = False
        if not self.is_bound:  # type: ignore[attr-defined]
            return
        # Disabled fields never come from the request (Django uses the initial value).
        editable = [name for name, f in fields.items() if name != "revision" and not f.disabled]
        sent = [name for name in editable if self._carries(name)]
        self.carries_nothing = not sent
        if not self.creating:
            for name in editable:
                if name not in sent:
                    del fields[name]

    def _carries(self, name: str) -> bool:
        data = self.data  # type: ignore[attr-defined]
        html_name = self.add_prefix(name)  # type: ignore[attr-defined]
        field = self.fields[name]  # type: ignore[attr-defined]
        if isinstance(field.widget, forms.MultiWidget):
            names = [f"{html_name}{suffix}" for suffix in field.widget.widgets_names]
        else:
            names = [html_name]
        return any(n in data for n in names) or html_name in data.getlist(PRESENT_FIELDS)

    @property
    def based_on(self) -> int:
        return self.cleaned_data["revision"]  # type: ignore[attr-defined]
