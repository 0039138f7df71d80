"""What keeps a submitted form from being lost or applied twice.

- `PendingPost`: a form POSTed after the person's session ended (or with a CSRF
  token from before they signed in again), kept encrypted for that person and
  that browser for a few hours and offered back after they sign in. Nobody else
  can read it: it is found only by the signed-in person's id together with a
  random token held in their browser's cookie.
- `FormSubmission`: the per-render key of a form that creates something, so a
  double click, a retried request or Back-and-resubmit creates one record.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from reflections.fields import EncryptedTextField

# Long enough to sign in again the same day, short enough that text is not kept.
PENDING_POST_HOURS = 12


def token_digest(token: str) -> str:
    """The SHA-256 hex digest stored in place of a browser's random token."""
    return hashlib.sha256(token.encode()).hexdigest()


class PendingPostQuerySet(models.QuerySet["PendingPost"]):
    def live(self) -> PendingPostQuerySet:
        return self.filter(created_at__gte=timezone.now() - timedelta(hours=PENDING_POST_HOURS))

    def for_browser(self, user, token: str | None) -> PendingPostQuerySet:
        """The person's pending posts sent from the browser holding `token`."""
        if not token or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.live().filter(user=user, browser_digest=token_digest(token))

    def expired(self) -> PendingPostQuerySet:
        return self.exclude(pk__in=self.live().values("pk"))


class PendingPost(models.Model):
    """A form sent while signed out, kept for its author to send again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_posts"
    )
    browser_digest = models.CharField(max_length=64, db_index=True)
    path = models.CharField(max_length=500)
    # The form's fields as JSON [[name, value], ...], without the CSRF token.
    fields = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PendingPostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Pending post {self.pk} to {self.path}"


class FormSubmission(models.Model):
    """One per submitted create form: its key, and where the result is."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_submissions"
    )
    key = models.UUIDField()
    path = models.CharField(max_length=500)
    # SHA-256 of the fields sent (never the fields): Back and submit again
    # renders a new key but sends the same content (security/submissions.py).
    content_digest = models.CharField(max_length=64, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_submission_per_form_key")
        ]
        indexes = [models.Index(fields=["user", "content_digest"])]

    def __str__(self) -> str:
        return f"Form submission {self.key}"
