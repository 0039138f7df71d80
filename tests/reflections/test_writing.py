"""Writing a reflection: starting, autosaving, finishing, editing, and bad input."""

import uuid

import pytest
from django.urls import reverse

from reflections.models import Disclosure, PrincipleNote, Reflection, Status
from tests.factories import NetworkFactory, NetworkMeetingFactory, ReflectionFactory
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db


def test_starting_a_reflection_opens_the_editor_and_creates_nothing(login, author, meeting):
    client = login(author)

    first = client.post(reverse("reflections:new"), {"meeting": meeting.pk})
    second = client.post(reverse("reflections:new"), {"meeting": meeting.pk})  # a double click
    editor = client.get(first["Location"])

    new_editor = f"{reverse('reflections:create')}?meeting={meeting.pk}"
    assert first["Location"] == second["Location"] == new_editor
    assert editor.status_code == 200
    page = editor.content.decode()
    assert f'data-autosave="{reverse("reflections:create_autosave")}"' in page
    assert f'action="{reverse("reflections:create")}"' in page
    assert 'name="form_key"' in page
    assert f'name="meeting" value="{meeting.pk}"' in page
    assert "Birch" in page
    assert not Reflection.objects.exists()


def test_opening_the_editor_leaves_the_meeting_waiting_for_a_reflection(login, author, meeting):
    client = login(author)

    client.get(reverse("reflections:new"), {"meeting": meeting.pk}, follow=True)

    assert not Reflection.objects.exists()
    assert meeting in client.get(reverse("home")).context["awaiting_reflection"]


def test_a_general_reflection_needs_no_meeting(login, author):
    client = login(author)
    response = client.post(reverse("reflections:new"), {"meeting": ""})

    assert response["Location"] == reverse("reflections:create")
    assert 'name="meeting" value=""' in client.get(response["Location"]).content.decode()
    assert not Reflection.objects.exists()


def test_the_first_autosave_creates_the_note_once(login, author, meeting, principles):
    client = login(author)
    data = {**form_data(text="The first words."), "meeting": str(meeting.pk)}
    data["form_key"] = str(uuid.uuid4())

    first = client.post(reverse("reflections:create_autosave"), data)
    again = client.post(reverse("reflections:create_autosave"), data)  # a retry

    reflection = Reflection.objects.get()
    assert (reflection.author, reflection.meeting, reflection.text) == (
        author,
        meeting,
        "The first words.",
    )
    answer = first.json()
    assert (first.status_code, answer["state"], answer["revision"]) == (200, "saved", 2)
    assert answer["autosave_url"] == reverse("reflections:autosave", args=[reflection.pk])
    assert answer["edit_url"] == reverse("reflections:edit", args=[reflection.pk])
    repeated = again.json()
    assert (again.status_code, repeated["state"], repeated["revision"]) == (200, "created", 2)
    assert repeated["autosave_url"] == answer["autosave_url"]
    assert repeated["edit_url"] == answer["edit_url"]
    # Reloading the page after the first autosave finds the note.
    assert "The first words." in client.get(answer["edit_url"]).content.decode()


def test_a_first_autosave_sent_twice_with_other_text_creates_one_note(login, author, principles):
    client = login(author)
    key = str(uuid.uuid4())
    url = reverse("reflections:create_autosave")

    client.post(url, {**form_data(text="Typed."), "form_key": key})
    again = client.post(url, {**form_data(text="Typed, and more."), "form_key": key})

    reflection = Reflection.objects.get()
    assert reflection.meeting is None
    assert again.status_code == 200
    assert again.json()["state"] == "created"
    # The page then saves what it holds into that note.
    more = form_data(text="Typed, and more.", revision=str(again.json()["revision"]))
    saved = client.post(again.json()["autosave_url"], more)
    assert saved.json()["state"] == "saved"
    reflection.refresh_from_db()
    assert reflection.text == "Typed, and more."


def test_a_request_with_none_of_the_fields_creates_nothing(login, author, meeting):
    client = login(author)

    autosaved = client.post(reverse("reflections:create_autosave"), {"meeting": meeting.pk})
    saved = client.post(reverse("reflections:create"), {"meeting": meeting.pk, "action": "save"})

    assert (autosaved.status_code, autosaved.json()["state"]) == (400, "empty")
    assert saved.status_code == 400
    assert not Reflection.objects.exists()


def test_signed_out_the_first_autosave_is_told_so(client):
    response = client.post(reverse("reflections:create_autosave"), form_data(text="Words"))

    assert (response.status_code, response.json()["state"]) == (401, "signed_out")
    assert not Reflection.objects.exists()


def test_without_javascript_save_draft_creates_the_note(login, author, meeting, principles):
    client = login(author)
    data = {**form_data(text="Saved by hand."), "meeting": str(meeting.pk), "action": "save"}

    response = client.post(reverse("reflections:create"), data)

    reflection = Reflection.objects.get()
    assert response["Location"] == reverse("reflections:edit", args=[reflection.pk])
    assert (reflection.text, reflection.status, reflection.meeting) == (
        "Saved by hand.",
        Status.DRAFT,
        meeting,
    )


