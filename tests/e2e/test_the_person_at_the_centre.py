"""Step 15 on a phone: log a meeting the person at the centre joined online, add
an interpreter to the network from within the meeting form, and find both on the
network page's map and tables. At 360 CSS pixels: axe on every page, no page
scrolls sideways, and the map's text is no smaller than 12 pixels."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import NetworkMeeting, Relationship
from tests.e2e.conftest import PHONE
from tests.factories import NetworkFactory, NetworkMemberFactory

SMALLEST_TEXT_PX = 12

# The rendered size of each text in the network map (computed font size scaled as
# the viewBox is), and whether the page is wider than the screen.
MAP_TEXT_JS = """
() => {
  const svg = document.querySelector('.app-network-map svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].map((text) => ({
    text: text.textContent.trim(),
    px: parseFloat(getComputedStyle(text).fontSize) * scale,
  }));
}
"""
# The page's width, and the first few elements that stick out past the screen
# while their parent does not (where to look when it fails).
PAGE_WIDTH_JS = """
(width) => ({
  scrollWidth: document.documentElement.scrollWidth,
  wider: [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5
      && el.parentElement.getBoundingClientRect().right <= width + 0.5)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + '.' + (el.getAttribute('class') || '')),
})
"""


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate(PAGE_WIDTH_JS, PHONE["width"])
    assert width["scrollWidth"] <= PHONE["width"], (
        f"{page.url} is {width['scrollWidth']}px wide on a 360px screen: {width['wider']}"
    )


def test_log_a_meeting_with_the_person_online_and_a_new_interpreter(
    phone: Page, live_server, team, author, colleague, sign_in, axe_check
):
    network = NetworkFactory(team=team, reference="Alder", person="Kai")
    NetworkMemberFactory(network=network, name="Mum", relationship=Relationship.PARENT)
    yesterday = timezone.localdate() - timedelta(days=1)
    page = sign_in(phone, author)

    page.goto(live_server.url + network.get_absolute_url())
    page.get_by_role("button", name="Log a meeting").click()
    axe_check(page)
    assert_fits_the_phone(page)

    # Asked first: was the person at the centre there, and how?
    first_question = page.locator("fieldset").first
    expect(first_question).to_contain_text("Was Kai at the meeting")
    first_question.get_by_label("Online").check()
    page.locator("[name=starts_at_0]").fill(yesterday.isoformat())
    page.locator("[name=starts_at_1]").fill("11:00")
    page.get_by_label("How long did it last?").fill("60")
    page.get_by_role("group", name=re.compile("Where was it")).get_by_label("Online").check()
    page.get_by_role("group", name=re.compile("Practitioners present")).get_by_label(
        str(colleague)
    ).check()
    page.get_by_role("checkbox", name="Mum").check()

    # An interpreter joins the network today: added without leaving the form.
    page.get_by_role("link", name="Add a network member").click()
    page.get_by_label("First name or role").fill("Lena")
    page.get_by_role("group", name=re.compile("Relationship")).get_by_label(
        "Interpreter", exact=True
    ).check()
    page.get_by_label("A word the network uses").fill("Polish interpreter")
    axe_check(page)
    assert_fits_the_phone(page)
    page.get_by_role("button", name="Add and tick").click()
    expect(page.get_by_text("Lena was added to the network and ticked.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Lena")).to_be_checked()
    # What was filled in before adding her is still there.
    expect(page.get_by_role("checkbox", name="Mum")).to_be_checked()
    expect(page.get_by_label("How long did it last?")).to_have_value("60")
    page.get_by_role("button", name="Save meeting").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting on")
    axe_check(page)
    assert_fits_the_phone(page)
    meeting = NetworkMeeting.objects.get(network=network)
    assert meeting.person_attendance == "online"
    assert sorted(m.name for m in meeting.members_present.all()) == ["Lena", "Mum"]
    lena = network.members.get(name="Lena")
    assert (lena.relationship, lena.label) == (Relationship.INTERPRETER, "Polish interpreter")

    # The network page: the map and the table say who came.
    page.get_by_role("link", name=re.compile("Alder")).first.click()
    expect(page.get_by_role("img", name="Map of the network around Kai")).to_be_visible()
    table = page.get_by_role("table", name="Who came to the network's meetings")
    expect(table.get_by_role("row", name=re.compile("^Kai "))).to_contain_text("1 of 1")
    expect(table.get_by_role("row", name=re.compile("^Lena "))).to_contain_text(
        "Interpreter (Polish interpreter)"
    )
    expect(table.get_by_role("row", name=re.compile("^Lena "))).to_contain_text("1 of 1")
    practitioners = page.get_by_role("table", name="Practitioners who have met the network")
    expect(practitioners).to_contain_text(str(colleague))
    axe_check(page)
    assert_fits_the_phone(page)
    # Both tables fit a phone whole: nothing to scroll sideways for. (The list
    # of meetings, six columns, scrolls sideways in its own region.)
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('.app-table-scroll')]"
        ".filter((el) => el.scrollWidth > el.clientWidth)"
        ".map((el) => el.getAttribute('aria-labelledby'))"
        ".filter((name) => name !== 'meetings')"
    )
    assert overflowing == [], f"tables wider than a 360px screen: {overflowing}"
    small = [t for t in page.evaluate(MAP_TEXT_JS) if t["px"] < SMALLEST_TEXT_PX]
    assert not small, f"map text under {SMALLEST_TEXT_PX}px at 360px wide: {small}"
