"""Every change to a note is a model method that writes its audit row, in the same
transaction as the change; the admin never hard-deletes notes, their parts or people.

For each change: it writes exactly one AuditEvent, with its action; and when
writing the audit row fails, the change is rolled back with it (so neither a
change without a trace nor a trace without a change is possible).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent, AuditEventQuerySet
from data_rights.erasure import erase_reflections_of
from reflections.forms import ReflectionForm
from reflections.models import Disclosure, PrincipleNote, Reflection, ReflectionVersion, Status
from supervision.models import Addendum, Response, Share, SupervisionSession
from teams.models import IntervisionGroup, SupervisionLink, User
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    author: User
    supervisor: User
    note: Reflection
    draft: Reflection
    share: Share
    group: IntervisionGroup


@pytest.fixture
def world(team, author, supervisor, colleague, admin_user) -> World:
    SupervisionLink.objects.create(
        supervisor=supervisor, supervisee=author, since=timezone.localdate() - timedelta(days=30)
    )
    group = IntervisionGroup.objects.create(team=team, name="Peers", facilitator=colleague)
    group.members.add(author, colleague)
    note = ReflectionFactory(
        author=author, status=Status.FINAL, text="As first written.", finished_at=timezone.now()
    )
    other = ReflectionFactory(author=author, status=Status.FINAL, finished_at=timezone.now())
    share = Share.objects.create(reflection=other, supervisor=supervisor)
    draft = ReflectionFactory(author=author, text="A draft with something in it.")
    return World(author, supervisor, note, draft, share, group)


def _posted(**fields: object) -> QueryDict:
    return QueryDict(urlencode(fields))


def _edit_final(world: World) -> None:
    form = ReflectionForm(
        _posted(text="Changed after finishing.", revision=world.note.revision), principles=[]
    )
    assert form.is_valid(), form.errors
    form.save(world.note)


def _restore(world: World) -> None:
    version = world.note.keep_version()
    Reflection.objects.filter(pk=world.note.pk).update(text="Changed since.")
    world.note.refresh_from_db()
    world.note.restore(version)


def _fresh(model, pk):
    return model.objects.get(pk=pk)


@dataclass
class Change:
    action: Action
    run: Callable[[World], Any]
    happened: Callable[[World], bool]


CHANGES = {
    "share": Change(
        Action.SHARE,
        lambda w: w.note.share_with(group=w.group),
        lambda w: Share.objects.filter(reflection=w.note).exists(),
    ),
    "revoke": Change(
        Action.REVOKE,
        lambda w: w.share.revoke(w.author),
        lambda w: _fresh(Share, w.share.pk).revoked_at is not None,
    ),
    "respond": Change(
        Action.RESPOND,
        lambda w: w.share.respond(w.supervisor, "Thank you for this."),
        lambda w: Response.objects.filter(share=w.share).exists(),
    ),
    "review": Change(
        Action.REVIEW,
        lambda w: w.share.mark_reviewed(w.supervisor),
        lambda w: _fresh(Share, w.share.pk).reviewed_at is not None,
    ),
    "addendum": Change(
        Action.ADDENDUM,
        lambda w: w.note.add_addendum("Something I add later."),
        lambda w: Addendum.objects.filter(reflection=w.note).exists(),
    ),
    "finish": Change(
        Action.FINISH,
        lambda w: w.draft.finish(),
        lambda w: _fresh(Reflection, w.draft.pk).status == Status.FINAL,
    ),
    "edit a final note": Change(
        Action.EDIT,
        _edit_final,
        lambda w: _fresh(Reflection, w.note.pk).text == "Changed after finishing.",
    ),
    "restore a version": Change(
        Action.RESTORE,
        _restore,
        lambda w: _fresh(Reflection, w.note.pk).text == "As first written.",
    ),
    "erase": Change(
        Action.ERASE,
        lambda w: erase_reflections_of(w.author, "Left the service.", None),
        lambda w: not Reflection.objects.filter(author=w.author).exists(),
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_change_to_a_note_writes_exactly_one_audit_row(world, name):
    change = CHANGES[name]
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    change.run(world)

    assert change.happened(world)
    written = AuditEvent.objects.exclude(pk__in=before)
    assert [event.action for event in written] == [change.action]
    # Ids and flags only, never text.
    assert "text" not in written.get().detail


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_change_and_its_audit_row_are_one_transaction(world, name):
    change = CHANGES[name]
    # The audit row fails after the change was made: the change must go with it.
    failing = mock.patch.object(AuditEventQuerySet, "record", side_effect=RuntimeError("down"))

    with failing, pytest.raises(RuntimeError, match="down"):
        change.run(world)

    assert not change.happened(world)
    assert not AuditEvent.objects.exists()


def test_saving_a_draft_is_not_audited_keystroke_by_keystroke(world):
    form = ReflectionForm(
        _posted(text="Still drafting.", revision=world.draft.revision), principles=[]
    )
    assert form.is_valid(), form.errors

    form.save(world.draft, autosave=True)

    assert _fresh(Reflection, world.draft.pk).text == "Still drafting."
    assert not AuditEvent.objects.exists()


def test_a_response_after_the_link_ends_is_refused_and_leaves_no_trace(world):
    SupervisionLink.objects.update(until=timezone.localdate() - timedelta(days=1))

    with pytest.raises(Exception, match="no longer shared"):
        world.share.respond(world.supervisor, "Too late.")

    assert not Response.objects.exists()
    assert not AuditEvent.objects.exists()


# The admin never hard-deletes notes, their parts or people -----------------

NOTES_AND_PARTS = [
    Reflection,
    PrincipleNote,
    Disclosure,
    ReflectionVersion,
    Share,
    Response,
    Addendum,
    SupervisionSession,
    User,
]


@pytest.mark.parametrize("model", NOTES_AND_PARTS, ids=lambda m: m.__name__)
def test_the_admin_offers_no_delete(admin_user, model):
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return  # not in the admin at all
    request = RequestFactory().get("/")
    request.user = admin_user

    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_refuses_to_delete_a_note_or_a_person(admin_client, world):
    for model, pk in (
        (Reflection, world.note.pk),
        (Share, world.share.pk),
        (User, world.author.pk),
    ):
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[pk])

        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Reflection.objects.filter(pk=world.note.pk).exists()
    assert User.objects.filter(pk=world.author.pk).exists()


def test_the_audited_erasure_stays_in_the_admin(admin_client, world):
    response = admin_client.get(reverse("admin:teams_user_changelist"))

    assert "erase_reflections" in response.content.decode()
