"""The same draft in two tabs, and requests that carry none of the form: in Chromium.

Step 7's faults 1 and 5: an older tab overwrote newer text while saying "Draft
saved", and an autosave with an empty body blanked every field.
"""

from playwright.sync_api import Page, expect

from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote, Reflection

TAB_A_TEXT = "Tab A: Mum spoke first today, and the brother listened."
TAB_B_TEXT = "Tab B: written in the old tab."


def open_editor(page: Page, live_server, reflection) -> None:
    page.goto(f"{live_server.url}/reflections/{reflection.pk}/edit/")
    # Typing before the page's modules have wired the form would send no autosave.
    page.wait_for_load_state()


def test_an_older_tab_learns_of_the_newer_text_instead_of_overwriting_it(
    page: Page, live_server, author, meeting, sign_in, axe_check, browser_errors
):
    reflection = Reflection.objects.create(author=author, meeting=meeting, text="First words.")
    sign_in(page, author)
    tab_a = page
    tab_b = page.context.new_page()
    open_editor(tab_a, live_server, reflection)
    open_editor(tab_b, live_server, reflection)

    tab_a.get_by_label("What happened between us").fill(TAB_A_TEXT)
    expect(tab_a.get_by_role("status")).to_contain_text("Draft saved at", timeout=15_000)

    # In the old tab the person clicks into the text and out again, then types.
    main_text_b = tab_b.get_by_label("What happened between us")
    main_text_b.click()
    tab_b.get_by_label("My note on attunement").click()
    main_text_b.fill(TAB_B_TEXT)
    tab_b.get_by_label("My note on attunement").click()

    status_b = tab_b.get_by_role("status")
    expect(status_b).to_contain_text("Not saved", timeout=15_000)
    expect(status_b).to_contain_text("changed in another tab or window")
    expect(status_b).not_to_contain_text("Draft saved")
    expect(main_text_b).to_have_value(TAB_B_TEXT)  # still in front of the person
    reflection.refresh_from_db()
    assert reflection.text == TAB_A_TEXT  # nothing overwritten

    # Comparing shows both versions side by side, and the form keeps tab B's text.
    tab_b.once("dialog", lambda dialog: dialog.accept())  # leaving a page with unsaved text
    tab_b.get_by_role("button", name="Compare the two versions").click()
    expect(
        tab_b.get_by_role("heading", name="Not saved: this changed after you opened it")
    ).to_be_visible()
    table = tab_b.locator(".app-conflict__table")
    expect(table).to_contain_text(TAB_A_TEXT)
    expect(table).to_contain_text(TAB_B_TEXT)
    axe_check(tab_b)

    # Merging by hand: both paragraphs, then save.
    merged = f"{TAB_A_TEXT}\n{TAB_B_TEXT}"
    tab_b.get_by_label("What happened between us").fill(merged)
    tab_b.get_by_role("button", name="Save draft").click()
    expect(tab_b.get_by_text("Saved at")).to_be_visible()
    reflection.refresh_from_db()
    assert reflection.text.replace("\r\n", "\n") == merged  # a form sends CRLF
    # Every earlier state is kept as a version the author can restore.
    assert {v.data()["text"] for v in reflection.versions.all()} >= {"First words.", TAB_A_TEXT}
    browser_errors.problems = [p for p in browser_errors.problems if "dialog" not in p]
    for path in ("autosave", "edit"):
        browser_errors.expected_status(
            409, f"{live_server.url}/reflections/{reflection.pk}/{path}/"
        )


def test_an_autosave_without_the_form_fields_changes_nothing(
    page: Page, live_server, author, meeting, sign_in, browser_errors
):
    reflection = Reflection.objects.create(author=author, meeting=meeting, text="Kept text.")
    attunement = Principle.objects.get(slug="attunement")
    PrincipleNote.objects.create(reflection=reflection, principle=attunement, text="Kept note.")
    Disclosure.objects.create(reflection=reflection, disclosed="dialogue", what_shared="Kept.")
    sign_in(page, author)
    open_editor(page, live_server, reflection)

    # What a buggy client, a proxy or an attacker with the page's token could send.
    answers = page.evaluate(
        """async (url) => {
          const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
          const send = (body, type) => fetch(url, {
            method: "POST", body,
            headers: {"X-CSRFToken": token, "Accept": "application/json",
                      ...(type ? {"Content-Type": type} : {})},
          }).then((r) => r.status);
          const onlyText = new FormData();
          onlyText.append("text", "Only the main text.");
          onlyText.append("revision", "1");
          return [
            await send(new FormData()),
            await send("--x\\r\\ngarbled", "multipart/form-data; boundary=y"),
            await send(onlyText),
          ];
        }""",
        f"{live_server.url}/reflections/{reflection.pk}/autosave/",
    )

    assert answers == [400, 400, 200]
    browser_errors.expected_status(400, f"{live_server.url}/reflections/{reflection.pk}/autosave/")
    reflection.refresh_from_db()
    assert reflection.text == "Only the main text."
    assert reflection.principle_notes.get().text == "Kept note."
    assert reflection.disclosure.disclosed == "dialogue"
    assert reflection.disclosure.what_shared == "Kept."
    # The page in front of the person was not touched either.
    expect(page.get_by_label("My note on attunement")).to_have_value("Kept note.")
