"""Sharing a note, the supervisor's inbox, intervision, responses, reviews, sessions.

Shares are reached only through `Share.objects.visible_to(user)` (its
recipient part `received_by`), threads through `Response.objects.visible_to`,
sessions through `SupervisionSession.objects.visible_to` and the author's own
notes through `Reflection.objects.mine(user)`, and the inbox lists intervision
summaries through `SupervisionSummary.objects.for_supervisor` (their page is in
intervision/views.py): anything else answers 404, the same as what does not
exist. Every read of a note by someone other than its author, and every share,
revoke, response and review, is a model method that writes its AuditEvent
(Share.read_by, Reflection.share_with, Share.revoke, Share.respond,
Share.mark_reviewed, Reflection.add_addendum); no view writes an audit row
itself. No view here talks to the broker: digests are built later
from database state (supervision/digest.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import (
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Sum,
    prefetch_related_objects,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action, AuditEvent
from intervision.models import SupervisionSummary
from pod_site.htmx import HtmxHttpRequest, render_page, wants_fragment
from reflections.identifiers import count_by_kind
from reflections.models import SAVE_AS_IT_IS, PrincipleNote, Reflection, Status
from security.submissions import keep_key_usable, submitted_once
from supervision.forms import (
    AddendumForm,
    DigestPreferenceForm,
    ResponseForm,
    SessionCommentForm,
    SessionForm,
    ShareForm,
    digest_form_for,
    digest_preference_for,
)
from supervision.models import (
    NotShared,
    SessionLocked,
    Share,
    SupervisionSession,
    picked_shares,
)
from supervision.notifications import mark_seen, with_recipient_news
from teams.models import monthly_supervision_minutes

INBOX_PAGE_SIZE = 20
# Posted by the identifier guard's "Share anyway" button (share_note).
SHARE_ANYWAY = "share_anyway"
# Summaries from intervision groups in the inbox: the longest waiting, and the
# last few reviewed. Agreed summaries come a few a month per group.
SUMMARIES_SHOWN = 30
SUMMARIES_REVIEWED_SHOWN = 5
SHARE_LIST_RELATED = (
    "reflection__meeting__network",
    "reflection__author",
    "reflection__disclosure",
)


class CountedPaginator(Paginator):
    """A Paginator that counts `counted`, the same rows as the list without its
    joins and subqueries (which cannot change how many there are)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, counted: QuerySet) -> None:
        super().__init__(object_list, per_page)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        return self.counted.count()


def _listed(shares: QuerySet[Share], user) -> QuerySet[Share]:
    """Shares `user` receives (from the share rule), with what lists show, in one
    query: the note, its author and disclosure, the group, the thread's length and
    the "new" markers as subqueries."""
    shares = shares.select_related(*SHARE_LIST_RELATED, "group").with_thread_length()
    return with_recipient_news(shares, user)


def _summaries_for(user) -> dict[str, object]:
    """Summaries from the intervision groups I supervise, for the inbox: those
    waiting for my review (longest waiting first), each marked `is_new` until I
    open it after it was agreed, and the last few reviewed. Two queries; the
    list shows no themes or questions (reading them is audited on their page)."""
    # "New": no read of this summary by me since it was agreed
    # (SupervisionSummary.read_by audits every read but the drafter's own).
    opened = (
        AuditEvent.objects.filter(
            actor=user, action=Action.IV_SUMMARY_READ, at__gte=OuterRef("agreed_at")
        )
        .annotate(opened_id=Cast(KT("detail__summary_id"), IntegerField()))
        .filter(opened_id=OuterRef("pk"))
    )
    awaiting = list(
        SupervisionSummary.objects.awaiting_review_by(user)
        .select_related("session__group__team")
        .annotate(opened=Exists(opened))
        .order_by("agreed_at", "pk")[: SUMMARIES_SHOWN + 1]
    )
    for summary in awaiting:
        summary.is_new = not summary.opened and summary.drafted_by_id != user.pk
    reviewed = (
        SupervisionSummary.objects.for_supervisor(user)
        .filter(reviewed_at__isnull=False)
        .select_related("session__group__team", "reviewed_by")
        .order_by("-reviewed_at")[:SUMMARIES_REVIEWED_SHOWN]
    )
    return {
        "summaries_awaiting": awaiting[:SUMMARIES_SHOWN],
        "summaries_more": len(awaiting) > SUMMARIES_SHOWN,
        "summaries_reviewed": list(reviewed),
    }


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """What awaits me: notes shared with me as supervisor, summaries from the
    intervision groups I supervise, and my intervision groups' notes."""
    user = request.user
    as_supervisor = Share.objects.received_as_supervisor(user)
    # Each list picks its rows by id first (no joins but what the rule and the
    # order need), then reads those rows with what the list shows: PostgreSQL
    # plans the small query well, and the wide one reads 10 to 30 rows by key.
    waiting = as_supervisor.awaiting_review()
    awaiting = CountedPaginator(
        waiting.inbox_order().values("pk"), INBOX_PAGE_SIZE, counted=waiting
    ).get_page(request.GET.get("page"))
    awaiting.object_list = (
        _listed(picked_shares(awaiting.object_list), user).with_overdue_limit().inbox_order()
    )
    reviewed = as_supervisor.filter(reviewed_at__isnull=False).order_by("-reviewed_at")
    reviewed = _listed(picked_shares(reviewed.values("pk")[:10]), user).order_by("-reviewed_at")
    in_groups = Share.objects.received_in_groups(user).order_by("-shared_at")
    group_shares = _listed(picked_shares(in_groups.values("pk")[:30]), user).order_by("-shared_at")
    is_supervisor = request.user.is_supervisor
    # Who is in each of my groups: the facilitator and the members, by name.
    groups = list(
        request.user.reflection_groups()
        .select_related("facilitator")
        .prefetch_related("members")
        .order_by("name")
    )
    context = {
        "awaiting": awaiting,
        "reviewed": reviewed,
        "group_shares": group_shares,
        "is_supervisor": is_supervisor,
        "groups": groups,
        "in_groups": bool(groups),
        "digest_form": digest_form_for(request.user, True) if is_supervisor else None,
        **(_summaries_for(request.user) if is_supervisor else {}),
    }
    return render(request, "supervision/inbox.html", context)


