"""The audit trail is written by the app and never changed or deleted by it."""

import os

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_changed_or_deleted(author):
    event = AuditEvent.objects.record(author, Action.READ, reflection_id=1)

    event.action = Action.SHARE
    with pytest.raises(PermissionError, match="never changed"):
        event.save()
    with pytest.raises(PermissionError, match="never deleted"):
        event.delete()
    assert AuditEvent.objects.get().action == Action.READ


def test_admins_see_the_trail_read_only(admin_client, author):
    event = AuditEvent.objects.record(author, Action.READ, reflection_id=1)

    listing = admin_client.get(reverse("admin:audit_auditevent_changelist"))
    page = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    delete = admin_client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]))

    assert listing.status_code == 200
    assert str(author) in listing.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # no save button: read-only
    assert delete.status_code == 403
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    # The admin's own sign-in is audited too; nothing else was added or removed.
    assert AuditEvent.objects.exclude(action=Action.LOGIN).count() == 1


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_the_trail(author):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run on PostgreSQL")
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    event = AuditEvent.objects.record(author, Action.READ, reflection_id=1)

    for statement in (
        "UPDATE audit_auditevent SET action = 'share' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action=Action.READ).exists()


def test_removing_a_person_keeps_their_trail(author):
    AuditEvent.objects.record(author, Action.READ, reflection_id=1)
    author_id = author.pk

    author.delete()

    assert AuditEvent.objects.get().actor_id == author_id
