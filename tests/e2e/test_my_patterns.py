"""My patterns and the reflection form's earlier-notes panels in Chromium: at 1280
and 360 CSS pixels wide, no sideways scroll, every chart drawn is one named image
with a title, a description and its table after it, and axe finds no serious or
critical problem (the panels checked open as well as closed)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Activity, ActivityKind
from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote, Status
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_dashboard_widths import assert_no_sideways_scroll
from tests.factories import (
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
)

PATTERNS = "/reflections/patterns/"
PRINCIPLES_TABLE = "Notes touching each principle, by month"

# Every chart on the page: visible or not, its role, its name from <title>, its
# description from <desc>, and whether a table follows it in its section.
CHARTS_JS = """
() => [...document.querySelectorAll('main svg.app-patterns__chart')].map((svg) => {
  const box = svg.getBoundingClientRect();
  const visible = getComputedStyle(svg).display !== 'none' && box.width > 0;
  const title = svg.querySelector(':scope > title');
  const desc = svg.querySelector(':scope > desc');
  let next = svg.nextElementSibling;
  while (next && !(next.matches('table') || next.querySelector('table'))) {
    next = next.nextElementSibling;
  }
  return {
    visible,
    width: box.width,
    role: svg.getAttribute('role'),
    title: title ? title.textContent.trim() : '',
    desc: desc ? desc.textContent.trim() : '',
    labelledBy: svg.getAttribute('aria-labelledby'),
    tableAfter: !!next,
  };
})
"""


@pytest.fixture
def writer(db, team, author, meeting):
    """The author, with a year of notes on the Birch network, time logged, and
    a draft on yesterday's meeting (the one the form is opened for)."""
    principles = list(Principle.objects.peer_practice())
    now = timezone.now()
    for index in range(1, 9):
        when = now - timedelta(days=index * 40)
        earlier = NetworkMeetingFactory(network=meeting.network, starts_at=when)
        PractitionerAttendanceFactory(meeting=earlier, practitioner=author)
        reflection = ReflectionFactory(
            author=author,
            meeting=earlier,
            written_at=when + timedelta(hours=2),
            status=Status.FINAL,
            wellbeing=index % 5,
        )
        for principle in principles[: 1 + index % 4]:
            PrincipleNote.objects.create(
                reflection=reflection,
                principle=principle,
                text=f"What I noticed about {principle.name.lower()}, {index} meetings ago.",
                presence="clearly",
            )
        if index % 3 == 0:
            Disclosure.objects.create(reflection=reflection, disclosed="dialogue", emotional_cost=3)
        Activity.objects.create(
            practitioner=author,
            team=team,
            kind=ActivityKind.ADMIN,
            done_on=timezone.localdate(when),
            duration_minutes=45,
        )
    draft = ReflectionFactory(author=author, meeting=meeting, text="Started.")
    author.draft = draft
    return author


def assert_charts_are_named_and_explained(page: Page, *, drawn: bool) -> None:
    charts = page.evaluate(CHARTS_JS)
    assert len(charts) == 6
    for chart in charts:
        assert chart["role"] == "img"
        assert chart["title"] and chart["desc"], chart
        assert chart["tableAfter"], f"{chart['title']}: no table after it"
        assert chart["visible"] == drawn, chart
        if drawn:
            expect(page.get_by_role("img", name=chart["title"], exact=True)).to_be_visible()


def test_my_patterns_reads_well_on_a_desktop(
    page: Page, live_server, writer, sign_in, axe_check, browser_errors
):
    sign_in(page, writer)
    page.get_by_role("link", name="My patterns").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My patterns")

    assert_no_sideways_scroll(page, DESKTOP["width"])
    assert_charts_are_named_and_explained(page, drawn=True)
    expect(
        page.get_by_role("table", name="Notes touching each principle, by month")
    ).to_be_visible()
    axe_check(page)

    page.get_by_label("Months shown", exact=True).select_option("24")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("row", name="All 24 months", exact=False)).to_have_count(5)
    assert_no_sideways_scroll(page, DESKTOP["width"])
    axe_check(page)


def test_my_patterns_reads_well_on_a_phone(
    phone: Page, live_server, writer, sign_in, axe_check, browser_errors
):
    sign_in(phone, writer)
    phone.goto(live_server.url + PATTERNS)
    expect(phone.get_by_role("heading", level=1)).to_have_text("My patterns")

    assert_no_sideways_scroll(phone, PHONE["width"])
    # Too narrow to draw legibly: the charts give way to their tables.
    assert_charts_are_named_and_explained(phone, drawn=False)
    expect(
        phone.get_by_role("table", name="Notes touching each principle, by month")
    ).to_be_visible()
    axe_check(phone)


def open_the_form(page: Page, live_server, writer, sign_in) -> None:
    sign_in(page, writer)
    page.goto(f"{live_server.url}/reflections/{writer.draft.pk}/edit/")
    expect(page.locator(".app-earlier-notes").first).to_be_visible()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_earlier_notes_panels_read_well(
    request, live_server, writer, sign_in, axe_check, browser_errors, width
):
    page: Page = request.getfixturevalue("page" if width == "desktop" else "phone")
    size = DESKTOP if width == "desktop" else PHONE
    open_the_form(page, live_server, writer, sign_in)
    panel = page.locator(".app-earlier-notes").first
    newest = "What I noticed about attunement, 1 meetings ago."

    # Collapsed: the notes are not shown until asked for.
    expect(panel.get_by_text(newest)).to_be_hidden()
    axe_check(page, ".app-earlier-notes")
    panel.get_by_text("Your earlier notes on this principle with this network").click()
    expect(panel.get_by_text(newest)).to_be_visible()
    expect(panel.get_by_role("listitem")).to_have_count(5)

    assert_no_sideways_scroll(page, size["width"])
    axe_check(page, ".app-earlier-notes")
    axe_check(page)


def test_typing_with_a_panel_open_still_autosaves(
    page: Page, live_server, writer, sign_in, browser_errors
):
    open_the_form(page, live_server, writer, sign_in)
    page.locator(".app-earlier-notes summary").first.click()

    page.get_by_label("My note on attunement").fill("Something new today.")
    expect(page.locator("#autosave-status")).to_contain_text("saved", timeout=15_000)

    note = writer.draft.principle_notes.get(principle__slug="attunement")
    assert note.text == "Something new today."