def _visible_share(request: HttpRequest, pk: int) -> Share:
    """A share visible to me (404 otherwise); the model methods lock it to act."""
    shares = Share.objects.visible_to(request.user)
    return get_object_or_404(shares.select_related(*SHARE_LIST_RELATED), pk=pk)


def _thread_context(share: Share, user, form: ResponseForm | None = None) -> dict[str, object]:
    """A thread is visible exactly when its share is (Response.objects.visible_to):
    the share's one answer, which can_respond asks too, decides it."""
    visible = share.is_visible_to(user)
    return {
        "share": share,
        "responses": share.responses.select_related("author")
        if visible
        else share.responses.none(),
        "form": form or ResponseForm(),
        "can_respond": share.can_respond(user),
    }


@login_required
@require_GET
def share_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A shared note as its recipients see it: disclosure details only if included."""
    share = _visible_share(request, pk)
    reflection = share.reflection
    if reflection.author_id == request.user.pk:
        return redirect("reflections:detail", pk=reflection.pk)
    share.read_by(request.user)
    page = _share_page_context(request, share)
    # Opening the note clears its "new" markers (after the thread was read).
    mark_seen(request.user, [share])
    return render(request, "supervision/share_detail.html", page)


def _share_page_context(
    request: HttpRequest, share: Share, form: ResponseForm | None = None
) -> dict[str, object]:
    reflection = share.reflection
    return {
        **_thread_context(share, request.user, form),
        "reflection": reflection,
        # What the author chose to share, decided in one place (Share): a withheld
        # part is not in the page at all.
        "notes": share.visible_principle_notes(),
        "disclosure": share.visible_disclosure(),
        "addenda": reflection.addenda.all(),
        "can_review": share.can_review(request.user) and share.reviewed_at is None,
    }


@login_required
@require_POST
@submitted_once
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a response to the thread. Locks the share, so a revoke and a response
    sent together are applied in turn: after a revoke the response is refused
    with a message, and the text stays in the form."""
    form = ResponseForm(request.POST)
    share = _visible_share(request, pk)
    try:
        if not share.can_respond(request.user):
            raise NotShared("This note is no longer shared with you.")
        if not form.is_valid():
            return _thread_response(request, share, form, status=422)
        # Locks the share: a revoke sent at the same time lands before or after.
        share.respond(request.user, form.cleaned_data["text"])
    except NotShared as refused:
        messages.error(request, " ".join(refused.messages))
        return _thread_response(request, share, form, status=409)
    if request.htmx:
        return _thread_response(request, share, None)
    messages.success(request, "Your response was added.")
    return redirect(_back_to(request, share))


def _thread_response(
    request: HtmxHttpRequest, share: Share, form, status: int = 200
) -> HttpResponse:
    if wants_fragment(request):
        context = _thread_context(share, request.user, form)
        return render_page(
            request, "supervision/share_detail.html", context, fragment="thread", status=status
        )
    if status < 400:
        return redirect(_back_to(request, share))
    keep_key_usable(request)
    # Without JavaScript: never drop what was typed. Refused because the note
    # is no longer shared: the text alone, not the note; invalid: the page again.
    if status == 409 or share.reflection.author_id == request.user.pk:
        context = {"form": form, "what": "response", "back": share, "can_send": status != 409}
        return render(request, "supervision/not_sent.html", context, status=status)
    return render(
        request,
        "supervision/share_detail.html",
        _share_page_context(request, share, form),
        status=status,
    )


