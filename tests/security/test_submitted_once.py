"""Every create is safe to submit twice (security/submissions.py).

For each endpoint that creates something: the same render of its form (the same
form_key) sent twice creates one record, and the second answer leads to the
first one's result (204 for htmx); a refused first send leaves the key usable;
keys are per person; a POST without a key works as before; every form page
renders a fresh key.
"""

import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.shortcuts import redirect
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from meetings.models import Activity, Network, NetworkMeeting, NetworkMember
from reflections.models import Reflection, Status
from security.models import FormSubmission
from security.submissions import ALREADY_SENT, RESUBMIT_WINDOW, submitted_once
from supervision.models import Addendum, Response, Share, SupervisionSession
from teams.models import SupervisionLink
from tests.factories import NetworkFactory, ReflectionFactory
from tests.reflections.conftest import form_data

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - timedelta(days=1)
KEY_INPUT = re.compile(r'<input type="hidden" name="form_key" value="([0-9a-f-]{36})"')


@dataclass
class Case:
    user: object
    url: str
    valid: dict
    invalid: dict
    count: Callable[[], int]
    # The page that shows the form, and whether the endpoint answers htmx in place.
    form_page: str
    htmx: bool = False
    extra: dict = field(default_factory=dict)


def _final_note(author):
    return ReflectionFactory(author=author, status=Status.FINAL, finished_at=timezone.now())


# The first save of a new note, without JavaScript ("Save draft" in the editor
# that "Write a reflection" opens), creates it.
WRITE = {"text": "A first thought", "revision": "1"}


def _write(author, **_):
    url = reverse("reflections:create")
    invalid = form_data(text="A first thought", emotional_cost="9")
    return Case(author, url, WRITE, invalid, Reflection.objects.count, url)


def _network_create(author, **_):
    url = reverse("meetings:network_create")
    return Case(
        author,
        url,
        {"reference": "Rowan", "person_name": "Kai", "opened_on": "2026-01-05"},
        {"reference": "", "person_name": "Kai", "opened_on": "2026-01-05"},
        Network.objects.count,
        url,
    )


def _member_create(author, team, **_):
    network = NetworkFactory(team=team, reference="Birch")
    url = reverse("meetings:member_create", args=[network.pk])
    return Case(
        author,
        url,
        {"member-name": "Mum", "member-relationship": "parent", "member-label": ""},
        {"member-name": "", "member-relationship": "parent", "member-label": ""},
        # The people around the person at the centre, whom the network came with.
        NetworkMember.objects.around_the_person().count,
        url,
        htmx=True,
    )


def _meeting_create(author, colleague, team, **_):
    network = NetworkFactory(team=team, reference="Birch")
    url = reverse("meetings:meeting_create", args=[network.pk])
    data = {
        "person_attendance": "in_person",
        "starts_at_0": YESTERDAY.isoformat(),
        "starts_at_1": "14:30",
        "duration_minutes": "90",
        "place": "home",
        "practitioners": [author.pk, colleague.pk],
        "reflecting_conversation": "on",
    }
    return Case(
        author,
        url,
        data,
        {**data, "duration_minutes": "0"},
        NetworkMeeting.objects.count,
        url,
    )


def _activity_create(author, **_):
    url = reverse("meetings:activity_create")
    data = {"kind": "admin", "done_on": YESTERDAY.isoformat(), "duration_minutes": "45"}
    return Case(
        author,
        url,
        data,
        {**data, "duration_minutes": ""},
        Activity.objects.count,
        reverse("home"),
    )


def _share(author, supervisor, **_):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    note = _final_note(author)
    url = reverse("supervision:share", args=[note.pk])
    return Case(
        author,
        url,
        {"supervisors": [supervisor.pk]},
        {"supervisors": []},
        Share.objects.count,
        url,
    )


def _respond(author, supervisor, **_):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    share = Share.objects.create(reflection=_final_note(author), supervisor=supervisor)
    return Case(
        supervisor,
        reverse("supervision:respond", args=[share.pk]),
        {"text": "Thank you. Let's talk about it."},
        {"text": ""},
        Response.objects.count,
        share.get_absolute_url(),
        htmx=True,
    )


def _addendum(author, supervisor, **_):
    # The form shows on a note that is locked by a response.
    note = _final_note(author)
    share = Share.objects.create(reflection=note, supervisor=supervisor)
    Response.objects.create(share=share, author=supervisor, text="Thank you.")
    return Case(
        author,
        reverse("supervision:addendum", args=[note.pk]),
        {"text": "Something I understood later."},
        {"text": ""},
        Addendum.objects.count,
        note.get_absolute_url(),
    )


def _session(author, supervisor, **_):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    url = reverse("supervision:sessions")
    return Case(
        supervisor,
        url,
        {
            "supervisee": author.pk,
            "held_on": YESTERDAY.isoformat(),
            "duration": "50",
            "kind": "one_to_one",
        },
        {"supervisee": author.pk, "held_on": "", "duration": "50", "kind": "one_to_one"},
        SupervisionSession.objects.count,
        url,
    )


