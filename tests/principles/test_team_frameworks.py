"""Frameworks a team chooses (issue 15, part 2): Open Dialogue's seven principles
and a framework of the team's own, written by its lead on the team page.

A note carries a section for each framework enabled for its team; autosave,
versions and restore keep them; My reflections filters by any of them; the
dashboard counts a framework's principles only when notes use them, under the
same disclosure control; another team never sees a team's own framework.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from audit.models import Action, AuditEvent
from dashboards import dashboard, rollup
from dashboards.measures.base import Period
from principles.models import (
    MAX_OWN_PRINCIPLES,
    OPEN_DIALOGUE,
    PEER_PRACTICE,
    Framework,
    Principle,
    TeamFramework,
)
from reflections.models import PrincipleNote, Reflection
from teams.models import Membership, Role
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PEER_SLUGS = ["attunement", "validation", "connection-and-mutuality", "self-disclosure"]


def open_dialogue() -> Framework:
    return Framework.objects.get(slug=OPEN_DIALOGUE)


def dialogism() -> Principle:
    return Principle.objects.get(framework__slug=OPEN_DIALOGUE, slug="dialogism")


def own_framework(team, *principles: tuple[str, list[str]]) -> Framework:
    framework = Framework.create_for_team(team, "Riverside ways")
    for name, prompts in principles:
        framework.add_principle(name, f"What {name.lower()} means to us.", prompts)
    return framework


def editor_data(form_page, **overrides) -> dict[str, str]:
    """Every field the editor's page offers, empty, as a browser posts it."""
    form = form_page.context["form"]
    data = {name: "" for name in form.fields}
    data["revision"] = str(form.initial.get("revision", 1))
    data["_fields"] = "wants_supervision"
    data.pop("wants_supervision", None)
    data.update(overrides)
    return data


@pytest.fixture
def other_lead(other_team):
    user = UserFactory(email="lead@hillside.example.org")
    Membership.objects.create(user=user, team=other_team, role=Role.TEAM_LEAD)
    return user


# The team page: the lead writes the framework ---------------------------------------


