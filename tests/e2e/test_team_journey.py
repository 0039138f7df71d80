"""Step 9 in a real browser: a team from nothing to its first supervision.

An admin invites a team lead; the lead accepts from the email's link, chooses a
password and sets up two-step verification; the lead invites a peer
practitioner and a supervisor and adds the supervision between them. The peer
accepts, writes a reflection on a meeting, finishes it and shares it with the
supervisor; the supervisor (who sets up two-step verification too) responds.
The peer sees "New response" and, having chosen a digest, gets a digest email
with no word of the note. The supervisor records a session and the peer
confirms it. Each person has a browser of their own; axe checks every page.
"""

import contextlib
import re
import time
from io import StringIO
from pathlib import Path

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from reflections.models import Reflection, Status
from supervision.models import SessionKind, SupervisionSession
from teams.models import Role, SupervisionLink, User
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    TeamFactory,
    UserFactory,
)
from tests.totp import totp_code

NEW_PASSWORD = "a-river-runs-through-it-42"
# Written in the note: it must reach no email.
MARKER = "MARKER-9c1e the quiet brother"
SCREENSHOTS = Path("/tmp/journey")  # noqa: S108 (screenshots of a failure, for a person)
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")


def invitation_path(email: str) -> str:
    """The link in the newest invitation to `email`, as a path on this server."""
    message = [m for m in mail.outbox if email in m.to][-1]
    url = LINK.search(message.body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)


def invite(page: Page, axe_check, first_name: str, email: str, role: str) -> None:
    page.get_by_role("link", name="Invite someone").click()
    axe_check(page)
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill("Example")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("group", name=re.compile("Roles in the team")).get_by_label(
        role, exact=True
    ).check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text(f"Invitation sent to {email}.")).to_be_visible()
    axe_check(page)


def accept(page: Page, live_server, axe_check, email: str) -> None:
    """Open the invitation's link, choose a password, sign in."""
    page.goto(live_server.url + invitation_path(email))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    axe_check(page)
    page.get_by_label("New Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New Password (again)", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Choose a new password")
    axe_check(page)
    if "/accounts/login/" not in page.url:
        page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def set_up_mfa(page: Page, axe_check) -> None:
    """Sent to set up an authenticator app; read the key the page shows as text."""
    # allauth asks for the password again before an authenticator is added.
    if "/accounts/reauthenticate/" in page.url:
        axe_check(page)
        page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    axe_check(page)
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.locator("#authenticator_secret").inner_text().strip().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]+", secret), secret
    page.get_by_label(re.compile("code", re.I)).fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    axe_check(page)


def person(new_context, pages: dict[str, Page], name: str) -> Page:
    """A person's own browser (context), so that sessions do not mix."""
    context: BrowserContext = new_context()
    pages[name] = context.new_page()
    return pages[name]


