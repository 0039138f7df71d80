"""Every create form, sent twice on a slow line, creates one record (security/submissions.py).

Each POST to the form's endpoint is held back for a moment, as on a slow
connection, and then sent on by Playwright itself (`route.fetch`), so that it
reaches the server even when the browser has moved on to a newer submit: what
is tested is the server's check of the form key, not the browser's or the
design system's guard against a second click.

A double click does not send a plain form twice in Chromium (nhsuk's
data-prevent-double-click swallows the second click where it is set, and
Chromium replaces the first submit by the second before either leaves), so the
page submits the form a second time while the first is held. For htmx forms a
double click is tried first (htmx drops the second request), then the same form
is sent twice with htmx's header, as a retried request. Then there is exactly
one record per key, the second answer was the duplicate's (a 303 to the first
one's result, or 204 for htmx), and the page ends on the record.
"""

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from meetings.models import Activity, Network, NetworkMeeting, NetworkMember
from reflections.models import Reflection, Status
from security.submissions import ALREADY_SENT
from supervision.models import Addendum, Response, Share, SupervisionSession
from teams.models import SupervisionLink
from tests.factories import NetworkFactory, ReflectionFactory

# Long enough for the second submit to leave the browser while the first is held.
HOLD_SECONDS = 0.8
YESTERDAY = timezone.localdate() - timedelta(days=1)


class HeldPosts:
    """Holds back every POST to `url`, then sends it on; records what each carried."""

    def __init__(self, page: Page, url: str) -> None:
        self.sent: list[tuple[str, int]] = []  # (form_key, status)
        page.route(re.compile(re.escape(url) + r"(\?.*)?$"), self._hold)

    def _hold(self, route: Route) -> None:
        request = route.request
        if request.method != "POST":
            route.continue_()
            return
        time.sleep(HOLD_SECONDS)
        key = parse_qs(request.post_data or "").get("form_key", [""])[0]
        response = route.fetch(max_redirects=0)
        self.sent.append((key, response.status))
        # The browser may have given up on it for the newer submit.
        with contextlib.suppress(PlaywrightError):
            route.fulfill(response=response)

    def wait_for(self, count: int, page: Page) -> None:
        deadline = time.monotonic() + 10
        while len(self.sent) < count and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert len(self.sent) >= count, f"{len(self.sent)} POSTs reached the server"


@dataclass
class Case:
    user: object
    page_url: str  # where the form is
    post_url: str  # where it posts
    fill: Callable[[Page], None]
    button: str
    count: Callable[[], int]
    shows: str  # after the send: a regex of the URL, or (htmx) a text on the page
    htmx: bool = False


def _final_note(author):
    return ReflectionFactory(author=author, status=Status.FINAL, finished_at=timezone.now())


def _log_a_meeting(author, team, **_) -> Case:
    network = NetworkFactory(team=team, reference="Rowan")
    url = reverse("meetings:meeting_create", args=[network.pk])

    def fill(page: Page) -> None:
        page.locator("[name=person_attendance][value=in_person]").check()
        page.locator("[name=starts_at_0]").fill(YESTERDAY.isoformat())
        page.locator("[name=starts_at_1]").fill("14:30")
        page.locator("[name=duration_minutes]").fill("90")
        page.locator("[name=place][value=home]").check()

    return Case(
        author,
        url,
        url,
        fill,
        "Save meeting",
        NetworkMeeting.objects.count,
        r"/meetings/\d+/$",
    )


def _add_a_network(author, **_) -> Case:
    url = reverse("meetings:network_create")

    def fill(page: Page) -> None:
        page.locator("[name=reference]").fill("Rowan")
        page.locator("[name=person_name]").fill("Kai")
        page.locator("[name=opened_on]").fill("2026-01-05")

    return Case(author, url, url, fill, "Add network", Network.objects.count, r"/networks/\d+/$")