ENDPOINTS = {
    "write": _write,
    "network_create": _network_create,
    "member_create": _member_create,
    "meeting_create": _meeting_create,
    "activity_create": _activity_create,
    "share": _share,
    "respond": _respond,
    "addendum": _addendum,
    "session": _session,
}
HTMX_ENDPOINTS = ["member_create", "respond"]


@pytest.fixture(params=list(ENDPOINTS))
def case(request, team, author, colleague, supervisor) -> Case:
    return ENDPOINTS[request.param](
        author=author, colleague=colleague, supervisor=supervisor, team=team
    )


@pytest.fixture
def htmx_case(request, team, author, colleague, supervisor) -> Case:
    return ENDPOINTS[request.param](
        author=author, colleague=colleague, supervisor=supervisor, team=team
    )


def keyed(data: dict, key) -> dict:
    return {**data, "form_key": str(key)}


def test_the_same_form_sent_twice_creates_one_record_and_leads_to_it(login, case):
    client = login(case.user)
    key = uuid.uuid4()

    first = client.post(case.url, keyed(case.valid, key))
    second = client.post(case.url, keyed(case.valid, key))

    assert first.status_code == 302, first.content.decode()[:500]
    assert case.count() == 1
    assert second.status_code == 303
    assert second["Location"] == first["Location"]
    assert ALREADY_SENT in [str(m) for m in get_messages(second.wsgi_request)]
    assert FormSubmission.objects.get().result_url == first["Location"]


def test_back_and_submit_again_with_a_new_key_creates_one_record(login, case):
    # Pages are never stored by the browser (no-store), so Back renders the form
    # again with a new key; the content sent is the same.
    client = login(case.user)

    first = client.post(case.url, keyed(case.valid, uuid.uuid4()))
    again = client.post(case.url, keyed(case.valid, uuid.uuid4()))

    assert first.status_code == 302
    assert case.count() == 1
    assert again.status_code == 303
    assert again["Location"] == first["Location"]


def test_different_content_with_a_new_key_is_a_new_record(login, author):
    client = login(author)
    url = reverse("meetings:activity_create")
    day = timezone.localdate().isoformat()
    sent = {"kind": "admin", "done_on": day, "duration_minutes": "30"}

    client.post(url, keyed(sent, uuid.uuid4()))
    client.post(url, keyed({**sent, "duration_minutes": "45"}, uuid.uuid4()))

    assert Activity.objects.filter(practitioner=author).count() == 2


def test_the_same_content_after_the_window_is_a_new_record(login, author):
    client = login(author)
    url = reverse("reflections:create")
    client.post(url, keyed(WRITE, uuid.uuid4()))

    with time_machine.travel(timezone.now() + RESUBMIT_WINDOW + timedelta(seconds=1)):
        client.post(url, keyed(WRITE, uuid.uuid4()))

    assert Reflection.objects.filter(author=author).count() == 2


@pytest.mark.parametrize("htmx_case", HTMX_ENDPOINTS, indirect=True)
def test_with_htmx_the_second_send_changes_nothing(login, htmx_case):
    client = login(htmx_case.user)
    key = uuid.uuid4()

    first = client.post(htmx_case.url, keyed(htmx_case.valid, key), HTTP_HX_REQUEST="true")
    second = client.post(htmx_case.url, keyed(htmx_case.valid, key), HTTP_HX_REQUEST="true")

    assert first.status_code == 200
    assert htmx_case.count() == 1
    assert second.status_code == 204
    assert second.content == b""


def test_a_refused_send_leaves_the_key_usable(login, case):
    client = login(case.user)
    key = uuid.uuid4()

    refused = client.post(case.url, keyed(case.invalid, key))
    assert case.count() == 0
    assert refused.status_code in (200, 302, 422)
    assert not FormSubmission.objects.exists()

    corrected = client.post(case.url, keyed(case.valid, key))
    assert corrected.status_code == 302
    assert case.count() == 1


@pytest.mark.parametrize("htmx_case", HTMX_ENDPOINTS, indirect=True)
def test_with_htmx_a_refused_send_comes_back_with_a_new_key(login, htmx_case):
    client = login(htmx_case.user)
    key = uuid.uuid4()

    refused = client.post(htmx_case.url, keyed(htmx_case.invalid, key), HTTP_HX_REQUEST="true")
    keys = re.findall(r'name="form_key" value="([0-9a-f-]{36})"', refused.content.decode())

    assert refused.status_code in (200, 422)
    assert keys and str(key) not in keys
    sent = client.post(htmx_case.url, keyed(htmx_case.valid, keys[0]), HTTP_HX_REQUEST="true")
    assert sent.status_code == 200
    assert htmx_case.count() == 1


