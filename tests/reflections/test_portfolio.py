"""Export for my portfolio: a reflective account as a PDF and a Word document
(reflections/portfolio.py, reflections.views.portfolio).

Personas: the author, and a colleague at the same meeting whose notes never
reach the author's account. The PDF is read back with pypdf, the Word document
with python-docx, and compared with what was written.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from audit.models import Action, AuditEvent
from meetings.models import NetworkMember
from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote, Reflection, Status
from reflections.portfolio import (
    MAX_NOTES,
    _needs_shaping,
    account,
    portfolio_docx,
    portfolio_pdf,
)
from supervision.models import Addendum
from tests.factories import NetworkFactory, NetworkMeetingFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

URL = reverse("reflections:portfolio")
TEXT = "Zoë said it\u2019s “fine” — we stayed with the silence."
LEARNED = "I waited before answering; the pause let Zoë\u2019s words land."
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def principle(slug: str) -> Principle:
    return Principle.objects.peer_practice().get(slug=slug)


@pytest.fixture
def note(author, meeting):
    """A finished note on the Birch meeting, with a principle note, a rating
    without words, an addendum and a self-disclosure."""
    reflection = ReflectionFactory(
        author=author,
        meeting=meeting,
        text=f"{TEXT}\n\nThen we made tea.",
        status=Status.FINAL,
        finished_at=timezone.now(),
        wellbeing=1,
        wants_supervision=True,
    )
    PrincipleNote.objects.create(
        reflection=reflection, principle=principle("attunement"), text=LEARNED, presence="clearly"
    )
    PrincipleNote.objects.create(
        reflection=reflection, principle=principle("validation"), presence="a_little"
    )
    PrincipleNote.objects.create(
        reflection=reflection,
        principle=principle("self-disclosure"),
        text="I spoke of my own hospital stay.",
        presence="strongly",
    )
    Disclosure.objects.create(
        reflection=reflection, disclosed="dialogue", what_shared="My stay.", emotional_cost=3
    )
    Addendum.objects.create(reflection=reflection, text="Looking back, the tea mattered.")
    return reflection


def download(client, notes, fmt="pdf", **extra):
    data = {"note": [n.pk for n in notes], "format": fmt, **extra}
    return client.post(URL, data)


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def docx_paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def test_the_pdf_says_what_was_written_laid_out_as_a_reflective_account(login, author, note):
    response = download(login(author), [note], "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == PDF_TYPE
    assert response.content.startswith(b"%PDF")
    stamp = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="reflective-account-{stamp}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    when = timezone.localtime(note.meeting.starts_at)
    expected_in_order = [
        "Reflective account",
        str(author),
        "1 note,",
        "How this account is laid out",
        "Where the principles come from",
        f"{when:%-d %B %Y}, network meeting (Birch)",
        "Finished. Written",
        "What happened",
        TEXT,
        "Then we made tea.",
        "Added later",
        "Looking back, the tea mattered.",
        "What I learned",
        "Attunement",
        LEARNED,
        "Which principles it relates to",
        "• Attunement: clearly",
        "• Validation: a little",
    ]
    # Each part after the one before it.
    at = 0
    for part in expected_in_order:
        at = text.find(part, at)
        assert at != -1, part
    # Not asked for, so left out: the self-disclosure, how I was, supervision.
    assert "hospital stay" not in text
    assert "My self-disclosure" not in text
    assert "Self-disclosure" not in text.split("Which principles it relates to")[-1]
    assert "supervision" not in text.casefold()
    # Nothing written for it, so no heading.
    assert "What I will do differently" not in text.split(TEXT)[-1]


def test_the_word_document_opens_and_holds_the_same_account(login, author, note):
    response = download(
        login(author),
        [note],
        "docx",
        include_disclosure="on",
        **{f"differently_{note.pk}": "Ask before I fill a silence.\nCheck in afterwards."},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert response.content.startswith(b"PK")
    assert response["Content-Disposition"].endswith('.docx"')
    document = Document(io.BytesIO(response.content))
    assert document.core_properties.title == "Reflective account"
    assert document.core_properties.author == str(author)
    paragraphs = [p.text for p in document.paragraphs]
    when = timezone.localtime(note.meeting.starts_at)
    heading = paragraphs.index(f"{when:%-d %B %Y}, network meeting (Birch)")
    assert document.paragraphs[heading].style.name == "Heading 1"
    assert paragraphs[heading + 2 :] == [
        "What happened",
        TEXT,
        "Then we made tea.",
        "Added later",
        paragraphs[heading + 6],  # "Added <date>:"
        "Looking back, the tea mattered.",
        "What I learned",
        "Attunement",
        LEARNED,
        "Self-disclosure",
        "I spoke of my own hospital stay.",
        "My self-disclosure",
        "Did I disclose: Yes, in the dialogue",
        "What I shared: My stay.",
        "Its emotional cost to me: 3 of 4",
        "What I will do differently",
        "Ask before I fill a silence.",
        "Check in afterwards.",
        "Which principles it relates to",
        "Attunement: clearly",
        "Validation: a little",
        "Self-disclosure: strongly",
    ]
    assert paragraphs[heading + 6].startswith("Added ")
    assert paragraphs[0] == "Reflective account"
    assert document.paragraphs[0].style.name == "Title"
    styles = {p.text: p.style.name for p in document.paragraphs}
    assert styles["What happened"] == "Heading 2"
    assert styles["Attunement"] == "Heading 3"
    assert styles["Attunement: clearly"] == "List Bullet"


def test_the_current_text_is_exported_after_edits(login, author, note):
    before = note.snapshot()
    note.text = "Edited: what I now think happened."
    note.save()
    note.record_edit(before, note.revision)

    text = pdf_text(download(login(author), [note]).content)

    assert "Edited: what I now think happened." in text
    assert TEXT not in text


def test_only_the_notes_chosen_and_only_mine(login, author, colleague, meeting, note):
    other = ReflectionFactory(author=author, text="A general reflection, left out.")
    theirs = ReflectionFactory(author=colleague, meeting=meeting, text="The colleague\u2019s note.")

    paragraphs = docx_paragraphs(download(login(author), [note, theirs], "docx").content)

    assert TEXT in paragraphs
    assert other.text not in paragraphs
    assert theirs.text not in paragraphs
    assert "1 note," in " ".join(paragraphs)
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail["reflection_ids"] == [note.pk]


def test_someone_elses_notes_alone_export_nothing(login, author, colleague, meeting):
    theirs = ReflectionFactory(author=colleague, meeting=meeting, text="The colleague\u2019s note.")

    response = download(login(author), [theirs])

    assert response.status_code == 422
    assert "Content-Disposition" not in response
    page = response.content.decode()
    assert "Choose at least one note." in page
    assert "The colleague\u2019s note." not in page
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_nothing_about_network_members_beyond_the_reference(login, author, meeting, note):
    NetworkMember.objects.create(network=meeting.network, name="Sandra", relationship="parent")

    text = pdf_text(download(login(author), [note]).content)
    paragraphs = " ".join(docx_paragraphs(download(login(author), [note], "docx").content))

    for exported in (text, paragraphs):
        assert "Birch" in exported
        assert "Sandra" not in exported
        assert "Robin" not in exported  # the person at the centre
        assert "Parent" not in exported


def test_a_general_reflection_and_a_draft(login, author):
    draft = ReflectionFactory(author=author, text="Thinking about supervision in general.")

    text = pdf_text(download(login(author), [draft]).content)

    written = timezone.localtime(draft.written_at)
    assert f"{written:%-d %B %Y}, general reflection" in text
    assert "Draft. Written" in text
    # Nothing written under any principle: those sections are left out.
    assert "What I learned" not in text.split("general reflection")[-1]
    assert "Which principles" not in text.split("general reflection")[-1]


def test_characters_the_font_lacks_and_control_characters(author, meeting):
    reflection = ReflectionFactory(author=author, meeting=meeting, text="漢字 and\x0b Zoë — ok\x00")

    text = pdf_text(portfolio_pdf([reflection], author))
    paragraphs = docx_paragraphs(portfolio_docx([reflection], author))

    assert "�� and Zoë — ok" in text
    assert "漢字 and Zoë — ok" in paragraphs  # a vertical tab is not XML


def test_an_account_holds_at_most_200_notes(author):
    notes = ReflectionFactory.create_batch(201, author=author, text="A note.")

    with pytest.raises(ValueError, match="at most 200"):
        account(notes, author)


def test_the_guard_stops_the_download_and_download_anyway_downloads(login, author, note):
    note.text = "Robin phoned from 07700 900123."
    note.save()
    client = login(author)

    response = download(client, [note], "docx", **{f"differently_{note.pk}": "Ask Robin first."})

    assert response.status_code == 200
    assert "Content-Disposition" not in response
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "<title>Check before you download: Export for my portfolio" in page
    assert "Nothing has been downloaded yet. One of the notes you chose holds" in page
    assert "In “What happened between us”: a name recorded in this network, “<strong>Robin" in page
    assert "a phone number, “<strong>07700 900123</strong>”" in page
    assert "In “What I will do differently”: a name recorded in this network" in page
    assert f'<input type="hidden" name="note" value="{note.pk}">' in page
    assert f'<input type="hidden" name="differently_{note.pk}" value="Ask Robin first.">' in page
    assert '<input type="hidden" name="checked" value="1">' in page
    assert "Download anyway (Word document)" in page
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()

    response = download(
        client,
        [note],
        "docx",
        checked="1",
        **{f"differently_{note.pk}": "Ask Robin first."},
    )

    assert response.status_code == 200
    assert "Robin phoned from 07700 900123." in docx_paragraphs(response.content)
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.detail["downloaded_anyway"] is True
    assert event.detail["identifiers_downloaded_anyway"] == {"name": 2, "phone": 1}


def test_the_guard_checks_the_self_disclosure_only_when_it_is_included(login, author, note):
    note.disclosure.what_shared = "Robin knows about it."
    note.disclosure.save()
    client = login(author)

    assert "Content-Disposition" in download(client, [note])
    response = download(client, [note], include_disclosure="on")

    assert "Content-Disposition" not in response
    assert "Disclosure details: what I shared" in response.content.decode()


def test_the_audit_row_holds_ids_and_counts_and_no_log_line_holds_text(login, author, note, caplog):
    caplog.set_level(logging.DEBUG)
    marker = "Marker-portfolio-5eed"
    note.text = f"{marker} in the note."
    note.save()
    client = login(author)

    for fmt in ("pdf", "docx"):
        response = download(client, [note], fmt, **{f"differently_{note.pk}": marker})
        assert response.status_code == 200

    events = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk")
    assert [event.detail for event in events] == [
        {
            "what": f"portfolio {fmt}",
            "reflection_ids": [note.pk],
            "count": 1,
            "include_disclosure": False,
            "differently_written": 1,
        }
        for fmt in ("pdf", "docx")
    ]
    assert all(event.reflection_id is None for event in events)
    assert caplog.records
    for record in caplog.records:
        line = record.getMessage()
        assert marker not in line, record.name
        assert "Zo" not in line and "edieresis" not in line, record.name


def test_the_page_lists_my_notes_as_my_reflections_filters_them(login, author, meeting, note):
    elsewhere = NetworkMeetingFactory(network=NetworkFactory(team=meeting.network.team))
    general = ReflectionFactory(author=author, text="Thinking in general about tea.")
    ReflectionFactory(author=author, text="")  # an empty draft is not a reflection
    ReflectionFactory(author=author, text="Another network's note.", meeting=elsewhere)
    client = login(author)

    page = client.get(URL).content.decode()

    assert "<title>Export for my portfolio" in page
    assert f'name="note" type="checkbox" value="{note.pk}"' in page
    assert f'value="{general.pk}" aria-describedby="note-{general.pk}-hint" checked' in page
    assert page.count('name="note"') == 3
    assert 'name="format" value="pdf"' in page and "checked" in page
    assert "|date:'c'" not in page

    by_network = client.get(URL, {"network": meeting.network.pk}).content.decode()
    assert by_network.count('name="note"') == 1
    assert f'value="{note.pk}"' in by_network
    # The download keeps the filters in its URL.
    assert f'action="{URL}?network={meeting.network.pk}"' in by_network

    searched = client.get(URL, {"q": "tea"}).content.decode()
    assert searched.count('name="note"') == 2
    searched = client.get(URL, {"q": "general about"}).content.decode()
    assert searched.count('name="note"') == 1
    assert f'value="{general.pk}"' in searched


def test_my_reflections_links_to_the_export_with_its_filters(login, author, meeting, note):
    page = (
        login(author)
        .get(reverse("reflections:timeline"), {"network": meeting.network.pk})
        .content.decode()
    )

    assert f'href="{URL}?network={meeting.network.pk}">Export these for my portfolio</a>' in page


def test_the_page_costs_the_same_queries_for_few_notes_or_many(login, author):
    client = login(author)

    def queries_for(count: int) -> int:
        for _ in range(count):
            meeting = NetworkMeetingFactory()
            ReflectionFactory(author=author, meeting=meeting, text="A note.")
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context)

    assert queries_for(2) == queries_for(10)


def test_the_download_costs_the_same_queries_for_few_notes_or_many(login, author):
    client = login(author)
    notes = []

    def queries_for(count: int) -> int:
        for _ in range(count):
            notes.append(
                ReflectionFactory(author=author, meeting=NetworkMeetingFactory(), text="A note.")
            )
        with CaptureQueriesContext(connection) as context:
            assert "Content-Disposition" in download(client, notes)
        return len(context)

    assert queries_for(2) == queries_for(10)


def test_bad_choices_are_refused_with_the_page(login, author, note):
    client = login(author)

    response = client.post(URL, {"note": [note.pk], "format": "odt"})
    assert response.status_code == 422
    assert "<title>Error: Export for my portfolio" in response.content.decode()

    too_long = "x" * 5_001
    response = download(client, [note], **{f"differently_{note.pk}": too_long})
    assert response.status_code == 422
    page = response.content.decode()
    assert "keep it to 5,000 characters or fewer" in page
    # What was typed stays on the page, ticked and open.
    assert too_long in page
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_notes_from_long_ago_are_in_date_order(login, author, meeting):
    old = ReflectionFactory(
        author=author, text="The older note.", written_at=timezone.now() - timedelta(days=400)
    )
    new = ReflectionFactory(author=author, meeting=meeting, text="The newer note.")

    text = pdf_text(download(login(author), [new, old]).content)

    assert text.index("The older note.") < text.index("The newer note.")
    assert "2 notes," in text


# What the tester found ------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "99999999999999999999999999",  # past any database's ids (OverflowError on SQLite)
        "9223372036854775808",  # one past the largest BigAutoField id
        "²",  # str.isdigit() says yes, int() says no
        "١٢",  # Arabic-Indic digits
        "-1",
        "0",
        " 7",
        "1e3",
    ],
)
def test_note_ids_out_of_the_databases_range_are_ignored_never_a_500(login, author, note, bad):
    client = login(author)

    alone = client.post(URL, {"note": [bad], "format": "pdf", "checked": "1"})
    assert alone.status_code == 422
    assert "Choose at least one note." in alone.content.decode()

    with_mine = client.post(URL, {"note": [bad, note.pk], "format": "pdf", "checked": "1"})
    assert with_mine.status_code == 200
    assert with_mine["Content-Type"] == PDF_TYPE
    assert AuditEvent.objects.get(action=Action.EXPORT).detail["reflection_ids"] == [note.pk]


def test_the_largest_id_the_database_holds_is_looked_up_like_any_other(login, author, note):
    response = login(author).post(
        URL, {"note": ["9223372036854775807", note.pk], "format": "docx", "checked": "1"}
    )

    assert response.status_code == 200
    assert AuditEvent.objects.get(action=Action.EXPORT).detail["reflection_ids"] == [note.pk]


def test_more_notes_than_an_account_holds_get_the_pages_own_message(login, author, note):
    client = login(author)
    # As many as Django lets through: one field is the format.
    most = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS - 1
    for count in (MAX_NOTES + 1, most):
        ids = [note.pk, *range(10**9, 10**9 + count - 1)]
        response = client.post(URL, {"note": ids, "format": "pdf"})
        assert response.status_code == 422, count
        page = response.content.decode()
        assert f"Choose {MAX_NOTES} notes or fewer." in page
        assert "<title>Error: Export for my portfolio" in page
    # Beyond DATA_UPLOAD_MAX_NUMBER_FIELDS Django refuses the request before the
    # view runs, with its own bare 400: accepted, the page never offers that many.
    too_many = list(range(1, settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert client.post(URL, {"note": too_many, "format": "pdf"}).status_code == 400
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
    # The same id many times over is one note.
    response = client.post(URL, {"note": [note.pk] * (MAX_NOTES + 1), "format": "pdf"})
    assert response.status_code == 200
    assert AuditEvent.objects.get(action=Action.EXPORT).detail["reflection_ids"] == [note.pk]


RIGHT_TO_LEFT = "שלום עולם مرحبا"


def test_right_to_left_text_reads_in_order_in_the_pdf(login, author):
    reflection = ReflectionFactory(
        author=author, text=f"{RIGHT_TO_LEFT}\n{TEXT}\nIn English first: {RIGHT_TO_LEFT}"
    )

    text = pdf_text(download(login(author), [reflection]).content)

    # fpdf2 orders (bidi) and joins (Arabic) the text only with text shaping on;
    # without it, pypdf reads back "ابحرم םלוע םולש". Shaped Arabic is drawn with
    # its joined glyphs, which an extractor may give back as Arabic presentation
    # forms (U+FB50 to U+FEFF) rather than the letters typed: NFKC maps those
    # back to the letters, so the comparison is after NFKC.
    assert RIGHT_TO_LEFT in unicodedata.normalize("NFKC", text)
    assert f"In English first: {RIGHT_TO_LEFT}" in unicodedata.normalize("NFKC", text)
    assert "םולש" not in text and "ابحرم" not in text
    # Latin text, "Zoë", "\u2019", "—" and the quotes come out exactly as before.
    assert TEXT in text
    assert "Reflective account" in text


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        (TEXT, False),
        ("Reflective account", False),
        ("I said שלום to Zoë.", True),
        ("مرحبا", True),
        ("Zoe\u0308 typed with a combining diaeresis", True),
    ],
)
def test_only_paragraphs_that_need_it_are_shaped(text, shaped):
    # Shaping everything made the PDF about three times slower and seven times
    # larger, for nothing in Latin text.
    assert _needs_shaping(text) is shaped


def test_right_to_left_text_is_kept_as_typed_in_the_word_document(author):
    reflection = ReflectionFactory(author=author, text=RIGHT_TO_LEFT)

    assert RIGHT_TO_LEFT in docx_paragraphs(portfolio_docx([reflection], author))


@pytest.mark.parametrize("answer", ["", "no", "dialogue"])
def test_what_i_shared_is_exported_whatever_the_disclosed_answer(login, author, note, answer):
    note.disclosure.disclosed = answer
    note.disclosure.what_shared = "That I had been a patient too."
    note.disclosure.save()
    client = login(author)

    text = pdf_text(download(client, [note], include_disclosure="on").content)
    paragraphs = docx_paragraphs(download(client, [note], "docx", include_disclosure="on").content)

    for exported in (text, " ".join(paragraphs)):
        assert "My self-disclosure" in exported
        assert "What I shared: That I had been a patient too." in exported
        assert "Its emotional cost to me: 3 of 4" in exported
        # An unanswered question is left out, not filled in.
        assert ("Did I disclose" in exported) is bool(answer)
    # Not ticked: left out.
    assert "patient too" not in pdf_text(download(client, [note]).content)


def test_a_disclosure_with_nothing_written_adds_no_heading(author, note):
    note.disclosure.delete()
    reflection = Reflection.objects.get(pk=note.pk)
    Disclosure.objects.create(reflection=reflection)

    blocks = account([reflection], author, include_disclosure=True)

    assert "My self-disclosure" not in [block.text for block in blocks]


def test_the_identifier_warning_takes_the_focus(login, author, note):
    note.text = "Robin phoned."
    note.save()

    page = download(login(author), [note]).content.decode()

    assert (
        '<h2 class="nhsuk-warning-callout__label" tabindex="-1" autofocus>'
        '<span class="nhsuk-u-visually-hidden">Important: </span>Your notes may identify someone'
    ) in page
    assert page.count("autofocus") == 1


def test_each_checkbox_says_which_note_it_is(login, author, meeting, note):
    now = timezone.now().replace(hour=12, minute=0)
    first = ReflectionFactory(author=author, text="One.", written_at=now)
    second = ReflectionFactory(author=author, text="Two.", written_at=now + timedelta(minutes=5))

    page = login(author).get(URL).content.decode()

    labels = dict(re.findall(r'<label class="[^"]*" for="note-(\d+)">([^<]*)</label>', page))
    assert len(labels) == 3
    assert len(set(labels.values())) == 3
    for reflection, where in ((first, "General reflection"), (second, "General reflection")):
        written = timezone.localtime(reflection.written_at)
        assert labels[str(reflection.pk)] == f"{where}, written {written:%-d %B %Y at %H:%M}"
    written = timezone.localtime(note.written_at)
    assert labels[str(note.pk)] == f"Birch, written {written:%-d %B %Y at %H:%M}"
    # The hidden text of each "What I will do differently" tells them apart too.
    hidden = re.findall(r'<span class="nhsuk-u-visually-hidden">, after ([^<]*)</span>', page)
    assert len(hidden) == 6
    assert len(set(hidden)) == 3
    assert set(hidden) == set(labels.values())
