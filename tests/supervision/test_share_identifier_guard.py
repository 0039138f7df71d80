"""The identifier guard before a note is shared (supervision.views.share_note).

Personas: the author (a peer practitioner), their supervisor and their
intervision group. Every request here is a plain form post, as a browser without
JavaScript sends it: the "Share anyway" form is read from the warning page and
sent as it stands.
"""

import html
import logging
import re
import uuid
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from reflections.models import Disclosed, Disclosure, Status
from security.models import FormSubmission
from supervision.models import Share
from teams.models import IntervisionGroup, Membership, Role, SupervisionLink
from tests.factories import NetworkMemberFactory, ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db

NHS_NUMBER = "943 476 5919"  # passes the modulus 11 check


@pytest.fixture
def my_supervisor(author, supervisor):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    return supervisor


@pytest.fixture
def group(team, author):
    peer = UserFactory(email="peer@example.org")
    Membership.objects.create(user=peer, team=team, role=Role.PEER_PRACTITIONER)
    group = IntervisionGroup.objects.create(team=team, name="Peers", facilitator=peer)
    group.members.add(author, peer)
    return group


def finished_note(author, meeting, text: str):
    return ReflectionFactory(
        author=author, meeting=meeting, text=text, status=Status.FINAL, finished_at=timezone.now()
    )


@pytest.fixture
def note(author, meeting):
    """A finished note naming Robin (the Birch network's person at the centre)
    and holding a valid NHS number."""
    return finished_note(author, meeting, f"Robin read out {NHS_NUMBER} from a letter.")


def share_url(note) -> str:
    return reverse("supervision:share", args=[note.pk])


def share_anyway_form(page: str) -> dict[str, list[str]]:
    """The fields of the warning page's "Share anyway" form, as a browser sends them."""
    forms = re.findall(r"<form\b.*?</form>", page, flags=re.S)
    (form,) = [form for form in forms if "Share anyway" in form]
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'name="([^"]*)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag).group(1)
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return fields


def test_a_note_that_names_someone_is_not_shared_and_the_author_is_warned(
    login, author, note, my_supervisor
):
    response = login(author).post(
        share_url(note), {"supervisors": [my_supervisor.pk], "form_key": str(uuid.uuid4())}
    )

    assert response.status_code == 200
    assert not Share.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.SHARE).exists()
    page = response.content.decode()
    assert 'class="nhsuk-warning-callout"' in page
    assert "This note may identify someone" in page
    assert "Nothing has been shared yet" in page
    assert "In “What happened between us”: a name recorded in this network, “<strong>Robin" in page
    assert f"an NHS number, “<strong>{NHS_NUMBER}</strong>”" in page
    assert reverse("reflections:edit", args=[note.pk]) in page
    assert "<title>Check before you share: " in page
    # The choices are kept, in the form below and in "Share anyway".
    assert re.search(rf'value="{my_supervisor.pk}"[^>]*checked', page)
    assert share_anyway_form(page)["supervisors"] == [str(my_supervisor.pk)]
    assert share_anyway_form(page)["share_anyway"] == ["1"]
    # Its key is left usable, so "Share anyway" is not taken for a second send.
    assert not FormSubmission.objects.exists()


def test_share_anyway_shares_and_counts_what_was_found_in_the_audit_row(
    login, author, note, my_supervisor
):
    client = login(author)
    warned = client.post(
        share_url(note),
        {"supervisors": [my_supervisor.pk], "until": "", "form_key": str(uuid.uuid4())},
    )

    response = client.post(share_url(note), share_anyway_form(warned.content.decode()))

    assert response.status_code == 302
    assert response["Location"] == note.get_absolute_url()
    share = Share.objects.get(reflection=note)
    assert share.supervisor == my_supervisor
    event = AuditEvent.objects.get(action=Action.SHARE)
    assert event.detail == {
        "include_disclosure": False,
        "identifiers_shared_anyway": {"name": 1, "nhs_number": 1},
    }
    assert "Robin" not in str(event.detail) and "943" not in str(event.detail)


def test_share_anyway_sent_twice_shares_once(login, author, note, my_supervisor):
    client = login(author)
    warned = client.post(
        share_url(note), {"supervisors": [my_supervisor.pk], "form_key": str(uuid.uuid4())}
    )
    anyway = share_anyway_form(warned.content.decode())

    client.post(share_url(note), anyway)
    again = client.post(share_url(note), anyway)

    assert again.status_code == 303  # @submitted_once: already sent
    assert Share.objects.filter(reflection=note).count() == 1


