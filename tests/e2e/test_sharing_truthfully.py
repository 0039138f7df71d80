"""Sharing in a real browser: the note's page says who has it, and the share form's
"They will see" follows the self-disclosure checkbox. axe-core on each page."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from reflections.models import Reflection, Status
from teams.models import SupervisionLink


def test_the_share_form_says_what_they_will_see_and_the_page_who_has_it(
    page: Page, live_server, author, supervisor, meeting, sign_in, axe_check
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = Reflection.objects.create(
        author=author,
        meeting=meeting,
        text="Mum spoke first.",
        status=Status.FINAL,
        finished_at=timezone.now(),
    )
    sign_in(page, author)
    page.goto(f"{live_server.url}/reflections/{note.pk}/")
    expect(page.locator("#who-has-it")).to_contain_text("Private: only you can see this note.")
    axe_check(page)

    page.goto(f"{live_server.url}/supervision/reflections/{note.pk}/share/")
    preview = page.locator("[data-share-preview-ready]")
    expect(preview).to_have_count(1)
    both = "“Self-disclosure (principle)” and “Disclosure details”"
    will_see = preview.get_by_role("list").first
    will_not_see = preview.get_by_role("list").last
    expect(will_see).not_to_contain_text(both, use_inner_text=True)
    expect(will_not_see).to_contain_text(both, use_inner_text=True)
    expect(preview).not_to_contain_text("unless you tick", use_inner_text=True)
    axe_check(page)

    page.get_by_label("Include my self-disclosure").check()
    expect(will_see).to_contain_text(both, use_inner_text=True)
    expect(will_not_see).not_to_contain_text(both, use_inner_text=True)

    page.get_by_label(str(supervisor)).check()
    page.get_by_role("button", name="Share", exact=True).click()

    summary = page.locator("#who-has-it")
    expect(summary).to_contain_text("Shared with:")
    expect(summary).to_contain_text(str(supervisor))
    expect(summary).to_contain_text("with your self-disclosure")
    expect(summary).not_to_contain_text("Private")
    axe_check(page)
