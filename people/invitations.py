"""Invitations, on allauth's own password-reset machinery.

An invited person gets an account with an unusable password (`is_active=True`) and
an email with allauth's password-reset link (`user_pk_to_url_str` and allauth's
`default_token_generator`). Setting the password there is allauth's flow: the link
works once (the token is built on the password hash, which setting the password
changes) and expires after PASSWORD_RESET_TIMEOUT. Resending sets a new unusable
password first, so the earlier link stops working; so does withdrawing, which also
deactivates the account and ends its roles. No token is stored or checked here.
After setting the password the person signs in; MFARequiredMiddleware sends those
whose role needs MFA to set it up first.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.db import transaction
from django.utils import timezone

from audit.models import Action, AuditEvent
from people.models import Invitation
from teams.models import IntervisionGroup, Membership, Role, SupervisionLink, Team, User


def invitation_url(user: User) -> str:
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    return get_adapter().get_reset_password_from_key_url(key)


def _send(invitation: Invitation) -> None:
    user = invitation.user
    user.set_unusable_password()  # a new hash: any earlier link stops working
    user.save(update_fields=["password"])
    url = invitation_url(user)

    def send() -> None:
        get_adapter().send_mail(
            "people/email/invitation",
            user.email,
            {
                "user": user,
                "invitation": invitation,
                "team": invitation.team,
                "invited_by": invitation.invited_by,
                "roles": invitation.role_labels(),
                "invitation_url": url,
            },
        )

    transaction.on_commit(send)


def _detail(invitation: Invitation, **extra: Any) -> dict[str, Any]:
    return {
        "invitation_id": invitation.pk,
        "team_id": invitation.team_id,
        "user_id": invitation.user_id,
        **extra,
    }


@transaction.atomic
def invite(
    *,
    team: Team,
    by: User,
    email: str,
    first_name: str,
    last_name: str,
    roles: list[str],
    discipline: str = "",
    supervisor: User | None = None,
    groups: list[IntervisionGroup] | tuple = (),
) -> Invitation:
    user = User.objects.create_user(
        email, None, first_name=first_name, last_name=last_name, is_active=True
    )
    for role in roles:
        Membership.objects.create(
            user=user,
            team=team,
            role=role,
            discipline=discipline if role == Role.PRACTITIONER else "",
        )
    if supervisor is not None:
        SupervisionLink.objects.create(supervisor=supervisor, supervisee=user)
    for group in groups:
        group.members.add(user)
    invitation = Invitation.objects.create(
        team=team,
        user=user,
        invited_by=by,
        roles=list(roles),
        discipline=discipline,
        supervisor=supervisor,
    )
    invitation.groups.set(groups)
    AuditEvent.objects.record(by, Action.INVITE, detail=_detail(invitation, roles=list(roles)))
    _send(invitation)
    return invitation


@transaction.atomic
def resend(invitation: Invitation, by: User) -> None:
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    AuditEvent.objects.record(by, Action.INVITE_RESENT, detail=_detail(invitation))
    _send(invitation)


@transaction.atomic
def withdraw(invitation: Invitation, by: User) -> None:
    user = invitation.user
    user.set_unusable_password()  # the link stops working
    user.is_active = False
    user.save(update_fields=["password", "is_active"])
    user.memberships.all().delete()
    user.intervision_groups.clear()
    user.supervisor_links.all().delete()
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    AuditEvent.objects.record(by, Action.INVITE_WITHDRAWN, detail=_detail(invitation))


def mark_accepted(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """allauth's password_reset signal: the invitee chose their password."""
    for invitation in Invitation.objects.open().filter(user=user):
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        AuditEvent.objects.record(user, Action.INVITE_ACCEPTED, detail=_detail(invitation))