def test_a_note_with_nothing_identifying_is_shared_at_once(login, author, meeting, my_supervisor):
    note = finished_note(author, meeting, "We met at 10:30 for 90 minutes; on 3 March, 6 of us.")

    response = login(author).post(share_url(note), {"supervisors": [my_supervisor.pk]})

    assert response.status_code == 302
    assert Share.objects.filter(reflection=note, supervisor=my_supervisor).exists()
    assert AuditEvent.objects.get(action=Action.SHARE).detail == {"include_disclosure": False}


def test_a_share_with_a_group_is_guarded_too(login, author, note, group):
    client = login(author)

    warned = client.post(share_url(note), {"groups": [group.pk]})
    assert warned.status_code == 200
    assert not Share.objects.exists()
    assert share_anyway_form(warned.content.decode())["groups"] == [str(group.pk)]

    client.post(share_url(note), share_anyway_form(warned.content.decode()))
    assert Share.objects.get(reflection=note).group == group


def test_only_what_the_recipients_would_see_is_checked(login, author, meeting, my_supervisor, team):
    """The disclosure details go only with "Include my self-disclosure"."""
    NetworkMemberFactory(network=meeting.network, name="Sam")
    note = finished_note(author, meeting, "A quiet meeting.")
    Disclosure.objects.create(
        reflection=note, disclosed=Disclosed.IN_DIALOGUE, what_shared="I told Sam about mine."
    )
    client = login(author)

    with_it = client.post(
        share_url(note), {"supervisors": [my_supervisor.pk], "include_disclosure": "on"}
    )
    assert with_it.status_code == 200
    assert "In “Disclosure details: what I shared”" in with_it.content.decode()
    assert share_anyway_form(with_it.content.decode())["include_disclosure"] == ["on"]

    without_it = client.post(share_url(note), {"supervisors": [my_supervisor.pk]})
    assert without_it.status_code == 302
    assert Share.objects.get(reflection=note).include_disclosure is False


def test_an_invalid_choice_is_an_error_not_a_warning(login, author, note):
    response = login(author).post(share_url(note), {})

    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert "nhsuk-warning-callout" not in page


def test_share_anyway_still_needs_valid_choices(login, author, note):
    response = login(author).post(share_url(note), {"share_anyway": "1"})

    assert response.status_code == 422
    assert not Share.objects.exists()


# Nothing of the note in any log line ---------------------------------------------

MARKER = "Quenzilmarker"


@pytest.fixture
def every_log_line(caplog) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG on every logger, those that do not propagate included."""
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    before = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    yield caplog
    for logger, level, disabled in before:
        logger.setLevel(level)
        logger.disabled = disabled
        logger.removeHandler(caplog.handler)


def lines(caplog) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    out = []
    for record in caplog.records:
        out.append(formatter.format(record))
        out.append(repr(record.__dict__))
    return out


def test_no_note_text_reaches_a_log_line_in_the_share_and_export_flows(
    every_log_line, login, author, meeting, my_supervisor, group
):
    NetworkMemberFactory(network=meeting.network, name=MARKER)
    note = finished_note(author, meeting, f"{MARKER} gave {NHS_NUMBER}, {MARKER}@example.org.")
    client = login(author)

    warned = client.post(
        share_url(note), {"supervisors": [my_supervisor.pk], "form_key": str(uuid.uuid4())}
    )
    assert MARKER in warned.content.decode()  # the author is shown it
    client.post(share_url(note), share_anyway_form(warned.content.decode()))
    warned = client.post(share_url(note), {"groups": [group.pk]})
    client.post(share_url(note), share_anyway_form(warned.content.decode()))
    for name in ("reflections:export_markdown", "reflections:export_json"):
        check = client.get(reverse(name))
        assert MARKER in check.content.decode()
        download = client.get(reverse(name) + "?checked=1")
        assert MARKER in b"".join(download.streaming_content).decode()

    assert Share.objects.filter(reflection=note).count() == 2
    assert len(every_log_line.records) > 0
    for line in lines(every_log_line):
        assert MARKER.lower() not in line.lower()
        assert "943 476" not in line and "9434765919" not in line
    for event in AuditEvent.objects.all():
        assert MARKER.lower() not in str(event.detail).lower()
