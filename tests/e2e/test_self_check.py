"""The dialogic self-check in a real browser, at 1280 and 360 CSS pixels wide.

A peer practitioner opens a meeting they were at, answers its self-check (first
leaving one question out and being told), and sees it answered on the meeting;
their colleague answers it on a phone, where the page never scrolls sideways.
axe-core finds no violation on any page on the way (not even a minor one).
"""

import re

from playwright.sync_api import Page, expect

from meetings.models import SelfCheck
from principles.models import OPEN_DIALOGUE, Principle
from teams.models import Role
from tests.e2e.conftest import PHONE
from tests.factories import NetworkFactory, NetworkMeetingFactory, PractitionerAttendanceFactory


def no_violations(axe_check, page: Page) -> None:
    results = axe_check(page)
    assert results["violations"] == [], [v["id"] for v in results["violations"]]


def answer(page: Page, names: list[str], choice: str) -> None:
    for name in names:
        group = page.get_by_role("group", name=re.compile(f"^{re.escape(name)}: how present"))
        group.get_by_label(choice, exact=True).check()


def test_answer_the_self_check_on_a_desktop_and_a_phone(
    page: Page,
    phone: Page,
    live_server,
    team,
    author,
    colleague,
    sign_in,
    axe_check,
    browser_errors,
):
    network = NetworkFactory(team=team, reference="Rowan")
    meeting = NetworkMeetingFactory(network=network, reflecting_conversation=True)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER)
    names = list(
        Principle.objects.filter(framework__slug=OPEN_DIALOGUE)
        .order_by("order")
        .values_list("name", flat=True)
    )
    assert len(names) == 7

    sign_in(page, author)
    page.goto(live_server.url + meeting.get_absolute_url())
    page.get_by_role("button", name="Answer the self-check").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dialogic self-check")
    expect(page.get_by_text("not a rating of you or of anyone else")).to_be_visible()
    expect(page.get_by_text("Practitioners recorded")).to_be_visible()
    no_violations(axe_check, page)

    # One question left out: the page says which, and keeps the answers given.
    answer(page, names[:-1], "Clearly")
    page.get_by_role("button", name="Save my self-check").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    no_violations(axe_check, page)
    # The form with its errors is answered 422, which the console reports.
    browser_errors.expected_status(422, page.url)
    answer(page, names[-1:], "Not sure")
    page.get_by_role("button", name="Save my self-check").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting on")
    expect(page.get_by_text("Self-check saved.")).to_be_visible()
    expect(page.get_by_role("link", name="See or change my self-check")).to_be_visible()
    no_violations(axe_check, page)
    mine = SelfCheck.objects.get(meeting=meeting, practitioner=author)
    assert mine.answers_by_slug()["dialogism"] == "not_sure"
    assert set(mine.answers_by_slug().values()) == {"clearly", "not_sure"}

    # The colleague, on a phone, sees none of the author's answers.
    assert phone.viewport_size == PHONE
    sign_in(phone, colleague)
    phone.goto(live_server.url + meeting.get_absolute_url())
    phone.get_by_role("button", name="Answer the self-check").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Dialogic self-check")
    assert phone.locator("input[type=radio]:checked").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    no_violations(axe_check, phone)
    answer(phone, names, "Strongly")
    phone.get_by_role("button", name="Save my self-check").click()
    expect(phone.get_by_text("Self-check saved.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    no_violations(axe_check, phone)

    # Changing an answer later, on the phone.
    phone.get_by_role("link", name="See or change my self-check").click()
    answer(phone, names[:1], "A little")
    phone.get_by_role("button", name="Save my changes").click()
    expect(phone.get_by_text("Self-check saved.")).to_be_visible()
    theirs = SelfCheck.objects.get(meeting=meeting, practitioner=colleague)
    assert theirs.revision == 2
    assert theirs.answers_by_slug()["immediate-help"] == "a_little"
