"""Writing a reflection in a real browser: autosave, finish, find it again, privacy."""

import re

from playwright.sync_api import Page, expect

from reflections.models import Reflection, Status


def test_a_peer_writes_a_reflection_that_saves_itself(
    page: Page, live_server, author, colleague, meeting, sign_in, axe_check
):
    sign_in(page, author)
    expect(page.get_by_role("heading", name="Meetings waiting for a reflection")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name=re.compile("Reflect on this meeting")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Birch")
    axe_check(page)
    # Opening the editor creates nothing: the meeting still waits for a reflection.
    assert not Reflection.objects.exists()

    # Typing before static/js/autosave.js has taken the form would send no
    # autosave: a person cannot type that fast, a test can.
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    page.get_by_label("What happened between us").fill("Mum spoke first today.")
    # Autosave: a few seconds after typing stops, the status line says when.
    expect(page.get_by_role("status")).to_contain_text("Draft saved at", timeout=15_000)
    reflection = Reflection.objects.get(author=author)
    assert reflection.text == "Mum spoke first today."
    # The first save created the note, and the address bar now names it: a
    # reload finds it.
    expect(page).to_have_url(re.compile(rf"/reflections/{reflection.pk}/edit/$"))
    page.reload()
    expect(page.get_by_label("What happened between us")).to_have_value("Mum spoke first today.")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)

    page.get_by_label("My note on attunement").fill("The brother's silence said a lot.")
    page.get_by_label("My note on validation").fill("I told Mum her fear made sense.")
    page.get_by_role("group", name="How present was attunement in the meeting?").get_by_label(
        "Clearly"
    ).check()
    page.get_by_role("group", name="Did I disclose?").get_by_label("Yes, in the dialogue").check()
    page.get_by_label("What I shared, in a few words").fill("That I had been there too.")
    page.get_by_role("group", name="Its emotional cost to me").get_by_label("3").check()
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_text("Your reflection is finished")).to_be_visible()
    axe_check(page)
    reflection.refresh_from_db()
    assert reflection.status == Status.FINAL
    assert reflection.disclosure.what_shared == "That I had been there too."

    # Found again in My reflections by a filter, updated in place.
    page.goto(live_server.url + "/reflections/")
    page.get_by_label("With a disclosure").check()
    expect(page).to_have_url(re.compile(r"disclosure=on"))
    expect(page.locator("#timeline-results")).to_contain_text("1 reflection.")
    expect(page.locator("#timeline-results")).to_contain_text("Birch")
    axe_check(page)


def test_a_colleague_who_opens_the_link_gets_404(
    page: Page, live_server, author, colleague, meeting, sign_in, browser_errors
):
    reflection = Reflection.objects.create(author=author, meeting=meeting, text="Private.")
    sign_in(page, colleague)
    url = f"{live_server.url}/reflections/{reflection.pk}/"

    response = page.goto(url)

    assert response.status == 404
    expect(page.get_by_text("Private.")).to_have_count(0)
    browser_errors.expected_not_found(url)


def test_the_reflection_form_fits_a_phone(
    phone: Page, live_server, author, meeting, sign_in, axe_check
):
    reflection = Reflection.objects.create(author=author, meeting=meeting)
    sign_in(phone, author)

    phone.goto(f"{live_server.url}/reflections/{reflection.pk}/edit/")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(phone)


def test_a_draft_is_discarded_after_asking(
    page: Page, live_server, author, meeting, sign_in, axe_check
):
    draft = Reflection.objects.create(author=author, meeting=meeting, text="Half a thought.")
    draft.keep_version()
    sign_in(page, author)
    page.goto(f"{live_server.url}/reflections/{draft.pk}/")

    page.get_by_role("link", name="Discard this draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Discard this draft?")
    axe_check(page)
    assert Reflection.objects.filter(pk=draft.pk).exists()
    page.get_by_role("button", name="Discard this draft").click()

    expect(page.get_by_text("Draft discarded")).to_be_visible()
    expect(page.get_by_role("heading", name="Meetings waiting for a reflection")).to_be_visible()
    assert not Reflection.objects.filter(pk=draft.pk).exists()


def test_a_first_autosave_whose_answer_is_lost_creates_one_note(
    page: Page, live_server, author, meeting, sign_in, browser_errors
):
    sign_in(page, author)
    page.goto(f"{live_server.url}/reflections/new/?meeting={meeting.pk}")
    expect(page.locator("form[data-autosave-ready]")).to_have_count(1)
    lost = []

    def lose_the_first_answer(route):
        if lost:
            route.continue_()
            return
        route.fetch()  # the server creates the note...
        lost.append(True)
        route.fulfill(status=408, body="")  # ...and its answer is lost on the way

    page.route(re.compile(r"/reflections/new/autosave/$"), lose_the_first_answer)
    page.get_by_label("What happened between us").fill("Written once.")

    # The retry carries the same form key: it is told which note was created,
    # and the page saves into that one.
    expect(page.get_by_role("status")).to_contain_text("Draft saved at", timeout=20_000)
    reflection = Reflection.objects.get(author=author)
    assert reflection.text == "Written once."
    expect(page).to_have_url(re.compile(rf"/reflections/{reflection.pk}/edit/$"))
    assert lost
    browser_errors.expected_status(408, f"{live_server.url}/reflections/new/autosave/")


def test_enter_in_the_search_box_asks_once_and_adds_one_history_entry(
    page: Page, live_server, author, meeting, sign_in
):
    """Enter fires both `change` and `submit` on the filters' form: the search box
    asks by typing and by Enter only, or the list was fetched twice and Back
    seemed to do nothing once. The other filters still ask when changed."""
    Reflection.objects.create(author=author, meeting=meeting, text="Mum spoke first today.")
    sign_in(page, author)
    page.goto(live_server.url + "/reflections/")
    search = page.get_by_label("Search my notes")
    search.fill("spoke")
    expect(page).to_have_url(re.compile(r"q=spoke"))  # the typing pause's own request
    expect(page.locator("#timeline-results")).to_contain_text("mentioning “spoke”")
    history = page.evaluate("history.length")
    answered: list[str] = []
    page.on("response", lambda response: answered.append(response.url))

    search.press("Enter")
    page.wait_for_timeout(1_500)  # every request Enter set off has been answered

    assert len([url for url in answered if "q=spoke" in url]) == 1
    assert page.evaluate("history.length") == history + 1
    page.get_by_label("Period").select_option(label="Last 30 days")
    expect(page).to_have_url(re.compile(r"period=30d"))
    expect(page.locator("#timeline-results")).to_contain_text("1 reflection mentioning")
    page.get_by_label("With a disclosure").check()
    expect(page).to_have_url(re.compile(r"disclosure=on"))
    expect(page.locator("#timeline-results")).to_contain_text("0 reflections mentioning")