def screenshots(pages: dict[str, Page]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, page in pages.items():
        with contextlib.suppress(Exception):
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_a_team_from_invitation_to_confirmed_session(
    live_server, new_context, sign_in, axe_check, browser_errors
):
    pages: dict[str, Page] = {}
    try:
        journey(pages, live_server, new_context, sign_in, axe_check)
    except BaseException:
        screenshots(pages)  # /tmp/journey/<person>.png, for whoever looks into it
        raise


def journey(pages: dict[str, Page], live_server, new_context, sign_in, axe_check) -> None:
    started = time.monotonic()
    team = TeamFactory(name="Riverside")
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    team_url = f"{live_server.url}/teams/{team.pk}/"

    # The admin invites the team lead.
    admin_page = person(new_context, pages, "admin")
    sign_in(admin_page, admin)
    admin_page.goto(team_url)
    axe_check(admin_page)
    invite(admin_page, axe_check, "Lee", "lead@example.org", "Team lead")

    # The lead accepts, chooses a password and must set up two-step verification.
    lead_page = person(new_context, pages, "lead")
    accept(lead_page, live_server, axe_check, "lead@example.org")
    set_up_mfa(lead_page, axe_check)

    # The lead invites a supervisor and a peer practitioner, and links them.
    lead_page.goto(team_url)
    axe_check(lead_page)
    invite(lead_page, axe_check, "Sam", "sam@example.org", "Supervisor")
    invite(lead_page, axe_check, "Pat", "pat@example.org", "Peer practitioner")
    lead_page.get_by_role("link", name="Add supervision").click()
    axe_check(lead_page)
    lead_page.get_by_label("Supervisor").select_option(label="Sam Example")
    lead_page.get_by_label("Supervisee").select_option(label="Pat Example")
    lead_page.get_by_label("Since").fill(timezone.localdate().isoformat())
    lead_page.get_by_role("button", name="Add supervision").click()
    expect(lead_page.get_by_text("Supervision added.")).to_be_visible()
    expect(lead_page.locator("#supervision ~ .app-table-scroll table").first).to_contain_text(
        "Current"
    )
    axe_check(lead_page)
    sam = User.objects.get(email="sam@example.org")
    pat = User.objects.get(email="pat@example.org")
    assert SupervisionLink.objects.filter(supervisor=sam, supervisee=pat).exists()

    # A meeting Pat was in, with a colleague.
    colleague = UserFactory(email="colleague@example.org", first_name="Priya")
    MembershipFactory(user=colleague, team=team, role=Role.PRACTITIONER)
    meeting = NetworkMeetingFactory(network=NetworkFactory(team=team, reference="Willow"))
    PractitionerAttendanceFactory(meeting=meeting, practitioner=pat)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=colleague, role=Role.PRACTITIONER)

    # Pat accepts and writes a reflection on the meeting.
    pat_page = person(new_context, pages, "pat")
    accept(pat_page, live_server, axe_check, "pat@example.org")
    expect(pat_page.get_by_role("heading", name="My practice")).to_be_visible()
    axe_check(pat_page)
    pat_page.goto(f"{live_server.url}/reflections/new/edit/?meeting={meeting.pk}")
    expect(pat_page.locator("form[data-autosave-ready]")).to_have_count(1)
    axe_check(pat_page)
    pat_page.get_by_label("What happened between us").fill(f"{MARKER} spoke at last.")
    expect(pat_page.get_by_role("status")).to_contain_text("Draft saved at", timeout=20_000)
    pat_page.get_by_role("button", name="Finish").click()
    expect(pat_page.get_by_text("Your reflection is finished")).to_be_visible()
    axe_check(pat_page)
    reflection = Reflection.objects.get(author=pat, meeting=meeting)
    assert reflection.status == Status.FINAL

    pat_page.goto(f"{live_server.url}/reflections/{reflection.pk}/")
    axe_check(pat_page)
    pat_page.get_by_role("button", name="Share").click()
    axe_check(pat_page)
    pat_page.get_by_role("group", name=re.compile("My supervisors")).get_by_label(str(sam)).check()
    pat_page.get_by_role("button", name="Share").click()
    expect(pat_page.get_by_text(f"Shared with {sam}")).to_be_visible()
    axe_check(pat_page)

    # Pat chooses a daily digest on My practice.
    pat_page.goto(live_server.url + "/")
    pat_page.get_by_label("Daily, at 08:00").check()
    pat_page.get_by_role("button", name="Save my choice").click()
    expect(pat_page.get_by_text("Your digest choice is saved.")).to_be_visible()
    axe_check(pat_page)

    # Sam accepts, sets up two-step verification, finds the note and responds.
    sam_page = person(new_context, pages, "sam")
    accept(sam_page, live_server, axe_check, "sam@example.org")
    set_up_mfa(sam_page, axe_check)
    sam_page.goto(live_server.url + "/supervision/")
    axe_check(sam_page)
    sam_page.get_by_role("link", name=re.compile("Willow")).click()
    expect(sam_page.get_by_text(MARKER)).to_be_visible()
    axe_check(sam_page)
    sam_page.get_by_label("Your response").fill("Thank you. Let's talk about the brother.")
    sam_page.get_by_role("button", name="Send response").click()
    expect(sam_page.locator("#thread")).to_contain_text("Let's talk about the brother.")
    axe_check(sam_page)

    # Pat sees the new response, on My practice and on the note.
    pat_page.goto(live_server.url + "/")
    expect(pat_page.get_by_text("New response").first).to_be_visible()
    axe_check(pat_page)
    pat_page.goto(f"{live_server.url}/reflections/{reflection.pk}/")
    expect(pat_page.get_by_text("Let's talk about the brother.")).to_be_visible()
    axe_check(pat_page)

    # The digest task runs: Pat gets counts and a link, never the note.
    before = len(mail.outbox)
    call_command("send_digests", stdout=StringIO())
    digests = [m for m in mail.outbox[before:] if "pat@example.org" in m.to]
    assert len(digests) == 1, [m.subject for m in mail.outbox[before:]]
    digest = digests[0]
    assert "1" in digest.body and "/" in digest.body
    for message in mail.outbox:
        texts = [message.subject, message.body] + [c for c, _ in message.alternatives]
        for text in texts:
            assert MARKER not in text, f"the note's text is in {message.subject!r}"
            assert "Willow" not in text, f"the network is in {message.subject!r}"

    # Sam records a session; Pat confirms it.
    sam_page.goto(live_server.url + "/supervision/sessions/")
    axe_check(sam_page)
    sam_page.get_by_label("Supervisee").select_option(label="Pat Example")
    sam_page.get_by_label(re.compile("Duration")).fill("50")
    sam_page.get_by_role("group", name=re.compile("Type")).get_by_label("One-to-one").check()
    sam_page.get_by_role("button", name="Record session").click()
    expect(sam_page.get_by_text("Not yet confirmed by Pat Example.")).to_be_visible()
    axe_check(sam_page)
    session = SupervisionSession.objects.get(supervisor=sam, supervisee=pat)
    assert (session.duration, session.kind) == (50, SessionKind.ONE_TO_ONE)

    pat_page.goto(live_server.url + "/supervision/sessions/")
    expect(pat_page.get_by_text("50 minutes")).to_be_visible()
    axe_check(pat_page)
    pat_page.get_by_role("button", name="Confirm this record").click()
    expect(pat_page.get_by_text(re.compile("Confirmed by Pat Example on"))).to_be_visible()
    axe_check(pat_page)
    session.refresh_from_db()
    assert session.confirmed_at is not None

    assert time.monotonic() - started < 180
