"""The dashboard, readable anywhere: at 1280 and 360 CSS pixels wide, on the demo
team's year of data (and on a busier team's, which draws every kind of chart).
Every section says what it tells you; every chart drawn has a name and its
numbers in text beside it, and no text in it under 12 CSS pixels; the page never
scrolls sideways (a wide table scrolls inside a focusable, named region); axe
finds no serious or critical problem."""

import pytest
from playwright.sync_api import Page, expect

from dashboards import rollup
from devdata.demo import DEMO_PASSWORD, TEAM_LEAD, seed_demo
from devdata.scale import SCALE_PASSWORD, ScaleOptions, seed_scale
from teams.models import Role, User
from tests.e2e.conftest import DESKTOP, PHONE

DASHBOARD = "/dashboards/?period=12"
SMALLEST_TEXT_PX = 12
# static/css/app.css hides the charts below 40.0625em (641px), where their text
# would scale under 12px.
CHARTS_FROM_PX = 641

# Every SVG chart in the results as it is rendered now: whether it is visible,
# its accessible name, whether its section has a table, and the rendered size of
# each text in it (the computed font size scaled as the viewBox is).
CHARTS_JS = """
() => [...document.querySelectorAll('#results svg')].map((svg) => {
  const box = svg.getBoundingClientRect();
  const style = getComputedStyle(svg);
  const visible = style.display !== 'none' && style.visibility !== 'hidden'
    && box.width > 0 && box.height > 0;
  const viewBox = svg.viewBox && svg.viewBox.baseVal;
  const scale = viewBox && viewBox.width ? box.width / viewBox.width : 1;
  const labelledBy = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/)
    .filter(Boolean).map((id) => document.getElementById(id))
    .filter(Boolean).map((el) => el.textContent.trim()).join(' ');
  const title = svg.querySelector(':scope > title');
  const section = svg.closest('section');
  return {
    section: section ? section.getAttribute('aria-labelledby') : null,
    visible,
    role: svg.getAttribute('role'),
    ariaHidden: svg.getAttribute('aria-hidden'),
    name: (svg.getAttribute('aria-label') || labelledBy
      || (title ? title.textContent : '') || '').trim(),
    tableBeside: !!(section && section.querySelector('table')),
    listKeys: section ? [...section.querySelectorAll('dl dt')].map((dt) => dt.textContent.trim())
      : [],
    barLabels: [...svg.querySelectorAll('.app-chart__label')].map((t) => t.textContent.trim()),
    texts: [...svg.querySelectorAll('text')].map((text) => ({
      text: text.textContent.trim(),
      px: parseFloat(getComputedStyle(text).fontSize) * scale,
    })),
  };
})
"""

# Every table: whether the reader can get at all of it. A table wider than the
# page must sit in a container that scrolls sideways and that a keyboard can
# reach (tabindex) and a screen reader can name.
TABLES_JS = """
() => [...document.querySelectorAll('#results table')].map((table) => {
  const caption = table.caption ? table.caption.textContent.trim() : '';
  const box = table.getBoundingClientRect();
  let scroller = null;
  for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
    const overflowX = getComputedStyle(el).overflowX;
    if (overflowX === 'auto' || overflowX === 'scroll') { scroller = el; break; }
  }
  const scrollerBox = scroller && scroller.getBoundingClientRect();
  return {
    caption,
    visible: box.width > 0 && box.height > 0,
    left: box.left,
    right: box.right,
    scroller: scroller && {
      left: scrollerBox.left,
      right: scrollerBox.right,
      tabindex: scroller.getAttribute('tabindex'),
      role: scroller.getAttribute('role'),
      name: (scroller.getAttribute('aria-label') || '').trim(),
      overflows: scroller.scrollWidth > scroller.clientWidth,
      overflowBy: scroller.scrollWidth - scroller.clientWidth,
    },
  };
})
"""

PAGE_SCROLL_JS = """
(width) => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wider: [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5
      && el.parentElement.getBoundingClientRect().right <= width + 0.5)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '')),
})
"""


@pytest.fixture
def demo_lead(db) -> User:
    # The demo data a developer sees with `make run` (seed_demo's command runs only
    # with DEBUG on; the function itself is fine here), then the rollup the
    # dashboard reads.
    seed_demo()
    rollup.refresh()
    return User.objects.get(email=TEAM_LEAD.email)