def test_the_lead_writes_a_framework_with_prompts_and_it_is_audited(login, team, team_lead):
    client = login(team_lead)

    response = client.post(
        reverse("people:framework_add", args=[team.pk]),
        {"name": "Riverside ways", "citation": "Our away day, 2026."},
    )
    assert response.status_code == 302
    framework = Framework.objects.get(team=team)
    assert framework.slug == f"team-{team.pk}"
    # Enabled for the team at once.
    assert TeamFramework.objects.filter(team=team, framework=framework).exists()

    response = client.post(
        reverse("people:principle_add", args=[team.pk]),
        {
            "name": "Slowing down",
            "summary": "Leaving room before answering.",
            "prompt_1": "Where did I rush?",
            "prompt_2": "",
            "prompt_3": "What helped me slow down?",
        },
    )
    assert response.status_code == 302
    principle = framework.principles.get()
    assert principle.slug == "slowing-down"
    assert list(principle.prompts.values_list("text", flat=True)) == [
        "Where did I rush?",
        "What helped me slow down?",
    ]
    changes = list(
        AuditEvent.objects.filter(action=Action.TEAM_CHANGE, actor=team_lead)
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert [c["change"] for c in changes] == ["framework_added", "principle_added"]
    # Ids only, never the words.
    assert "Slowing" not in json.dumps(changes) and "rush" not in json.dumps(changes)

    page = client.get(reverse("people:team", args=[team.pk]))
    assert "Slowing down" in page.content.decode()
    assert "Where did I rush?" in page.content.decode()


def test_the_lead_changes_reorders_and_retires_a_principle(login, team, team_lead):
    framework = own_framework(team, ("Slowing down", ["Where did I rush?"]), ("Humour", []))
    slowing, humour = framework.principles.order_by("order")
    client = login(team_lead)

    client.post(reverse("people:principle_up", args=[team.pk, humour.pk]))
    assert list(framework.principles.order_by("order").values_list("name", flat=True)) == [
        "Humour",
        "Slowing down",
    ]

    response = client.post(
        reverse("people:principle_edit", args=[team.pk, slowing.pk]),
        {
            "name": "Slowing right down",
            "summary": "Leaving room.",
            "prompt_1": "Where did I rush?",
            "prompt_2": "Who needed more time?",
            "_fields": "retired",
            "retired": "on",
        },
    )
    assert response.status_code == 302
    slowing.refresh_from_db()
    assert slowing.name == "Slowing right down"
    assert slowing.is_retired
    assert slowing.slug == "slowing-down"  # kept through a rename
    assert slowing.prompts.count() == 2
    last = AuditEvent.objects.filter(action=Action.TEAM_CHANGE).latest("pk").detail
    assert last["change"] == "principle_changed"
    assert set(last["fields"]) == {"name", "summary", "retired", "prompts"}


def test_a_principle_with_notes_is_never_deleted(team, author):
    principle = own_framework(team, ("Humour", ["When did we laugh?"])).principles.get()
    PrincipleNote.objects.create(
        reflection=ReflectionFactory(author=author), principle=principle, text="We laughed."
    )

    with pytest.raises(ProtectedError):
        principle.delete()


def test_a_team_has_at_most_so_many_principles_of_its_own(team):
    framework = own_framework(team)
    for n in range(MAX_OWN_PRINCIPLES):
        framework.add_principle(f"Principle {n}", "About it.", [])

    with pytest.raises(ValidationError):
        framework.add_principle("One too many", "About it.", [])


def test_the_lead_turns_open_dialogue_on_and_off(login, team, team_lead):
    client = login(team_lead)
    switch = reverse("people:framework_switch", args=[team.pk, open_dialogue().pk])

    assert client.post(switch, {"enabled": "1"}).status_code == 302
    assert TeamFramework.objects.filter(team=team, framework=open_dialogue()).exists()
    assert client.post(switch, {"enabled": "0"}).status_code == 302
    assert not TeamFramework.objects.filter(team=team).exists()
    changes = AuditEvent.objects.filter(action=Action.TEAM_CHANGE).order_by("pk")
    assert [e.detail["change"] for e in changes] == ["framework_enabled", "framework_disabled"]
    assert {e.detail["framework_id"] for e in changes} == {open_dialogue().pk}


def test_the_peer_practice_principles_cannot_be_turned_off(login, team, team_lead):
    peer = Framework.objects.get(slug=PEER_PRACTICE)
    response = login(team_lead).post(
        reverse("people:framework_switch", args=[team.pk, peer.pk]), {"enabled": "0"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["author", "supervisor", "outsider", "other_lead"])
def test_only_the_lead_or_an_admin_of_the_team_changes_its_frameworks(request, login, team, who):
    framework = own_framework(team, ("Humour", ["When did we laugh?"]))
    principle = framework.principles.get()
    client = login(request.getfixturevalue(who))
    posts = [
        (reverse("people:framework_switch", args=[team.pk, open_dialogue().pk]), {"enabled": "1"}),
        (reverse("people:framework_add", args=[team.pk]), {"name": "Mine"}),
        (reverse("people:framework_edit", args=[team.pk]), {"name": "Mine"}),
        (
            reverse("people:principle_add", args=[team.pk]),
            {"name": "X", "summary": "Y", "prompt_1": "Z?"},
        ),
        (
            reverse("people:principle_edit", args=[team.pk, principle.pk]),
            {"name": "X", "summary": "Y", "prompt_1": "Z?"},
        ),
        (reverse("people:principle_up", args=[team.pk, principle.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert not TeamFramework.objects.filter(framework=open_dialogue()).exists()
    assert principle.name == Principle.objects.get(pk=principle.pk).name == "Humour"


def test_a_lead_cannot_reach_another_teams_framework_through_their_own_team(
    login, team, other_team, other_lead
):
    principle = own_framework(team, ("Humour", [])).principles.get()
    theirs = Framework.objects.get(team=team)
    client = login(other_lead)

    assert (
        client.post(
            reverse("people:framework_switch", args=[other_team.pk, theirs.pk]), {"enabled": "1"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("people:principle_edit", args=[other_team.pk, principle.pk])).status_code
        == 404
    )
    page = client.get(reverse("people:team", args=[other_team.pk])).content.decode()
    assert "Riverside ways" not in page and "Humour" not in page


def test_an_admin_runs_any_teams_frameworks(login, team, admin_user):
    response = login(admin_user).post(
        reverse("people:framework_add", args=[team.pk]), {"name": "Admin made"}
    )
    assert response.status_code == 302
    assert Framework.objects.get(team=team).name == "Admin made"


# Writing under them -----------------------------------------------------------------


def test_a_note_has_a_section_for_each_enabled_framework_peer_practice_first(
    login, team, author, meeting
):
    TeamFramework.objects.create(team=team, framework=open_dialogue())
    own_framework(team, ("Humour", ["When did we laugh together?"]))
    page = login(author).get(f"{reverse('reflections:create')}?meeting={meeting.pk}")
    html = page.content.decode()

    keys = [p.key for p in page.context["form"].principles]
    assert keys[:4] == PEER_SLUGS
    assert "open-dialogue__dialogism" in keys
    assert f"team-{team.pk}__humour" in keys
    assert html.index("The four peer practice principles") < html.index(
        "Open Dialogue treatment principles"
    )
    assert "When did we laugh together?" in html
    assert 'name="note_open-dialogue__dialogism"' in html
    # Collapsed until something is written under it.
    assert '<details class="nhsuk-details app-framework">' in html


def test_without_a_choice_a_note_has_only_the_peer_practice_principles(
    login, team, author, meeting
):
    page = login(author).get(f"{reverse('reflections:create')}?meeting={meeting.pk}")
    assert [p.key for p in page.context["form"].principles] == PEER_SLUGS
    assert "app-framework" not in page.content.decode()


def test_reflect_under_them_through_the_form_and_autosave(login, team, author, meeting):
    TeamFramework.objects.create(team=team, framework=open_dialogue())
    humour = own_framework(team, ("Humour", ["When did we laugh?"])).principles.get()
    client = login(author)
    page = client.get(f"{reverse('reflections:create')}?meeting={meeting.pk}")
    own_key = f"team-{team.pk}__humour"

    response = client.post(
        reverse("reflections:create_autosave"),
        editor_data(
            page,
            meeting=str(meeting.pk),
            **{
                "note_open-dialogue__dialogism": "Every voice was heard.",
                "presence_open-dialogue__dialogism": "clearly",
                "note_attunement": "I sensed the silence.",
            },
        ),
    )
    assert response.status_code == 200, response.content
    reflection = Reflection.objects.get(author=author, meeting=meeting)
    notes = {n.principle.key: n for n in reflection.principle_notes.select_related("principle")}
    assert notes["open-dialogue__dialogism"].text == "Every voice was heard."
    assert notes["open-dialogue__dialogism"].presence == "clearly"
    assert notes["attunement"].text == "I sensed the silence."

    # Then the ordinary editor, and its autosave, under the team's own framework.
    page = client.get(reverse("reflections:edit", args=[reflection.pk]))
    assert 'app-framework" open' in page.content.decode()  # written in: opened
    response = client.post(
        reverse("reflections:autosave", args=[reflection.pk]),
        {"revision": str(reflection.current_revision()), f"note_{own_key}": "We laughed."},
    )
    assert response.status_code == 200, response.content
    assert PrincipleNote.objects.get(reflection=reflection, principle=humour).text == "We laughed."
    # The rest is untouched by a save that did not carry it.
    assert PrincipleNote.objects.get(reflection=reflection, principle=dialogism()).text == (
        "Every voice was heard."
    )


def test_a_general_note_offers_the_frameworks_of_the_authors_teams(login, team, author):
    TeamFramework.objects.create(team=team, framework=open_dialogue())
    page = login(author).get(reverse("reflections:create"))
    assert "open-dialogue__dialogism" in [p.key for p in page.context["form"].principles]


def test_a_note_is_about_its_meetings_team_not_the_authors_other_team(
    login, team, other_team, author
):
    """The author practises in both teams; a meeting of the other team's network
    offers that team's frameworks, not this one's."""
    Membership.objects.create(user=author, team=other_team, role=Role.PEER_PRACTITIONER)
    own_framework(team, ("Humour", []))
    theirs = NetworkMeetingFactory(network=NetworkFactory(team=other_team, reference="Oak"))
    PractitionerAttendanceFactory(meeting=theirs, practitioner=author)

    page = login(author).get(f"{reverse('reflections:create')}?meeting={theirs.pk}")

    assert [p.key for p in page.context["form"].principles] == PEER_SLUGS


def test_a_post_cannot_write_under_a_framework_the_team_has_not_enabled(
    login, team, author, meeting
):
    client = login(author)
    reflection = ReflectionFactory(author=author, meeting=meeting, text="Started.")
    response = client.post(
        reverse("reflections:autosave", args=[reflection.pk]),
        {
            "revision": str(reflection.revision),
            "text": "Started, and more.",
            "note_open-dialogue__dialogism": "Sneaked in.",
        },
    )
    assert response.status_code == 200
    assert not PrincipleNote.objects.filter(reflection=reflection).exists()


def test_a_note_under_a_framework_turned_off_later_stays_and_shows(login, team, author, meeting):
    switched = TeamFramework.objects.create(team=team, framework=open_dialogue())
    reflection = ReflectionFactory(author=author, meeting=meeting, text="Written.")
    PrincipleNote.objects.create(
        reflection=reflection, principle=dialogism(), text="Every voice was heard."
    )
    PrincipleNote.objects.create(
        reflection=reflection,
        principle=Principle.objects.get(framework__slug=OPEN_DIALOGUE, slug="responsibility"),
        text="",
    )
    switched.delete()
    client = login(author)

    page = client.get(reverse("reflections:edit", args=[reflection.pk]))
    keys = [p.key for p in page.context["form"].principles]
    html = page.content.decode()

    # Only what the note has under it comes back, marked as kept.
    assert "open-dialogue__dialogism" in keys
    assert "open-dialogue__tolerance-of-uncertainty" not in keys
    assert "Every voice was heard." in html
    assert "no longer offers this principle" in html
    detail = client.get(reverse("reflections:detail", args=[reflection.pk])).content.decode()
    assert "Dialogism (Open Dialogue treatment principles)" in detail
    assert "Every voice was heard." in detail


def test_a_retired_principle_is_not_offered_but_its_notes_stay(login, team, author, meeting):
    framework = own_framework(team, ("Humour", []), ("Pace", []))
    humour, pace = framework.principles.order_by("order")
    pace.revise(name="Pace", summary=pace.summary, prompts=[], retired=True)
    client = login(author)

    fresh = client.get(f"{reverse('reflections:create')}?meeting={meeting.pk}")
    assert pace.key not in [p.key for p in fresh.context["form"].principles]
    assert humour.key in [p.key for p in fresh.context["form"].principles]

    reflection = ReflectionFactory(author=author, meeting=meeting)
    PrincipleNote.objects.create(reflection=reflection, principle=pace, text="Too fast.")
    page = client.get(reverse("reflections:edit", args=[reflection.pk]))
    assert pace.key in [p.key for p in page.context["form"].principles]


def test_versions_and_restore_round_trip_every_framework(team, author):
    TeamFramework.objects.create(team=team, framework=open_dialogue())
    framework = own_framework(team, ("Validation", ["Whose experience did we affirm?"]))
    ours = framework.principles.get()  # the same name as a peer practice principle
    peer_validation = Principle.objects.peer_practice().get(slug="validation")
    reflection = ReflectionFactory(author=author, text="First.")
    for principle, text in ((peer_validation, "Peer."), (ours, "Ours."), (dialogism(), "OD.")):
        PrincipleNote.objects.create(reflection=reflection, principle=principle, text=text)
    reflection = Reflection.objects.with_details().get(pk=reflection.pk)
    version = reflection.keep_version()
    # The team renames its principle afterwards: the version still finds it.
    ours.revise(name="Affirming", summary=ours.summary, prompts=[], retired=False)
    PrincipleNote.objects.filter(reflection=reflection).delete()

    reflection.restore(version)

    restored = {
        (n.principle_id, n.text) for n in PrincipleNote.objects.filter(reflection=reflection)
    }
    assert restored == {(peer_validation.pk, "Peer."), (ours.pk, "Ours."), (dialogism().pk, "OD.")}
    items = version.data()["principles"]
    peer_item = next(i for i in items if i["note"] == "Peer.")
    assert peer_item == {"principle": "Validation", "presence": None, "note": "Peer."}


def test_an_older_version_without_framework_keys_restores_as_before(author):
    reflection = ReflectionFactory(author=author, text="Now.")
    version = reflection.versions.create(
        revision=1,
        content=json.dumps(
            {
                "text": "Then.",
                "principles": [
                    {"principle": "Validation", "presence": "Clearly", "note": "Old."},
                    {"principle": "Dialogism", "presence": None, "note": "Old OD."},
                ],
            }
        ),
    )

    reflection.restore(version)

    notes = {n.principle.key: n for n in reflection.principle_notes.select_related("principle")}
    assert notes["validation"].text == "Old." and notes["validation"].presence == "clearly"
    assert notes["open-dialogue__dialogism"].text == "Old OD."


# My reflections ---------------------------------------------------------------------


def test_my_reflections_filters_by_any_framework_grouped_by_framework(login, team, author, meeting):
    TeamFramework.objects.create(team=team, framework=open_dialogue())
    humour = own_framework(team, ("Humour", [])).principles.get()
    with_od = ReflectionFactory(author=author, meeting=meeting, text="OD one.")
    PrincipleNote.objects.create(reflection=with_od, principle=dialogism(), text="Heard.")
    with_ours = ReflectionFactory(author=author, text="Ours.")
    PrincipleNote.objects.create(reflection=with_ours, principle=humour, presence="a_little")
    ReflectionFactory(author=author, text="Neither.")
    client = login(author)

    page = client.get(reverse("reflections:timeline"))
    html = page.content.decode()
    assert '<optgroup label="Peer practice principles in Open Dialogue">' in html
    assert '<optgroup label="Open Dialogue treatment principles">' in html
    assert '<optgroup label="Riverside ways">' in html
    assert html.index('value="attunement"') < html.index('value="open-dialogue__dialogism"')

    def found(key):
        response = client.get(reverse("reflections:timeline"), {"principle": key})
        return {r.text for r in response.context["page"].object_list}

    assert found("open-dialogue__dialogism") == {"OD one."}
    assert found(humour.key) == {"Ours."}
    assert found("attunement") == set()
    # The peer practice keys are as they always were.
    PrincipleNote.objects.create(
        reflection=with_od, principle=Principle.objects.get(slug="attunement"), text="Yes."
    )
    assert found("attunement") == {"OD one."}


def test_the_filter_lists_a_framework_i_wrote_under_after_it_was_turned_off(team, author):
    from reflections.forms import TimelineFilterForm

    reflection = ReflectionFactory(author=author)
    PrincipleNote.objects.create(reflection=reflection, principle=dialogism(), text="Heard.")

    keys = [p.key for p in TimelineFilterForm.principles_for(author)]

    assert keys[:4] == PEER_SLUGS
    assert keys[4:] == ["open-dialogue__dialogism"]


def test_another_team_never_sees_a_teams_own_framework(login, team, other_team, outsider):
    own_framework(team, ("Humour", ["When did we laugh?"]))
    TeamFramework.objects.create(team=other_team, framework=open_dialogue())
    client = login(outsider)

    form_page = client.get(reverse("reflections:create"))
    timeline = client.get(reverse("reflections:timeline"))

    assert not any(p.framework.team_id for p in form_page.context["form"].principles)
    assert "Riverside ways" not in form_page.content.decode()
    assert "Humour" not in timeline.content.decode()
    # A hand-made enabling row for another team's framework changes nothing.
    TeamFramework.objects.create(team=other_team, framework=Framework.objects.get(team=team))
    form_page = client.get(reverse("reflections:create"))
    assert not any(p.framework.team_id for p in form_page.context["form"].principles)


def test_my_reflections_queries_stay_fixed_with_frameworks(
    login, team, author, meeting, django_assert_num_queries
):
    TeamFramework.objects.create(team=team, framework=open_dialogue())
    humour = own_framework(team, ("Humour", [])).principles.get()
    for index in range(6):
        reflection = ReflectionFactory(author=author, meeting=meeting if index == 0 else None)
        PrincipleNote.objects.create(reflection=reflection, principle=humour, text="h")
        PrincipleNote.objects.create(reflection=reflection, principle=dialogism(), text="d")
    client = login(author)

    # As tests/reflections: session, user, count, principles, networks, page, notes.
    with django_assert_num_queries(7):
        client.get(reverse("reflections:timeline"))


# Dashboards -------------------------------------------------------------------------

PERIOD = Period(date(2025, 1, 1), date(2025, 3, 31))


def _principle_rows(team_ids):
    board = dashboard.build(team_ids, PERIOD)
    section = next(s for s in board.sections if s.slug == "principles")
    return {label: figures[-1] for label, figures in section.table.rows}


def test_the_dashboard_counts_a_frameworks_principles_only_when_used_and_suppresses(
    team, other_team, author
):
    from datetime import UTC, datetime

    TeamFramework.objects.create(team=team, framework=open_dialogue())
    humour = own_framework(team, ("Humour", [])).principles.get()
    rollup.refresh()
    rows = _principle_rows([team.pk])
    # Enabled but unused: nothing listed but the four peer practice principles.
    assert set(rows) == {p.name for p in Principle.objects.peer_practice()}

    when = datetime(2025, 2, 3, 10, tzinfo=UTC)
    for n in range(12):
        reflection = ReflectionFactory(author=author, written_at=when)
        PrincipleNote.objects.create(reflection=reflection, principle=humour, text=f"h{n}")
        if n < 3:
            PrincipleNote.objects.create(reflection=reflection, principle=dialogism(), text="d")
    rollup.refresh()
    rows = _principle_rows([team.pk])

    assert rows["Humour (Riverside ways)"].text == "10"  # 12, rounded to 5
    assert rows["Dialogism"].text == "fewer than 8"  # 3, suppressed
    assert not rows["Dialogism"].shown
    assert "Immediate help" not in rows  # enabled, never used
    # Another team's page never lists it, nor its name.
    assert not any("Riverside" in label for label in _principle_rows([other_team.pk]))


def test_the_dashboard_never_reads_a_teams_framework_to_another_team_even_through_a_shared_author(
    team, other_team, author
):
    from datetime import UTC, datetime

    Membership.objects.create(user=author, team=other_team, role=Role.PEER_PRACTITIONER)
    humour = own_framework(team, ("Humour", [])).principles.get()
    for _ in range(9):
        reflection = ReflectionFactory(
            author=author, written_at=datetime(2025, 1, 9, 10, tzinfo=UTC)
        )
        PrincipleNote.objects.create(reflection=reflection, principle=humour, text="h")
    rollup.refresh()

    assert "Humour (Riverside ways)" in _principle_rows([team.pk])
    assert "Humour (Riverside ways)" in _principle_rows([team.pk, other_team.pk])
    assert not any("Humour" in label for label in _principle_rows([other_team.pk]))


def test_the_share_form_names_the_notes_under_other_frameworks(login, team, author, meeting):
    from reflections.models import Status

    reflection = ReflectionFactory(author=author, meeting=meeting, text="x", status=Status.FINAL)
    PrincipleNote.objects.create(reflection=reflection, principle=dialogism(), text="Heard.")
    page = login(author).get(reverse("supervision:share", args=[reflection.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "your section “Dialogism (Open Dialogue treatment principles)”" in html
    assert "with how present it was" in html


# Found by trying it as a lead would -----------------------------------------------


def test_retiring_a_principle_frees_its_place_and_bringing_it_back_needs_one(team):
    framework = own_framework(team)
    for n in range(MAX_OWN_PRINCIPLES):
        framework.add_principle(f"Principle {n}", "About it.", [])
    first = framework.principles.order_by("order").first()
    first.revise(name=first.name, summary=first.summary, prompts=[], retired=True)

    framework.add_principle("In its place", "About it.", [])

    with pytest.raises(ValidationError):
        first.revise(name=first.name, summary=first.summary, prompts=[], retired=False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "\u200b", "Give the principle a name."),
        ("name", " \u200b\u2060 ", "Give the principle a name."),
        ("summary", "\u200b", "Say what the principle means."),
        ("prompt_1", "\u200b\u200b", "Write at least one question."),
        ("name", "humour", "already has a principle of this name"),
        # Full-width letters on purpose: the same name to a reader.
        ("name", "\uff28\uff35\uff2d\uff2f\uff35\uff32", "already has a principle of this name"),
    ],
)
def test_a_principle_needs_visible_words_and_a_name_of_its_own(
    login, team, team_lead, field, value, message
):
    own_framework(team, ("Humour", []))
    data = {"name": "Slowing down", "summary": "Room.", "prompt_1": "Where?", field: value}

    response = login(team_lead).post(reverse("people:principle_add", args=[team.pk]), data)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert Framework.objects.get(team=team).principles.count() == 1


def test_invisible_characters_are_taken_out_of_a_name(login, team, team_lead):
    own_framework(team)

    login(team_lead).post(
        reverse("people:principle_add", args=[team.pk]),
        {"name": "Slow\u200bing  down ", "summary": "Room.", "prompt_1": "Where?"},
    )

    assert Framework.objects.get(team=team).principles.get().name == "Slowing down"


def test_a_teams_framework_cannot_take_the_name_of_one_the_app_offers(login, team, team_lead):
    response = login(team_lead).post(
        reverse("people:framework_add", args=[team.pk]),
        {"name": open_dialogue().name.upper(), "citation": ""},
    )

    assert response.status_code == 422
    assert "The app already offers a framework of this name" in response.content.decode()
    assert not Framework.objects.filter(team=team).exists()


def test_where_a_framework_comes_from_is_kept_short(login, team, team_lead):
    response = login(team_lead).post(
        reverse("people:framework_add", args=[team.pk]),
        {"name": "Riverside ways", "citation": "x" * 1001},
    )

    assert response.status_code == 422
    assert "Keep this to 1,000 characters or fewer." in response.content.decode()
