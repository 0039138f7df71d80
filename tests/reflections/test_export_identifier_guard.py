"""The identifier guard before my reflections are downloaded (reflections.views.export).

Personas: the author, and a colleague whose notes are never checked or shown.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from supervision.models import Addendum
from tests.factories import NetworkMeetingFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

EXPORTS = ["reflections:export_markdown", "reflections:export_json"]


def downloaded(response) -> str:
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="my-reflections-')
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("name", EXPORTS)
def test_a_note_that_names_someone_stops_the_download_and_says_where(login, author, meeting, name):
    ReflectionFactory(author=author, meeting=meeting, text="Robin phoned from 07700 900123.")
    ReflectionFactory(author=author, text="Nothing to see here.")

    response = login(author).get(reverse(name))

    assert response.status_code == 200
    assert not response.streaming
    assert "Content-Disposition" not in response
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "<title>Check before you download your reflections" in page
    assert 'class="nhsuk-warning-callout"' in page
    assert "Nothing has been downloaded yet. One of your notes holds" in page
    assert "Birch, " in page  # the note, by its title
    assert "In “What happened between us”: a name recorded in this network, “<strong>Robin" in page
    assert "a phone number, “<strong>07700 900123</strong>”" in page
    assert f'href="{reverse(name)}?checked=1"' in page
    assert "Download anyway" in page
    assert "Nothing to see here" not in page
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("name", EXPORTS)
def test_download_anyway_downloads_and_is_audited(login, author, meeting, name):
    ReflectionFactory(author=author, meeting=meeting, text="Robin phoned.")

    text = downloaded(login(author).get(reverse(name) + "?checked=1"))

    assert "Robin phoned." in text
    event = AuditEvent.objects.get(action=Action.EXPORT, actor=author)
    assert event.detail["downloaded_anyway"] is True


@pytest.mark.parametrize("name", EXPORTS)
def test_notes_with_nothing_identifying_download_at_once(login, author, meeting, name):
    ReflectionFactory(author=author, meeting=meeting, text="We met at 10:30 for 90 minutes.")

    text = downloaded(login(author).get(reverse(name)))

    assert "We met at 10:30 for 90 minutes." in text
    event = AuditEvent.objects.get(action=Action.EXPORT, actor=author)
    assert "downloaded_anyway" not in event.detail


def test_what_the_export_does_not_carry_is_not_checked(login, author, meeting, colleague):
    note = ReflectionFactory(
        author=author, meeting=meeting, text="Fine.", status="final", finished_at=timezone.now()
    )
    Addendum.objects.create(reflection=note, text="Robin again.")  # not in the export
    ReflectionFactory(author=colleague, meeting=meeting, text="Robin, in someone else's note.")

    data = json.loads(downloaded(login(author).get(reverse("reflections:export_json"))))

    assert [item["text"] for item in data] == ["Fine."]


def test_the_check_takes_the_same_queries_for_few_notes_or_many(login, author):
    client = login(author)

    def queries_for(count: int) -> int:
        for _ in range(count):
            # Each on a meeting of its own network, with its own members.
            ReflectionFactory(author=author, meeting=NetworkMeetingFactory(), text="Robin.")
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("reflections:export_json")).status_code == 200
        return len(context)

    assert queries_for(2) == queries_for(10)
