"""Who may open each page, and with which method.

Everyone in a network's team sees it; only practising members (peer
practitioners and practitioners) change it or log its meetings. Team leads and
supervisors get 403 there, because they can see the network; people of other
teams get 404, as if it did not exist; anonymous people are sent to sign in.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAS = ["author", "colleague", "team_lead", "supervisor", "outsider"]
SEE = {"author": 200, "colleague": 200, "team_lead": 200, "supervisor": 200, "outsider": 404}
CHANGE = {"author": 200, "colleague": 200, "team_lead": 403, "supervisor": 403, "outsider": 404}
# Pages about no network in particular: the outsider uses them for their own team.
START = {"author": 200, "colleague": 200, "team_lead": 403, "supervisor": 403, "outsider": 200}
LIST = dict.fromkeys(PERSONAS, 200)

PAGES = [
    ("network_list", lambda m: [], ["GET"], LIST),
    ("network_create", lambda m: [], ["GET", "POST"], START),
    ("network_detail", lambda m: [m.network.pk], ["GET"], SEE),
    ("network_edit", lambda m: [m.network.pk], ["GET", "POST"], CHANGE),
    ("member_create", lambda m: [m.network.pk], ["GET", "POST"], CHANGE),
    (
        "member_edit",
        lambda m: [m.network.pk, m.members_present.get().pk],
        ["GET", "POST"],
        CHANGE,
    ),
    ("meeting_choose_network", lambda m: [], ["GET"], START),
    ("meeting_create", lambda m: [m.network.pk], ["GET", "POST"], CHANGE),
    ("meeting_detail", lambda m: [m.pk], ["GET"], SEE),
    ("meeting_edit", lambda m: [m.pk], ["GET", "POST"], CHANGE),
]
CASES = [
    pytest.param(name, args, method, persona, expected[persona], id=f"{name}-{method}-{persona}")
    for name, args, methods, expected in PAGES
    for method in methods
    for persona in PERSONAS
]


@pytest.mark.parametrize(("name", "args", "method", "persona", "status"), CASES)
def test_each_person_gets_what_the_visibility_rules_say(
    request, login, meeting, name, args, method, persona, status
):
    client = login(request.getfixturevalue(persona))
    url = reverse(f"meetings:{name}", args=args(meeting))

    # An empty POST is refused by the form, so an allowed POST re-renders it (200).
    response = client.get(url) if method == "GET" else client.post(url, {})

    assert response.status_code == status


@pytest.mark.parametrize(
    ("name", "args", "methods"), [pytest.param(*page[:3], id=page[0]) for page in PAGES]
)
def test_anonymous_people_are_sent_to_sign_in(client, meeting, name, args, methods):
    url = reverse(f"meetings:{name}", args=args(meeting))

    for method in methods:
        response = client.generic(method, url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("name", "args"),
    [pytest.param(name, args, id=name) for name, args, methods, _ in PAGES if methods == ["GET"]],
)
def test_read_only_pages_refuse_other_methods(login, author, meeting, name, args):
    response = login(author).post(reverse(f"meetings:{name}", args=args(meeting)))

    assert response.status_code == 405


def test_a_tampered_member_id_of_another_network_is_not_found(login, author, meeting, team):
    from tests.factories import NetworkFactory, NetworkMemberFactory

    stranger = NetworkMemberFactory(network=NetworkFactory(team=team))
    url = reverse("meetings:member_edit", args=[meeting.network.pk, stranger.pk])

    assert login(author).get(url).status_code == 404


def test_the_header_links_to_networks_and_marks_the_section(login, author, meeting):
    client = login(author)

    on_list = client.get(reverse("meetings:network_list")).content.decode()
    on_meeting = client.get(meeting.get_absolute_url()).content.decode()
    at_home = client.get(reverse("home")).content.decode()

    assert 'href="/networks/" aria-current="page"' in on_list
    assert 'href="/networks/" aria-current="true"' in on_meeting
    assert 'href="/networks/">' in at_home
