"""A digest is never abandoned because the mail server was down for a while:
failed sends keep it due until its period is over, and only then is it given
up, in the log and in the admin."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from supervision.digest import deliver_digest, due_supervisor_ids
from supervision.models import DigestDelivery
from tests.supervision.test_digest import NOW, THIS_MONDAY, RefusingBackend  # noqa: F401

pytestmark = pytest.mark.django_db

NEXT_MONDAY = THIS_MONDAY + timedelta(days=7)


@pytest.fixture
def waiting(make_supervisor, make_supervisee, share_note):
    with time_machine.travel(NOW, tick=False):
        supervisor = make_supervisor("sam@example.org")
        share_note(make_supervisee(supervisor), supervisor, shared_at=NOW - timedelta(days=1))
    return supervisor


def test_a_long_mail_outage_does_not_drop_the_digest(waiting, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.supervision.test_digest.RefusingBackend"
    # Ten hours of outage: a beat every 15 minutes, each send retried 5 times.
    for beat in range(40):
        now = NOW + timedelta(minutes=15 * beat)
        with time_machine.travel(now, tick=False):
            assert due_supervisor_ids(now) == [waiting.pk]
            for _ in range(6):
                with pytest.raises(smtplib.SMTPDataError):
                    deliver_digest(waiting.pk)

    assert DigestDelivery.objects.get(supervisor=waiting).attempts == 240
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = NOW + timedelta(hours=10, minutes=15)
    with time_machine.travel(later, tick=False):
        assert due_supervisor_ids(later) == [waiting.pk]
        assert deliver_digest(waiting.pk) == "sent"
    assert len(mailoutbox) == 1


def test_a_period_that_ends_unsent_is_given_up_in_the_log_and_the_admin(
    waiting, settings, caplog, admin_client
):
    settings.EMAIL_BACKEND = "tests.supervision.test_digest.RefusingBackend"
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            with pytest.raises(smtplib.SMTPDataError):
                deliver_digest(waiting.pk)

    # The next period starts: its own digest is due, the old one is not.
    after = NEXT_MONDAY + timedelta(minutes=5)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(after, tick=False):
        assert due_supervisor_ids(after) == [waiting.pk]
        with caplog.at_level("WARNING", logger="supervision.digest"):
            assert deliver_digest(waiting.pk) == "sent"

    [given_up] = [r for r in caplog.records if "given up" in r.getMessage()]
    assert given_up.supervisor_id == waiting.pk
    assert given_up.attempts == 3
    assert "sam@example.org" not in given_up.getMessage()

    page = admin_client.get(reverse("admin:supervision_digestdelivery_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Given up" in text
    assert "period ended after 3 failed attempts" in text
    filtered = admin_client.get(
        reverse("admin:supervision_digestdelivery_changelist"), {"outcome": "given_up"}
    )
    assert filtered.context["cl"].result_count == 1
