"""Reflective notes a practitioner writes after a network meeting, or in general.

Private by default: `Reflection.objects.visible_to(user)` is the only way a view
reaches reflections, and today it gives a person their own notes only. Sharing
with a supervisor or an intervision group widens that rule in one place.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from principles.models import Principle


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"


class ReflectionQuerySet(models.QuerySet["Reflection"]):
    def visible_to(self, user: settings.AUTH_USER_MODEL) -> ReflectionQuerySet:
        """The one visibility rule for reflections: a note is its author's alone."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(author=user)


class Reflection(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    meeting = models.ForeignKey(
        "meetings.NetworkMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflections",
        help_text="Leave empty for a general reflection.",
    )
    written_at = models.DateTimeField(default=timezone.now)
    text = models.TextField("what happened between us", blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        ordering = ["-written_at"]
        indexes = [models.Index(fields=["author", "-written_at"])]

    def __str__(self) -> str:
        return f"Reflection {self.pk} by {self.author}"

    def clean(self) -> None:
        if self.meeting_id and self.author_id:
            attended = self.meeting.practitioner_attendances.filter(
                practitioner_id=self.author_id
            ).exists()
            if not attended:
                raise ValidationError(
                    {"meeting": "You can only reflect on a meeting you attended."}
                )


class PrincipleNote(models.Model):
    """What a reflection says about one principle."""

    reflection = models.ForeignKey(
        Reflection, on_delete=models.CASCADE, related_name="principle_notes"
    )
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["reflection", "principle__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "principle"],
                name="one_note_per_principle_per_reflection",
                violation_error_message="This reflection already has a note on this principle.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.principle} note on reflection {self.reflection_id}"
