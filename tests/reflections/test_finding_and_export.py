"""My reflections: filters, text search over encrypted notes, and export."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote
from tests.factories import (
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(team, author, colleague, meeting):
    """Four of the author's notes with different traits, and one of a colleague."""
    validation = Principle.objects.peer_practice().get(slug="validation")
    on_meeting = ReflectionFactory(
        author=author, meeting=meeting, text="Mum cried; I stayed with it."
    )
    PrincipleNote.objects.create(reflection=on_meeting, principle=validation, text="Affirmed her.")
    disclosed = ReflectionFactory(author=author, text="I told my own story.")
    Disclosure.objects.create(
        reflection=disclosed, disclosed="dialogue", what_shared="hearing voices"
    )
    supervision = ReflectionFactory(author=author, text="Hard day.", wants_supervision=True)
    old = ReflectionFactory(
        author=author, text="An old note.", written_at=timezone.now() - timedelta(days=200)
    )
    ReflectionFactory(author=colleague, text="The colleague's private words.")
    return {
        "on_meeting": on_meeting,
        "disclosed": disclosed,
        "supervision": supervision,
        "old": old,
    }


def listed(response):
    return {reflection.pk for reflection in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"on_meeting", "disclosed", "supervision", "old"}),
        ({"principle": "validation"}, {"on_meeting"}),
        ({"network": "MEETING_NETWORK"}, {"on_meeting"}),
        ({"period": "30d"}, {"on_meeting", "disclosed", "supervision"}),
        ({"disclosure": "on"}, {"disclosed"}),
        ({"supervision": "on"}, {"supervision"}),
        ({"q": "HEARING VOICES"}, {"disclosed"}),
        ({"q": "affirmed"}, {"on_meeting"}),
        ({"q": "private words"}, set()),
    ],
)
def test_filters_find_my_notes_only(login, author, meeting, notes, query, expected):
    if query.get("network") == "MEETING_NETWORK":
        query = {"network": meeting.network.pk}

    response = login(author).get(reverse("reflections:timeline"), query)

    assert listed(response) == {notes[name].pk for name in expected}


def test_a_filter_change_by_htmx_returns_only_the_results(login, author, notes):
    response = login(author).get(
        reverse("reflections:timeline"),
        {"supervision": "on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="timeline-results",
    )

    content = response.content.decode()
    assert content.strip().startswith('<div id="timeline-results">')
    assert "<html" not in content
    assert "1 reflection." in content


def test_a_nonsense_filter_value_shows_all_rather_than_failing(login, author, notes):
    response = login(author).get(
        reverse("reflections:timeline"), {"principle": "nope", "page": "x"}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("htmx", [False, True])
def test_a_filter_that_cannot_be_used_says_so_above_the_list(login, author, notes, htmx):
    """An old bookmark naming a network one no longer has, say: the list shows
    everything, and the page says so where it is read, not only by the field."""
    headers = {"HX-Request": "true"} if htmx else {}
    response = login(author).get(
        reverse("reflections:timeline"), {"network": 999_999}, headers=headers
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert 'href="#id_network"' in content
    assert "unfiltered: a filter above could not be used." in content
    assert content.count("There is a problem") == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_my_reflections_runs_a_fixed_number_of_queries(
    login, author, meeting, rows, django_assert_num_queries
):
    validation = Principle.objects.peer_practice().get(slug="validation")
    for index in range(rows):
        reflection = ReflectionFactory(author=author, meeting=meeting if index == 0 else None)
        PrincipleNote.objects.create(reflection=reflection, principle=validation, text="v")
    client = login(author)

    # session, user, count, principles and networks for the filters, the page
    # of reflections, their notes: the same at 5 and 50.
    with django_assert_num_queries(7):
        client.get(reverse("reflections:timeline"))


def test_export_as_json_holds_all_my_notes_and_nothing_else(login, author, notes):
    response = login(author).get(reverse("reflections:export_json"))

    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="my-reflections-')
    data = json.loads(b"".join(response.streaming_content))
    assert {item["text"] for item in data} == {
        "Mum cried; I stayed with it.",
        "I told my own story.",
        "Hard day.",
        "An old note.",
    }
    disclosed = next(item for item in data if item["text"] == "I told my own story.")
    assert disclosed["disclosure"]["what_shared"] == "hearing voices"


def test_export_as_markdown(login, author, notes):
    response = login(author).get(reverse("reflections:export_markdown"))

    text = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert text.startswith("# My reflections")
    assert "Mum cried; I stayed with it." in text
    assert "### Validation" in text
    assert "The colleague's private words." not in text


def test_export_of_nothing_is_still_valid(login, author):
    response = login(author).get(reverse("reflections:export_json"))

    assert json.loads(b"".join(response.streaming_content)) == []
