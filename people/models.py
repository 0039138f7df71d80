"""Invitations: who invited whom, to which team and roles, and what became of it.

The link itself is allauth's password-reset link (people/invitations.py): no
token is stored here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from teams.models import Discipline, IntervisionGroup, Role, Team


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)


class Invitation(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    roles = models.JSONField(default=list, help_text="Role values, as teams.models.Role.")
    discipline = models.CharField(max_length=32, choices=Discipline.choices, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    groups = models.ManyToManyField(IntervisionGroup, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.user} to {self.team}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None

    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]
