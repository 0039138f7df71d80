"""Step 14 in a real browser: an intervision group keeps its own record.

Jo facilitates a group of Alex, Sam and Kim, supervised by Ruth. Jo writes the
group's agreement and Alex and Sam accept it. Jo records a session that Alex
presents at and Sam takes notes for, with a note Alex had shared with the group.
Sam writes the group's notes and drafts a summary for supervision; Alex, Jo and
Sam agree to it. Ruth's digest counts it, without a word of it; Ruth opens it
from her inbox, responds and marks it reviewed, and Alex reads her response.
Kim (who did not attend), the team lead and an admin get 404 on the session's
notes. Each person has a browser of their own; axe checks every page.
"""

import contextlib
import re
from io import StringIO
from pathlib import Path

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from intervision.models import IntervisionSession, SupervisionSummary
from reflections.models import Status
from supervision.models import Share
from teams.models import GroupSupervisionLink, IntervisionGroup, Role
from tests.factories import MembershipFactory, ReflectionFactory, TeamFactory, UserFactory

NOTES = "NOTES-MARKER-1f2e staying with silence"
THEMES = "THEMES-MARKER-3a4b pacing disclosure"
SCREENSHOTS = Path("/tmp/intervision-journey")  # noqa: S108 (screenshots of a failure)


def _member(team, first: str, role: Role = Role.PEER_PRACTITIONER, **extra):
    user = UserFactory(
        email=f"{first.lower()}@example.org", first_name=first, last_name="Example", **extra
    )
    if team is not None:
        MembershipFactory(user=user, team=team, role=role)
    return user


def _browser(new_context, pages: dict[str, Page], name: str) -> Page:
    context: BrowserContext = new_context()
    pages[name] = context.new_page()
    return pages[name]


def test_a_group_records_a_session_and_takes_a_summary_to_supervision(
    live_server, new_context, sign_in, axe_check, browser_errors
):
    pages: dict[str, Page] = {}
    try:
        _journey(pages, live_server, new_context, sign_in, axe_check, browser_errors)
    except BaseException:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name, page in pages.items():
            with contextlib.suppress(Exception):
                page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        raise


