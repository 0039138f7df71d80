"""The identifier guard on changes to a note someone else can read.

A shared note's readers see its current text and every addition at once, so a
change leaves the author as surely as a share does: an edit or an addition that
adds a name recorded in the network, an NHS number and the like is held back
(422, nothing saved, the text still in the form) until the author takes it out
or ticks "Save it as it is" (Reflection.change_checked_for_readers). A note
nobody else can read is never held back; what was already there (shared anyway)
is not asked about again.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from reflections.models import Reflection, Status
from supervision.models import Addendum
from teams.models import SupervisionLink
from tests.factories import ReflectionFactory
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

NHS_NUMBER = "943 476 5919"  # passes the modulus 11 check
CLEAN = "We sat with the silence for a while."


@pytest.fixture
def my_supervisor(author, supervisor):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    return supervisor


@pytest.fixture
def shared(author, meeting, my_supervisor):
    note = ReflectionFactory(
        author=author, meeting=meeting, text=CLEAN, status=Status.FINAL, finished_at=timezone.now()
    )
    note.share_with(supervisor=my_supervisor)
    return note


def edit(client, note, text, **extra):
    note.refresh_from_db()
    data = form_data(text=text, revision=str(note.revision), action="save", **extra)
    return client.post(reverse("reflections:edit", args=[note.pk]), data)


def test_an_edit_adding_a_name_to_a_shared_note_is_held_back(login, author, shared, supervisor):
    client = login(author)

    response = edit(client, shared, f"{CLEAN} Robin read out {NHS_NUMBER}.")

    assert response.status_code == 422
    page = response.content.decode()
    assert "Not saved: this change may identify someone" in page
    assert "“<strong>Robin</strong>”" in page and NHS_NUMBER in page
    assert f"Robin read out {NHS_NUMBER}." in page  # the text is still in the form
    shared.refresh_from_db()
    assert shared.text == CLEAN
    # The supervisor still reads what was there.
    body = login(supervisor).get(shared.shares.get().get_absolute_url()).content.decode()
    assert NHS_NUMBER not in body


def test_save_it_as_it_is_saves_the_change(login, author, shared):
    client = login(author)
    edit(client, shared, f"{CLEAN} Robin spoke.")

    response = edit(client, shared, f"{CLEAN} Robin spoke.", save_as_it_is="1")

    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.text == f"{CLEAN} Robin spoke."


def test_taking_it_out_saves_without_asking(login, author, shared):
    client = login(author)
    edit(client, shared, f"{CLEAN} Robin spoke.")

    response = edit(client, shared, f"{CLEAN} She spoke.")

    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.text == f"{CLEAN} She spoke."


def test_what_was_already_there_is_not_asked_about_again(login, author, meeting, my_supervisor):
    note = ReflectionFactory(
        author=author,
        meeting=meeting,
        text="Robin spoke first.",
        status=Status.FINAL,
        finished_at=timezone.now(),
    )
    note.share_with(supervisor=my_supervisor)  # shared anyway, say

    response = edit(login(author), note, "Robin spoke first, then Mum.")

    assert response.status_code == 302


def test_a_note_nobody_else_reads_is_never_held_back(login, author, meeting):
    note = ReflectionFactory(
        author=author, meeting=meeting, text=CLEAN, status=Status.FINAL, finished_at=timezone.now()
    )

    response = edit(login(author), note, f"Robin read out {NHS_NUMBER}.")

    assert response.status_code == 302
    assert Reflection.objects.get(pk=note.pk).text == f"Robin read out {NHS_NUMBER}."


def test_a_revoked_share_no_longer_holds_changes_back(login, author, shared):
    shared.shares.get().revoke(author)

    assert edit(login(author), shared, "Robin spoke.").status_code == 302


def test_an_addition_to_a_shared_note_is_held_back_then_saved_as_it_is(login, author, shared):
    client = login(author)
    url = reverse("supervision:addendum", args=[shared.pk])

    held = client.post(url, {"text": f"Robin's number is {NHS_NUMBER}."})
    assert held.status_code == 422
    assert "Not saved: this change may identify someone" in held.content.decode()
    assert not Addendum.objects.exists()

    saved = client.post(url, {"text": f"Robin's number is {NHS_NUMBER}.", "save_as_it_is": "1"})
    assert saved.status_code == 302
    assert Addendum.objects.get().text == f"Robin's number is {NHS_NUMBER}."


def test_a_clean_addition_is_added_at_once(login, author, shared):
    response = login(author).post(
        reverse("supervision:addendum", args=[shared.pk]), {"text": "Later: it went well."}
    )

    assert response.status_code == 302
    assert Addendum.objects.count() == 1


def test_the_self_disclosure_parts_count_only_when_a_share_includes_them(
    login, author, shared, my_supervisor
):
    data = {"disclosed": "dialogue", "what_shared": f"My own NHS number, {NHS_NUMBER}."}

    # Not included in the share: its readers never see it, so it is not held back.
    assert edit(login(author), shared, CLEAN, **data).status_code == 302
