"""Data rights: take everything away, erase a network or a person's notes, retention."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from data_rights import tasks
from data_rights.erasure import delete_expired_reflections
from meetings.models import Network, NetworkMeeting, NetworkMember
from pod_site.celery import app
from reflections.models import Reflection, Status
from supervision.models import Share
from teams.models import SupervisionLink
from tests.factories import NetworkMemberFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_a_practitioner_downloads_everything_held_about_them(login, author, colleague, meeting):
    ReflectionFactory(author=author, meeting=meeting, text="Mine to keep.")
    ReflectionFactory(author=colleague, text="Not theirs.")

    response = login(author).get(reverse("my_data"))

    data = json.loads(body(response))
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert data["profile"]["email"] == author.email
    assert [r["text"] for r in data["reflections"]] == ["Mine to keep."]
    assert data["meetings_attended"][0]["network"] == "Birch"
    assert data["memberships"] == [
        {"team": "Riverside", "role": "Peer practitioner", "discipline": ""}
    ]
    assert "Not theirs." not in json.dumps(data)
    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=author).exists()


def test_my_data_asks_anonymous_people_to_sign_in(client):
    assert client.get(reverse("my_data")).status_code == 302


def test_exporting_my_reflections_is_audited(login, author):
    body(login(author).get(reverse("reflections:export_json")))

    assert AuditEvent.objects.filter(action=Action.EXPORT, actor=author).count() == 1


def test_an_admin_erases_a_network_and_the_notes_stay_unlinked(admin_client, author, meeting):
    NetworkMemberFactory(network=meeting.network, name="Mum")
    note = ReflectionFactory(author=author, meeting=meeting, text="Still mine.")
    network = meeting.network

    confirm = admin_client.post(
        reverse("admin:meetings_network_changelist"),
        {"action": "erase_networks", "_selected_action": [network.pk]},
    )
    assert "Reason (kept in the audit trail)" in confirm.content.decode()
    assert Network.objects.filter(pk=network.pk).exists()  # nothing yet

    admin_client.post(
        reverse("admin:meetings_network_changelist"),
        {
            "action": "erase_networks",
            "_selected_action": [network.pk],
            "confirmed": "yes",
            "reason": "Network asked for erasure",
        },
    )

    assert not Network.objects.filter(pk=network.pk).exists()
    assert not NetworkMeeting.objects.exists()
    assert not NetworkMember.objects.exists()
    note.refresh_from_db()
    assert (note.meeting, note.text) == (None, "Still mine.")
    event = AuditEvent.objects.get(action=Action.ERASE)
    assert event.detail["reason"] == "Network asked for erasure"
    assert event.detail["network_id"] == network.pk


def test_erasure_needs_a_reason(admin_client, meeting):
    response = admin_client.post(
        reverse("admin:meetings_network_changelist"),
        {"action": "erase_networks", "_selected_action": [meeting.network.pk], "confirmed": "yes"},
    )

    assert "Give a reason" in response.content.decode()
    assert Network.objects.exists()


def test_an_admin_erases_a_departing_practitioners_reflections(
    admin_client, author, colleague, supervisor
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = ReflectionFactory(author=author, status=Status.FINAL)
    Share.objects.create(reflection=note, supervisor=supervisor)
    kept = ReflectionFactory(author=colleague)

    admin_client.post(
        reverse("admin:teams_user_changelist"),
        {
            "action": "erase_reflections",
            "_selected_action": [author.pk],
            "confirmed": "yes",
            "reason": "Left the team",
        },
    )

    assert list(Reflection.objects.all()) == [kept]
    assert not Share.objects.exists()
    event = AuditEvent.objects.get(action=Action.ERASE)
    assert event.detail == {"author_id": author.pk, "reflections": 1, "reason": "Left the team"}


def test_reflections_past_the_retention_period_are_deleted_and_audited(settings, author):
    settings.REFLECTION_RETENTION_YEARS = 2
    now = timezone.now()
    old = ReflectionFactory(author=author, written_at=now - timedelta(days=365 * 2 + 10))
    recent = ReflectionFactory(author=author, written_at=now - timedelta(days=365))

    assert delete_expired_reflections(now) == 1

    assert list(Reflection.objects.all()) == [recent]
    assert not Reflection.objects.filter(pk=old.pk).exists()
    event = AuditEvent.objects.get(action=Action.RETENTION)
    assert (event.actor, event.detail["reflections"]) == (None, 1)


def test_retention_zero_keeps_everything(settings, author):
    settings.REFLECTION_RETENTION_YEARS = 0
    ReflectionFactory(author=author, written_at=timezone.now() - timedelta(days=365 * 30))

    assert delete_expired_reflections() == 0
    assert Reflection.objects.count() == 1


def test_the_retention_task_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-reflections"]

    assert entry["task"] == "data_rights.tasks.delete_expired_reflections"
    # The name beat sends is the task a worker has (shared_task gives a proxy).
    assert app.tasks[entry["task"]] is tasks.delete_expired_reflections._get_current_object()


def test_my_data_carries_my_self_checks_and_my_requests_to_talk(
    login, author, colleague, supervisor, meeting
):
    from meetings.models import SelfCheck

    answers = {principle.slug: "clearly" for principle in SelfCheck.principles()}
    SelfCheck.record(meeting, author, answers)
    SelfCheck.record(meeting, colleague, {slug: "a_little" for slug in answers})
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = ReflectionFactory(author=author, meeting=meeting, status=Status.FINAL)
    share = note.share_with(supervisor=supervisor)
    share.ask_to_talk(author)

    data = json.loads(body(login(author).get(reverse("my_data"))))

    [check] = data["dialogic_self_checks"]
    assert check["network"] == "Birch"
    assert len(check["answers"]) == 7
    assert set(check["answers"].values()) == {"Clearly"}  # mine, not my colleague's
    [shared] = data["reflections"][0]["shared_with"]
    assert shared["asked_to_talk_at"] == share.talk_asked_at.isoformat()