def _add_a_network_member(author, team, **_) -> Case:
    network = NetworkFactory(team=team, reference="Rowan")
    url = reverse("meetings:member_create", args=[network.pk])

    def fill(page: Page) -> None:
        page.locator("[name=member-name]").fill("Mum")
        page.locator("[name=member-relationship][value=parent]").check()

    return Case(
        author,
        url,
        url,
        fill,
        "Add to the network",
        NetworkMember.objects.around_the_person().count,
        r"/networks/\d+/$",
    )


def _add_a_member_in_the_meeting_form(author, team, **_) -> Case:
    network = NetworkFactory(team=team, reference="Rowan")

    def fill(page: Page) -> None:
        page.wait_for_load_state()  # htmx must have wired the link up
        page.get_by_role("link", name="Add a network member").click()
        page.get_by_label("First name or role").fill("Mum")
        page.locator("[name=member-relationship][value=parent]").check()

    return Case(
        author,
        reverse("meetings:meeting_create", args=[network.pk]),
        reverse("meetings:member_create", args=[network.pk]),
        fill,
        "Add and tick",
        NetworkMember.objects.around_the_person().count,
        "Mum was added to the network and ticked.",
        htmx=True,
    )


def _write_a_reflection(author, **_) -> Case:
    # The editor "Write a reflection" opens; its first save creates the note.
    url = reverse("reflections:create")

    def fill(page: Page) -> None:
        page.get_by_label("What happened between us").fill("Mum spoke first today.")

    return Case(
        author,
        url,
        url,
        fill,
        "Save draft",
        Reflection.objects.count,
        r"/reflections/\d+/edit/$",
    )


def _log_other_work(author, **_) -> Case:
    url = reverse("meetings:activity_create")

    def fill(page: Page) -> None:
        page.locator("[name=kind]").select_option("admin")
        page.locator("[name=duration_minutes]").fill("45")

    return Case(
        author,
        url,
        url,
        fill,
        "Log this work",
        Activity.objects.count,
        r"/other-work/new/$",
    )


def _share_a_note(author, supervisor, **_) -> Case:
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = _final_note(author)
    url = reverse("supervision:share", args=[note.pk])

    def fill(page: Page) -> None:
        page.locator(f"[name=supervisors][value='{supervisor.pk}']").check()

    return Case(author, url, url, fill, "Share", Share.objects.count, r"/reflections/\d+/$")


def _respond(author, supervisor, **_) -> Case:
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    share = Share.objects.create(reflection=_final_note(author), supervisor=supervisor)

    def fill(page: Page) -> None:
        page.wait_for_load_state()  # htmx must have wired the form up
        page.locator("[name=text]").fill("Let's talk about the silence.")

    return Case(
        supervisor,
        share.get_absolute_url(),
        reverse("supervision:respond", args=[share.pk]),
        fill,
        "Send response",
        Response.objects.count,
        "Let's talk about the silence.",
        htmx=True,
    )


def _add_an_addendum(author, supervisor, **_) -> Case:
    # The form shows on a note that a response has locked.
    note = _final_note(author)
    share = Share.objects.create(reflection=note, supervisor=supervisor)
    Response.objects.create(share=share, author=supervisor, text="Thank you.")

    def fill(page: Page) -> None:
        page.locator("[name=text]").fill("Something I understood later.")

    return Case(
        author,
        note.get_absolute_url(),
        reverse("supervision:addendum", args=[note.pk]),
        fill,
        "Add to this note",
        Addendum.objects.count,
        r"/reflections/\d+/$",
    )


def _record_a_session(author, supervisor, **_) -> Case:
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    url = reverse("supervision:sessions")

    def fill(page: Page) -> None:
        page.locator("[name=supervisee]").select_option(str(author.pk))
        page.locator("[name=held_on]").fill(YESTERDAY.isoformat())
        page.locator("[name=duration]").fill("50")

    return Case(
        supervisor,
        url,
        url,
        fill,
        "Record session",
        SupervisionSession.objects.count,
        r"/supervision/sessions/$",
    )


