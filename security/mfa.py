"""Who must use multi-factor authentication, and whether they have set it up.

MFA is offered to everyone and required of people who can see other people's
notes or run the service: supervisors and team leads (MFA_REQUIRED_ROLES) and
staff (MFA_REQUIRED_FOR_STAFF).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from django.conf import settings

if TYPE_CHECKING:
    from teams.models import User


def must_use_mfa(user: User) -> bool:
    if settings.MFA_REQUIRED_FOR_STAFF and (user.is_staff or user.is_superuser):
        return True
    roles = settings.MFA_REQUIRED_ROLES
    return bool(roles) and user.holds_role(*roles)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def needs_mfa_setup(user: User) -> bool:
    """Signed in with a password only, by someone who must use MFA."""
    return must_use_mfa(user) and not has_totp(user)