def _back_to(request: HttpRequest, share: Share) -> str:
    if share.reflection.author_id == request.user.pk:
        return share.reflection.get_absolute_url()
    return share.get_absolute_url()


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    share = _visible_share(request, pk)
    try:
        share.mark_reviewed(request.user)
    except NotShared:
        raise Http404 from None
    messages.success(request, "Marked as reviewed.")
    return redirect("supervision:inbox")


def _my_finished_note(request: HttpRequest, pk: int) -> Reflection:
    return get_object_or_404(
        Reflection.objects.mine(request.user).select_related("meeting__network"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def share_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The author shares one note with some of their supervisors and groups.

    The identifier guard first (Reflection.identifier_findings, on what these
    recipients would see): if the note names someone in the network or holds
    an NHS number, phone number, email address, postcode or date of birth, and
    the POST does not carry SHARE_ANYWAY, nothing is shared and the form comes
    back (200, the choices kept) listing the findings, with "Edit the note" and
    a "Share anyway" form re-posting the same choices with SHARE_ANYWAY. That
    answer is a page, not a redirect, so @submitted_once keeps its key usable.
    Nothing of the text is logged; the share's audit row counts the findings
    by kind when the author shared anyway.
    """
    reflection = _my_finished_note(request, pk)
    if request.method == "POST":
        form = ShareForm(request.POST, author=request.user)
    else:
        form = ShareForm(author=request.user, initial=ShareForm.initial_from(request.GET))
    if reflection.status != Status.FINAL:
        messages.warning(request, "Finish this note before you share it.")
        return redirect("reflections:edit", pk=reflection.pk)
    findings = []
    if request.method == "POST" and form.is_valid():
        prefetch_related_objects(
            [reflection],
            Prefetch(
                "principle_notes", PrincipleNote.objects.select_related("principle__framework")
            ),
            "meeting__network__members",
            "addenda",
        )
        findings = reflection.identifier_findings(
            include_disclosure=form.cleaned_data["include_disclosure"]
        )
        if not findings or request.POST.get(SHARE_ANYWAY):
            shared = _create_shares(request, reflection, form, count_by_kind(findings))
            names = ", ".join(share.recipient for share in shared) or "no one new"
            messages.success(request, f"Shared with {names}.")
            return redirect(reflection)
    status = 422 if form.errors else 200
    context = {
        "reflection": reflection,
        "form": form,
        "findings": findings,
        # The same choices again, for the "Share anyway" form.
        "chosen": [
            (form.add_prefix(name), value)
            for name in form.fields
            for value in form.data.getlist(form.add_prefix(name))
        ]
        if findings
        else [],
        "share_anyway": SHARE_ANYWAY,
    }
    return render(request, "supervision/share_form.html", context, status=status)


def _create_shares(
    request: HttpRequest,
    reflection: Reflection,
    form: ShareForm,
    shared_anyway: dict[str, int] | None = None,
) -> list[Share]:
    shared = []
    for recipient in form.recipients():
        try:
            share = reflection.share_with(
                until=form.cleaned_data["until"],
                include_disclosure=form.cleaned_data["include_disclosure"],
                shared_anyway=shared_anyway,
                **recipient,
            )
        except IntegrityError:
            # Already shared with this one (a second tab, a double submit): keep it.
            continue
        shared.append(share)
        if share.supervisor_id and form.cleaned_data["ask_to_talk"]:
            share.ask_to_talk(request.user)
    return shared


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = get_object_or_404(
        Share.objects.visible_to(request.user)
        .filter(reflection__author=request.user)
        .select_related("reflection"),
        pk=pk,
    )
    share.revoke(request.user)
    messages.success(request, f"No longer shared with {share.recipient}.")
    return redirect(share.reflection)


@login_required
@require_POST
def ask_to_talk(request: HttpRequest, pk: int) -> HttpResponse:
    """The author asks the supervisor of one of their live shares for a conversation
    (aftercare, supervision/aftercare.py). 404 for anyone else's share."""
    share = get_object_or_404(
        Share.objects.visible_to(request.user)
        .filter(reflection__author=request.user, supervisor__isnull=False)
        .select_related("reflection", "supervisor"),
        pk=pk,
    )
    try:
        share.ask_to_talk(request.user)
    except NotShared as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, f"{share.supervisor} will see that you would like to talk about this note."
        )
    return redirect(share.reflection)


@login_required
@require_POST
@submitted_once
def add_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = _my_finished_note(request, pk)
    form = AddendumForm(request.POST)
    identifiers = []
    if form.is_valid():
        # The readers of a shared note read an addition at once: the identifier
        # guard first (Reflection.change_checked_for_readers).
        _, identifiers = reflection.change_checked_for_readers(
            lambda: reflection.add_addendum(form.cleaned_data["text"]),
            confirmed=bool(request.POST.get(SAVE_AS_IT_IS)),
        )
        if not identifiers:
            messages.success(request, "Added to your note.")
            return redirect(reflection)
    # Never drop what was typed: the form again, with the text and what to fix.
    context = {
        "form": form,
        "what": "addition to your note",
        "back": reflection,
        "can_send": True,
        "identifiers": identifiers,
        "save_as_it_is": SAVE_AS_IT_IS,
    }
    return render(request, "supervision/not_sent.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def sessions(request: HttpRequest) -> HttpResponse:
    """Supervision sessions I gave or received; supervisors record new ones here."""
    is_supervisor = request.user.is_supervisor
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, supervisor=request.user) if is_supervisor else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            form.instance.record(discussed=form.cleaned_data["discussed"])
            messages.success(request, "Session recorded.")
            return redirect("supervision:sessions")
    context = {**_sessions_context(request), "form": form}
    return render(
        request, "supervision/sessions.html", context, status=422 if form and form.errors else 200
    )


def _sessions_context(request: HttpRequest) -> dict[str, object]:
    """The sessions I see (the one rule), a comment form on each record I may still
    comment on, and this month's running totals."""
    user = request.user
    visible = SupervisionSession.objects.visible_to(user)
    sessions = list(
        visible.select_related("supervisor", "supervisee").prefetch_related(
            Prefetch(
                "discussed",
                Share.objects.visible_to(user).select_related("reflection__meeting__network"),
            )
        )
    )
    for session in sessions:
        if session.can_comment(user):
            session.comment_form = SessionCommentForm(auto_id=f"id_session_{session.pk}_%s")
    this_month = visible.held_in_month()
    received = this_month.filter(supervisee=user)
    given = this_month.filter(supervisor=user)
    by_supervisee = dict(
        given.values_list("supervisee").annotate(minutes=Sum("duration")).order_by()
    )
    supervisees = [
        {"person": person, "minutes": by_supervisee.get(person.pk) or 0, "target": person.target}
        for person in user.current_supervisees().annotate(
            target=monthly_supervision_minutes(OuterRef("pk"), supervisor=user)
        )
    ]
    has_supervision = bool(sessions) and any(s.supervisee_id == user.pk for s in sessions)
    return {
        "sessions": sessions,
        "totals": {
            "received": received.total_minutes()
            if has_supervision or user.current_supervisors().exists()
            else None,
            "target": user.monthly_supervision_target(),
            "given": given.total_minutes() if supervisees else None,
            "supervisees": supervisees,
        },
    }


def _session_for(request: HttpRequest, pk: int) -> SupervisionSession:
    """A session I see (the one rule) whose supervisee I am; 404 for anyone else."""
    session = get_object_or_404(
        SupervisionSession.objects.visible_to(request.user).select_related("supervisee"), pk=pk
    )
    if not session.is_supervisee(request.user):
        raise Http404
    return session


@login_required
@require_POST
@submitted_once
def session_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisee adds their comment to a session record, once."""
    session = _session_for(request, pk)
    form = SessionCommentForm(request.POST)
    context = {"form": form, "what": "comment", "back": session, "can_send": True}
    if not form.is_valid():
        # Never drop what was typed: the form again, with the text and what to fix.
        return render(request, "supervision/not_sent.html", context, status=422)
    try:
        session.add_comment(request.user, form.cleaned_data["text"])
    except SessionLocked as refused:
        form.add_error(None, refused.message)
        context["can_send"] = False
        return render(request, "supervision/not_sent.html", context, status=409)
    messages.success(request, "Your comment is added to the record.")
    return redirect(session)


@login_required
@require_POST
def session_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The supervisee confirms a session record; it does not change afterwards."""
    session = _session_for(request, pk)
    if session.confirm(request.user):
        messages.success(request, "You confirmed this record.")
    else:
        messages.info(request, "You had already confirmed this record.")
    return redirect(session)


@login_required
@require_POST
def digest_preference(request: HttpRequest) -> HttpResponse:
    """Everyone's digest choice: supervisors from the inbox, everyone else from
    My practice. Back to the page it was chosen on."""
    form = DigestPreferenceForm(request.POST, instance=digest_preference_for(request.user))
    if form.is_valid():
        form.save()
        messages.success(request, "Your digest choice is saved.")
    else:
        messages.error(request, "Choose how often you would like the digest.")
    return redirect("supervision:inbox" if request.user.is_supervisor else "home")