CASES = {
    "log a meeting": _log_a_meeting,
    "add a network": _add_a_network,
    "add a network member": _add_a_network_member,
    "add a member in the meeting form": _add_a_member_in_the_meeting_form,
    "write a reflection": _write_a_reflection,
    "log other work": _log_other_work,
    "share a note": _share_a_note,
    "respond to a shared note": _respond,
    "add an addendum": _add_an_addendum,
    "record a supervision session": _record_a_session,
}

SUBMIT_TWICE = """button => {
    const form = button.form;
    form.requestSubmit(button);
    setTimeout(() => form.requestSubmit(button), 200);
}"""

IN_OTHER_WORDS = """button => {
    const field = [...button.form.elements].find(
        (e) => e.tagName === "TEXTAREA" || (e.tagName === "INPUT" && e.type === "text"),
    );
    field.value += " 2";
}"""

# What htmx itself does not do: send the same form twice at once. The page's
# own fetch, with htmx's headers, as a retried request would come.
HTMX_TWICE = """(button, url) => {
    const form = button.form;
    const send = () => fetch(url, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: {"HX-Request": "true"},
    });
    send();
    setTimeout(send, 200);
}"""


@pytest.mark.parametrize("name", list(CASES))
def test_a_form_sent_twice_creates_one_record(
    name, page: Page, live_server, team, author, colleague, supervisor, sign_in, browser_errors
):
    case = CASES[name](author=author, colleague=colleague, supervisor=supervisor, team=team)
    sign_in(page, case.user)
    page.goto(live_server.url + case.page_url)
    case.fill(page)
    held = HeldPosts(page, case.post_url)
    button = page.get_by_role("button", name=case.button, exact=True)

    if not case.htmx:
        # Chromium itself sends one request for a double click on these buttons
        # (and nhsuk's data-prevent-double-click swallows the second click), so
        # the page submits the form a second time while the first is held.
        button.evaluate(SUBMIT_TWICE)
    else:
        # A double click first: htmx sends one request and drops the other.
        button.dblclick()
        held.wait_for(1, page)
        expect(page.get_by_text(case.shows).first).to_be_visible()
        page.wait_for_timeout(HOLD_SECONDS * 1000 + 300)
        assert case.count() == 1
        # Then the same form sent twice, as a retried request would come.
        held.sent.clear()
        page.goto(page.url)
        case.fill(page)
        # In other words than the first: the same words again within minutes
        # would be taken as the same submission (security/submissions.py).
        button.evaluate(IN_OTHER_WORDS)
        button.evaluate(HTMX_TWICE, live_server.url + case.post_url)

    held.wait_for(2, page)
    keys = {key for key, _ in held.sent}
    statuses = [status for _, status in held.sent]
    assert len(keys) == 1 and "" not in keys, held.sent
    if case.htmx:
        assert sorted(statuses) == [200, 204], held.sent
        assert case.count() == 2  # one from the double click, one from the two sends
    else:
        assert statuses[0] == 302 and statuses[1] == 303, held.sent
        assert case.count() == 1
        expect(page).to_have_url(re.compile(case.shows))
        expect(page.get_by_text(ALREADY_SENT)).to_be_visible()


@pytest.mark.parametrize("name", ["write a reflection", "log other work"])
def test_back_and_submit_again_creates_one_record(
    name, page: Page, live_server, team, author, colleague, supervisor, sign_in
):
    # Pages are no-store, so Back renders the form anew, with a new key.
    case = CASES[name](author=author, colleague=colleague, supervisor=supervisor, team=team)
    sign_in(page, case.user)
    page.goto(live_server.url + case.page_url)
    case.fill(page)
    page.get_by_role("button", name=case.button, exact=True).click()
    expect(page).to_have_url(re.compile(case.shows))

    page.go_back()
    case.fill(page)
    page.get_by_role("button", name=case.button, exact=True).click()

    expect(page.get_by_text(ALREADY_SENT)).to_be_visible()
    assert case.count() == 1