def test_without_javascript_finish_creates_the_finished_note(login, author, principles):
    client = login(author)
    data = {**form_data(text="All of it."), "action": "finish"}

    response = client.post(reverse("reflections:create"), data)

    reflection = Reflection.objects.get()
    assert response["Location"] == reverse("reflections:detail", args=[reflection.pk])
    assert reflection.status == Status.FINAL


def test_finishing_an_empty_new_note_creates_nothing(login, author, principles):
    response = login(author).post(
        reverse("reflections:create"), {**form_data(), "action": "finish"}
    )

    assert response.status_code == 422
    assert "Write something before you finish" in response.content.decode()
    assert not Reflection.objects.exists()


def test_an_existing_note_on_the_meeting_opens_instead(login, author, meeting, principles):
    draft = ReflectionFactory(author=author, meeting=meeting, text="Already here")
    client = login(author)

    started = client.post(reverse("reflections:new"), {"meeting": meeting.pk})
    opened = client.get(reverse("reflections:create"), {"meeting": meeting.pk})
    # A tab that opened the new editor before the note existed saves into it.
    data = {**form_data(text="Already here, and more."), "meeting": str(meeting.pk)}
    autosaved = client.post(reverse("reflections:create_autosave"), data)

    edit = reverse("reflections:edit", args=[draft.pk])
    assert started["Location"] == opened["Location"] == edit
    assert autosaved.json()["edit_url"] == edit
    assert Reflection.objects.get().pk == draft.pk


def test_a_meeting_i_did_not_attend_cannot_be_chosen(login, team, author):
    other = NetworkMeetingFactory(network=NetworkFactory(team=team))

    response = login(author).post(reverse("reflections:new"), {"meeting": other.pk})

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Reflection.objects.exists()


@pytest.mark.parametrize("meeting_id", ["999999", "abc"])
def test_a_tampered_meeting_id_in_the_start_link_is_404(login, author, meeting, meeting_id):
    response = login(author).get(reverse("reflections:new"), {"meeting": meeting_id})

    assert response.status_code == 404


def test_the_start_link_of_a_meeting_opens_the_editor(login, author, meeting):
    response = login(author).get(reverse("reflections:new"), {"meeting": meeting.pk})

    assert response["Location"] == f"{reverse('reflections:create')}?meeting={meeting.pk}"
    assert not Reflection.objects.exists()


def test_the_start_page_offers_my_meetings(login, author, meeting):
    response = login(author).get(reverse("reflections:new"))

    assert response.status_code == 200
    assert f'<option value="{meeting.pk}">' in response.content.decode()


def test_saving_writes_text_principle_notes_and_disclosure(login, author, meeting, principles):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="")
    data = form_data(
        text="Mum spoke about the night it began.",
        note_attunement="I noticed the brother's silence.",
        presence_attunement="clearly",
        presence_validation="a_little",
        disclosed="dialogue",
        what_shared="That I had felt like that too.",
        what_guided="It seemed to let Mum say more.",
        felt_safe="partly",
        colleague_response="supportive",
        emotional_cost="3",
        wants_supervision="on",
        wellbeing="2",
        action="save",
    )

    response = login(author).post(reverse("reflections:edit", args=[reflection.pk]), data)

    assert response.status_code == 302
    reflection.refresh_from_db()
    assert reflection.text == "Mum spoke about the night it began."
    assert reflection.wants_supervision is True
    assert reflection.wellbeing == 2
    assert reflection.status == Status.DRAFT
    notes = {n.principle.slug: (n.text, n.presence) for n in PrincipleNote.objects.all()}
    assert notes == {
        "attunement": ("I noticed the brother's silence.", "clearly"),
        "validation": ("", "a_little"),
    }
    disclosure = Disclosure.objects.get(reflection=reflection)
    assert disclosure.did_disclose
    assert (disclosure.felt_safe, disclosure.emotional_cost) == ("partly", 3)


def test_finish_makes_the_note_final(login, author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="")

    response = login(author).post(
        reverse("reflections:edit", args=[reflection.pk]),
        form_data(text="Something to keep.", action="finish"),
    )

    assert response["Location"] == reverse("reflections:detail", args=[reflection.pk])
    reflection.refresh_from_db()
    assert reflection.status == Status.FINAL
    assert reflection.finished_at is not None


def test_an_empty_note_cannot_be_finished(login, author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="")

    response = login(author).post(
        reverse("reflections:edit", args=[reflection.pk]), form_data(action="finish")
    )

    assert response.status_code == 422
    assert "Write something before you finish this note." in response.content.decode()
    reflection.refresh_from_db()
    assert reflection.status == Status.DRAFT


