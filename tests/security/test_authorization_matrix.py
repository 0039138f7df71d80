"""The authorization matrix: every route, method and persona, in one table.

ROUTES gives, for each URL pattern name, how to build its URL, the method, and the
expected outcome for each persona. `test_every_route_has_an_entry` walks Django's
URL resolver and fails when a route has none, so a new view cannot ship without a
decision here. Families of third-party routes (the admin, allauth, its MFA and
sessions pages) are covered by a pattern and checked through one representative.

Markers: NOTE_MARKER is written into every free-text field of notes (the note,
principle notes, the disclosure, a response, an addendum, a session's actions);
it may appear only in responses to the personas listed in `sees`. NETWORK_MARKER
is the network's reference and a member's name: never shown outside the team,
and never on a dashboard.

Former recipients: a supervisor whose link to the author has ended (yesterday),
one whose link has not started yet, and a former intervision group member each
hold a share of the note (made while they were recipients, or ahead of time) and,
where they could have, wrote in its thread. They reach nothing of the author's:
every route is checked for them, their own old share answers 404 to reading,
responding and reviewing, and the digest counts nothing of the author's for them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from intervision.models import IntervisionSession, SupervisionSummary
from meetings.models import NetworkMember
from people.models import Invitation
from principles.models import OPEN_DIALOGUE, Framework, Principle
from reflections.models import Disclosure, PrincipleNote, Status
from security.mfa import has_totp, must_use_mfa
from supervision.digest import build_digest
from supervision.models import Addendum, Response, Share, SupervisionSession
from teams.models import (
    GroupAgreement,
    GroupSupervisionLink,
    IntervisionGroup,
    Membership,
    Role,
    SupervisionLink,
)
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
    UserFactory,
)
from tests.totp import activate_totp

pytestmark = pytest.mark.django_db

NOTE_MARKER = "Marker-note-c0ffee"
NETWORK_MARKER = "Marker-net-beef"

PERSONAS = [
    "anonymous",
    "author",
    "same_team",
    "other_team",
    "supervisor",
    "other_supervisor",
    "intervision_peer",
    "team_lead",
    "admin",
    # Recipients no longer: access ends with the relationship.
    "ended_supervisor",
    "future_supervisor",
    "former_member",
]
SIGNED_IN = PERSONAS[1:]
FORMER = {"ended_supervisor", "future_supervisor", "former_member"}
TEAM = {"author", "same_team", "supervisor", "other_supervisor", "intervision_peer", "team_lead"}
TEAM |= FORMER
PRACTISING = {"author", "same_team", "intervision_peer", "former_member"}
SUPERVISORS = {"supervisor", "other_supervisor", "ended_supervisor", "future_supervisor"}
PRACTISES_ANYWHERE = PRACTISING | {"other_team"}
# Recorded at the world's meeting.
PRESENT = {"author", "same_team"}


@dataclass
class World:
    people: dict[str, object]
    objects: dict[str, object]


@dataclass
class Route:
    """One URL pattern: how to build it, and who gets what."""

    url: Callable[[World], str]
    expect: dict[str, str]
    method: str = "get"
    data: dict[str, object] = field(default_factory=dict)
    sees: frozenset[str] = frozenset()


def outcomes(default: str, anonymous: str = "login", **special: str) -> dict[str, str]:
    """Everyone gets `default`, anonymous gets `anonymous`, named personas differ."""
    table = dict.fromkeys(SIGNED_IN, default)
    table["anonymous"] = anonymous
    table.update(special)
    return table


def only(people: set[str], allowed: str = "ok", others: str = "404", **special: str):
    table = {p: (allowed if p in people else others) for p in SIGNED_IN}
    table["anonymous"] = "login"
    table.update(special)
    return table


def team_view(**special: str):
    return only(TEAM, **special)


def team_change():
    # The team's non-practising members may look but not change: 403, not 404.
    return only(PRACTISING, others="404", team_lead="403", **dict.fromkeys(SUPERVISORS, "403"))


def practising_anywhere():
    return only(PRACTISES_ANYWHERE, others="403")


RUNS_TEAM = {"team_lead", "admin"}
IN_GROUP = frozenset({"author", "intervision_peer"})


def url(name: str, *keys: str) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[world.objects[key].pk for key in keys])


ROUTES: dict[str, Route] = {
    "home": Route(url("home"), outcomes("ok")),
    # The supervisor's own data holds the response and session notes they wrote.
    "my_data": Route(url("my_data"), outcomes("ok"), sees=frozenset({"author", "supervisor"})),
    "meetings:network_list": Route(url("meetings:network_list"), outcomes("ok")),
    "meetings:network_create": Route(url("meetings:network_create"), practising_anywhere()),
    "meetings:network_detail": Route(url("meetings:network_detail", "network"), team_view()),
    "meetings:network_edit": Route(url("meetings:network_edit", "network"), team_change()),
    "meetings:member_create": Route(url("meetings:member_create", "network"), team_change()),
    "meetings:member_edit": Route(url("meetings:member_edit", "network", "member"), team_change()),
    "meetings:meeting_create": Route(url("meetings:meeting_create", "network"), team_change()),
    "meetings:meeting_choose_network": Route(
        url("meetings:meeting_choose_network"), practising_anywhere()
    ),
    "meetings:meeting_detail": Route(url("meetings:meeting_detail", "meeting"), team_view()),
    "meetings:meeting_edit": Route(url("meetings:meeting_edit", "meeting"), team_change()),
    # The self-check is answered by the practitioners recorded at the meeting
    # (the author and same_team): the rest of the team may see the meeting, so 403.
    "meetings:self_check": Route(
        url("meetings:self_check", "meeting"),
        only({"author", "same_team"}, others="404", **dict.fromkeys(TEAM - PRESENT, "403")),
    ),
    "meetings:activity_create": Route(url("meetings:activity_create"), practising_anywhere()),
    "reflections:timeline": Route(
        url("reflections:timeline"), outcomes("ok"), sees=frozenset({"author"})
    ),
    "reflections:new": Route(url("reflections:new"), outcomes("ok")),
    # The editor for a note not created yet, and its first autosave (which creates it).
    "reflections:create": Route(url("reflections:create"), outcomes("ok")),
    "reflections:create_autosave": Route(
        url("reflections:create_autosave"),
        outcomes("ok", anonymous="401"),
        method="post",
        data={"text": "autosaved", "revision": "1"},
    ),
    "reflections:detail": Route(
        url("reflections:detail", "note"), only({"author"}), sees=frozenset({"author"})
    ),
    "reflections:edit": Route(
        url("reflections:edit", "draft"), only({"author"}), sees=frozenset({"author"})
    ),
    "reflections:autosave": Route(
        url("reflections:autosave", "draft"),
        only({"author"}, anonymous="401"),
        method="post",
        data={"text": "autosaved", "revision": "1"},
    ),
    # Only the author may discard a draft (GET asks; POST is the same rule).
    "reflections:discard": Route(
        url("reflections:discard", "draft"), only({"author"}), sees=frozenset({"author"})
    ),
    # Earlier versions are the author's alone, like the note.
    "reflections:restore_version": Route(
        url("reflections:restore_version", "draft", "version"),
        only({"author"}),
        method="post",
    ),
    "reflections:export_markdown": Route(
        url("reflections:export_markdown"), outcomes("ok"), sees=frozenset({"author"})
    ),
    "reflections:export_json": Route(
        url("reflections:export_json"), outcomes("ok"), sees=frozenset({"author"})
    ),
    # Export for my portfolio names nobody in its URL: everyone signed in gets their
    # own notes to choose from (none, for those who write none); the download is a
    # POST to the same URL, through the same rule (tests/reflections/test_portfolio.py).
    "reflections:portfolio": Route(
        url("reflections:portfolio"), outcomes("ok"), sees=frozenset({"author"})
    ),
    # My patterns names nobody in its URL: everyone signed in gets their own
    # figures, and it shows counts only, never a note's text (not even the author's).
    "reflections:patterns": Route(url("reflections:patterns"), outcomes("ok")),
    "supervision:inbox": Route(url("supervision:inbox"), outcomes("ok")),
    "supervision:share_detail": Route(
        url("supervision:share_detail", "share"),
        only({"author", "supervisor"}),
        sees=frozenset({"supervisor"}),
    ),
    "supervision:respond": Route(
        url("supervision:respond", "share"),
        only({"author", "supervisor"}),
        method="post",
        data={"text": "A response."},
    ),
    "supervision:review": Route(
        url("supervision:review", "share"), only({"supervisor"}), method="post"
    ),
    "supervision:revoke": Route(
        url("supervision:revoke", "share"), only({"author"}), method="post"
    ),
    "supervision:ask_to_talk": Route(
        url("supervision:ask_to_talk", "share"), only({"author"}), method="post"
    ),
    "supervision:share": Route(url("supervision:share", "note"), only({"author"})),
    "supervision:addendum": Route(
        url("supervision:addendum", "note"),
        only({"author"}),
        method="post",
        data={"text": "Added later."},
    ),
    "supervision:sessions": Route(
        url("supervision:sessions"), outcomes("ok"), sees=frozenset({"author", "supervisor"})
    ),
    # The supervisee's own part of a session record: theirs alone, like the rule's
    # other half (the supervisor sees the record but neither comments nor confirms).
    "supervision:session_comment": Route(
        url("supervision:session_comment", "session"),
        only({"author"}),
        method="post",
        data={"text": "A comment."},
    ),
    "supervision:session_confirm": Route(
        url("supervision:session_confirm", "session"), only({"author"}), method="post"
    ),
    # Everyone chooses their own digest (supervisors from the inbox, everyone
    # else from My practice); it is about their own mailbox only.
    "supervision:digest_preference": Route(
        url("supervision:digest_preference"),
        outcomes("ok"),
        method="post",
        data={"frequency": "daily"},
    ),
    # Intervision: the group's own record. Its list is everyone's own; a group's
    # page is its members' and facilitator's; what was said in a session is for
    # those who attended and the facilitator; the summary also reaches the group's
    # supervisor once agreed (it is, here). Nothing reaches the team lead or admin.
    "intervision:groups": Route(url("intervision:groups"), outcomes("ok")),
    "intervision:group": Route(url("intervision:group", "group"), only(IN_GROUP)),
    "intervision:agreement_edit": Route(
        url("intervision:agreement_edit", "group"), only(IN_GROUP, author="403")
    ),
    "intervision:agreement_accept": Route(
        url("intervision:agreement_accept", "group"), only(IN_GROUP), method="post"
    ),
    "intervision:session_create": Route(
        url("intervision:session_create", "group"), only(IN_GROUP, author="403")
    ),
    "intervision:session": Route(
        url("intervision:session", "iv_session"), only(IN_GROUP), sees=IN_GROUP
    ),
    "intervision:session_edit": Route(
        url("intervision:session_edit", "iv_session"), only(IN_GROUP, author="403")
    ),
    # The author is the note-taker: only they write the group's notes.
    "intervision:session_notes": Route(
        url("intervision:session_notes", "iv_session"),
        only(IN_GROUP, intervision_peer="403"),
        method="post",
        data={"notes": "Our notes.", "revision": "1"},
        sees=frozenset({"author"}),
    ),
    "intervision:summary_draft": Route(
        url("intervision:summary_draft", "iv_session"),
        only(IN_GROUP, intervision_peer="403"),
        sees=frozenset({"author"}),
    ),
    "intervision:summary": Route(
        url("intervision:summary", "summary"),
        only(IN_GROUP | {"supervisor"}),
        sees=IN_GROUP | {"supervisor"},
    ),
    "intervision:summary_agree": Route(
        url("intervision:summary_agree", "summary"),
        only(IN_GROUP, allowed="409", supervisor="409"),
        method="post",
    ),
    "intervision:summary_respond": Route(
        url("intervision:summary_respond", "summary"),
        only({"supervisor"}),
        method="post",
        data={"response": "A response."},
    ),
    "intervision:summary_review": Route(
        url("intervision:summary_review", "summary"), only({"supervisor"}), method="post"
    ),
    "dashboards:dashboard": Route(url("dashboards:dashboard"), only({"team_lead", "admin"})),
    "dashboards:export": Route(url("dashboards:export"), only({"team_lead", "admin"})),
    "dashboards:research_export": Route(
        url("dashboards:research_export"), only({"team_lead", "admin"})
    ),
    "account_security": Route(url("account_security"), outcomes("ok")),
    # The load balancer's and compose's health check: open to all, JSON, no data.
    "healthz": Route(url("healthz"), outcomes("ok", anonymous="ok")),
    # Liveness: "ok" as text, open to all, no database, no data (pod_site/health.py).
    "livez": Route(url("livez"), outcomes("ok", anonymous="ok")),
    # Installable and usable offline (pod_site/offline.py): the manifest, the
    # service worker and the two pages it keeps hold nothing of anyone's.
    "web_manifest": Route(url("web_manifest"), outcomes("ok", anonymous="ok")),
    "service_worker": Route(url("service_worker"), outcomes("ok", anonymous="ok")),
    "offline_page": Route(url("offline_page"), outcomes("ok", anonymous="ok")),
    "offline_editor": Route(url("offline_editor"), outcomes("ok", anonymous="ok")),
    # The session tag (a keyed hash, not the session key): anyone's own, or "".
    "offline_session_tag": Route(url("offline_session_tag"), outcomes("ok", anonymous="ok")),
    # Ending a session that is not mine (or does not exist) is the same 404.
    "end_session": Route(
        lambda world: reverse("end_session", args=[999_999]), outcomes("404"), method="post"
    ),
    # A fresh CSRF token for a page that stays open: anyone, signed in or not.
    "csrf_token": Route(url("csrf_token"), outcomes("ok", anonymous="ok")),
    # Where the in-page sign-in lands, and what was sent while signed out: each
    # person's own (this browser's) pending posts only; anyone else's is a 404.
    "signed_in_again": Route(url("signed_in_again"), outcomes("ok")),
    "pending_posts": Route(url("pending_posts"), outcomes("ok")),
    "pending_post_discard": Route(
        lambda world: reverse("pending_post_discard", args=[999_999]),
        outcomes("404"),
        method="post",
    ),
    # The team page and invitations: the team's leads and admins; nobody else.
    "people:team_list": Route(url("people:team_list"), only(RUNS_TEAM)),
    "people:team": Route(url("people:team", "team"), only(RUNS_TEAM)),
    "people:settings": Route(
        url("people:settings", "team"),
        only(RUNS_TEAM),
        method="post",
        data={
            "time_zone": "Europe/London",
            "review_overdue_days": 14,
            "monthly_supervision_minutes": 60,
        },
    ),
    "people:role_add": Route(url("people:role_add", "team"), only(RUNS_TEAM)),
    "people:role_end": Route(
        url("people:role_end", "team", "membership"), only(RUNS_TEAM), method="post"
    ),
    "people:link_add": Route(url("people:link_add", "team"), only(RUNS_TEAM)),
    "people:link_end": Route(url("people:link_end", "team", "link"), only(RUNS_TEAM)),
    "people:group_add": Route(url("people:group_add", "team"), only(RUNS_TEAM)),
    "people:group_edit": Route(url("people:group_edit", "team", "group"), only(RUNS_TEAM)),
    "people:group_link_add": Route(url("people:group_link_add", "team", "group"), only(RUNS_TEAM)),
    "people:group_link_end": Route(
        url("people:group_link_end", "team", "group", "group_link"), only(RUNS_TEAM)
    ),
    "people:leaver": Route(url("people:leaver", "team", "leaver"), only(RUNS_TEAM)),
    "people:invite": Route(url("people:invite", "team"), only(RUNS_TEAM)),
    "people:invitation_resend": Route(
        url("people:invitation_resend", "team", "invitation"), only(RUNS_TEAM), method="post"
    ),
    "people:invitation_withdraw": Route(
        url("people:invitation_withdraw", "team", "invitation"), only(RUNS_TEAM), method="post"
    ),
    # The frameworks the team reflects with, and its own (tests/principles).
    "people:framework_switch": Route(
        lambda world: reverse(
            "people:framework_switch",
            args=[world.objects["team"].pk, Framework.objects.get(slug=OPEN_DIALOGUE).pk],
        ),
        only(RUNS_TEAM),
        method="post",
        data={"enabled": "1"},
    ),
    "people:framework_add": Route(url("people:framework_add", "team"), only(RUNS_TEAM)),
    "people:framework_edit": Route(
        lambda world: reverse(
            "people:framework_edit", args=[_own_principle(world).framework.team_id]
        ),
        only(RUNS_TEAM),
    ),
    "people:principle_add": Route(
        lambda world: reverse(
            "people:principle_add", args=[_own_principle(world).framework.team_id]
        ),
        only(RUNS_TEAM),
    ),
    "people:principle_edit": Route(
        lambda world: reverse(
            "people:principle_edit", args=[world.objects["team"].pk, _own_principle(world).pk]
        ),
        only(RUNS_TEAM),
    ),
    "people:principle_up": Route(
        lambda world: reverse(
            "people:principle_up", args=[world.objects["team"].pk, _own_principle(world).pk]
        ),
        only(RUNS_TEAM),
        method="post",
    ),
}

# Families of routes decided together, each checked through one representative.
PATTERNS: dict[str, tuple[str, Route]] = {
    # The Django admin: staff only; everyone else is sent to sign in.
    "admin:*": ("admin:index", Route(url("admin:index"), outcomes("login", admin="ok"))),
    # allauth's sign-in, password and email pages: open to all, as allauth decides.
    "account_*": ("account_login", Route(url("account_login"), outcomes("ok", anonymous="ok"))),
    # MFA and session pages: anyone signed in, about themselves only.
    "mfa_*": ("mfa_index", Route(url("mfa_index"), outcomes("ok"))),
    "usersessions_*": ("usersessions_list", Route(url("usersessions_list"), outcomes("ok"))),
}


def route_names(patterns=None, namespace: str | None = None):
    """Every named route in the URLconf, with its namespace."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if inner:
                inner = f"{namespace}:{inner}" if namespace else inner
            yield from route_names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"(unnamed) {pattern.pattern}"
            yield f"{namespace}:{name}" if namespace else name


