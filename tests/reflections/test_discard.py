"""Discarding a draft, and empty drafts that do not count as reflections."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from principles.models import Principle
from reflections.models import PrincipleNote, Reflection, ReflectionVersion, Status
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recent(meeting):
    meeting.starts_at = timezone.now() - timedelta(days=2)
    meeting.save(update_fields=["starts_at"])
    return meeting


def test_discarding_asks_first_then_deletes_the_draft_and_its_versions(login, author, meeting):
    draft = ReflectionFactory(author=author, meeting=meeting, text="Half a thought")
    draft.keep_version()
    client = login(author)

    question = client.get(reverse("reflections:discard", args=[draft.pk]))
    assert question.status_code == 200
    assert "Discard this draft?" in question.content.decode()
    assert Reflection.objects.filter(pk=draft.pk).exists()

    answer = client.post(reverse("reflections:discard", args=[draft.pk]))

    assert answer.status_code == 302
    assert answer["Location"] == reverse("home")
    assert not Reflection.objects.filter(pk=draft.pk).exists()
    assert not ReflectionVersion.objects.filter(reflection_id=draft.pk).exists()
    event = AuditEvent.objects.get(action=Action.DISCARD)
    assert (event.actor, event.reflection_id) == (author, draft.pk)
    assert "Half a thought" not in str(event.detail)


def test_the_editor_and_the_note_page_of_a_draft_offer_discarding(login, author, meeting):
    draft = ReflectionFactory(author=author, meeting=meeting, text="Words")
    client = login(author)
    link = reverse("reflections:discard", args=[draft.pk])

    assert link in client.get(reverse("reflections:edit", args=[draft.pk])).content.decode()
    assert link in client.get(reverse("reflections:detail", args=[draft.pk])).content.decode()


def test_only_the_author_can_discard(login, author, colleague, meeting):
    draft = ReflectionFactory(author=author, meeting=meeting, text="Mine")
    client = login(colleague)

    assert client.get(reverse("reflections:discard", args=[draft.pk])).status_code == 404
    assert client.post(reverse("reflections:discard", args=[draft.pk])).status_code == 404
    assert Reflection.objects.filter(pk=draft.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.DISCARD).exists()


def test_a_finished_note_is_never_discarded(login, author, meeting):
    note = ReflectionFactory(
        author=author, meeting=meeting, text="Done", status=Status.FINAL, finished_at=timezone.now()
    )
    client = login(author)

    page = client.get(reverse("reflections:detail", args=[note.pk])).content.decode()
    answer = client.post(reverse("reflections:discard", args=[note.pk]))

    assert reverse("reflections:discard", args=[note.pk]) not in page
    assert answer.status_code == 302
    assert Reflection.objects.filter(pk=note.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.DISCARD).exists()


def test_an_empty_old_draft_does_not_hide_its_meeting(login, author, recent):
    ReflectionFactory(author=author, meeting=recent, text="")

    response = login(author).get(reverse("home"))

    assert list(response.context["awaiting_reflection"]) == [recent]


def test_a_draft_with_words_or_a_principle_noted_takes_its_meeting_off_the_list(
    login, author, recent
):
    draft = ReflectionFactory(author=author, meeting=recent, text="")
    PrincipleNote.objects.create(
        reflection=draft, principle=Principle.objects.peer_practice().first(), presence="strongly"
    )
    client = login(author)

    assert list(client.get(reverse("home")).context["awaiting_reflection"]) == []

    PrincipleNote.objects.all().delete()
    Reflection.objects.filter(pk=draft.pk).update(text="Something")
    assert list(client.get(reverse("home")).context["awaiting_reflection"]) == []
