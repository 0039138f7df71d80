"""Aftercare in a real browser, on a phone: after a costly self-disclosure the
author's page of the note offers a conversation with their supervisor and the
team's support information; the author shares with the request ticked; the
supervisor sees the request and nothing about the offer. axe-core on each page,
no page wider than the screen."""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from reflections.models import Disclosed, Disclosure, Reflection, Status
from supervision.models import Share
from teams.models import SupervisionLink
from tests.e2e.conftest import PHONE

SUPPORT = "Talk to Sol, our staff wellbeing lead, any weekday."


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a 360px screen"


def test_a_costly_disclosure_offers_a_conversation_and_support(
    phone: Page, live_server, team, author, supervisor, meeting, sign_in, axe_check
):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    team.support_information = SUPPORT
    team.save()
    note = Reflection.objects.create(
        author=author,
        meeting=meeting,
        text="I spoke about my own time in hospital.",
        status=Status.FINAL,
        finished_at=timezone.now(),
        wellbeing=1,
    )
    Disclosure.objects.create(reflection=note, disclosed=Disclosed.IN_DIALOGUE, emotional_cost=4)
    page = sign_in(phone, author)

    page.goto(f"{live_server.url}/reflections/{note.pk}/")
    offer = page.get_by_role("region", name="After this meeting")
    expect(offer).to_contain_text("Only you can see this")
    expect(offer).to_contain_text(SUPPORT)
    axe_check(page)
    assert_fits_the_phone(page)

    offer.get_by_role("link", name=re.compile("and ask for a conversation")).click()
    expect(page.get_by_role("checkbox", name=str(supervisor))).to_be_checked()
    expect(page.get_by_label(re.compile("I would like to talk with my supervisor"))).to_be_checked()
    axe_check(page)
    assert_fits_the_phone(page)
    page.get_by_role("button", name="Share", exact=True).click()

    expect(page.get_by_text(f"Shared with {supervisor}")).to_be_visible()
    expect(page.get_by_role("region", name="After this meeting")).to_contain_text(
        f"You asked {supervisor} for a conversation"
    )
    share = Share.objects.get(reflection=note, supervisor=supervisor)
    assert share.talk_asked_at is not None
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, supervisor)
    page.goto(f"{live_server.url}/supervision/")
    expect(page.get_by_text("Asks for a conversation")).to_be_visible()
    axe_check(page)
    page.goto(f"{live_server.url}{share.get_absolute_url()}")
    expect(page.get_by_text(re.compile("would like to talk with you about how"))).to_be_visible()
    expect(page.get_by_text(SUPPORT)).to_have_count(0)
    expect(page.get_by_role("region", name="After this meeting")).to_have_count(0)
    axe_check(page)
    assert_fits_the_phone(page)
