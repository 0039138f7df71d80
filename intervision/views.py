"""Intervision pages: a group's agreement, its sessions and notes, and the
summary it takes to its supervisor.

Every record is reached through its one rule, and anything else answers 404,
the same as what does not exist: a group through `IntervisionGroup.objects.
joined_by` (its agreement and who is in it) and, for its records, `open_to`
(via the querysets below); that a session took place through
`IntervisionSession.objects.visible_to`, what was said through
`notes_visible_to`; a summary through `SupervisionSummary.objects.visible_to`,
and the supervisor's actions through `for_supervisor`. Someone who may see a
record but not act on it gets 403. Every change and every read by someone other
than the author is a model method that writes its AuditEvent; no view writes
an audit row itself, and no message holds note text.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intervision.forms import (
    AgreementForm,
    NotesForm,
    SessionForm,
    SummaryForm,
    SummaryResponseForm,
)
from intervision.models import IntervisionSession, NotAllowed, SupervisionSummary
from pod_site.editing import conflict_with, rebased
from security.submissions import keep_key_usable, submitted_once
from teams.models import GroupAgreement, IntervisionGroup

REFUSED = "Nothing was saved."


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def _posted_int(request: HttpRequest, name: str) -> int:
    """A whole number the form carries (the version or revision the person read);
    0 when it is missing or not a number, which matches no version: a page from
    before the field existed is asked to read again, never taken as agreeing."""
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        return 0


# Groups and their agreement ---------------------------------------------------


def _joined_group(request: HttpRequest, pk: int) -> IntervisionGroup:
    """A group I am a current member of, or facilitate; 404 for anyone else."""
    groups = IntervisionGroup.objects.joined_by(request.user).select_related(
        "facilitator", "agreement"
    )
    return get_object_or_404(groups, pk=pk)


def _agreement_of(group: IntervisionGroup) -> GroupAgreement | None:
    return getattr(group, "agreement", None)


@login_required
@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    """The groups I am in or facilitate, and whether I must accept an agreement."""
    user = request.user
    mine = list(
        user.reflection_groups().select_related("facilitator", "agreement").order_by("name")
    )
    open_ids = set(
        IntervisionGroup.objects.open_to(user)
        .filter(pk__in=[g.pk for g in mine])
        .values_list("pk", flat=True)
    )
    for group in mine:
        group.must_accept = group.pk not in open_ids
        group.i_facilitate = group.facilitator_id == user.pk
    return render(request, "intervision/groups.html", {"groups": mine})


@login_required
@require_GET
def group(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's agreement at the top; its sessions only once I accepted it."""
    group = _joined_group(request, pk)
    user = request.user
    agreement = _agreement_of(group)
    must_accept = group.needs_acceptance_from(user)
    sessions: list[IntervisionSession] = []
    if not must_accept:
        attended = IntervisionSession.attendees.through.objects.filter(
            intervisionsession=OuterRef("pk"), user=user
        )
        notes_open = IntervisionSession.objects.notes_visible_to(user).filter(pk=OuterRef("pk"))
        sessions = list(
            IntervisionSession.objects.visible_to(user)
            .filter(group=group)
            .select_related("summary")
            .annotate(i_attended=Exists(attended), notes_open=Exists(notes_open))
        )
    is_facilitator = group.facilitator_id == user.pk
    context = {
        "group": group,
        **_agreement_context(group, agreement),
        "must_accept": must_accept,
        "sessions": sessions,
        "is_facilitator": is_facilitator,
        "can_record": is_facilitator and agreement is not None and not must_accept,
        "supervisors": list(group.current_supervisors().order_by("first_name", "last_name")),
    }
    return render(request, "intervision/group.html", context)


def _agreement_context(group: IntervisionGroup, agreement: GroupAgreement | None) -> dict:
    """The agreement's terms, and when each of the group's people accepted this version."""
    if agreement is None:
        return {"agreement": None, "terms": [], "acceptances": []}
    accepted = {
        acceptance.user_id: acceptance.accepted_at
        for acceptance in agreement.acceptances.filter(version=agreement.version)
    }
    people = [group.facilitator, *group.members.order_by("first_name", "last_name", "email")]
    seen: set[int] = set()
    rows = []
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        rows.append({"person": person, "accepted_at": accepted.get(person.pk)})
    terms = [
        (GroupAgreement._meta.get_field(name).verbose_name, getattr(agreement, name))
        for name in GroupAgreement.TERMS
    ]
    return {"agreement": agreement, "terms": terms, "acceptances": rows}


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The facilitator writes or changes the group's agreement."""
    group = _joined_group(request, pk)
    if group.facilitator_id != request.user.pk:
        raise PermissionDenied
    agreement = _agreement_of(group)
    form = AgreementForm(request.POST if request.method == "POST" else None, instance=agreement)
    context = {"group": group, "form": form, "agreement": agreement}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "intervision/agreement_form.html", context, status=422)
        terms = {name: form.cleaned_data[name] for name in AgreementForm.Meta.fields}
        before = agreement.version if agreement else None
        try:
            saved = GroupAgreement.write(group, request.user, **terms)
        except ValidationError as refused:
            form.add_error(None, refused)
            return render(request, "intervision/agreement_form.html", context, status=409)
        if before is not None and saved.version != before:
            messages.success(
                request, "The agreement is changed. Every member will be asked to accept it again."
            )
        else:
            messages.success(request, "The agreement is saved.")
        return redirect("intervision:group", pk=group.pk)
    return render(request, "intervision/agreement_form.html", context)