def decided(name: str) -> bool:
    return name in ROUTES or any(fnmatch.fnmatch(name, glob) for glob in PATTERNS)


def _own_principle(world: World) -> Principle:
    """A principle of the world's team's own framework, made on first use (each
    persona's call is rolled back, so it may be made again)."""
    team = world.objects["team"]
    framework = Framework.objects.filter(team=team).first() or Framework.create_for_team(
        team, "Our way"
    )
    return framework.principles.first() or framework.add_principle(
        "Listening", "How we listen.", ["What did I hear?"]
    )


def test_every_route_has_an_entry():
    missing = sorted({name for name in route_names() if not decided(name)})

    assert missing == [], f"Routes with no entry in the authorization matrix: {missing}"


# The world --------------------------------------------------------------------


def _person(email: str, team=None, role: Role | None = None, **extra):
    user = UserFactory(email=email, **extra)
    if team is not None:
        Membership.objects.create(
            user=user, team=team, role=role, discipline="nursing" if role == "practitioner" else ""
        )
    return user


@pytest.fixture
def world(team, other_team) -> World:
    people = {
        "anonymous": None,
        "author": _person("author@example.org", team, Role.PEER_PRACTITIONER),
        "same_team": _person("same@example.org", team, Role.PRACTITIONER),
        "other_team": _person("other@example.org", other_team, Role.PEER_PRACTITIONER),
        "supervisor": _person("supervisor@example.org", team, Role.SUPERVISOR),
        "other_supervisor": _person("other.supervisor@example.org", team, Role.SUPERVISOR),
        "intervision_peer": _person("peer@example.org", team, Role.PEER_PRACTITIONER),
        "team_lead": _person("lead@example.org", team, Role.TEAM_LEAD),
        "admin": _person("admin@example.org", is_staff=True, is_superuser=True),
    }
    author, supervisor = people["author"], people["supervisor"]
    network = NetworkFactory(team=team, reference=NETWORK_MARKER)
    member = NetworkMember.objects.create(
        network=network, name=NETWORK_MARKER, relationship="parent"
    )
    meeting = NetworkMeetingFactory(network=network)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
    PractitionerAttendanceFactory(
        meeting=meeting, practitioner=people["same_team"], role=Role.PRACTITIONER
    )
    note = ReflectionFactory(author=author, meeting=meeting, text=NOTE_MARKER, status=Status.FINAL)
    for principle in Principle.objects.peer_practice():
        PrincipleNote.objects.create(reflection=note, principle=principle, text=NOTE_MARKER)
    Disclosure.objects.create(reflection=note, disclosed="dialogue", what_shared=NOTE_MARKER)
    Addendum.objects.create(reflection=note, text=NOTE_MARKER)
    draft = ReflectionFactory(author=author, text=NOTE_MARKER)
    version = draft.keep_version()
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    share = Share.objects.create(reflection=note, supervisor=supervisor, include_disclosure=True)
    Response.objects.create(share=share, author=supervisor, text=NOTE_MARKER)
    group = IntervisionGroup.objects.create(
        team=team, name="Peers", facilitator=people["intervision_peer"]
    )
    group.members.add(author, people["intervision_peer"])
    group_share = Share.objects.create(reflection=note, group=group)
    intervision = _intervision(people, group, group_share)
    session = SupervisionSession.objects.create(
        supervisor=supervisor,
        supervisee=author,
        agreed_actions=NOTE_MARKER,
        supervisee_comment=NOTE_MARKER,
    )
    session.discussed.add(share)
    objects = {"network": network, "member": member, "meeting": meeting, "note": note}
    objects["session"] = session
    objects.update({"draft": draft, "share": share, "version": version})
    objects.update(intervision)
    objects.update(_former_recipients(team, people, note, group))
    invitee = UserFactory(email="invited@example.org")
    invitee.set_unusable_password()
    invitee.save()
    objects.update(
        team=team,
        group=group,
        link=SupervisionLink.objects.get(supervisor=supervisor, supervisee=author),
        membership=Membership.objects.get(user=author, team=team),
        leaver=people["same_team"],
        invitation=Invitation.objects.create(
            team=team, user=invitee, invited_by=people["team_lead"], roles=["practitioner"]
        ),
    )
    return World(people, objects)


