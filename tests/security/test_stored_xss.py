"""Stored XSS: attack strings in every free-text field are shown as text everywhere.

Each payload is written into every free-text field (cut to the field's length
where it has one), then every page and email that shows those fields is fetched.
The raw payload must never appear; where a page shows the whole text, its escaped
form must. tests/e2e/test_stored_xss.py loads the same pages in Chromium and
fails if any dialog opens.
"""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from meetings.models import MemberAttendance
from principles.models import Principle
from reflections.models import Disclosure, PrincipleNote, Status
from supervision.digest import deliver_digest
from supervision.models import Addendum, Response, Share, SupervisionSession
from teams.models import SupervisionLink
from tests.factories import (
    NetworkFactory,
    NetworkMeetingFactory,
    NetworkMemberFactory,
    PractitionerAttendanceFactory,
    ReflectionFactory,
)
from tests.security.xss_payloads import PAYLOADS

pytestmark = pytest.mark.django_db

HTML_SPECIAL = set("<>\"'&")


def build_world(payload, team, author, supervisor):
    """Every free-text field the app has, holding the payload."""
    author.first_name = payload[:150]
    author.save()
    network = NetworkFactory(team=team, reference=payload[:40])
    member = NetworkMemberFactory(network=network, name=payload[:80])
    meeting = NetworkMeetingFactory(network=network)
    PractitionerAttendanceFactory(meeting=meeting, practitioner=author)
    MemberAttendance.objects.create(meeting=meeting, member=member)
    note = ReflectionFactory(author=author, meeting=meeting, text=payload, status=Status.FINAL)
    for principle in Principle.objects.peer_practice():
        PrincipleNote.objects.create(reflection=note, principle=principle, text=payload)
    Disclosure.objects.create(
        reflection=note, disclosed="dialogue", what_shared=payload, what_guided=payload
    )
    SupervisionLink.objects.get_or_create(supervisor=supervisor, supervisee=author)
    share = Share.objects.create(reflection=note, supervisor=supervisor, include_disclosure=True)
    Response.objects.create(share=share, author=supervisor, text=payload)
    Addendum.objects.create(reflection=note, text=payload)
    SupervisionSession.objects.create(
        supervisor=supervisor, supervisee=author, agreed_actions=payload
    )
    return {"network": network, "meeting": meeting, "note": note, "share": share}


def pages(world, author, supervisor):
    """(who, url, shows the whole text) for every page showing those fields."""
    note, share = world["note"], world["share"]
    return [
        (author, reverse("home"), False),
        (author, reverse("reflections:timeline"), False),
        (author, reverse("reflections:detail", args=[note.pk]), True),
        (author, reverse("reflections:new"), False),
        (author, reverse("meetings:network_list"), False),
        (author, reverse("meetings:network_detail", args=[world["network"].pk]), False),
        (author, reverse("meetings:meeting_detail", args=[world["meeting"].pk]), False),
        (author, reverse("supervision:sessions"), True),
        (supervisor, reverse("supervision:inbox"), False),
        (supervisor, reverse("supervision:share_detail", args=[share.pk]), True),
        (supervisor, reverse("supervision:sessions"), True),
    ]


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_is_shown_as_text_on_every_page(login, team, author, supervisor, payload):
    world = build_world(payload, team, author, supervisor)

    for person, url, shows_whole_text in pages(world, author, supervisor):
        response = login(person).get(url)
        content = response.content.decode()
        assert response.status_code == 200, url
        if HTML_SPECIAL & set(payload):
            assert payload not in content, f"raw payload on {url}"
        if shows_whole_text:
            assert escape(payload) in content, f"payload missing from {url}"


@pytest.mark.parametrize("payload", PAYLOADS[:10], ids=range(10))
def test_the_edit_form_keeps_the_payload_inside_its_textarea(
    login, team, author, supervisor, payload
):
    world = build_world(payload, team, author, supervisor)
    world["note"].shares.all().delete()  # unlocked, so the form shows

    content = (
        login(author).get(reverse("reflections:edit", args=[world["note"].pk])).content.decode()
    )

    assert escape(payload) in content
    if HTML_SPECIAL & set(payload):
        assert payload not in content


def test_digest_emails_carry_no_payload(settings, team, author, supervisor):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for payload in PAYLOADS[:5]:
        build_world(payload, team, author, supervisor)

    deliver_digest(supervisor.pk)

    (email,) = mail.outbox
    everything = email.subject + email.body + "".join(a[0] for a in email.alternatives)
    for payload in PAYLOADS[:5]:
        assert payload not in everything
        assert escape(payload) not in everything