@login_required
@require_POST
@submitted_once
def agreement_accept(request: HttpRequest, pk: int) -> HttpResponse:
    group = _joined_group(request, pk)
    agreement = _agreement_of(group)
    if agreement is None:
        keep_key_usable(request)
        messages.info(request, "This group has no agreement to accept yet.")
        return redirect("intervision:group", pk=group.pk)
    try:
        accepted = agreement.accept(request.user, version=_posted_int(request, "version"))
    except ValidationError as refused:
        keep_key_usable(request)
        messages.error(request, _messages_of(refused))
        return redirect("intervision:group", pk=group.pk)
    if accepted:
        messages.success(request, "You accepted the group's agreement.")
    else:
        messages.info(request, "You had already accepted this agreement.")
    return redirect("intervision:group", pk=group.pk)


# Sessions ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's facilitator schedules or records a session."""
    group = _joined_group(request, pk)
    session = IntervisionSession(group=group)
    if not session.can_record(request.user):
        raise PermissionDenied
    if _agreement_of(group) is None:
        keep_key_usable(request)
        messages.warning(request, "Write the group's agreement before its first session.")
        return redirect("intervision:agreement_edit", pk=group.pk)
    form = SessionForm(request.POST if request.method == "POST" else None, instance=session)
    context = {"group": group, "form": form, "session": None}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "intervision/session_form.html", context, status=422)
        try:
            session.record(request.user, form.chosen("attendees"), form.chosen("brought"))
        except ValidationError as refused:
            form.add_people_errors(refused)
            return render(request, "intervision/session_form.html", context, status=409)
        messages.success(request, "The session is saved.")
        return redirect(session)
    return render(request, "intervision/session_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A facilitator changes the session's record; a stale form answers 409."""
    session = _seen_session(request, pk)
    if not session.can_record(request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, instance=session)
    context = {"group": session.group, "form": form, "session": session}
    if request.method == "GET":
        return render(request, "intervision/session_form.html", context)
    if form.carries_nothing:
        messages.error(request, "Nothing was saved: the request carried none of the form's fields.")
        return render(request, "intervision/session_form.html", context, status=400)
    if not form.is_valid():
        return render(request, "intervision/session_form.html", context, status=422)

    def save() -> IntervisionSession:
        session.record(request.user, form.chosen("attendees"), form.chosen("brought"))
        return session

    try:
        saved = form.save_if_current(save)
    except ValidationError as refused:
        form.add_people_errors(refused)
        return render(request, "intervision/session_form.html", context, status=409)
    if saved is None:
        fresh = _seen_session(request, pk)
        shown = SessionForm(rebased(request.POST, fresh.revision), instance=fresh)
        shown.is_valid()
        context.update(
            form=shown, conflict=conflict_with(form, SessionForm(instance=fresh)), session=fresh
        )
        return render(request, "intervision/session_form.html", context, status=409)
    messages.success(request, "The session is saved.")
    return redirect(session)


def _seen_session(request: HttpRequest, pk: int) -> IntervisionSession:
    """A session I may know took place (the one rule); 404 for anyone else."""
    sessions = IntervisionSession.objects.visible_to(request.user).select_related(
        "group__facilitator", "group__agreement"
    )
    return get_object_or_404(sessions, pk=pk)


def _session_with_notes(request: HttpRequest, pk: int) -> IntervisionSession:
    """A session whose notes I may read (those who attended, the facilitator)."""
    sessions = IntervisionSession.objects.notes_visible_to(request.user).select_related(
        "group__facilitator", "group__agreement", "presenter", "facilitator", "note_taker"
    )
    return get_object_or_404(sessions, pk=pk)


def _session_context(
    request: HttpRequest, session: IntervisionSession, form: NotesForm | None = None
) -> dict[str, Any]:
    user = request.user
    can_write = session.can_write_notes(user)
    if can_write and form is None:
        form = NotesForm(initial={"notes": session.notes, "revision": session.revision})
    brought = [
        share
        for share in session.brought.select_related("reflection__author").order_by(
            "reflection__written_at"
        )
        if share.is_active
    ]
    summary = SupervisionSummary.objects.visible_to(user).filter(session=session).first()
    return {
        "session": session,
        "group": session.group,
        "attendees": list(session.attendees.order_by("first_name", "last_name", "email")),
        "brought": brought,
        "summary": summary,
        "can_write_notes": can_write,
        "can_record": session.can_record(user),
        "form": form if can_write else None,
    }


@login_required
@require_GET
def session(request: HttpRequest, pk: int) -> HttpResponse:
    """What was said: for those who attended and the group's facilitator."""
    session = _session_with_notes(request, pk)
    session.notes_read_by(request.user)
    return render(request, "intervision/session.html", _session_context(request, session))


@login_required
@require_POST
@submitted_once
def session_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The note-taker saves the group's notes; a stale revision answers 409."""
    session = _session_with_notes(request, pk)
    if not session.can_write_notes(request.user):
        raise PermissionDenied
    form = NotesForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, form, 422)
    if form.based_on is None:
        form.add_error(None, "Reload the page and try again: the form was incomplete.")
        return _session_page(request, session, form, 422)
    try:
        saved = session.write_notes(request.user, form.cleaned_data["notes"], form.based_on)
    except NotAllowed as refused:
        form.add_error(None, _messages_of(refused))
        return _session_page(request, session, form, 409)
    if not saved:
        fresh = _session_with_notes(request, pk)
        saved_form = NotesForm(initial={"notes": fresh.notes, "revision": fresh.revision})
        shown = NotesForm(rebased(request.POST, fresh.revision))
        shown.is_valid()
        context = _session_context(request, fresh, shown)
        context["conflict"] = conflict_with(form, saved_form)
        return _render_kept(request, "intervision/session.html", context, 409)
    messages.success(request, "The group's notes are saved.")
    return redirect(session)


