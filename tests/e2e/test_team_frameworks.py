"""A team's own framework in a real browser (issue 15, part 2).

The team lead writes the team's own framework on the team page, with a
principle and a question, and turns Open Dialogue's principles on; a peer
practitioner, on a phone, opens the collapsed section in their note, writes
under the team's principle, and autosave keeps it; My reflections filters by
it. axe-core on every new or changed page; nothing wider than a 360px screen.
"""

import re

from playwright.sync_api import Page, expect

from principles.models import Framework, TeamFramework
from reflections.models import PrincipleNote, Reflection
from tests.e2e.conftest import PHONE

QUESTION = "When did we laugh together, and what did it open up?"


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a 360px screen"


def test_a_lead_writes_a_framework_and_a_practitioner_reflects_under_it(
    page: Page, phone: Page, live_server, team, team_lead, author, meeting, sign_in, axe_check
):
    lead = sign_in(page, team_lead)
    lead.goto(f"{live_server.url}/teams/{team.pk}/")
    frameworks = lead.get_by_role("table", name=f"Frameworks {team.name} reflects with")
    expect(frameworks).to_contain_text("Always on")
    axe_check(lead)

    frameworks.get_by_role("button", name=re.compile("Turn on.*Open Dialogue")).click()
    expect(lead.get_by_text("now have a section for Open Dialogue")).to_be_visible()

    lead.get_by_role("link", name="Write your team's own framework").click()
    axe_check(lead)
    lead.get_by_label("Name of the framework").fill("Riverside ways")
    lead.get_by_role("button", name="Add the framework").click()

    expect(lead.get_by_role("heading", name=re.compile("Add a principle"))).to_be_visible()
    axe_check(lead)
    lead.get_by_label("Name of the principle").fill("Humour")
    lead.get_by_label("What it means").fill("Lightness that lets people breathe.")
    lead.get_by_label("Question 1").fill(QUESTION)
    lead.get_by_role("button", name="Add the principle").click()
    expect(lead.get_by_text("Humour added to Riverside ways.")).to_be_visible()
    expect(lead.get_by_text(QUESTION)).to_be_visible()
    axe_check(lead)
    lead.set_viewport_size(PHONE)
    lead.reload()
    assert_fits_the_phone(lead)
    lead.set_viewport_size({"width": 1280, "height": 800})
    framework = Framework.objects.get(team=team)
    assert TeamFramework.objects.filter(team=team, framework=framework).exists()

    # The practitioner, on a phone, writes under it.
    writer = sign_in(phone, author)
    writer.goto(f"{live_server.url}/reflections/new/edit/?meeting={meeting.pk}")
    expect(writer.get_by_role("heading", name="More frameworks")).to_be_visible()
    axe_check(writer)
    assert_fits_the_phone(writer)
    own = writer.locator("details.app-framework", has_text="Riverside ways")
    expect(own.get_by_label("My note on humour")).to_be_hidden()  # collapsed
    own.get_by_text("Riverside ways", exact=True).click()
    expect(own.get_by_text(QUESTION)).to_be_visible()
    axe_check(writer)
    assert_fits_the_phone(writer)
    own.get_by_label("My note on humour").fill("We laughed about the dog, and Dad joined in.")
    own.get_by_role("radio", name="Clearly").check()
    expect(writer.locator("#autosave-status")).to_contain_text("Draft saved", timeout=15_000)

    reflection = Reflection.objects.get(author=author, meeting=meeting)
    note = PrincipleNote.objects.get(reflection=reflection, principle__framework=framework)
    assert note.text == "We laughed about the dog, and Dad joined in."

    # My reflections filters by it, grouped by framework.
    writer.goto(f"{live_server.url}/reflections/")
    writer.get_by_label("Principle").select_option(label="Humour")
    writer.get_by_role("button", name="Apply filters").click()
    expect(writer.get_by_role("status").filter(has_text="1 reflection.")).to_be_visible()
    expect(writer.get_by_label("Principle")).to_have_value(f"team-{team.pk}__humour")
    axe_check(writer)
    assert_fits_the_phone(writer)
