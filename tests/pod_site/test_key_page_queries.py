"""Key pages run as many queries for much data as for little (issue 16).

The pages `make bench` times that no other test pins at two sizes: My
reflections filtered and searched, a note, a meeting, a shared note (the
supervisor's view), the team page (its lead's) and autosave. Each is built at
5 and at 50 of what it lists or reads, and must run the same, fixed number
of queries. (My practice, My reflections unfiltered, the inbox, the dashboard
and My patterns are pinned in their own tests.)
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote, Status
from supervision.models import Response, Share
from teams.models import Role, SupervisionLink
from tests.conftest import _member
from tests.factories import (
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
)
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

SIZES = [5, 50]
# Queries per page, the same at both sizes.
FILTERED = 7
SEARCHED = 9
NOTE = 13
SHARED_NOTE = 11
MEETING = 8
TEAM_PAGE = 8
AUTOSAVE = 24


@pytest.fixture
def attunement(db):
    return Principle.objects.peer_practice().get(slug="attunement")


def notes_of(author, meeting, attunement, rows):
    """`rows` finished notes of the author, each with a principle note and a
    disclosure, every other one mentioning the river; the last is on `meeting`."""
    notes = []
    for index in range(rows):
        note = ReflectionFactory(
            author=author,
            meeting=meeting if index == rows - 1 else None,
            text="We walked by the river." if index % 2 else "A quiet meeting.",
            status=Status.FINAL,
            finished_at=timezone.now(),
        )
        PrincipleNote.objects.create(reflection=note, principle=attunement, text="Stayed with her.")
        Disclosure.objects.create(reflection=note, disclosed="dialogue", what_shared="A little.")
        notes.append(note)
    return notes


@pytest.mark.parametrize("rows", SIZES)
def test_my_reflections_filtered_runs_a_fixed_number_of_queries(
    login, author, meeting, attunement, rows, django_assert_num_queries
):
    notes_of(author, meeting, attunement, rows)
    client = login(author)
    url = reverse("reflections:timeline") + "?principle=attunement&period=12m"

    with django_assert_num_queries(FILTERED):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("rows", SIZES)
def test_my_reflections_searched_runs_a_fixed_number_of_queries(
    login, author, meeting, attunement, rows, django_assert_num_queries
):
    notes_of(author, meeting, attunement, rows)
    client = login(author)

    # The search reads tokens only (the notes, their principle notes, their
    # disclosures), then loads the page's notes as the unsearched list does.
    with django_assert_num_queries(SEARCHED):
        response = client.get(reverse("reflections:timeline"), {"q": "RIVER"})
    assert response.context["page"].paginator.count == rows // 2


@pytest.mark.parametrize("rows", SIZES)
def test_a_note_runs_a_fixed_number_of_queries(
    login, author, meeting, attunement, supervisor, rows, django_assert_num_queries
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = notes_of(author, meeting, attunement, 1)[0]
    share = Share.objects.create(reflection=note, supervisor=supervisor)
    for index in range(rows):
        Response.objects.create(
            share=share, author=supervisor if index % 2 else author, text=f"Reply {index}."
        )
    client = login(author)

    with django_assert_num_queries(NOTE):
        response = client.get(reverse("reflections:detail", args=[note.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", SIZES)
def test_a_shared_note_runs_a_fixed_number_of_queries(
    login, author, meeting, attunement, supervisor, rows, django_assert_num_queries
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = notes_of(author, meeting, attunement, 1)[0]
    share = Share.objects.create(reflection=note, supervisor=supervisor)
    for index in range(rows):
        Response.objects.create(
            share=share, author=supervisor if index % 2 else author, text=f"Reply {index}."
        )
    client = login(supervisor)
    client.get(reverse("supervision:share_detail", args=[share.pk]))  # marks it seen

    with django_assert_num_queries(SHARED_NOTE):
        response = client.get(reverse("supervision:share_detail", args=[share.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", SIZES)
def test_a_meeting_runs_a_fixed_number_of_queries(
    login, team, author, meeting, attunement, rows, django_assert_num_queries
):
    # Many meetings of the same network, attended and written about.
    for _ in range(rows):
        other = NetworkMeetingFactory(network=meeting.network)
        PractitionerAttendanceFactory(meeting=other, practitioner=author)
        ReflectionFactory(author=author, meeting=other)
    for index in range(rows):
        colleague = _member(team, Role.PRACTITIONER, f"present{index}@example.org")
        PractitionerAttendanceFactory(meeting=meeting, practitioner=colleague)
    client = login(author)

    with django_assert_num_queries(MEETING):
        response = client.get(reverse("meetings:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", SIZES)
def test_the_team_page_runs_a_fixed_number_of_queries(
    login, team, team_lead, supervisor, rows, django_assert_num_queries
):
    for index in range(rows):
        person = _member(team, Role.PEER_PRACTITIONER, f"peer{index}@example.org")
        SupervisionLink.objects.create(supervisor=supervisor, supervisee=person)
    client = login(team_lead)

    with django_assert_num_queries(TEAM_PAGE):
        response = client.get(reverse("people:team", args=[team.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", SIZES)
def test_autosave_runs_a_fixed_number_of_queries(
    login, author, meeting, attunement, rows, django_assert_num_queries
):
    notes_of(author, None, attunement, rows)
    draft = ReflectionFactory(author=author, meeting=meeting, text="Saved first.")
    data = form_data(text="Written again.")
    for principle in Principle.objects.peer_practice():
        data[f"note_{principle.slug}"] = "A few words."
        data[f"presence_{principle.slug}"] = "clearly"
    client = login(author)

    with django_assert_num_queries(AUTOSAVE):
        response = client.post(
            reverse("reflections:autosave", args=[draft.pk]), data, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