def open_dashboard(page: Page, live_server, sign_in, lead: User) -> None:
    sign_in(page, lead, DEMO_PASSWORD)
    page.goto(live_server.url + DASHBOARD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Role clarity dashboard")
    expect(page.locator("#results section").first).to_be_visible()


def assert_every_section_says_what_it_tells(page: Page) -> None:
    sections = page.locator("#results section")
    assert sections.count() >= 10, "the demo data should fill every measure"
    for index in range(sections.count()):
        section = sections.nth(index)
        title = section.get_by_role("heading", level=2).inner_text()
        tells = section.locator(".app-measure__tells")
        expect(tells, f"{title}: no 'What this tells you'").to_be_visible()
        expect(tells).to_contain_text("What this tells you:")
        assert len(tells.inner_text().strip()) > len("What this tells you:") + 10, title


def assert_no_sideways_scroll(page: Page, width: int) -> None:
    # A phone browser widens its layout viewport to fit a page that is too wide
    # (and zooms out), so both are compared with the width the test set.
    scroll = page.evaluate(PAGE_SCROLL_JS, width)
    assert scroll["innerWidth"] == width and scroll["scrollWidth"] <= width, (
        f"the page is {scroll['scrollWidth']}px wide on a {width}px screen "
        f"(layout viewport {scroll['innerWidth']}px); too wide: {scroll['wider']}"
    )


def assert_chart_text_is_legible(charts: list[dict]) -> None:
    small = [
        f"{chart['section']}: {text['text']!r} at {text['px']:.1f}px"
        for chart in charts
        if chart["visible"]
        for text in chart["texts"]
        if text["px"] < SMALLEST_TEXT_PX - 0.01
    ]
    assert not small, "chart text under 12px:\n" + "\n".join(small)


def assert_tables_are_reachable(page: Page) -> None:
    tables = page.evaluate(TABLES_JS)
    assert tables, "the dashboard has tables"
    width = page.evaluate("window.innerWidth")
    for table in tables:
        caption = table["caption"]
        assert caption, "every table has a caption"
        assert table["visible"], f"{caption}: table hidden"
        scroller = table["scroller"]
        if table["right"] > width + 0.5 or table["left"] < -0.5:
            # Wider than the page: it must scroll inside its own container...
            assert scroller, f"{caption}: overflows the page with no scroll container"
            assert scroller["left"] >= -0.5 and scroller["right"] <= width + 0.5, caption
        if scroller:
            # A table that fits does not scroll by a sliver (NHS tables stick out 2px).
            assert not 0 < scroller["overflowBy"] <= 4, (
                f"{caption}: scrolls by {scroller['overflowBy']}px though it fits"
            )
        if scroller and scroller["overflows"]:
            # ...which a keyboard can reach and a screen reader can name.
            assert scroller["tabindex"] == "0", f"{caption}: scroll container not focusable"
            assert scroller["role"] == "region", f"{caption}: scroll container not a region"
            assert scroller["name"], f"{caption}: scroll container has no name"


def assert_charts_are_named_and_explained(page: Page, charts: list[dict]) -> list[dict]:
    """Every chart drawn is one image with a name, and its numbers are in text
    beside it: a table in its section, or (for a bar chart of a few counts) the
    section's list of figures, with a row for every bar."""
    visible = [chart for chart in charts if chart["visible"]]
    for chart in visible:
        where = chart["section"]
        assert chart["ariaHidden"] != "true", f"{where}: chart hidden from screen readers"
        assert chart["role"] == "img", f"{where}: chart without role=img"
        assert chart["name"], f"{where}: chart without an accessible name"
        assert chart["texts"], f"{where}: chart without labels"
        in_list = chart["barLabels"] and all(
            any(key.startswith(label.rstrip("…")) for key in chart["listKeys"])
            for label in chart["barLabels"]
        )
        assert chart["tableBeside"] or in_list, f"{where}: chart without its numbers in text"
        # The name a screen reader hears, found as it would find it.
        expect(page.get_by_role("img", name=chart["name"], exact=True)).to_be_visible()
    return visible


def assert_reads_well_at_1280(page: Page) -> list[dict]:
    page.set_viewport_size(DESKTOP)
    assert_no_sideways_scroll(page, DESKTOP["width"])
    assert_every_section_says_what_it_tells(page)
    charts = page.evaluate(CHARTS_JS)
    visible = assert_charts_are_named_and_explained(page, charts)
    assert_chart_text_is_legible(charts)
    assert_tables_are_reachable(page)
    assert_no_sideways_scroll(page, DESKTOP["width"])
    return visible


def assert_reads_well_at_360(phone: Page) -> list[dict]:
    assert_no_sideways_scroll(phone, PHONE["width"])
    assert_every_section_says_what_it_tells(phone)
    charts = phone.evaluate(CHARTS_JS)
    # Either a chart is hidden, and its numbers are in text beside it, or its
    # text is legible; a chart shown must be named and explained as on a desktop.
    assert_chart_text_is_legible(charts)
    assert_charts_are_named_and_explained(phone, charts)
    assert_tables_are_reachable(phone)
    # Each table that scrolls sideways can be reached and scrolled with the keyboard.
    scrollers = phone.locator("#results .app-table-scroll")
    for index in range(scrollers.count()):
        scroller = scrollers.nth(index)
        if scroller.evaluate("(el) => el.scrollWidth > el.clientWidth"):
            scroller.focus()
            expect(scroller).to_be_focused()
            phone.keyboard.press("ArrowRight")
            phone.wait_for_function("(el) => el.scrollLeft > 0", arg=scroller.element_handle())
    assert_no_sideways_scroll(phone, PHONE["width"])
    return charts


def test_the_dashboard_reads_well_on_a_desktop(
    page: Page, live_server, demo_lead, sign_in, axe_check, browser_errors
):
    open_dashboard(page, live_server, sign_in, demo_lead)
    visible = assert_reads_well_at_1280(page)
    assert visible, "the demo data draws at least one chart at 1280px"
    axe_check(page)


def test_the_dashboard_reads_well_on_a_phone(
    phone: Page, live_server, demo_lead, sign_in, axe_check, browser_errors
):
    open_dashboard(phone, live_server, sign_in, demo_lead)
    charts = assert_reads_well_at_360(phone)
    assert charts, "the demo data has a chart (drawn or hidden) at 360px"
    axe_check(phone)


def test_every_kind_of_chart_reads_well_at_both_widths(
    page: Page, phone: Page, live_server, sign_in, axe_check, browser_errors
):
    # The demo team is small: most of its charts are withheld. A busier team (a
    # small run of the scale data) draws bar and line charts alike.
    seed_scale(
        ScaleOptions(teams=1, practitioners=30, meetings=1_200, reflections=3_000),
        log=lambda line: None,
    )
    rollup.refresh()
    lead = User.objects.get(memberships__role=Role.TEAM_LEAD)

    sign_in(page, lead, SCALE_PASSWORD)
    page.goto(live_server.url + DASHBOARD)
    visible = assert_reads_well_at_1280(page)
    assert {"app-chart--bars", "app-chart--line"} <= set(
        page.evaluate(
            "() => [...document.querySelectorAll('#results svg.app-chart')]"
            ".flatMap((svg) => [...svg.classList])"
        )
    ), "the busy team draws both kinds of chart"
    assert len(visible) >= 4
    axe_check(page)

    # The narrowest width that still draws charts: their text is still 12px or more.
    page.set_viewport_size({"width": CHARTS_FROM_PX, "height": DESKTOP["height"]})
    charts = page.evaluate(CHARTS_JS)
    assert all(chart["visible"] for chart in charts), f"charts are drawn at {CHARTS_FROM_PX}px"
    assert_chart_text_is_legible(charts)
    assert_no_sideways_scroll(page, CHARTS_FROM_PX)
    # One pixel narrower, they give way to their tables.
    page.set_viewport_size({"width": CHARTS_FROM_PX - 1, "height": DESKTOP["height"]})
    assert not any(chart["visible"] for chart in page.evaluate(CHARTS_JS))

    sign_in(phone, lead, SCALE_PASSWORD)
    phone.goto(live_server.url + DASHBOARD)
    charts = assert_reads_well_at_360(phone)
    assert len(charts) >= 4
    axe_check(phone)
