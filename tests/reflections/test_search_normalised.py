"""Search over my own notes: Unicode NFC on save and in the query, case-folded."""

import unicodedata

import pytest
from django.db import connection
from django.urls import reverse

from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote, Reflection, search_key
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

COMPOSED = "caf\u00e9"  # é as one code point
DECOMPOSED = "cafe\u0301"  # e and a combining acute accent


def found(client, words):
    response = client.get(reverse("reflections:timeline"), {"q": words})
    return {note.pk for note in response.context["page"].object_list}


def test_text_is_stored_in_nfc(author):
    note = ReflectionFactory(author=author, text=f"Met at the {DECOMPOSED}.")

    note.refresh_from_db()

    assert note.text == f"Met at the {COMPOSED}."
    assert unicodedata.is_normalized("NFC", note.text)


def test_a_decomposed_note_is_found_by_a_composed_query_and_back(login, author):
    decomposed = ReflectionFactory(author=author, text=f"Met at the {DECOMPOSED}.")
    # Saved before NFC on save (or by anything that skips it): found all the same.
    legacy = ReflectionFactory(author=author, text="placeholder")
    Reflection.objects.filter(pk=legacy.pk).update(text=f"The {DECOMPOSED} again.")
    client = login(author)

    assert found(client, COMPOSED) == {decomposed.pk, legacy.pk}
    assert found(client, DECOMPOSED.upper()) == {decomposed.pk, legacy.pk}


def test_the_query_is_case_folded(login, author):
    street = ReflectionFactory(author=author, text="We met on Hauptstra\u00dfe.")
    client = login(author)

    assert "STRASSE".casefold() == "stra\u00dfe".casefold()
    assert found(client, "STRASSE") == {street.pk}
    assert found(client, "hauptstrasse") == {street.pk}


def test_principle_notes_and_disclosures_are_searched_and_counted(login, author):
    attunement = Principle.objects.peer_practice().get(slug="attunement")
    by_note = ReflectionFactory(author=author, text="")
    PrincipleNote.objects.create(reflection=by_note, principle=attunement, text="The RIVER walk.")
    by_disclosure = ReflectionFactory(author=author, text="Nothing here.")
    Disclosure.objects.create(
        reflection=by_disclosure, disclosed="dialogue", what_guided="a river of my own"
    )
    ReflectionFactory(author=author, text="Not this one.")
    client = login(author)

    response = client.get(reverse("reflections:timeline"), {"q": "river"})

    assert response.context["page"].paginator.count == 2
    assert found(client, "river") == {by_note.pk, by_disclosure.pk}


def test_a_search_pages_through_every_match_newest_first(login, author):
    notes = [ReflectionFactory(author=author, text=f"River {index}.") for index in range(25)]
    ReflectionFactory(author=author, text="Elsewhere.")
    client = login(author)
    newest_first = [n.pk for n in sorted(notes, key=lambda n: n.written_at, reverse=True)]

    first = client.get(reverse("reflections:timeline"), {"q": "river"}).context["page"]
    second = client.get(reverse("reflections:timeline"), {"q": "river", "page": 2}).context["page"]

    assert first.paginator.count == 25
    assert [n.pk for n in first.object_list] + [n.pk for n in second.object_list] == newest_first


def test_search_never_finds_someone_elses_notes(login, author, colleague):
    ReflectionFactory(author=colleague, text="The river, privately.")

    assert found(login(author), "river") == set()


def test_mentioning_and_mentions_agree(author):
    attunement = Principle.objects.peer_practice().get(slug="attunement")
    with_note = ReflectionFactory(author=author, text="")
    PrincipleNote.objects.create(reflection=with_note, principle=attunement, text=DECOMPOSED)
    ReflectionFactory(author=author, text="Tea.")
    mine = Reflection.objects.filter(author=author).with_details()

    assert mine.mentioning(COMPOSED.upper()) == [
        note.pk for note in mine if note.mentions(COMPOSED.upper())
    ]
    assert mine.mentioning(COMPOSED.upper()) == [with_note.pk]


def test_the_search_key_is_nfc_and_case_folded():
    assert search_key(DECOMPOSED.upper()) == COMPOSED
    assert search_key("STRASSE") == search_key("stra\u00dfe")
    assert unicodedata.is_normalized("NFC", search_key("\u0130stanbul"))


def test_the_stored_text_is_never_plain(author):
    note = ReflectionFactory(author=author, text="The river.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM reflections_reflection WHERE id = %s", [note.pk])
        (stored,) = cursor.fetchone()

    assert "river" not in stored
