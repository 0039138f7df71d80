"""Who reaches the dialogic self-check, and what each persona sees of it.

- the practitioners recorded at the meeting answer it (GET and POST);
- the rest of the team can see the meeting, so gets 403 (a practitioner who
  was not there, the supervisor, the team lead); anyone outside the team, the
  admin included, gets 404; a signed-out person is sent to sign in;
- one practitioner never sees another's answers, on the check or the meeting;
- the team lead sees the checks only as the dashboard's suppressed monthly counts.
"""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import rollup
from dashboards.measures import self_check as measure
from meetings.models import HowPresent, SelfCheck
from meetings.self_check import FIELD_PREFIX
from principles.models import OPEN_DIALOGUE, Principle
from teams.models import Role
from tests.conftest import _member

pytestmark = pytest.mark.django_db


@pytest.fixture
def not_there(team):
    """A practitioner of the team who was not at the meeting."""
    return _member(team, Role.PRACTITIONER, "not.there@example.org")


@pytest.fixture
def personas(author, colleague, not_there, supervisor, team_lead, outsider, admin_user):
    return {
        "anonymous": None,
        "author": author,
        "colleague": colleague,
        "not_there": not_there,
        "supervisor": supervisor,
        "team_lead": team_lead,
        "outsider": outsider,
        "admin": admin_user,
    }


EXPECTED = {
    "anonymous": "login",
    "author": "ok",
    "colleague": "ok",
    "not_there": "403",
    "supervisor": "403",
    "team_lead": "403",
    "outsider": "404",
    "admin": "404",
}


def answers(value: str) -> dict[str, str]:
    slugs = Principle.objects.filter(framework__slug=OPEN_DIALOGUE).values_list("slug", flat=True)
    return dict.fromkeys(slugs, value)


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return "login"
    if response.status_code < 400:
        return "ok"
    return str(response.status_code)


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_who_reaches_the_self_check(login, client, meeting, personas, persona, method):
    user = personas[persona]
    client = login(user) if user else client
    url = reverse("meetings:self_check", args=[meeting.pk])
    data = {f"{FIELD_PREFIX}{slug}": value for slug, value in answers("clearly").items()}

    response = client.get(url) if method == "get" else client.post(url, data)

    assert outcome(response) == EXPECTED[persona]
    saved = SelfCheck.objects.filter(meeting=meeting)
    if method == "post" and EXPECTED[persona] == "ok":
        assert list(saved.values_list("practitioner", flat=True)) == [user.pk]
    else:
        assert not saved.exists()


def test_one_practitioner_never_sees_anothers_answers(login, meeting, author, colleague):
    SelfCheck.record(meeting, author, answers(HowPresent.STRONGLY))

    client = login(colleague)
    check_page = client.get(reverse("meetings:self_check", args=[meeting.pk])).content.decode()
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()

    assert " checked" not in check_page
    assert "You answered" not in check_page
    assert "You answered" not in meeting_page
    assert "Answer the self-check" in meeting_page


def test_the_lead_sees_only_suppressed_monthly_counts(login, meeting, author, colleague, team_lead):
    SelfCheck.record(meeting, author, answers(HowPresent.STRONGLY))
    SelfCheck.record(meeting, colleague, answers(HowPresent.NOT_AT_ALL))
    rollup.refresh()
    month = timezone.localdate(meeting.starts_at).replace(day=1)

    page = login(team_lead).get(
        reverse("dashboards:dashboard"),
        {"period": "custom", "start": f"{month:%Y-%m}", "end": f"{date.today():%Y-%m}"},
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert measure.TITLE in body
    assert "self-report" in body
    assert "not a fidelity rating" in body
    # One meeting with two checks: every count is under 8, so none is shown, and
    # no share can be worked out; the meeting's network is never named.
    section = body.split(f'id="{measure.SLUG}"')[1].split("</section>")[0]
    assert "fewer than 8" in section
    assert "%" not in section
    assert "Birch" not in body
