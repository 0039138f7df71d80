"""Invitations: allauth's single-use, expiring password link, audited."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from people.models import Invitation
from security.mfa import has_totp
from teams.models import Role, SupervisionLink, User
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "a long new password 4 tests"
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+/")


@pytest.fixture
def invite(login, team, team_lead, django_capture_on_commit_callbacks):
    def send(email="new@example.org", roles=(Role.PEER_PRACTITIONER,), **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = login(team_lead).post(
                reverse("people:invite", args=[team.pk]),
                {
                    "first_name": "Sam",
                    "last_name": "Okafor",
                    "email": email,
                    "roles": list(roles),
                    **extra,
                },
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        return Invitation.objects.get(user__email=email), LINK.search(mail.outbox[-1].body)[0]

    return send


def set_password(url: str, client: Client | None = None):
    client = client or Client()
    path = url.split("://", 1)[1].split("/", 1)[1]
    first = client.get("/" + path)
    if first.status_code != 302:
        return first
    return client.post(first["Location"], {"password1": PASSWORD, "password2": PASSWORD})


def accepted(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse(
        "account_reset_password_from_key_done"
    )


def test_an_invitation_makes_an_account_and_sends_a_link(invite, team, team_lead, supervisor):
    invitation, url = invite(supervisor=supervisor.pk)
    user = invitation.user
    assert (user.first_name, user.is_active, user.has_usable_password()) == ("Sam", True, False)
    assert user.memberships.get().role == Role.PEER_PRACTITIONER
    assert SupervisionLink.objects.filter(supervisor=supervisor, supervisee=user).exists()
    message = mail.outbox[-1]
    assert message.to == ["new@example.org"]
    assert url in message.alternatives[0][0]
    assert AuditEvent.objects.get(action=Action.INVITE).actor == team_lead


def test_the_link_sets_the_password_once(invite):
    invitation, url = invite()
    assert accepted(set_password(url))
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action=Action.INVITE_ACCEPTED).exists()
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(PASSWORD)
    assert not accepted(set_password(url))


def test_the_link_expires(invite):
    _, url = invite()
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        assert not accepted(set_password(url))


def test_the_link_is_no_use_for_another_account(invite):
    first, url = invite()
    second, _ = invite(email="second@example.org")
    from allauth.account.utils import user_pk_to_url_str

    theirs = url.replace(
        f"/key/{user_pk_to_url_str(first.user)}-", f"/key/{user_pk_to_url_str(second.user)}-"
    )
    assert not accepted(set_password(theirs))
    second.user.refresh_from_db()
    assert not second.user.has_usable_password()


def test_resending_ends_the_old_link(
    invite, login, team, team_lead, django_capture_on_commit_callbacks
):
    invitation, old = invite()
    with django_capture_on_commit_callbacks(execute=True):
        login(team_lead).post(reverse("people:invitation_resend", args=[team.pk, invitation.pk]))
    new = LINK.search(mail.outbox[-1].body)[0]
    assert new != old
    assert not accepted(set_password(old))
    assert accepted(set_password(new))
    assert AuditEvent.objects.filter(action=Action.INVITE_RESENT).exists()


def test_withdrawing_ends_the_link(invite, login, team, team_lead):
    invitation, url = invite()
    login(team_lead).post(reverse("people:invitation_withdraw", args=[team.pk, invitation.pk]))
    assert not accepted(set_password(url))
    user = User.objects.get(pk=invitation.user_id)
    assert not user.is_active
    assert not user.memberships.exists()
    assert AuditEvent.objects.filter(action=Action.INVITE_WITHDRAWN).exists()


def test_a_supervisor_sets_up_mfa_after_choosing_a_password(invite):
    _, url = invite(roles=[Role.SUPERVISOR])
    client = Client()
    assert accepted(set_password(url, client))
    signed_in = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    page = client.get(reverse("supervision:inbox"))
    assert (page.status_code, page["Location"]) == (302, reverse("mfa_activate_totp"))


def test_an_invited_team_lead_can_turn_on_mfa(invite):
    # Making the link's token records the address, unverified (allauth); allauth
    # would then refuse the set-up page, and the MFA middleware sent them back to it.
    _, url = invite(email="lead2@example.org", roles=[Role.TEAM_LEAD])
    client = Client()
    assert accepted(set_password(url, client))
    client.post(reverse("account_login"), {"login": "lead2@example.org", "password": PASSWORD})
    # allauth asks for the password again before an authenticator is added.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert has_totp(User.objects.get(email="lead2@example.org"))


def test_an_invalid_invitation_is_422_and_an_existing_account_is_refused(
    login, team, team_lead, author
):
    client = login(team_lead)
    url = reverse("people:invite", args=[team.pk])
    assert client.post(url, {"email": "nope"}).status_code == 422
    existing = client.post(
        url,
        {"first_name": "A", "last_name": "B", "email": author.email, "roles": ["supervisor"]},
    )
    assert existing.status_code == 422
    assert not Invitation.objects.exists()
