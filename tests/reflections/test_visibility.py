"""A reflection is its author's alone: everyone else gets 404, as if it did not exist."""

import pytest
from django.urls import reverse

from tests.factories import ReflectionFactory
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

SECRET = "A marker only the author may ever see: 7f3a9c"


@pytest.fixture
def note(author, meeting):
    return ReflectionFactory(author=author, meeting=meeting, text=SECRET)


PAGES = [
    ("get", "reflections:detail"),
    ("get", "reflections:edit"),
    ("post", "reflections:edit"),
    ("post", "reflections:autosave"),
]


@pytest.mark.parametrize("persona", ["colleague", "outsider", "team_lead", "supervisor"])
@pytest.mark.parametrize(("method", "name"), PAGES)
def test_others_get_404(request, login, note, persona, method, name):
    client = login(request.getfixturevalue(persona))

    response = getattr(client, method)(
        reverse(name, args=[note.pk]), form_data(text="overwrite") if method == "post" else None
    )

    assert response.status_code == 404
    assert SECRET not in response.content.decode()
    note.refresh_from_db()
    assert note.text == SECRET


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_the_author_may(login, author, note, method, name):
    client = login(author)

    response = getattr(client, method)(
        reverse(name, args=[note.pk]), form_data(text=SECRET) if method == "post" else None
    )

    assert response.status_code in {200, 302}


@pytest.mark.parametrize(("method", "name"), PAGES)
def test_a_note_that_does_not_exist_is_also_404(login, author, method, name):
    response = getattr(login(author), method)(reverse(name, args=[999_999]))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["colleague", "outsider", "team_lead"])
@pytest.mark.parametrize(
    "name", ["reflections:timeline", "reflections:export_json", "reflections:export_markdown"]
)
def test_lists_and_exports_never_show_others_notes(request, login, note, persona, name):
    response = login(request.getfixturevalue(persona)).get(reverse(name))

    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    assert response.status_code == 200
    assert SECRET not in body


@pytest.mark.parametrize(
    "name",
    [
        "reflections:timeline",
        "reflections:new",
        "reflections:export_json",
        "reflections:export_markdown",
        "home",
    ],
)
def test_anonymous_people_are_asked_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["reflections:detail", "reflections:edit"])
def test_anonymous_people_are_asked_to_sign_in_for_a_note(client, note, name):
    response = client.get(reverse(name, args=[note.pk]))

    assert response.status_code == 302
    assert SECRET not in response.content.decode()