def _intervision(people, group, group_share) -> dict[str, object]:
    """The group's agreement (the author accepted it), its supervisor, and a session
    the author and the facilitator attended, with notes and a summary both agreed:
    so the supervisor reads the summary, and nobody else outside the group does."""
    author, facilitator = people["author"], people["intervision_peer"]
    terms = {
        "what_is_recorded": "Dates and themes.",
        "who_may_read": "Those who attended.",
        "confidentiality_limits": "Safety.",
        "taken_to_supervision": "An agreed summary.",
    }
    GroupAgreement.write(group, facilitator, quorum=None, **terms).accept(author)
    GroupSupervisionLink.objects.create(group=group, supervisor=people["supervisor"])
    session = IntervisionSession(
        group=group,
        held_on=timezone.localdate(),
        duration=60,
        presenter=author,
        facilitator=facilitator,
        note_taker=author,
        notes=NOTE_MARKER,
    )
    session.record(facilitator, [author, facilitator], [group_share])
    summary = SupervisionSummary.draft(session, author, NOTE_MARKER, NOTE_MARKER)
    summary.agree(author)
    summary.agree(facilitator)
    return {
        "iv_session": session,
        "summary": summary,
        "group_link": group.supervision_links.get(),
    }


def _former_recipients(team, people, note, group) -> dict[str, object]:
    """Each former recipient's share of the note, with what they wrote while they
    were one; then the relationship ends (or has not begun)."""
    author, today = people["author"], timezone.localdate()
    ended = people["ended_supervisor"] = _person("ended@example.org", team, Role.SUPERVISOR)
    # An admin ended the link yesterday.
    SupervisionLink.objects.create(
        supervisor=ended,
        supervisee=author,
        since=today - timedelta(days=90),
        until=today - timedelta(days=1),
    )
    ended_share = Share.objects.create(reflection=note, supervisor=ended, include_disclosure=True)
    Response.objects.create(share=ended_share, author=ended, text=NOTE_MARKER)
    SupervisionSession.objects.create(
        supervisor=ended,
        supervisee=author,
        agreed_actions=NOTE_MARKER,
        held_on=today - timedelta(days=10),
    ).discussed.add(ended_share)

    future = people["future_supervisor"] = _person("future@example.org", team, Role.SUPERVISOR)
    SupervisionLink.objects.create(
        supervisor=future, supervisee=author, since=today + timedelta(days=7)
    )
    future_share = Share.objects.create(reflection=note, supervisor=future, include_disclosure=True)

    former = people["former_member"] = _person("former@example.org", team, Role.PEER_PRACTITIONER)
    group.members.add(former)
    group_share = note.shares.get(group=group)
    Response.objects.create(share=group_share, author=former, text=NOTE_MARKER)
    group.members.remove(former)
    return {"ended_share": ended_share, "future_share": future_share, "group_share": group_share}