@pytest.mark.parametrize("make", [_respond, _addendum], ids=["respond", "addendum"])
def test_a_refused_plain_post_that_redirects_keeps_the_key(login, author, supervisor, make):
    # These two answer a refused plain POST with the text again and what to fix (422).
    case = make(author=author, supervisor=supervisor)
    client = login(case.user)
    key = uuid.uuid4()

    refused = client.post(case.url, keyed(case.invalid, key))
    corrected = client.post(case.url, keyed(case.valid, key))

    assert (refused.status_code, corrected.status_code) == (422, 302)
    assert case.count() == 1


def test_keys_are_per_person(login, author, colleague):
    url = reverse("reflections:create")
    key = uuid.uuid4()

    login(author).post(url, keyed(WRITE, key))
    again = login(colleague).post(url, keyed(WRITE, key))

    assert again.status_code == 302
    assert Reflection.objects.filter(author=author).count() == 1
    assert Reflection.objects.filter(author=colleague).count() == 1
    assert FormSubmission.objects.count() == 2


def test_a_post_without_a_key_works_as_before(login, case):
    response = login(case.user).post(case.url, case.valid)

    assert response.status_code == 302
    assert case.count() == 1
    assert not FormSubmission.objects.exists()


def test_a_malformed_key_is_ignored(login, author):
    client = login(author)
    url = reverse("reflections:create")

    client.post(url, {**WRITE, "form_key": "not-a-uuid"})
    client.post(url, {**WRITE, "form_key": "not-a-uuid"})

    assert Reflection.objects.count() == 2
    assert not FormSubmission.objects.exists()


def test_a_duplicate_with_no_result_goes_back_to_the_page_it_came_from(login, author):
    key = uuid.uuid4()
    FormSubmission.objects.create(user=author, key=key, path="/reflections/new/edit/")
    client = login(author)

    page = client.post(
        reverse("reflections:create"),
        keyed(WRITE, key),
        HTTP_REFERER="http://testserver/reflections/",
    )
    elsewhere = client.post(
        reverse("reflections:create"), keyed(WRITE, key), HTTP_REFERER="https://evil.test/"
    )

    assert (page.status_code, page["Location"]) == (303, "http://testserver/reflections/")
    assert (elsewhere.status_code, elsewhere["Location"]) == (303, "/")
    assert not Reflection.objects.exists()


def test_every_form_page_renders_a_fresh_key(login, case):
    client = login(case.user)

    first = KEY_INPUT.findall(client.get(case.form_page).content.decode())
    second = KEY_INPUT.findall(client.get(case.form_page).content.decode())

    assert first, f"no form_key on {case.form_page}"
    assert not set(first) & set(second)


def test_the_add_member_part_of_the_meeting_form_carries_its_own_key(login, author, team):
    network = NetworkFactory(team=team, reference="Birch")
    client = login(author)
    url = reverse("meetings:member_create", args=[network.pk])
    htmx = {"HTTP_HX_REQUEST": "true"}

    shown = client.get(url, **htmx).content.decode()
    key = re.search(
        r'<input type="hidden" name="form_key" value="([0-9a-f-]{36})" form="add-member">', shown
    )
    assert key
    refused = client.post(
        url, {"member-name": "", "member-relationship": "parent", "form_key": key[1]}, **htmx
    ).content.decode()
    again = re.search(r'name="form_key" value="([0-9a-f-]{36})" form="add-member"', refused)

    assert again and again[1] != key[1]


def test_a_response_sent_with_htmx_comes_back_with_a_new_key(login, author, supervisor):
    case = _respond(author=author, supervisor=supervisor)
    client = login(case.user)
    key = uuid.uuid4()

    thread = client.post(case.url, keyed(case.valid, key), HTTP_HX_REQUEST="true")
    keys = KEY_INPUT.findall(thread.content.decode())

    assert keys and str(key) not in keys
    # A second response, in words of its own (the same words within minutes
    # would be taken as the same response sent again).
    second = {"text": "And one more thought."}
    assert client.post(case.url, keyed(second, keys[0]), HTTP_HX_REQUEST="true").status_code == 200
    assert case.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sends_at_the_same_moment_run_the_view_once(author):
    """The second waits on the unique index until the first commits, then answers as
    a duplicate: the view never runs twice, whichever order they arrive in."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run on PostgreSQL")
        pytest.skip("SQLite's in-memory test database does not let two writers wait")
    key = str(uuid.uuid4())
    ran, answers = [], []
    together = threading.Barrier(2)

    @submitted_once
    def create(request):
        ran.append(request)
        time.sleep(0.3)  # the first holds its transaction open while the second arrives
        Reflection.objects.create(author=request.user)
        return redirect("/reflections/")

    def send():
        request = RequestFactory().post("/reflections/new/", {"form_key": key})
        request.user, request.htmx = author, True
        together.wait()
        try:
            answers.append(create(request).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [204, 302]
    assert len(ran) == 1
    assert Reflection.objects.count() == 1
