"""The identifier guard in a real browser: a note naming the person at the centre
and holding an NHS number is not shared until its author says "Share anyway".
axe-core on the warning."""

import re

from playwright.sync_api import Page, expect

from audit.models import Action, AuditEvent
from reflections.models import Reflection
from supervision.models import Share
from teams.models import SupervisionLink

NHS_NUMBER = "943 476 5919"  # passes the modulus 11 check


def test_a_note_that_names_someone_is_shared_only_when_its_author_says_so(
    page: Page, live_server, author, supervisor, meeting, sign_in, axe_check
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    person = meeting.network.members.person_at_the_centre().get()
    draft = Reflection.objects.create(author=author, meeting=meeting)
    sign_in(page, author)

    page.goto(f"{live_server.url}/reflections/{draft.pk}/edit/")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    page.get_by_label("What happened between us").fill(
        f"{person.name} read out {NHS_NUMBER} from the hospital letter."
    )
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_text("Your reflection is finished")).to_be_visible()

    page.goto(f"{live_server.url}/reflections/{draft.pk}/")
    page.get_by_role("button", name="Share").click()
    page.get_by_label(str(supervisor)).check()
    page.get_by_role("button", name="Share", exact=True).click()

    warning = page.locator(".nhsuk-warning-callout")
    expect(warning).to_contain_text("This note may identify someone")
    expect(warning).to_contain_text("Nothing has been shared yet")
    expect(warning).to_contain_text(
        f"In “What happened between us”: a name recorded in this network, “{person.name}”"
    )
    expect(warning).to_contain_text(f"an NHS number, “{NHS_NUMBER}”")
    expect(warning.get_by_role("link", name="Edit the note")).to_have_attribute(
        "href", f"/reflections/{draft.pk}/edit/"
    )
    expect(page.get_by_label(str(supervisor))).to_be_checked()
    assert not Share.objects.exists()
    axe_check(page)

    warning.get_by_role("button", name="Share anyway").click()

    expect(page).to_have_url(re.compile(rf"/reflections/{draft.pk}/$"))
    summary = page.locator("#who-has-it")
    expect(summary).to_contain_text("Shared with:")
    expect(summary).to_contain_text(str(supervisor))
    assert Share.objects.get(reflection=draft).supervisor == supervisor
    event = AuditEvent.objects.get(action=Action.SHARE)
    assert event.detail["identifiers_shared_anyway"] == {"name": 1, "nhs_number": 1}
    axe_check(page)