def client_for(world: World, persona: str) -> Client:
    client = Client()
    user = world.people[persona]
    if user is not None:
        if must_use_mfa(user) and not has_totp(user):
            activate_totp(user)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def outcome(response) -> str:
    location = response.get("Location", "")
    if response.status_code in (301, 302, 303) and location.startswith(
        (reverse("account_login"), reverse("admin:login"))
    ):
        return "login"
    if response.status_code < 400:
        return "ok"
    return str(response.status_code)


def content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def check(world: World, name: str, route: Route) -> list[str]:
    """Call one route as every persona; return what differs from the table."""
    problems = []
    for persona in PERSONAS:
        # Each call sees the world as the fixture made it: a revoke or a review
        # by one persona is rolled back before the next.
        with transaction.atomic():
            response = getattr(client_for(world, persona), route.method)(
                route.url(world), route.data
            )
            got, body = outcome(response), content(response)
            transaction.set_rollback(True)
        expected = route.expect[persona]
        if got != expected:
            problems.append(
                f"{name} {route.method.upper()} as {persona}: {got}, expected {expected}"
            )
        if NOTE_MARKER in body and persona not in route.sees:
            problems.append(f"{name} shows note text to {persona}")
        if NETWORK_MARKER in body and (persona not in TEAM or name.startswith("dashboards:")):
            problems.append(f"{name} shows a network reference to {persona}")
    return problems


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route(world, name):
    assert check(world, name, ROUTES[name]) == []