def _journey(pages, live_server, new_context, sign_in, axe_check, browser_errors) -> None:
    team = TeamFactory(name="Riverside")
    jo, alex, sam, kim = (_member(team, name) for name in ("Jo", "Alex", "Sam", "Kim"))
    ruth = _member(team, "Ruth", Role.SUPERVISOR)
    lead = _member(team, "Chris", Role.TEAM_LEAD)
    admin = _member(None, "Dana", is_staff=True, is_superuser=True)
    group = IntervisionGroup.objects.create(team=team, name="Thursday circle", facilitator=jo)
    group.members.add(alex, sam, kim)
    GroupSupervisionLink.objects.create(group=group, supervisor=ruth)
    Share.objects.create(
        reflection=ReflectionFactory(author=alex, status=Status.FINAL), group=group
    )
    group_url = f"{live_server.url}/intervision/groups/{group.pk}/"

    # Jo writes the group's agreement.
    jo_page = _browser(new_context, pages, "jo")
    sign_in(jo_page, jo)
    jo_page.get_by_role("link", name="Intervision").first.click()
    axe_check(jo_page)
    jo_page.get_by_role("link", name="Thursday circle").click()
    axe_check(jo_page)
    jo_page.get_by_role("link", name="Write the agreement").click()
    axe_check(jo_page)
    jo_page.get_by_label("What is recorded").fill("Dates, who came, and themes.")
    jo_page.get_by_label("Who may read").fill("Those of us who were there.")
    jo_page.get_by_label("Limits of confidentiality").fill("Someone's safety.")
    jo_page.get_by_label("What would be taken to supervision").fill("A summary we agree.")
    jo_page.get_by_role("button", name="Save the agreement").click()
    expect(jo_page).to_have_url(group_url)
    axe_check(jo_page)

    # Alex and Sam accept it before they see anything of the group's records.
    for person, name in ((alex, "alex"), (sam, "sam")):
        page = _browser(new_context, pages, name)
        sign_in(page, person)
        page.goto(group_url)
        expect(page.get_by_role("heading", name="Sessions")).to_have_count(0)
        axe_check(page)
        page.get_by_role("button", name="I accept this agreement").click()
        expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
        axe_check(page)
    alex_page, sam_page = pages["alex"], pages["sam"]

    # Jo records the session: who came, the round's roles, the note Alex brought.
    jo_page.goto(group_url)
    jo_page.get_by_role("link", name="Schedule or record a session").click()
    axe_check(jo_page)
    jo_page.get_by_label("Date").fill(timezone.localdate().isoformat())
    jo_page.get_by_label(re.compile("Duration")).fill("90")
    attendees = jo_page.get_by_role("group", name=re.compile("Attendees"))
    for name in ("Jo Example", "Alex Example", "Sam Example"):
        attendees.get_by_label(name).check()
    jo_page.get_by_label("Presenter").select_option(label="Alex Example")
    jo_page.get_by_label("Facilitator of this round").select_option(label="Jo Example")
    jo_page.get_by_label(re.compile("Note.taker")).select_option(label="Sam Example")
    jo_page.get_by_role("group", name=re.compile("Notes brought")).get_by_role(
        "checkbox"
    ).first.check()
    jo_page.get_by_role("button", name="Save the session").click()
    session = IntervisionSession.objects.get(group=group)
    expect(jo_page).to_have_url(f"{live_server.url}{session.get_absolute_url()}")
    axe_check(jo_page)

    # Sam, the note-taker, writes the group's notes and drafts the summary.
    sam_page.goto(live_server.url + session.get_absolute_url())
    axe_check(sam_page)
    sam_page.get_by_label("The group's notes").fill(NOTES)
    sam_page.get_by_role("button", name="Save the notes").click()
    expect(sam_page.get_by_text(NOTES)).to_be_visible()
    sam_page.get_by_role("link", name="Draft the summary").click()
    axe_check(sam_page)
    sam_page.get_by_label("Themes").fill(THEMES)
    sam_page.get_by_label("Questions to take further").fill("When is a disclosure for us?")
    sam_page.get_by_role("button", name="Save the summary").click()
    summary = SupervisionSummary.objects.get(session=session)
    expect(sam_page).to_have_url(f"{live_server.url}{summary.get_absolute_url()}")
    axe_check(sam_page)

    # Those who attended agree, each in their own browser.
    agree = "I agree to share this summary with our supervisor"
    for page in (sam_page, alex_page, jo_page):
        page.goto(live_server.url + summary.get_absolute_url())
        page.get_by_role("button", name=agree).click()
        expect(page.get_by_role("button", name=agree)).to_have_count(0)
        axe_check(page)
    summary.refresh_from_db()
    assert summary.is_agreed

    # Ruth's digest counts the summary: a line with a number and a link, no words of it.
    before = len(mail.outbox)
    call_command("send_digests", stdout=StringIO())
    [digest] = [m for m in mail.outbox[before:] if ruth.email in m.to]
    assert "1 summary from the intervision groups you supervise is waiting" in digest.body
    for message in mail.outbox:
        for text in [message.subject, message.body] + [c for c, _ in message.alternatives]:
            assert NOTES not in text and THEMES not in text

    # Ruth opens it from her inbox, responds and marks it reviewed.
    ruth_page = _browser(new_context, pages, "ruth")
    sign_in(ruth_page, ruth)
    ruth_page.goto(live_server.url + "/supervision/")
    axe_check(ruth_page)
    ruth_page.locator(f"a[href='{summary.get_absolute_url()}']").first.click()
    expect(ruth_page.get_by_text(THEMES)).to_be_visible()
    expect(ruth_page.get_by_text(NOTES)).to_have_count(0)
    axe_check(ruth_page)
    ruth_page.get_by_label("Your response to the group").fill("Let us take pacing further.")
    ruth_page.get_by_role("button", name="Send response").click()
    expect(ruth_page.get_by_text("Let us take pacing further.")).to_be_visible()
    ruth_page.get_by_role("button", name="Mark reviewed").click()
    expect(ruth_page.get_by_role("button", name="Mark reviewed")).to_have_count(0)
    axe_check(ruth_page)
    # The session's notes are not hers: 404.
    session_url = live_server.url + session.get_absolute_url()
    response = ruth_page.goto(session_url)
    assert response.status == 404
    browser_errors.expected_not_found(session_url)

    # The group sees the response.
    alex_page.goto(live_server.url + summary.get_absolute_url())
    expect(alex_page.get_by_text("Let us take pacing further.")).to_be_visible()
    axe_check(alex_page)

    # Kim did not attend; the team lead and an admin are not of the group: 404.
    kim.agreements_accepted.create(agreement=group.agreement, version=group.agreement.version)
    for person, name in ((kim, "kim"), (lead, "lead"), (admin, "admin")):
        page = _browser(new_context, pages, name)
        sign_in(page, person)
        response = page.goto(session_url)
        assert response.status == 404, name
        browser_errors.expected_not_found(session_url)
        expect(page.get_by_text(NOTES)).to_have_count(0)
        axe_check(page)
    # Kim sees that the session took place, and not what was said.
    pages["kim"].goto(group_url)
    held_on = session.held_on.strftime("%-d %B %Y")
    expect(pages["kim"].get_by_role("cell", name=held_on, exact=True)).to_be_visible()
    expect(pages["kim"].get_by_role("link", name=held_on, exact=True)).to_have_count(0)
    axe_check(pages["kim"])
