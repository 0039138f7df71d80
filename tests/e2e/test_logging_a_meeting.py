"""Steps 2 and 3 in a real browser, as the issues tell them.

A peer practitioner signs in, logs a meeting with a network member added inline,
writes a reflection with two principle notes and a disclosure, sees the draft
saved, finishes it and finds it by a filter, and shares it with their
supervisor; a colleague who opens its URL gets 404; the supervisor finds it in
the inbox, responds and marks it reviewed; the author sees the response and the
read receipt. axe checks every page on the way.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import NetworkMeeting
from reflections.models import Reflection, Status
from teams.models import SupervisionLink
from tests.factories import NetworkFactory


def test_log_a_meeting_then_reflect_on_it(
    page: Page, live_server, team, author, colleague, supervisor, sign_in, axe_check, browser_errors
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    network = NetworkFactory(team=team, reference="Rowan", person="Kai")
    yesterday = timezone.localdate() - timedelta(days=1)
    sign_in(page, author)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Networks").click()
    axe_check(page)
    page.get_by_role("link", name=re.compile("Rowan")).first.click()
    axe_check(page)
    page.get_by_role("button", name="Log a meeting").click()
    axe_check(page)

    # The person at the centre first: the meeting is theirs.
    page.get_by_role("group", name=re.compile("Was Kai at the meeting")).get_by_label(
        "In person"
    ).check()
    page.locator("[name=starts_at_0]").fill(yesterday.isoformat())
    page.locator("[name=starts_at_1]").fill("14:30")
    page.get_by_label("How long did it last?").fill("90")
    page.get_by_role("group", name=re.compile("Where was it")).get_by_label("Home").check()
    page.get_by_role("group", name=re.compile("Practitioners present")).get_by_label(
        str(colleague)
    ).check()

    # A network member added inline, without leaving the form.
    page.get_by_role("link", name="Add a network member").click()
    page.get_by_label("First name or role").fill("Mum")
    page.get_by_role("group", name=re.compile("Relationship")).get_by_label(
        "Parent", exact=True
    ).check()
    axe_check(page)
    page.get_by_role("button", name="Add and tick").click()
    expect(page.get_by_text("Mum was added to the network and ticked.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Mum")).to_be_checked()
    page.get_by_role("button", name="Save meeting").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting on")
    axe_check(page)
    meeting = NetworkMeeting.objects.get(network=network)
    assert [m.name for m in meeting.members_present.all()] == ["Mum"]
    assert meeting.person_attendance == "in_person"
    assert {p.pk for p in meeting.practitioners.all()} == {author.pk, colleague.pk}

    page.get_by_role("button", name="Write a reflection on this meeting").click()
    # The editor of a note not created yet: its first autosave creates it.
    expect(page).to_have_url(re.compile(r"/reflections/new/edit/\?meeting=\d+$"))
    # Typing before htmx has wired the form up would send no autosave: a person
    # cannot type that fast, a test can.
    page.wait_for_load_state()
    page.get_by_label("What happened between us").fill("Mum spoke first today.")
    expect(page.get_by_role("status")).to_contain_text("Draft saved at", timeout=15_000)
    expect(page).to_have_url(re.compile(r"/reflections/\d+/edit/$"))
    axe_check(page)
    page.get_by_label("My note on attunement").fill("The brother's silence said a lot.")
    page.get_by_label("My note on validation").fill("I told Mum her fear made sense.")
    page.get_by_role("group", name="Did I disclose?").get_by_label("Yes, in the dialogue").check()
    page.get_by_label("What I shared, in a few words").fill("That I had been there too.")
    page.get_by_role("group", name="Did it feel safe?").get_by_label("Partly").check()
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_text("Your reflection is finished")).to_be_visible()
    axe_check(page)
    reflection = Reflection.objects.get(author=author, meeting=meeting)
    assert reflection.status == Status.FINAL
    assert reflection.principle_notes.count() == 2

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My reflections").click()
    expect(page).to_have_url(re.compile(r"/reflections/$"))
    page.wait_for_load_state()  # htmx must have wired the filters before they change
    page.get_by_label("Principle").select_option(label="Validation")
    expect(page).to_have_url(re.compile(r"principle=validation"))
    expect(page.locator("#timeline-results")).to_contain_text("1 reflection.")
    expect(page.locator("#timeline-results")).to_contain_text("Rowan")
    axe_check(page)

    # The author shares the note with their supervisor.
    page.goto(f"{live_server.url}/reflections/{reflection.pk}/")
    page.get_by_role("button", name="Share").click()
    axe_check(page)
    page.get_by_role("group", name=re.compile("My supervisors")).get_by_label(
        str(supervisor)
    ).check()
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_text(f"Shared with {supervisor}")).to_be_visible()
    axe_check(page)

    # The colleague who was in the same meeting cannot open the note.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, colleague)
    url = f"{live_server.url}/reflections/{reflection.pk}/"
    response = page.goto(url)
    assert response.status == 404
    expect(page.get_by_text("The brother's silence")).to_have_count(0)
    axe_check(page)
    browser_errors.expected_not_found(url)

    # The supervisor finds it in the inbox, responds in place and marks it reviewed.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, supervisor)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Supervision").click()
    axe_check(page)
    page.get_by_role("link", name=re.compile("Rowan")).click()
    expect(page.get_by_text("The brother's silence said a lot.")).to_be_visible()
    expect(page.get_by_text("That I had been there too.")).to_have_count(0)  # not included
    axe_check(page)
    page.get_by_label("Your response").fill("Thank you. Let's talk about the silence.")
    page.get_by_role("button", name="Send response").click()
    expect(page.locator("#thread")).to_contain_text("Let's talk about the silence.")
    axe_check(page)
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("Marked as reviewed.")).to_be_visible()

    # The author sees the response, the review and who read it when.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, author)
    page.goto(f"{live_server.url}/reflections/{reflection.pk}/")
    expect(page.get_by_text("Let's talk about the silence.")).to_be_visible()
    # Said twice: the "Reviewed" news tag and the share's own state.
    expect(page.get_by_text(re.compile("Reviewed")).first).to_be_visible()
    expect(page.get_by_role("table", name="Who has read it")).to_contain_text(supervisor.first_name)
    axe_check(page)