def test_the_team_settings_page_opens_for_the_same_people(world):
    """people:settings is posted to (ROUTES) and, since the form has a page of its
    own, opened with GET: by the team's leads and admins, a 404 for anyone else."""
    page = Route(url("people:settings", "team"), only(RUNS_TEAM))

    assert check(world, "people:settings", page) == []


@pytest.mark.parametrize("glob", sorted(PATTERNS))
def test_route_family(world, glob):
    name, route = PATTERNS[glob]
    assert fnmatch.fnmatch(name, glob)
    assert check(world, name, route) == []


# Former recipients and their own old shares ---------------------------------

THEIR_SHARE = {
    "ended_supervisor": "ended_share",
    "future_supervisor": "future_share",
    "former_member": "group_share",
}
SHARE_ROUTES = {
    "supervision:share_detail": ("get", {}),
    "supervision:respond": ("post", {"text": "A response."}),
    "supervision:review": ("post", {}),
}


@pytest.mark.parametrize("persona", sorted(THEIR_SHARE))
@pytest.mark.parametrize("name", sorted(SHARE_ROUTES))
def test_former_recipients_reach_nothing_through_their_old_share(world, persona, name):
    share = world.objects[THEIR_SHARE[persona]]
    responses = Response.objects.count()
    method, data = SHARE_ROUTES[name]

    response = getattr(client_for(world, persona), method)(reverse(name, args=[share.pk]), data)

    assert outcome(response) == "404"
    assert NOTE_MARKER not in content(response)
    assert Response.objects.count() == responses
    share.refresh_from_db()
    assert share.reviewed_at is None


def test_a_current_group_member_still_reads_the_group_share(world):
    """The control for the test above: the group share itself is live."""
    share = world.objects["group_share"]

    response = client_for(world, "intervision_peer").get(
        reverse("supervision:share_detail", args=[share.pk])
    )

    assert outcome(response) == "ok"
    assert NOTE_MARKER in content(response)


@pytest.mark.parametrize("persona", sorted(FORMER))
def test_the_digest_counts_nothing_of_the_authors_for_former_recipients(world, persona):
    digest = build_digest(world.people[persona], timezone.now())

    assert digest.awaiting_review == 0
    assert digest.newly_shared == 0
    assert digest.want_to_talk == 0
    assert digest.oldest_waiting_days is None
    assert digest.intervision_shared == 0
    assert digest.intervision_responses == 0
    assert digest.is_empty


def test_the_digest_counts_the_current_supervisors_share(world):
    digest = build_digest(world.people["supervisor"], timezone.now())

    assert digest.awaiting_review == 1
