"""Authenticator codes are limited per account, whatever the address.

Someone who knows a person's password could otherwise try codes from many
addresses (allauth's throttle and django-axes count per address). After
MFA_FAILURE_LIMIT (5) wrong codes for one account within MFA_LOCKOUT_MINUTES
(15), no code is checked for that account for MFA_LOCKOUT_MINUTES, from any
address: a plain message says so, and the audit trail records the lockout.
"""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from tests.totp import activate_totp, totp_code

pytestmark = pytest.mark.django_db

MFA = reverse("mfa_authenticate")
# Signed in, each lands on their role's page (teams/landing.py).
INBOX = reverse("supervision:inbox")
DASHBOARD = reverse("dashboards:dashboard")


def at_the_code_step(user, address: str, sign_in_with_password) -> Client:
    client = Client(REMOTE_ADDR=address)
    assert sign_in_with_password(client, user)["Location"] == MFA
    return client


def test_wrong_codes_from_many_addresses_lock_the_account(supervisor, sign_in_with_password):
    secret = activate_totp(supervisor)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(5):
            client = at_the_code_step(supervisor, f"10.0.0.{n + 1}", sign_in_with_password)
            wrong = client.post(MFA, {"code": "000000" if totp_code(secret) != "000000" else "1"})
            assert wrong.status_code == 200
            assert "Incorrect code" in wrong.content.decode()

        # A sixth address, with the right code: not even checked.
        client = at_the_code_step(supervisor, "10.0.0.99", sign_in_with_password)
        locked = client.post(MFA, {"code": totp_code(secret)})

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many wrong codes" in page
    assert "15 minutes" in page
    assert "_auth_user_id" not in client.session
    lockout = AuditEvent.objects.get(action=Action.MFA_LOCKED)
    assert lockout.actor == supervisor
    assert lockout.detail == {"failures": 5, "minutes": 15}


def test_the_lockout_ends_after_15_minutes(supervisor, sign_in_with_password):
    secret = activate_totp(supervisor)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = at_the_code_step(supervisor, "10.0.0.1", sign_in_with_password)
        for _ in range(6):
            client.post(MFA, {"code": "not-a-code"})
        assert AuditEvent.objects.filter(action=Action.MFA_LOCKED).count() == 1

    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        client = at_the_code_step(supervisor, "10.0.0.2", sign_in_with_password)
        assert client.post(MFA, {"code": totp_code(secret)}).status_code == 429

    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        client = at_the_code_step(supervisor, "10.0.0.3", sign_in_with_password)
        assert client.post(MFA, {"code": totp_code(secret)})["Location"] == INBOX


def test_a_few_wrong_codes_then_the_right_one_sign_in(supervisor, sign_in_with_password):
    secret = activate_totp(supervisor)
    client = at_the_code_step(supervisor, "10.0.0.1", sign_in_with_password)
    for _ in range(4):
        assert client.post(MFA, {"code": "not-a-code"}).status_code == 200

    assert client.post(MFA, {"code": totp_code(secret)})["Location"] == INBOX
    assert not AuditEvent.objects.filter(action=Action.MFA_LOCKED).exists()


def test_one_accounts_lockout_does_not_touch_another(supervisor, team_lead, sign_in_with_password):
    activate_totp(supervisor)
    lead_secret = activate_totp(team_lead)
    client = at_the_code_step(supervisor, "10.0.0.1", sign_in_with_password)
    for _ in range(6):
        client.post(MFA, {"code": "not-a-code"})

    other = at_the_code_step(team_lead, "10.0.0.1", sign_in_with_password)
    assert other.post(MFA, {"code": totp_code(lead_secret)})["Location"] == DASHBOARD
