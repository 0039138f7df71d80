"""Nothing typed is lost: the revision check, partial saves and the draft history."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reflections.models import (
    VERSIONS_KEPT_ALL,
    Disclosure,
    PrincipleNote,
    Reflection,
    ReflectionVersion,
    Status,
)
from supervision.models import Response, Share
from teams.models import SupervisionLink
from tests.factories import ReflectionFactory
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db


def autosave(client, reflection, **fields):
    return client.post(
        reverse("reflections:autosave", args=[reflection.pk]),
        form_data(**fields),
        HTTP_ACCEPT="application/json",
    )


def edit(client, reflection, data):
    return client.post(reverse("reflections:edit", args=[reflection.pk]), data)


@pytest.fixture
def draft(author, meeting, principles):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="Saved first.")
    PrincipleNote.objects.create(
        reflection=reflection, principle=principles[0], text="My attunement note."
    )
    Disclosure.objects.create(reflection=reflection, disclosed="dialogue", what_shared="A little.")
    return reflection


# The revision check -------------------------------------------------------------


def test_an_older_tab_cannot_overwrite_newer_text(login, author, draft):
    client = login(author)
    # Tab A and tab B both loaded revision 1. A saves a paragraph...
    first = autosave(client, draft, text="Tab A's new paragraph.", revision="1")
    assert first.status_code == 200
    assert first.json()["revision"] == 2

    # ...then B, still at revision 1, autosaves its stale copy.
    stale = autosave(client, draft, text="Saved first.", revision="1")

    assert stale.status_code == 409
    assert stale.json()["state"] == "conflict"
    assert stale.json()["revision"] == 2
    draft.refresh_from_db()
    assert draft.text == "Tab A's new paragraph."
    assert draft.revision == 2


def test_a_stale_save_shows_both_versions_and_saving_again_keeps_mine(login, author, draft):
    client = login(author)
    autosave(client, draft, text="Written in tab A.", revision="1")

    response = edit(client, draft, form_data(text="Written in tab B.", revision="1", action="save"))

    content = response.content.decode()
    assert response.status_code == 409
    assert "Not saved: this changed after you opened it" in content
    assert "Written in tab A." in content  # saved now
    assert "Written in tab B." in content  # what I sent, still in the form
    assert 'name="revision" value="2"' in content  # now based on what is saved
    draft.refresh_from_db()
    assert draft.text == "Written in tab A."

    # Keeping mine: the form as shown, sent again.
    kept = edit(client, draft, form_data(text="Written in tab B.", revision="2", action="save"))

    assert kept.status_code == 302
    draft.refresh_from_db()
    assert draft.text == "Written in tab B."
    assert any(v.data()["text"] == "Written in tab A." for v in draft.versions.all())


def test_a_form_without_a_revision_is_refused(login, author, draft):
    data = form_data(text="Where did this come from?")
    del data["revision"]

    response = edit(login(author), draft, data)

    assert response.status_code == 422
    draft.refresh_from_db()
    assert draft.text == "Saved first."


def test_finishing_moves_the_revision_on_so_an_open_draft_tab_learns_it(login, author, draft):
    client = login(author)
    draft.finish()

    response = edit(client, draft, form_data(text="From the old tab.", revision="1"))

    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.text == "Saved first."


# Partial requests ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"csrfmiddlewaretoken": "x", "revision": "1"},
        {"unrelated": "field"},
    ],
    ids=["empty", "token-and-revision-only", "unknown-fields"],
)
def test_a_request_with_none_of_the_fields_is_refused_and_changes_nothing(
    login, author, draft, body
):
    client = login(author)
    url = reverse("reflections:autosave", args=[draft.pk])

    response = client.post(url, body, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert response.json()["state"] == "empty"
    draft.refresh_from_db()
    assert draft.text == "Saved first."
    assert draft.principle_notes.get().text == "My attunement note."
    assert draft.disclosure.what_shared == "A little."


def test_a_garbled_multipart_body_is_refused(login, author, draft):
    response = login(author).generic(
        "POST",
        reverse("reflections:autosave", args=[draft.pk]),
        b"--nonsense\r\nnot a part at all",
        content_type="multipart/form-data; boundary=other",
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.text == "Saved first."
    assert draft.disclosure.what_shared == "A little."


def test_an_empty_body_to_the_edit_page_is_refused_too(login, author, draft):
    response = login(author).post(reverse("reflections:edit", args=[draft.pk]), {})

    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.text == "Saved first."


def test_a_request_with_only_the_main_text_changes_only_the_main_text(login, author, draft):
    response = login(author).post(
        reverse("reflections:autosave", args=[draft.pk]),
        {"text": "Only this.", "revision": "1"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.text == "Only this."
    assert draft.principle_notes.get().text == "My attunement note."
    assert draft.disclosure.disclosed == "dialogue"
    assert draft.disclosure.what_shared == "A little."


def test_an_unticked_checkbox_on_the_form_still_unticks(login, author, draft):
    Reflection.objects.filter(pk=draft.pk).update(wants_supervision=True)

    # The page names the checkbox in _fields; not ticked, it sends nothing else.
    autosave(login(author), draft, text="Saved first.", revision="1")

    draft.refresh_from_db()
    assert draft.wants_supervision is False


# The draft history --------------------------------------------------------------


def test_every_changing_autosave_keeps_what_it_replaced(login, author, draft):
    client = login(author)

    autosave(client, draft, text="Second.", revision="1")
    autosave(client, draft, text="Third.", revision="2")

    texts = [v.data()["text"] for v in draft.versions.all()]
    assert texts == ["Second.", "Saved first."]


def test_an_autosave_that_changes_nothing_keeps_no_version(login, author, draft):
    client = login(author)
    data = {
        "text": "Saved first.",
        "note_attunement": "My attunement note.",
        "disclosed": "dialogue",
        "what_shared": "A little.",
    }

    response = autosave(client, draft, revision="1", **data)

    assert response.status_code == 200
    assert response.json()["revision"] == 1
    assert not draft.versions.exists()


def test_the_history_keeps_the_last_ten_and_one_per_five_minutes_before(login, author, draft):
    client = login(author)
    start = timezone.now() - timedelta(hours=2)
    # An hour of writing, a save a minute.
    for minute in range(60):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            response = autosave(client, draft, text=f"Minute {minute}.", revision=str(minute + 1))
            assert response.status_code == 200

    versions = list(draft.versions.order_by("-saved_at"))
    newest = [v.data()["text"] for v in versions[:VERSIONS_KEPT_ALL]]
    assert newest == [f"Minute {m}." for m in range(58, 48, -1)]
    older = versions[VERSIONS_KEPT_ALL:]
    # The 50 saves before those, from minutes 0 to 49: one per five-minute slot.
    assert 9 <= len(older) <= 11
    slots = {int(v.saved_at.timestamp() // 300) for v in older}
    assert len(slots) == len(older)
    assert versions[-1].data()["text"] == "Saved first."


def test_versions_are_encrypted_at_rest(author, draft):
    from django.db import connection

    draft.keep_version()
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM reflections_reflectionversion")
        (raw,) = cursor.fetchone()
    assert "Saved first." not in raw


def test_the_author_restores_an_earlier_version(login, author, draft, principles):
    client = login(author)
    autosave(client, draft, text="Changed my mind.", note_attunement="", revision="1")
    (earlier,) = draft.versions.all()

    response = client.post(reverse("reflections:restore_version", args=[draft.pk, earlier.pk]))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.text == "Saved first."
    assert draft.principle_notes.get().text == "My attunement note."
    assert draft.disclosure.disclosed == "dialogue"
    assert draft.disclosure.what_shared == "A little."
    assert draft.revision == 3
    # What it said before the restore is kept too.
    assert draft.versions.first().data()["text"] == "Changed my mind."
    assert "Earlier versions" in client.get(draft.get_absolute_url()).content.decode()


def test_no_one_else_can_see_or_restore_a_version(login, author, colleague, supervisor, draft):
    version = draft.keep_version()
    draft.finish()
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    Share.objects.create(reflection=draft, supervisor=supervisor)

    for person in (colleague, supervisor):
        client = login(person)
        url = reverse("reflections:restore_version", args=[draft.pk, version.pk])
        assert client.post(url).status_code == 404
        assert client.get(draft.get_absolute_url()).status_code == 404
    assert ReflectionVersion.objects.filter(pk=version.pk).exists()


def test_a_locked_note_cannot_be_restored(login, author, supervisor, draft):
    version = draft.keep_version()
    draft.finish()
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    share = Share.objects.create(reflection=draft, supervisor=supervisor)
    Response.objects.create(share=share, author=supervisor, text="Thank you.")
    Reflection.objects.filter(pk=draft.pk).update(text="As responded to.")

    login(author).post(reverse("reflections:restore_version", args=[draft.pk, version.pk]))

    draft.refresh_from_db()
    assert draft.text == "As responded to."
    assert draft.status == Status.FINAL


def test_a_retry_of_a_save_whose_answer_was_lost_is_not_a_conflict(login, author, draft):
    client = login(author)
    first = autosave(client, draft, text="Stored, but the answer never came back.", revision="1")
    assert first.status_code == 200

    # The page never heard, so it sends the same again, still based on revision 1.
    retry = autosave(client, draft, text="Stored, but the answer never came back.", revision="1")

    assert retry.status_code == 200
    assert retry.json()["state"] == "saved"
    assert retry.json()["revision"] == 2
    assert draft.versions.count() == 1


def test_an_invalid_partial_request_gets_a_clear_422_not_a_server_error(login, author, draft):
    response = login(author).post(
        reverse("reflections:edit", args=[draft.pk]),
        {"text": "x" * 20_001, "revision": "1"},
    )

    assert response.status_code == 422
    draft.refresh_from_db()
    assert draft.text == "Saved first."