def _session_page(
    request: HttpRequest, session: IntervisionSession, form: NotesForm, status: int
) -> HttpResponse:
    return _render_kept(
        request, "intervision/session.html", _session_context(request, session, form), status
    )


def _render_kept(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    """A refused form again, with what was typed (never in a message)."""
    keep_key_usable(request)
    return render(request, template, context, status=status)


# The summary for supervision ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def summary_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The note-taker drafts the summary, or changes it until it is agreed."""
    session = _session_with_notes(request, pk)
    if not session.can_write_notes(request.user):
        raise PermissionDenied
    summary = SupervisionSummary.objects.visible_to(request.user).filter(session=session).first()
    if request.method == "GET":
        if summary is not None and summary.is_agreed:
            messages.info(request, "This summary is agreed: it no longer changes.")
            return redirect(summary)
        initial = {}
        if summary is not None:
            initial = {
                "themes": summary.themes,
                "questions": summary.questions,
                "revision": summary.revision,
            }
        context = _summary_form_context(session, summary, SummaryForm(initial=initial))
        return render(request, "intervision/summary_form.html", context)

    form = SummaryForm(request.POST)
    context = _summary_form_context(session, summary, form)
    template = "intervision/summary_form.html"
    if not form.is_valid():
        return _render_kept(request, template, context, 422)
    themes, questions = form.cleaned_data["themes"], form.cleaned_data["questions"]
    try:
        if summary is None:
            summary = _first_draft(session, request, themes, questions)
            if summary is None:
                form.add_error(
                    None,
                    "A summary of this session was drafted in the meantime (another tab "
                    "or window). Nothing was saved; what you wrote is below.",
                )
                return _render_kept(request, template, context, 409)
        else:
            if form.based_on is None:
                form.add_error(None, "Reload the page and try again: the form was incomplete.")
                return _render_kept(request, template, context, 422)
            if not summary.edit(request.user, themes, questions, form.based_on):
                fresh = SupervisionSummary.objects.visible_to(request.user).get(pk=summary.pk)
                saved_form = SummaryForm(
                    initial={"themes": fresh.themes, "questions": fresh.questions}
                )
                shown = SummaryForm(rebased(request.POST, fresh.revision))
                shown.is_valid()
                context.update(form=shown, conflict=conflict_with(form, saved_form))
                return _render_kept(request, template, context, 409)
    except NotAllowed as refused:
        form.add_error(None, f"{_messages_of(refused)} {REFUSED}")
        context["refused"] = True
        return _render_kept(request, template, context, 409)
    messages.success(request, "The summary is saved. Those who attended can now agree to it.")
    return redirect(summary)


def _first_draft(
    session: IntervisionSession, request: HttpRequest, themes: str, questions: str
) -> SupervisionSummary | None:
    """Draft the summary; None if one was drafted meanwhile (two tabs)."""
    try:
        with transaction.atomic():
            return SupervisionSummary.draft(session, request.user, themes, questions)
    except IntegrityError:
        return None


def _summary_form_context(
    session: IntervisionSession, summary: SupervisionSummary | None, form: forms.Form
) -> dict[str, Any]:
    return {"session": session, "group": session.group, "summary": summary, "form": form}


def _visible_summary(request: HttpRequest, pk: int) -> SupervisionSummary:
    summaries = SupervisionSummary.objects.visible_to(request.user).select_related(
        "session__group__agreement", "responded_by", "reviewed_by", "drafted_by"
    )
    return get_object_or_404(summaries, pk=pk)


def _summary_context(
    request: HttpRequest,
    summary: SupervisionSummary,
    response_form: SummaryResponseForm | None = None,
) -> dict[str, Any]:
    user = request.user
    session = summary.session
    consents = list(summary.consents.select_related("user"))
    needed = summary.agreements_needed()
    can_respond = summary.can_respond(user)
    in_group = session.group.is_open_to(user)
    return {
        "summary": summary,
        "session": session,
        "group": session.group,
        "consents": consents,
        "needed": needed,
        "still_needed": max(needed - len(consents), 0),
        "i_agreed": any(consent.user_id == user.pk for consent in consents),
        "can_agree": summary.can_agree(user),
        "can_edit": summary.can_edit(user),
        "can_respond": can_respond,
        "can_review": summary.can_review(user),
        "response_form": response_form or (SummaryResponseForm() if can_respond else None),
        "in_group": in_group,
        "sees_session": in_group
        and IntervisionSession.objects.notes_visible_to(user).filter(pk=session.pk).exists(),
    }


@login_required
@require_GET
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The summary: for the group, and once agreed for its supervisor."""
    summary = _visible_summary(request, pk)
    summary.read_by(request.user)
    return render(request, "intervision/summary.html", _summary_context(request, summary))


@login_required
@require_POST
@submitted_once
def summary_agree(request: HttpRequest, pk: int) -> HttpResponse:
    """One who attended agrees to share the summary as it stands."""
    summary = _visible_summary(request, pk)
    try:
        made_agreed = summary.agree(request.user, based_on=_posted_int(request, "revision"))
    except NotAllowed as refused:
        context = {
            "heading": "Your agreement was not recorded",
            "reason": f"{_messages_of(refused)} {REFUSED}",
            "back": summary.get_absolute_url(),
            "back_text": "Back to the summary",
        }
        return _render_kept(request, "intervision/refused.html", context, 409)
    if made_agreed:
        messages.success(request, "You agreed. The summary is agreed and goes to the supervisor.")
    else:
        messages.success(request, "You agreed to share this summary.")
    return redirect(summary)


def _supervised_summary(request: HttpRequest, pk: int) -> SupervisionSummary:
    summaries = SupervisionSummary.objects.for_supervisor(request.user).select_related(
        "session__group__agreement", "responded_by", "reviewed_by", "drafted_by"
    )
    return get_object_or_404(summaries, pk=pk)


@login_required
@require_POST
@submitted_once
def summary_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor responds to an agreed summary, once."""
    summary = _supervised_summary(request, pk)
    form = SummaryResponseForm(request.POST)
    if not form.is_valid():
        return _render_kept(
            request, "intervision/summary.html", _summary_context(request, summary, form), 422
        )
    try:
        summary.respond(request.user, form.cleaned_data["response"])
    except NotAllowed as refused:
        form.add_error(None, f"{_messages_of(refused)} {REFUSED}")
        context = _summary_context(request, summary, form)
        context["kept_response"] = form
        return _render_kept(request, "intervision/summary.html", context, 409)
    messages.success(request, "Your response is sent to the group.")
    return redirect(summary)


@login_required
@require_POST
@submitted_once
def summary_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisor marks an agreed summary reviewed."""
    summary = _supervised_summary(request, pk)
    try:
        marked = summary.mark_reviewed(request.user)
    except NotAllowed:
        raise PermissionDenied from None
    if marked:
        messages.success(request, "Marked as reviewed.")
    else:
        messages.info(request, "This summary was already marked reviewed.")
    return redirect(summary)
