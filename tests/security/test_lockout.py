"""Lockout (django-axes): 5 failed sign-ins for one username from one IP address
lock that pair for 15 minutes; nobody else is affected; an admin can unlock."""

import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from audit.signals import username_hash
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HOME_IP, OTHER_IP = "203.0.113.10", "198.51.100.20"


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.org")


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.org")


def attempt(client, email: str, password: str, ip: str = HOME_IP):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip
    )


def fail_five_times(client, email: str = "bob@example.org", ip: str = HOME_IP):
    responses = [attempt(client, email, "not-the-password", ip) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4  # the form, with its error
    return responses[-1]


def test_the_fifth_failure_locks_that_username_at_that_address(client, bob):
    locked = fail_five_times(client)

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "<h1>Too many attempts to sign in</h1>" in page
    assert "Wait 15 minutes" in page
    assert "bob@example.org" not in page
    # Even the right password is refused now.
    assert attempt(client, bob.email, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # The record an admin sees keeps the address (to unlock it) but not what was typed.
    lock = AccessAttempt.objects.get()
    assert (lock.username, lock.failures_since_start) == ("bob@example.org", 5)
    assert "not-the-password" not in lock.post_data
    assert "bob@example.org" not in lock.post_data


def test_one_persons_failures_never_lock_out_another(client, bob, alice):
    fail_five_times(client)

    # Someone else at the same address (one NHS trust behind one proxy)...
    assert attempt(client, alice.email, PASSWORD)["Location"] == "/"
    client.post(reverse("account_logout"))
    # ...and the same person somewhere else sign in as usual.
    assert attempt(client, bob.email, PASSWORD, ip=OTHER_IP)["Location"] == "/"


def test_the_username_is_counted_whatever_its_case(client, bob):
    for email in ["bob@example.org", "BOB@example.org", "Bob@Example.org", " bob@example.org"]:
        attempt(client, email, "not-the-password")

    assert attempt(client, "bob@EXAMPLE.org", "not-the-password").status_code == 429


def test_the_lockout_ends_after_15_minutes(client, bob):
    fail_five_times(client)

    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=14)):
        assert attempt(client, bob.email, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=16)):
        assert attempt(client, bob.email, PASSWORD)["Location"] == "/"


def test_an_admin_unlocks_an_account(client, admin_client, bob):
    fail_five_times(client)
    lock = AccessAttempt.objects.get()

    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "bob@example.org" in listing.content.decode()
    admin_client.post(reverse("admin:axes_accessattempt_delete", args=[lock.pk]), {"post": "yes"})

    assert not AccessAttempt.objects.exists()
    assert attempt(client, bob.email, PASSWORD)["Location"] == "/"


def test_sign_ins_and_failures_are_audited_without_the_address_or_password(client, bob, caplog):
    caplog.set_level(logging.DEBUG)

    attempt(client, "Bob@example.org", "wrong-password-1")
    attempt(client, bob.email, PASSWORD)
    client.post(reverse("account_logout"))

    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.detail == {"stage": "password", "username_hash": username_hash(bob.email)}
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=bob).count() == 1
    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor=bob).count() == 1
    stored = str(list(AuditEvent.objects.values_list("detail", flat=True)))
    for secret in ("bob@", "Bob@", "wrong-password-1", PASSWORD):
        assert secret not in stored
        assert secret not in caplog.text


def test_a_forged_forwarded_for_header_does_not_change_the_address(client, bob):
    # No proxy is configured (TRUSTED_PROXY_COUNT=0): the header is ignored.
    for n in range(4):
        client.post(
            reverse("account_login"),
            {"login": bob.email, "password": "not-the-password"},
            REMOTE_ADDR=HOME_IP,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )

    assert attempt(client, bob.email, "not-the-password").status_code == 429