def test_text_over_20000_characters_is_refused_and_nothing_is_lost(login, author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="Saved before.")
    too_long = "x" * 20_001

    response = login(author).post(
        reverse("reflections:edit", args=[reflection.pk]),
        form_data(text="New words I typed.", note_validation=too_long, action="save"),
    )

    content = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in content
    assert "Ensure this value has at most 20000 characters" in content
    assert "New words I typed." in content  # what was typed comes back
    reflection.refresh_from_db()
    assert reflection.text == "Saved before."  # and what was saved is untouched


def test_editing_a_finished_note_keeps_the_earlier_version(login, author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="First words.")
    reflection.finish()

    login(author).post(
        reverse("reflections:edit", args=[reflection.pk]),
        form_data(text="Second thoughts.", action="save", revision=reflection.revision),
    )

    reflection.refresh_from_db()
    assert reflection.text == "Second thoughts."
    assert reflection.status == Status.FINAL
    (version,) = reflection.versions.all()
    assert version.data()["text"] == "First words."


def test_autosave_saves_a_draft_and_says_when(login, author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="")

    response = login(author).post(
        reverse("reflections:autosave", args=[reflection.pk]),
        form_data(text="Half a thought"),
        HTTP_HX_REQUEST="true",
    )

    answer = response.json()
    assert response.status_code == 200
    assert answer["state"] == "saved"
    assert answer["message"].startswith("Draft saved at")
    reflection.refresh_from_db()
    assert reflection.text == "Half a thought"
    assert answer["revision"] == reflection.revision == 2


def test_autosave_after_the_session_expired_says_so_and_keeps_nothing_half_done(
    client, author, meeting
):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="Saved.")

    response = client.post(
        reverse("reflections:autosave", args=[reflection.pk]),
        form_data(text="Typed after the session ended"),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 401
    assert "you have been signed out" in response.json()["message"]
    reflection.refresh_from_db()
    assert reflection.text == "Saved."


def test_autosave_does_not_touch_a_finished_note(login, author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="Final words.")
    reflection.finish()

    response = login(author).post(
        reverse("reflections:autosave", args=[reflection.pk]),
        form_data(text="Changed", revision=reflection.revision),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 409
    assert response.json()["state"] == "finished"
    reflection.refresh_from_db()
    assert reflection.text == "Final words."
    assert not reflection.versions.exists()


def test_autosave_with_invalid_input_saves_nothing_and_explains(login, author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="Saved.")

    response = login(author).post(
        reverse("reflections:autosave", args=[reflection.pk]),
        form_data(text="y" * 20_001),
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 422
    assert "Not saved yet" in response.json()["message"]
    reflection.refresh_from_db()
    assert reflection.text == "Saved."


def test_the_edit_page_shows_every_principle_with_its_prompts(login, author, meeting, principles):
    reflection = ReflectionFactory(author=author, meeting=meeting)

    content = login(author).get(reverse("reflections:edit", args=[reflection.pk])).content.decode()

    for principle in principles:
        assert principle.name in content
        for prompt in principle.prompts.all():
            assert prompt.text.replace("'", "&#x27;") in content
    assert 'data-autosave="' + reverse("reflections:autosave", args=[reflection.pk]) in content


def test_the_meeting_page_offers_me_my_own_reflection_only(login, author, colleague, meeting):
    url = reverse("meetings:meeting_detail", args=[meeting.pk])
    assert "Write a reflection on this meeting" in login(author).get(url).content.decode()

    ReflectionFactory(author=colleague, meeting=meeting, text="The colleague's own words")
    mine = ReflectionFactory(author=author, meeting=meeting)

    content = login(author).get(url).content.decode()
    assert reverse("reflections:edit", args=[mine.pk]) in content
    assert "Carry on with my draft" in content
    assert "The colleague's own words" not in content


def test_the_meeting_page_tells_someone_who_was_not_there(login, team_lead, meeting):
    content = (
        login(team_lead).get(reverse("meetings:meeting_detail", args=[meeting.pk])).content.decode()
    )

    assert "You did not attend this meeting" in content
    assert "Write a reflection" not in content


def test_two_new_notes_starting_with_the_same_words_are_two_notes(login, author, principles):
    # Two editors opened one after the other (two pages, two keys), each of whose
    # first autosave sends "Today": the second is a note of its own, never taken
    # for a resend of the first (whose text it would then be saved over).
    client = login(author)
    url = reverse("reflections:create_autosave")

    first = client.post(url, {**form_data(text="Today"), "form_key": str(uuid.uuid4())})
    second = client.post(url, {**form_data(text="Today"), "form_key": str(uuid.uuid4())})

    assert (first.json()["state"], second.json()["state"]) == ("saved", "saved")
    assert first.json()["edit_url"] != second.json()["edit_url"]
    assert Reflection.objects.filter(author=author).count() == 2
