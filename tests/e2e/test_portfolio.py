"""Export for my portfolio in a real browser: from My reflections to the export
page, axe-core clean, no sideways scrolling on a 360 px phone, and both files
downloaded (a PDF and a Word document, checked by their first bytes)."""

from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from audit.models import Action, AuditEvent
from reflections.models import Reflection, Status


def _notes(author, meeting) -> list[Reflection]:
    return [
        Reflection.objects.create(
            author=author, meeting=meeting, text="Zoë\u2019s pause — I waited.", status=Status.FINAL
        ),
        Reflection.objects.create(author=author, text="A general reflection on silence."),
    ]


def test_export_both_formats_from_my_reflections(
    page: Page, live_server, author, meeting, sign_in, axe_check, tmp_path: Path
):
    notes = _notes(author, meeting)
    sign_in(page, author)

    page.goto(f"{live_server.url}/reflections/")
    page.get_by_role("link", name="Export these for my portfolio").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Export for my portfolio")
    for note in notes:
        expect(page.locator(f"#note-{note.pk}")).to_be_checked()
        # Each checkbox's name says which note it is: where from, and when written.
        where = "Birch" if note.meeting else "General reflection"
        written = timezone.localtime(note.written_at)
        name = f"{where}, written {written:%-d %B %Y at %H:%M}"
        expect(page.get_by_role("checkbox", name=name, exact=True)).to_be_checked()
    expect(page.get_by_label("PDF")).to_be_checked()
    axe_check(page)

    page.locator(f"details:has(#differently-{notes[0].pk}) summary").click()
    expect(page.locator(f"#differently-{notes[0].pk}")).to_be_visible()
    page.locator(f"#differently-{notes[0].pk}").fill("Wait a little longer.")
    axe_check(page)

    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download", exact=True).click()
    pdf = tmp_path / "account.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf_download.value.suggested_filename.startswith("reflective-account-")
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")

    page.get_by_label("Word document").check()
    with page.expect_download() as docx_download:
        page.get_by_role("button", name="Download", exact=True).click()
    docx = tmp_path / "account.docx"
    docx_download.value.save_as(docx)
    assert docx_download.value.suggested_filename.endswith(".docx")
    assert docx.read_bytes().startswith(b"PK")

    events = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk")
    assert [event.detail["what"] for event in events] == ["portfolio pdf", "portfolio docx"]
    assert all(event.detail["count"] == 2 for event in events)


def test_the_guard_and_the_page_on_a_phone(
    phone: Page, live_server, author, meeting, sign_in, axe_check
):
    person = meeting.network.members.person_at_the_centre().get()
    Reflection.objects.create(
        author=author, meeting=meeting, text=f"{person.name} spoke first.", status=Status.FINAL
    )
    sign_in(phone, author)

    phone.goto(f"{live_server.url}/reflections/portfolio/")
    axe_check(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.get_by_role("button", name="Download", exact=True).click()

    warning = phone.locator("#identifier-warning")
    # The keyboard and the screen reader are taken to the warning.
    expect(warning.get_by_role("heading", name="Your notes may identify someone")).to_be_focused()
    expect(warning).to_contain_text("Nothing has been downloaded yet")
    expect(warning).to_contain_text(f"a name recorded in this network, “{person.name}”")
    axe_check(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()

    with phone.expect_download() as download:
        warning.get_by_role("button", name="Download anyway (PDF)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.get(action=Action.EXPORT).detail["downloaded_anyway"] is True
