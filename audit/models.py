"""Who did what to a reflection, kept for good.

Every read of a reflection by someone other than its author, and every change
to a note (share, revoke, response, review, addendum, finish, edit of a
finished note, restore, erasure) writes one AuditEvent, from the model method
that makes the change, in its transaction (never from a view). The app never changes or
deletes a row (save refuses an update, delete refuses outright); the admin shows
them read-only. Rows hold ids and the action, never note text, so they can be
kept when a note is erased.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    # Django's base class, not teams.User: the audit trail sits below every app
    # whose changes it records, teams included (no import of an app above it).
    from django.contrib.auth.base_user import AbstractBaseUser as User


class Action(models.TextChoices):
    READ = "read", "Read a reflection"
    SHARE = "share", "Shared a reflection"
    REVOKE = "revoke", "Revoked a share"
    RESPOND = "respond", "Responded to a shared reflection"
    REVIEW = "review", "Marked a shared reflection reviewed"
    ADDENDUM = "addendum", "Added an addendum"
    FINISH = "finish", "Finished a reflection"
    DISCARD = "discard", "Discarded a draft reflection"
    EDIT = "edit", "Edited a finished reflection"
    RESTORE = "restore", "Restored an earlier version of a reflection"
    SESSION = "session", "Recorded a supervision session"
    SESSION_COMMENT = "session_comment", "Commented on a supervision session record"
    SESSION_CONFIRM = "session_confirm", "Confirmed a supervision session record"
    IV_SESSION = "iv_session", "Recorded an intervision session"
    IV_NOTES = "iv_notes", "Wrote an intervision session's notes"
    IV_NOTES_READ = "iv_notes_read", "Read an intervision session's notes"
    IV_SUMMARY = "iv_summary", "Drafted a summary for supervision"
    IV_AGREE = "iv_agree", "Agreed a summary for supervision"
    IV_SUMMARY_READ = "iv_summary_read", "Read a summary for supervision"
    IV_RESPOND = "iv_respond", "Responded to a summary for supervision"
    IV_REVIEW = "iv_review", "Marked a summary for supervision reviewed"
    AGREEMENT = "agreement", "Changed an intervision group's agreement"
    AGREEMENT_ACCEPT = "agreement_ok", "Accepted an intervision group's agreement"
    SELF_CHECK = "self_check", "Answered a meeting's dialogic self-check"
    ASK_TO_TALK = "ask_to_talk", "Asked their supervisor for a conversation"
    EXPORT = "export", "Exported data"
    ERASE = "erase", "Erased data"
    RETENTION = "retention", "Deleted reflections past the retention period"
    ROLE_CHANGE = "role_change", "Changed a role"
    TEAM_CHANGE = "team_change", "Changed a team's settings or groups"
    INVITE = "invite", "Invited someone"
    INVITE_RESENT = "invite_resent", "Sent an invitation again"
    INVITE_WITHDRAWN = "invite_withdrawn", "Withdrew an invitation"
    INVITE_ACCEPTED = "invite_accepted", "Accepted an invitation"
    DEACTIVATE = "deactivate", "Deactivated an account"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed to sign in"
    LOGOUT = "logout", "Signed out"
    MFA_CHANGED = "mfa_changed", "Changed multi-factor authentication"
    MFA_LOCKED = "mfa_locked", "Locked out of multi-factor authentication"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def record(
        self,
        actor: User | None,
        action: Action,
        *,
        reflection_id: int | None = None,
        share_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEvent:
        return self.create(
            actor=actor,
            action=action,
            reflection_id=reflection_id,
            share_id=share_id,
            detail=detail or {},
        )

    def reads_of(self, reflection_id: int) -> AuditEventQuerySet:
        return self.filter(action=Action.READ, reflection_id=reflection_id)

    def read_receipts(self, reflection_id: int) -> models.QuerySet:
        """Who has read a note and when (first and last time). Only for its author:
        callers go through Reflection.read_receipts(viewer), which decides that."""
        return (
            self.reads_of(reflection_id)
            .values("actor__first_name", "actor__last_name", "actor__email")
            .annotate(first=models.Min("at"), last=models.Max("at"), times=models.Count("pk"))
            .order_by("first")
        )


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint and no cascade: removing a person must not update
    # or delete the trail (on PostgreSQL a trigger refuses both), so the id stays.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        help_text="Who did it; the id is kept if the account is later removed.",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    # Plain ids, not foreign keys: the record outlives the note it is about.
    reflection_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    share_id = models.BigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True, help_text="Ids and flags, never text.")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit events are never deleted.")
