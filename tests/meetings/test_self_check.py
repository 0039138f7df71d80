"""The dialogic self-check: SelfCheck.record and its page.

Only the practitioners recorded at a meeting answer its check, once each (then
they may change their answers); every save writes an audit row with ids only;
the page shows the meeting's facts beside the questions, and nobody's answers
but one's own.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from audit.models import Action, AuditEvent
from meetings.models import (
    HowPresent,
    PersonAttendance,
    SelfCheck,
    SelfCheckAnswer,
    SelfCheckNotAllowed,
    meeting_facts,
)
from meetings.self_check import FIELD_PREFIX
from principles.models import OPEN_DIALOGUE, Principle
from tests.factories import NetworkMeetingFactory, PractitionerAttendanceFactory

pytestmark = pytest.mark.django_db


def od_slugs() -> list[str]:
    return list(
        Principle.objects.filter(framework__slug=OPEN_DIALOGUE)
        .order_by("order")
        .values_list("slug", flat=True)
    )


def every(value: str = HowPresent.CLEARLY) -> dict[str, str]:
    return dict.fromkeys(od_slugs(), value)


def posted(answers: dict[str, str], **extra) -> dict[str, str]:
    return {f"{FIELD_PREFIX}{slug}": value for slug, value in answers.items()} | extra


def url(meeting) -> str:
    return reverse("meetings:self_check", args=[meeting.pk])


# The model -----------------------------------------------------------------------


def test_the_check_asks_about_the_seven_open_dialogue_principles():
    assert [p.slug for p in SelfCheck.principles()] == od_slugs()
    assert len(od_slugs()) == 7


def test_a_practitioner_at_the_meeting_answers_every_principle(meeting, author):
    answers = every() | {"dialogism": HowPresent.NOT_SURE, "responsibility": HowPresent.A_LITTLE}

    check = SelfCheck.record(meeting, author, answers)

    assert check.revision == 1
    assert check.answers_by_slug() == answers
    assert SelfCheckAnswer.objects.filter(self_check=check).count() == 7


def test_a_first_check_must_answer_every_principle(meeting, author):
    answers = every()
    del answers["dialogism"]

    with pytest.raises(ValidationError, match="Dialogism"):
        SelfCheck.record(meeting, author, answers)
    assert not SelfCheck.objects.exists()


@pytest.mark.parametrize(
    "answers", [{"not-a-principle": "clearly"}, {"dialogism": "brilliantly"}, {"attunement": "a"}]
)
def test_unknown_principles_and_answers_are_refused(meeting, author, answers):
    with pytest.raises(ValidationError):
        SelfCheck.record(meeting, author, every() | answers)
    assert not SelfCheck.objects.exists()


def test_only_practitioners_recorded_at_the_meeting_answer(
    meeting, author, outsider, team_lead, supervisor
):
    for person in (outsider, team_lead, supervisor):
        with pytest.raises(SelfCheckNotAllowed):
            SelfCheck.record(meeting, person, every())
    assert not SelfCheck.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.SELF_CHECK).exists()


def test_a_colleague_of_the_team_who_was_not_there_cannot_answer(meeting, author, team):
    elsewhere = NetworkMeetingFactory(network=meeting.network)
    PractitionerAttendanceFactory(meeting=elsewhere, practitioner=author)
    other = SelfCheck.record(elsewhere, author, every())
    assert other is not None
    meeting.practitioner_attendances.filter(practitioner=author).delete()

    with pytest.raises(SelfCheckNotAllowed):
        SelfCheck.record(meeting, author, every())


def test_one_check_per_practitioner_per_meeting(meeting, author, colleague):
    SelfCheck.record(meeting, author, every())
    SelfCheck.record(meeting, colleague, every(HowPresent.STRONGLY))

    # Answering again without naming the revision is a second tab's first answer.
    assert SelfCheck.record(meeting, author, every(HowPresent.NOT_AT_ALL)) is None
    with pytest.raises(IntegrityError), transaction.atomic():
        SelfCheck.objects.create(meeting=meeting, practitioner=author)
    assert SelfCheck.objects.filter(meeting=meeting).count() == 2
    mine = SelfCheck.objects.get(meeting=meeting, practitioner=author)
    assert set(mine.answers_by_slug().values()) == {HowPresent.CLEARLY}


def test_a_change_names_its_revision_and_changes_only_what_it_carries(meeting, author):
    check = SelfCheck.record(meeting, author, every())

    changed = SelfCheck.record(
        meeting, author, {"dialogism": HowPresent.STRONGLY}, based_on=check.revision
    )

    assert changed.pk == check.pk
    assert changed.revision == 2
    answers = changed.answers_by_slug()
    assert answers["dialogism"] == HowPresent.STRONGLY
    assert answers["immediate-help"] == HowPresent.CLEARLY
    # A change based on the old revision is refused and changes nothing.
    stale = SelfCheck.record(meeting, author, {"dialogism": HowPresent.NOT_AT_ALL}, based_on=1)
    assert stale is None
    assert SelfCheck.objects.get(pk=check.pk).answers_by_slug()["dialogism"] == "strongly"


def test_every_save_writes_an_audit_row_with_ids_only(meeting, author):
    check = SelfCheck.record(meeting, author, every())
    SelfCheck.record(meeting, author, {"dialogism": "a_little"}, based_on=1)

    events = list(AuditEvent.objects.filter(action=Action.SELF_CHECK).order_by("at", "pk"))
    assert [e.actor_id for e in events] == [author.pk, author.pk]
    assert [e.detail for e in events] == [
        {"meeting_id": meeting.pk, "self_check_id": check.pk, "edited": False},
        {"meeting_id": meeting.pk, "self_check_id": check.pk, "edited": True},
    ]
    assert events[0].reflection_id is None


def test_the_facts_come_from_the_meeting(meeting, member):
    meeting.reflecting_conversation = True
    meeting.person_attendance = PersonAttendance.ABSENT
    meeting.save()

    facts = {fact.label: fact for fact in meeting_facts(meeting)}

    practitioners = facts["Practitioners recorded"]
    assert practitioners.value.startswith("2 ")
    assert practitioners.as_practised is True
    assert facts["Reflecting conversation"].value == "Held"
    members = facts["Network members present, besides the person at the centre"]
    assert members.value == "1"
    assert facts["The person at the centre"].value == "Not present"
    assert facts["The person at the centre"].as_practised is False


def test_a_lone_practitioner_is_a_fact_not_an_error(network, author):
    meeting = NetworkMeetingFactory(network=network, reflecting_conversation=False)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)

    facts = {fact.label: fact for fact in meeting_facts(meeting)}

    assert facts["Practitioners recorded"].as_practised is False
    assert facts["Reflecting conversation"].value == "Not held"
    assert SelfCheck.record(meeting, author, every()) is not None


# The page ------------------------------------------------------------------------


def test_the_page_says_it_is_a_self_report_and_shows_the_facts(login, meeting, author):
    response = login(author).get(url(meeting))

    body = response.content.decode()
    assert response.status_code == 200
    assert "self-report about the meeting, not a rating" in body
    assert "Practitioners recorded" in body
    assert "Immediate help: how present was this in the meeting?" in body
    assert "Save my self-check" in body
    assert "doi.org/10.1111/j.1545-5300.2003.42201.x" in body


def test_answering_on_the_page_saves_and_returns_to_the_meeting(login, meeting, author):
    client = login(author)

    response = client.post(url(meeting), posted(every(HowPresent.STRONGLY)))

    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    check = SelfCheck.objects.get(meeting=meeting, practitioner=author)
    assert set(check.answers_by_slug().values()) == {"strongly"}
    page = client.get(url(meeting)).content.decode()
    assert "Save my changes" in page
    radio = r'<input type="radio" name="(how_[a-z-]+)" value="([a-z_]+)"[^>]* checked'
    checked = re.findall(radio, page)
    assert sorted(checked) == sorted((f"how_{slug}", "strongly") for slug in od_slugs())


def test_a_missing_answer_is_shown_as_an_error(login, meeting, author):
    answers = every()
    del answers["dialogism"]

    response = login(author).post(url(meeting), posted(answers))

    assert response.status_code == 422
    assert "Say how present dialogism was, or choose “Not sure”." in response.content.decode()
    assert not SelfCheck.objects.exists()


def test_a_request_with_no_answers_changes_nothing(login, meeting, author):
    SelfCheck.record(meeting, author, every())

    response = login(author).post(url(meeting), {"revision": "1"})

    assert response.status_code == 400
    assert SelfCheck.objects.get().revision == 1


def test_a_change_from_a_stale_tab_is_a_conflict(login, meeting, author):
    SelfCheck.record(meeting, author, every())
    SelfCheck.record(meeting, author, {"dialogism": "strongly"}, based_on=1)

    response = login(author).post(url(meeting), posted({"dialogism": "not_at_all"}, revision="1"))

    assert response.status_code == 409
    body = response.content.decode()
    assert "Not saved: this changed after you opened it" in body
    assert SelfCheck.objects.get().answers_by_slug()["dialogism"] == "strongly"
    # The form holds what was sent, rebased: sending it again keeps it.
    assert 'name="revision" value="2"' in body


def test_sent_twice_it_is_answered_once(login, meeting, author):
    client = login(author)
    page = client.get(url(meeting)).content.decode()
    key = page.split('name="form_key" value="')[1].split('"')[0]
    data = posted(every(), form_key=key)

    first = client.post(url(meeting), data)
    second = client.post(url(meeting), data)

    assert first.status_code == 302
    assert second.status_code in (302, 303)
    assert SelfCheck.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.SELF_CHECK).count() == 1


def test_one_practitioner_never_sees_anothers_answers(login, meeting, author, colleague):
    SelfCheck.record(meeting, colleague, every(HowPresent.NOT_AT_ALL))

    page = login(author).get(url(meeting)).content.decode()

    assert "checked" not in page
    assert "Save my self-check" in page


def test_the_meeting_page_links_to_my_check_only_if_i_was_there(login, meeting, author, team_lead):
    link = f'href="{url(meeting)}"'
    assert link in login(author).get(meeting.get_absolute_url()).content.decode()
    SelfCheck.record(meeting, author, every())
    mine = login(author).get(meeting.get_absolute_url()).content.decode()
    assert "See or change my self-check" in mine
    assert link not in login(team_lead).get(meeting.get_absolute_url()).content.decode()


def test_a_reflection_on_the_meeting_links_to_the_check(login, meeting, author):
    from reflections.models import Status
    from tests.factories import ReflectionFactory

    note = ReflectionFactory(author=author, meeting=meeting, status=Status.FINAL)
    general = ReflectionFactory(author=author, status=Status.FINAL)
    client = login(author)

    on_meeting = client.get(reverse("reflections:detail", args=[note.pk])).content.decode()
    no_meeting = client.get(reverse("reflections:detail", args=[general.pk])).content.decode()

    assert on_meeting.count(f'href="{url(meeting)}"') == 1
    assert "self-check" not in no_meeting


def test_a_reflection_by_someone_no_longer_recorded_at_the_meeting_has_no_link(
    login, meeting, author
):
    from reflections.models import Status
    from tests.factories import ReflectionFactory

    note = ReflectionFactory(author=author, meeting=meeting, status=Status.FINAL)
    meeting.practitioner_attendances.filter(practitioner=author).delete()

    page = login(author).get(reverse("reflections:detail", args=[note.pk])).content.decode()

    assert url(meeting) not in page
