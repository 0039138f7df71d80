"""Sharing a note, the inbox, responses, reviews, revokes and read receipts, per persona.

Personas: the author (a peer practitioner), the author's supervisor, another
supervisor in the team, an intervision peer (in the author's group), the group's
facilitator, a practitioner outside the group, the team lead, and anonymous.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from reflections.models import Disclosure, Reflection, Status
from supervision.models import Response, Share
from teams.models import IntervisionGroup, Membership, Role, SupervisionLink
from tests.factories import ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTE_TEXT = "Marker-note-4b1d: I stayed with the fear in the room."
DISCLOSURE_TEXT = "Marker-disclosure-77c2: my own time in hospital"


def member(team, role, email):
    user = UserFactory(email=email)
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def my_supervisor(team, author, supervisor):
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    return supervisor


@pytest.fixture
def other_supervisor(team):
    return member(team, Role.SUPERVISOR, "other.supervisor@example.org")


@pytest.fixture
def facilitator(team):
    return member(team, Role.PEER_PRACTITIONER, "facilitator@example.org")


@pytest.fixture
def peer(team):
    return member(team, Role.PEER_PRACTITIONER, "peer@example.org")


@pytest.fixture
def group(team, author, peer, facilitator):
    group = IntervisionGroup.objects.create(team=team, name="Peers", facilitator=facilitator)
    group.members.add(author, peer)
    return group


@pytest.fixture
def note(author, meeting):
    reflection = ReflectionFactory(
        author=author, meeting=meeting, text=NOTE_TEXT, status=Status.FINAL
    )
    Disclosure.objects.create(
        reflection=reflection, disclosed="dialogue", what_shared=DISCLOSURE_TEXT, emotional_cost=3
    )
    return reflection


@pytest.fixture
def supervisor_share(note, my_supervisor):
    return Share.objects.create(reflection=note, supervisor=my_supervisor)


@pytest.fixture
def group_share(note, group):
    return Share.objects.create(reflection=note, group=group)


def share_url(share, name="supervision:share_detail"):
    return reverse(name, args=[share.pk])


# Sharing -------------------------------------------------------------------


def test_the_author_shares_with_their_supervisor_and_group(
    login, author, note, my_supervisor, group
):
    response = login(author).post(
        reverse("supervision:share", args=[note.pk]),
        {"supervisors": [my_supervisor.pk], "groups": [group.pk]},
    )

    assert response.status_code == 302
    shares = Share.objects.filter(reflection=note)
    assert {share.recipient for share in shares} == {str(my_supervisor), str(group)}
    assert not any(share.include_disclosure for share in shares)
    assert AuditEvent.objects.filter(action=Action.SHARE).count() == 2


def test_sharing_twice_keeps_one_share(login, author, note, my_supervisor):
    client = login(author)
    url = reverse("supervision:share", args=[note.pk])

    client.post(url, {"supervisors": [my_supervisor.pk]})
    client.post(url, {"supervisors": [my_supervisor.pk]})

    assert Share.objects.filter(reflection=note).count() == 1


@pytest.mark.parametrize(
    "bad",
    ["someone who is not my supervisor", "a group I am not in", "nobody", "a past date"],
)
def test_sharing_with_the_wrong_people_is_refused_clearly(
    login, team, author, note, other_supervisor, bad
):
    other_group = IntervisionGroup.objects.create(team=team, name="Others", facilitator=author)
    data = {
        "someone who is not my supervisor": {"supervisors": [other_supervisor.pk]},
        "a group I am not in": {"groups": [other_group.pk]},
        "nobody": {},
        "a past date": {"supervisors": [other_supervisor.pk], "until": "2020-01-01"},
    }[bad]

    response = login(author).post(reverse("supervision:share", args=[note.pk]), data)

    assert response.status_code == 422
    assert "There is a problem" in response.content.decode()
    assert not Share.objects.exists()


@pytest.mark.parametrize("persona", ["colleague", "peer", "my_supervisor", "team_lead"])
def test_sharing_a_note_that_is_not_mine_is_404(request, login, note, persona):
    response = login(request.getfixturevalue(persona)).get(
        reverse("supervision:share", args=[note.pk])
    )

    assert response.status_code == 404


def test_a_draft_is_finished_before_it_is_shared(login, author, my_supervisor):
    draft = ReflectionFactory(author=author)

    response = login(author).post(
        reverse("supervision:share", args=[draft.pk]), {"supervisors": [my_supervisor.pk]}
    )

    assert response["Location"] == reverse("reflections:edit", args=[draft.pk])
    assert not Share.objects.exists()


# Who sees a shared note ----------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "supervisor_share_status", "group_share_status"),
    [
        ("my_supervisor", 200, 404),
        ("other_supervisor", 404, 404),
        ("peer", 404, 200),
        ("facilitator", 404, 200),
        ("colleague", 404, 404),
        ("team_lead", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_may_open_a_shared_note(
    request,
    login,
    supervisor_share,
    group_share,
    persona,
    supervisor_share_status,
    group_share_status,
):
    client = login(request.getfixturevalue(persona))

    for share, expected in [
        (supervisor_share, supervisor_share_status),
        (group_share, group_share_status),
    ]:
        response = client.get(share_url(share))
        assert response.status_code == expected, (persona, share.recipient)
        assert (NOTE_TEXT in response.content.decode()) is (expected == 200)


def test_a_supervisor_who_does_not_facilitate_the_group_sees_nothing_of_it(
    login, group_share, my_supervisor
):
    response = login(my_supervisor).get(reverse("supervision:inbox"))

    assert list(response.context["group_shares"]) == []
    assert login(my_supervisor).get(share_url(group_share)).status_code == 404


@pytest.mark.parametrize(
    "persona",
    [
        "author",
        "my_supervisor",
        "other_supervisor",
        "peer",
        "facilitator",
        "colleague",
        "team_lead",
        "outsider",
    ],
)
def test_the_inbox_lists_read_the_share_rule_in_parts(
    request, note, supervisor_share, group_share, other_supervisor, persona
):
    """The inbox's queues use received_as_supervisor and received_in_groups: together
    they are exactly received_by (the one rule), and no share is in both."""
    Share.objects.create(reflection=note, supervisor=other_supervisor)  # no link: never seen
    revoked = ReflectionFactory(author=note.author, status=Status.FINAL)
    Share.objects.create(reflection=revoked, supervisor=supervisor_share.supervisor).revoke(
        note.author
    )
    ended = ReflectionFactory(author=note.author, status=Status.FINAL)
    Share.objects.create(
        reflection=ended, group=group_share.group, until=timezone.localdate() - timedelta(days=1)
    )
    person = request.getfixturevalue(persona)

    as_supervisor = set(Share.objects.received_as_supervisor(person))
    in_groups = set(Share.objects.received_in_groups(person))

    assert as_supervisor | in_groups == set(Share.objects.received_by(person))
    assert not as_supervisor & in_groups
    expected = {"my_supervisor": {supervisor_share}, "peer": {group_share}}
    expected["facilitator"] = {group_share}
    assert as_supervisor | in_groups == expected.get(persona, set())


def test_anonymous_people_are_asked_to_sign_in(client, supervisor_share):
    for url in [reverse("supervision:inbox"), share_url(supervisor_share)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_disclosure_details_are_left_out_unless_included(login, supervisor_share, my_supervisor):
    client = login(my_supervisor)
    assert DISCLOSURE_TEXT not in client.get(share_url(supervisor_share)).content.decode()

    supervisor_share.include_disclosure = True
    supervisor_share.save()
    assert DISCLOSURE_TEXT in client.get(share_url(supervisor_share)).content.decode()


def test_reading_a_shared_note_is_audited_and_shown_to_the_author(
    login, author, note, supervisor_share, my_supervisor
):
    login(my_supervisor).get(share_url(supervisor_share))

    event = AuditEvent.objects.get(action=Action.READ)
    assert (event.actor, event.reflection_id, event.share_id) == (
        my_supervisor,
        note.pk,
        supervisor_share.pk,
    )
    page = login(author).get(reverse("reflections:detail", args=[note.pk])).content.decode()
    assert my_supervisor.first_name in page
    assert "Who has read it" in page


def test_the_author_reading_their_own_note_is_not_a_read_receipt(
    login, author, note, supervisor_share
):
    login(author).get(share_url(supervisor_share))
    login(author).get(reverse("reflections:detail", args=[note.pk]))

    assert not AuditEvent.objects.filter(action=Action.READ).exists()


# The inbox -----------------------------------------------------------------


def test_the_inbox_puts_asked_for_and_costly_notes_first_then_the_oldest(
    login, author, my_supervisor
):
    now = timezone.now()

    def shared(days_ago, wants=False, cost=None, include=False):
        reflection = ReflectionFactory(author=author, status=Status.FINAL, wants_supervision=wants)
        if cost is not None:
            Disclosure.objects.create(reflection=reflection, emotional_cost=cost)
        return Share.objects.create(
            reflection=reflection,
            supervisor=my_supervisor,
            include_disclosure=include,
            shared_at=now - timedelta(days=days_ago),
        )

    old_plain = shared(10)
    new_plain = shared(1)
    asked = shared(2, wants=True)
    costly = shared(3, cost=4, include=True)
    costly_but_private = shared(9, cost=4, include=False)

    response = login(my_supervisor).get(reverse("supervision:inbox"))

    assert list(response.context["awaiting"]) == [
        costly,
        asked,
        old_plain,
        costly_but_private,
        new_plain,
    ]


def test_a_revoked_share_leaves_the_inbox_at_once(login, author, supervisor_share, my_supervisor):
    assert list(login(my_supervisor).get(reverse("supervision:inbox")).context["awaiting"]) == [
        supervisor_share
    ]

    login(author).post(share_url(supervisor_share, "supervision:revoke"))

    client = login(my_supervisor)
    assert list(client.get(reverse("supervision:inbox")).context["awaiting"]) == []
    assert client.get(share_url(supervisor_share)).status_code == 404
    assert AuditEvent.objects.filter(action=Action.REVOKE).count() == 1


def test_a_share_past_its_date_is_no_longer_seen(login, note, my_supervisor):
    share = Share.objects.create(
        reflection=note, supervisor=my_supervisor, until=timezone.localdate() - timedelta(days=1)
    )

    assert login(my_supervisor).get(share_url(share)).status_code == 404


@pytest.mark.parametrize("rows", [5, 50])
def test_the_inbox_runs_a_fixed_number_of_queries(
    login, author, my_supervisor, rows, django_assert_num_queries
):
    for _ in range(rows):
        Share.objects.create(
            reflection=ReflectionFactory(author=author, status=Status.FINAL),
            supervisor=my_supervisor,
        )
    client = login(my_supervisor)

    # session, user, supervisor role, digest preference, awaiting (a count and a
    # page: its ids and its rows in one query), reviewed, group shares,
    # intervision summaries awaiting review and reviewed lately: the same at 5 and 50.
    with django_assert_num_queries(10):
        client.get(reverse("supervision:inbox"))


# Responding and reviewing --------------------------------------------------


def test_the_supervisor_responds_in_place_and_the_note_locks(
    login, author, note, supervisor_share, my_supervisor
):
    response = login(my_supervisor).post(
        share_url(supervisor_share, "supervision:respond"),
        {"text": "Thank you for writing this."},
        HTTP_HX_REQUEST="true",
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.strip().startswith('<section id="thread"')
    assert "Thank you for writing this." in content
    note.refresh_from_db()
    assert note.is_locked
    # The author can no longer change what the response refers to, only add to it.
    edit = login(author).get(reverse("reflections:edit", args=[note.pk]))
    assert edit["Location"] == reverse("reflections:detail", args=[note.pk])
    login(author).post(
        reverse("supervision:addendum", args=[note.pk]), {"text": "Later: Mum rang."}
    )
    assert note.addenda.get().text == "Later: Mum rang."


@pytest.mark.parametrize("persona", ["other_supervisor", "colleague", "team_lead", "peer"])
def test_responding_to_a_note_not_shared_with_me_is_404(request, login, supervisor_share, persona):
    response = login(request.getfixturevalue(persona)).post(
        share_url(supervisor_share, "supervision:respond"), {"text": "Hello"}
    )

    assert response.status_code == 404
    assert not Response.objects.exists()


def test_a_response_after_a_revoke_is_refused_with_a_message_and_nothing_saved(
    login, author, supervisor_share, my_supervisor
):
    supervisor_share.revoked_at = timezone.now()
    supervisor_share.save()

    response = login(my_supervisor).post(
        share_url(supervisor_share, "supervision:respond"),
        {"text": "Too late"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 404  # it is no longer shared with them at all
    assert not Response.objects.exists()


def test_the_author_replies_in_the_thread(login, author, supervisor_share):
    login(author).post(share_url(supervisor_share, "supervision:respond"), {"text": "Yes, let's."})

    assert Response.objects.get().author == author


def test_an_empty_response_is_a_clear_error(login, supervisor_share, my_supervisor):
    response = login(my_supervisor).post(
        share_url(supervisor_share, "supervision:respond"), {"text": ""}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    assert "Write your response before sending it." in response.content.decode()


def test_only_the_supervisor_marks_a_note_reviewed(
    login, supervisor_share, group_share, my_supervisor, peer
):
    assert login(peer).post(share_url(group_share, "supervision:review")).status_code == 404

    login(my_supervisor).post(share_url(supervisor_share, "supervision:review"))

    supervisor_share.refresh_from_db()
    assert supervisor_share.reviewed_at is not None
    assert AuditEvent.objects.filter(action=Action.REVIEW).count() == 1


def test_the_author_sees_who_has_it_responses_reviews_and_reads(
    login, author, note, supervisor_share, my_supervisor
):
    client = login(my_supervisor)
    client.get(share_url(supervisor_share))
    client.post(share_url(supervisor_share, "supervision:respond"), {"text": "Well held."})
    client.post(share_url(supervisor_share, "supervision:review"))

    page = login(author).get(reverse("reflections:detail", args=[note.pk])).content.decode()

    assert str(my_supervisor) in page
    assert "Well held." in page
    assert "Reviewed" in page
    assert "Who has read it" in page


def test_the_team_lead_never_reaches_a_note(login, team_lead, note, supervisor_share, group_share):
    client = login(team_lead)
    for url in [
        share_url(supervisor_share),
        share_url(group_share),
        reverse("reflections:detail", args=[note.pk]),
        reverse("supervision:share", args=[note.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert NOTE_TEXT not in response.content.decode()
    inbox = client.get(reverse("supervision:inbox")).content.decode()
    assert NOTE_TEXT not in inbox
    assert note.title not in inbox


def test_visible_to_follows_the_share_rule(
    author, note, supervisor_share, group_share, my_supervisor, peer, colleague, team_lead
):
    assert list(Reflection.objects.visible_to(my_supervisor)) == [note]
    assert list(Reflection.objects.visible_to(peer)) == [note]
    assert list(Reflection.objects.visible_to(colleague)) == []
    assert list(Reflection.objects.visible_to(team_lead)) == []
    assert list(Reflection.objects.mine(my_supervisor)) == []
