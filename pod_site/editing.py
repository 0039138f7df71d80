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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django import forms
from django.db import models, transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

T = TypeVar("T")

NOTHING_SENT = (
    "Nothing was saved: the request carried none of this form's fields. "
    "What was saved before is as it was; if you typed something, it did not reach us."
)

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
    """For a form that edits an existing record, or creates one.

    - Editing, it has a hidden `revision` field, the revision the form was
      loaded from, and drops the fields the request does not carry before
      cleaning, so a save leaves them as they are. Creating, a missing field is
      an error like any other.
    - `carries_nothing` is True when the request has none of the form's fields
      (the view answers 400 and changes nothing).
    Fields added or disabled in a subclass's __init__ are taken into account:
    the request's fields are sorted out only when the form is cleaned.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        # A ModelForm without a saved instance creates; a plain form always edits.
        self.creating = instance is not None and instance.pk is None
        if not self.creating:
            self.fields["revision"] = forms.IntegerField(  # type: ignore[attr-defined]
                widget=forms.HiddenInput, min_value=1, required=True
            )
            if isinstance(instance, Revisioned):
                self.initial.setdefault("revision", instance.revision)  # type: ignore[attr-defined]

    def _editable(self) -> list[str]:
        fields: dict[str, forms.Field] = self.fields  # type: ignore[attr-defined]
        # Disabled fields never come from the request (Django uses the initial value).
        return [name for name, f in fields.items() if name != "revision" and not f.disabled]

    def _sent(self) -> list[str]:
        return [name for name in self._editable() if self._carries(name)]

    @property
    def carries_nothing(self) -> bool:
        return bool(self.is_bound) and not self._sent()  # type: ignore[attr-defined]

    def full_clean(self) -> None:
        if self.is_bound and not self.creating:  # type: ignore[attr-defined]
            sent = set(self._sent())
            for name in self._editable():
                if name not in sent:
                    del self.fields[name]  # type: ignore[attr-defined]
        super().full_clean()  # type: ignore[misc]

    def _carries(self, name: str) -> bool:
        data = self.data  # type: ignore[attr-defined]
        html_name = self.add_prefix(name)  # type: ignore[attr-defined]
        field = self.fields[name]  # type: ignore[attr-defined]
        if isinstance(field.widget, forms.MultiWidget):
            names = [f"{html_name}{suffix}" for suffix in field.widget.widgets_names]
        else:
            names = [html_name]
        # A plain dict (a form built in code, not from a request) has no getlist.
        present = data.getlist(PRESENT_FIELDS) if hasattr(data, "getlist") else []
        return any(n in data for n in names) or html_name in present

    @property
    def based_on(self) -> int:
        return self.cleaned_data["revision"]  # type: ignore[attr-defined]

    def save_if_current(self, save: Callable[[], T] | None = None) -> T | None:
        """Save (with `save`, else the ModelForm's save) if the instance is still
        at the revision the form was loaded from; None, changing nothing, if not
        (or if `save` itself returns None, such as a clash it reports)."""
        instance: Revisioned = self.instance  # type: ignore[attr-defined]
        with transaction.atomic():
            if not instance.claim_revision(self.based_on):
                return None
            saved = (save or self.save)()  # type: ignore[attr-defined]
            if saved is None:
                transaction.set_rollback(True)
            return saved


@dataclass(frozen=True)
class Difference:
    """One field as it is saved now and as a refused (stale) form sent it."""

    label: str
    saved: str
    yours: str


def differences(form: forms.BaseForm, saved: Mapping[str, Any]) -> list[Difference]:
    """The fields where `form`'s data differs from `saved` (a fresh form's initial).

    For the conflict page: both versions side by side, in the words the form
    shows (choice labels, not stored values).
    """
    rows = []
    for name, field in form.fields.items():
        if name == "revision" or field.disabled:
            continue
        bound = form[name]
        if not field.has_changed(saved.get(name), bound.data):
            continue
        rows.append(
            Difference(
                label=str(bound.label),
                saved=_shown(field, saved.get(name)),
                yours=_shown(field, bound.data),
            )
        )
    return rows


def conflict_with(form: forms.BaseForm, fresh: forms.BaseForm) -> list[Difference]:
    """What `form` sent against `fresh`, an unbound form of the record as saved now."""
    return differences(form, {name: fresh[name].value() for name in fresh.fields})


def rebased(data: QueryDict, revision: int) -> QueryDict:
    """`data` as it was sent, based on `revision`: sending it again keeps it."""
    data = data.copy()
    data["revision"] = str(revision)
    return data


def _shown(field: forms.Field, value: Any) -> str:
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
    if isinstance(field, forms.BooleanField):
        return "Yes" if field.to_python(value) else "No"
    values = value if isinstance(value, list | tuple) else [value]
    if isinstance(field, forms.ChoiceField):
        labels = {str(field.prepare_value(key)): str(label) for key, label in field.choices}
        chosen = [
            labels.get(str(field.prepare_value(v)), str(v)) for v in values if v not in ("", None)
        ]
        return ", ".join(chosen) or "(none)"
    if isinstance(field, forms.MultiValueField):
        return " ".join(str(v) for v in values if v) or "(empty)"
    text = "" if value is None else str(value)
    return text or "(empty)"
