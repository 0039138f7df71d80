"""My practice, writing reflections, finding them again, and taking them away.

These are the author's own pages, so they reach reflections through
`Reflection.objects.mine(user)`, the author's part of the one visibility rule
(`visible_to`); a note someone may not see answers 404, like one that does not
exist. Shared notes are read through supervision/.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import resolve, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action, AuditEvent
from meetings.models import NetworkMeeting
from pod_site.editing import NOTHING_SENT, differences, rebased
from pod_site.htmx import HtmxHttpRequest, render_page
from principles.models import Principle
from reflections.forms import (
    ReflectionForm,
    SaveOutcome,
    StartReflectionForm,
    TimelineFilterForm,
)
from reflections.identifiers import FieldFindings, count_by_kind
from reflections.models import SAVE_AS_IT_IS, PrincipleNote, Reflection
from reflections.pattern_charts import charts_for
from reflections.patterns import DEFAULT_MONTHS, MONTH_CHOICES, MonthRange, patterns_for
from reflections.portfolio import (
    MAX_DIFFERENTLY,
    MAX_NOTES,
    PortfolioForm,
    label_of,
    portfolio_findings,
    portfolio_notes,
)
from reflections.portfolio import render as render_portfolio
from security.submissions import submitted_once
from supervision.aftercare import aftercare_for
from supervision.forms import AddendumForm, digest_form_for
from supervision.models import Response, Share
from supervision.notifications import mark_seen, with_author_news, with_news_for_author
from teams.landing import PRACTICE, landing_page
from teams.models import User

RECENT_MEETINGS = 5
AWAITING_REFLECTION_DAYS = 30
PRINCIPLES_LATELY_DAYS = 90
TIMELINE_PAGE_SIZE = 20
DRAFTS_SHOWN = 10
# Notes with something new on My practice; all of them are marked in My reflections.
NEWS_SHOWN = 10


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My practice: my meetings, what still needs a reflection, my drafts, my principles.

    "/" is where each role lands (teams/landing.py): a supervisor or team lead
    who does not practise is sent to their inbox or dashboard.
    """
    user = request.user
    practises = user.practises
    if not practises and (landing := landing_page(user, practises=False)) != PRACTICE:
        return redirect(landing)
    now = timezone.now()
    my_meetings = (
        NetworkMeeting.objects.for_user(user)
        .attended_by(user)
        .with_is_first()
        .select_related("network")
        .prefetch_related("practitioner_attendances__practitioner")
    )
    # An empty draft (opened, nothing kept) is not a reflection: the meeting still waits.
    reflected = Reflection.objects.mine(user).written().filter(meeting=OuterRef("pk"))
    principle_counts = (
        # The date inside the subquery: it then reads my recent notes by the
        # (author, written_at) index rather than every note I ever wrote.
        PrincipleNote.objects.filter(
            reflection__in=Reflection.objects.mine(user).filter(
                written_at__gte=now - timedelta(days=PRINCIPLES_LATELY_DAYS)
            ),
        )
        .exclude(text="", presence="")
        .values("principle")
        .annotate(count=Count("pk"))
    )
    counts = {row["principle"]: row["count"] for row in principle_counts}
    principles_lately = [
        (principle, counts.get(principle.pk, 0)) for principle in Principle.objects.peer_practice()
    ]
    context = {
        "upcoming": my_meetings.filter(starts_at__gt=now).order_by("starts_at")[:RECENT_MEETINGS],
        "recent": my_meetings.filter(starts_at__lte=now).order_by("-starts_at")[:RECENT_MEETINGS],
        "awaiting_reflection": my_meetings.filter(
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=AWAITING_REFLECTION_DAYS),
        )
        .exclude(Exists(reflected))
        .order_by("-starts_at"),
        # The newest few: a long tail of drafts belongs in My reflections.
        "drafts": Reflection.objects.mine(user)
        .drafts()
        .select_related("meeting__network")
        .order_by("-updated_at")[:DRAFTS_SHOWN],
        # My notes with a response or a review I have not seen (one query).
        "news": with_news_for_author(Reflection.objects.mine(user), user)
        .select_related("meeting__network")
        .order_by("-written_at")[:NEWS_SHOWN],
        "digest_form": digest_form_for(user),
        "principles_lately": principles_lately,
        "principles_lately_max": max(counts.values(), default=0),
        "principles_lately_days": PRINCIPLES_LATELY_DAYS,
        # Only people who practise log other work (it answers 403 for anyone else).
        "practises": practises,
    }
    return render(request, "reflections/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Begin a reflection: choose the meeting (or none), then write.

    Nothing is created here: the editor opens for a note that does not exist
    yet (`create`), and the first save creates it, so a meeting stays "waiting
    for a reflection" until I have written something. If I already have a note
    on that meeting (a double click, a second tab), I am taken to it instead.
    """
    if request.method == "GET":
        meeting_id = request.GET.get("meeting")
        if meeting_id:
            return _editor_for(request, _attended_meeting_or_404(request, meeting_id))
        form = StartReflectionForm(user=request.user)
        return render(request, "reflections/start.html", {"form": form})
    form = StartReflectionForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "reflections/start.html", {"form": form}, status=422)
    return _editor_for(request, form.cleaned_data["meeting"])


def _editor_for(request: HttpRequest, meeting: NetworkMeeting | None) -> HttpResponse:
    """My note on this meeting if I have one, else the editor for a new one."""
    if meeting is not None:
        existing = Reflection.objects.mine(request.user).filter(meeting=meeting).first()
        if existing:
            return redirect("reflections:edit", pk=existing.pk)
        return redirect(f"{reverse('reflections:create')}?meeting={meeting.pk}")
    return redirect("reflections:create")


def _posted_meeting(request: HttpRequest) -> NetworkMeeting | None:
    meeting_id = request.POST.get("meeting", "")
    return _attended_meeting_or_404(request, meeting_id) if meeting_id else None


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def create(request: HtmxHttpRequest) -> HttpResponse:
    """The editor for a note that does not exist yet (GET, ?meeting=<pk>), and
    its first save without JavaScript (POST: "Save draft" or "Finish"), which
    creates the note. Sent twice (the page carries a form key), it creates one.
    A request with none of the form's fields creates nothing (400).
    """
    if request.method == "GET":
        meeting_id = request.GET.get("meeting", "")
        meeting = _attended_meeting_or_404(request, meeting_id) if meeting_id else None
        if meeting is not None and (
            existing := Reflection.objects.mine(request.user).filter(meeting=meeting).first()
        ):
            return redirect("reflections:edit", pk=existing.pk)
        principles = _principles(Reflection(author=request.user, meeting=meeting))
        form = ReflectionForm(initial={"revision": 1}, principles=principles)
        return _new_page(request, meeting, form)
    meeting = _posted_meeting(request)
    principles = _principles(Reflection(author=request.user, meeting=meeting))
    form = ReflectionForm(request.POST, principles=principles)
    if form.carries_nothing:
        messages.error(request, NOTHING_SENT)
        form = ReflectionForm(initial={"revision": 1}, principles=principles)
        return _new_page(request, meeting, form, status=400)
    existing = meeting and Reflection.objects.mine(request.user).filter(meeting=meeting).first()
    if existing:
        # Another tab created it meanwhile: save into it, as its editor would.
        return edit(request, pk=existing.pk)
    if not form.is_valid():
        return _new_page(request, meeting, form, status=422)
    with transaction.atomic():
        reflection, created = _new_note(request, meeting)
        if not created:
            return edit(request, pk=reflection.pk)
        form.save(reflection)
        if request.POST.get("action") == "finish":
            try:
                reflection.finish()
            except ValidationError as error:
                transaction.set_rollback(True)
                form.add_error(None, error)
                return _new_page(request, meeting, form, status=422)
            messages.success(request, "Your reflection is finished. It is private to you.")
            return redirect("reflections:detail", pk=reflection.pk)
    messages.success(request, f"Saved at {timezone.localtime():%H:%M}.")
    return redirect("reflections:edit", pk=reflection.pk)


def _new_note(request: HttpRequest, meeting: NetworkMeeting | None) -> tuple[Reflection, bool]:
    """A new note of mine on `meeting`, or the one a simultaneous request just
    created (one note per person per meeting), and whether it is new."""
    try:
        with transaction.atomic():
            return Reflection.objects.create(author=request.user, meeting=meeting), True
    except IntegrityError:
        return Reflection.objects.mine(request.user).get(meeting=meeting), False


def _new_page(
    request: HtmxHttpRequest,
    meeting: NetworkMeeting | None,
    form: ReflectionForm,
    *,
    status: int = 200,
) -> HttpResponse:
    """The editor (reflections/edit.html) for a note not created yet."""
    reflection = Reflection(author=request.user, meeting=meeting)
    context = {
        "reflection": reflection,
        "is_new": True,
        "form": form,
        "sections": _with_earlier_notes(form.principle_sections(), reflection),
        "conflict": None,
        "shares": [],
        "live_shares": [],
        "past_shares": [],
        "reads": [],
    }
    return render_page(request, "reflections/edit.html", context, status=status)


def _created_already(request: HttpRequest, result_url: str) -> JsonResponse:
    """A first autosave sent again (a retry, a second tab with the same text):
    the note the first one created, for the page to save into from now on."""
    match = resolve(urlsplit(result_url).path)
    reflection = Reflection.objects.mine(request.user).filter(pk=match.kwargs.get("pk")).first()
    if reflection is None:
        return _autosave_answer(
            "gone", "Not saved: the note this page created has been discarded.", status=409
        )
    return _autosave_answer(
        "created",
        "This note was created by an earlier save; saving what is on the page into it.",
        revision=reflection.revision,
        reflection=reflection,
    )


@require_POST
@submitted_once(repeated=_created_already, same_content_counts=False)
def create_autosave(request: HtmxHttpRequest) -> JsonResponse:
    """The first autosave of a new note (static/js/autosave.js): creates it and
    answers as `autosave` does, with the note's autosave and edit URLs, which
    the page uses from then on. Nothing is created by an answer of 400 or more.
    Sent twice with one form key, the second answers "created" with the first
    one's note (200), so the page saves into that one.
    """
    if not request.user.is_authenticated:
        return _autosave_answer("signed_out", SIGNED_OUT, status=401)
    meeting = _posted_meeting(request)
    principles = _principles(Reflection(author=request.user, meeting=meeting))
    form = ReflectionForm(request.POST, principles=principles)
    if form.carries_nothing:
        return _autosave_answer("empty", NOTHING_SENT, status=400)
    existing = meeting and Reflection.objects.mine(request.user).filter(meeting=meeting).first()
    if existing:
        return _autosave_into(existing, form)
    with transaction.atomic():
        reflection, created = _new_note(request, meeting)
        answer = _autosave_into(reflection, form)
        if created and answer.status_code >= 300:
            transaction.set_rollback(True)
    if answer.status_code < 300:
        answer["Content-Location"] = reverse("reflections:edit", args=[reflection.pk])
    return answer


def _attended_meeting_or_404(request: HttpRequest, meeting_id: str) -> NetworkMeeting:
    if not meeting_id.isdigit():
        raise Http404("No such meeting.")
    meetings = NetworkMeeting.objects.for_user(request.user).attended_by(request.user)
    return get_object_or_404(meetings, pk=meeting_id)


def _my_reflection(request: HttpRequest, pk: int) -> Reflection:
    return get_object_or_404(Reflection.objects.mine(request.user).with_details(), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Write or change a note. "Save" keeps it as it is; "Finish" makes it final.

    A save based on an older revision than the note's (another tab, another
    device) is refused with 409 and a page showing both versions; a request
    with none of the form's fields is refused with 400. Neither changes anything.
    """
    reflection = _my_reflection(request, pk)
    if reflection.is_locked:
        messages.info(
            request,
            "This note has responses, so it is locked: a response always refers to what "
            "was written. You can add to it below.",
        )
        return redirect(reflection)
    principles = _principles(reflection)
    if request.method == "GET":
        form = ReflectionForm(initial=ReflectionForm.initial_for(reflection), principles=principles)
        return _edit_page(request, reflection, form)
    form = ReflectionForm(request.POST, principles=principles)
    if form.carries_nothing:
        messages.error(request, NOTHING_SENT)
        form = ReflectionForm(initial=ReflectionForm.initial_for(reflection), principles=principles)
        return _edit_page(request, reflection, form, status=400)
    if not form.is_valid():
        return _edit_page(request, reflection, form, status=422)
    outcome, identifiers = reflection.change_checked_for_readers(
        lambda: form.save(reflection), confirmed=bool(request.POST.get(SAVE_AS_IT_IS))
    )
    if identifiers:
        reflection = _my_reflection(request, pk)
        return _edit_page(request, reflection, form, status=422, identifiers=identifiers)
    if outcome is SaveOutcome.CONFLICT:
        return _conflict_page(request, reflection, form)
    if request.POST.get("action") == "finish" and reflection.is_draft:
        try:
            reflection.finish()
        except ValidationError as error:
            form.add_error(None, error)
            return _edit_page(request, reflection, form, status=422)
        messages.success(request, "Your reflection is finished. It is private to you.")
        return redirect("reflections:detail", pk=reflection.pk)
    messages.success(request, f"Saved at {timezone.localtime():%H:%M}.")
    return redirect("reflections:edit", pk=reflection.pk)


def _principles(reflection: Reflection) -> list[Principle]:
    """The principles a note's form has sections for (Reflection.principles_to_write):
    every framework enabled for its team, and whatever it already has notes on."""
    return reflection.principles_to_write()


def _with_earlier_notes(
    sections: list[dict[str, Any]], reflection: Reflection
) -> list[dict[str, Any]]:
    """The form's principle sections, each with `earlier`: the author's own notes
    on that principle from earlier meetings with the same network, newest first
    (PrincipleNote.objects.earlier_for). One query for all the sections, none
    for a general reflection."""
    earlier: dict[int, list[PrincipleNote]] = defaultdict(list)
    if reflection.meeting_id:
        for note in PrincipleNote.objects.earlier_for(reflection):
            earlier[note.principle_id].append(note)
    return [{**section, "earlier": earlier[section["principle"].pk]} for section in sections]


def _edit_page(
    request: HtmxHttpRequest,
    reflection: Reflection,
    form: ReflectionForm,
    *,
    status: int = 200,
    conflict: list | None = None,
    identifiers: list[FieldFindings] | None = None,
) -> HttpResponse:
    context = {
        "reflection": reflection,
        "form": form,
        "identifiers": identifiers,
        "save_as_it_is": SAVE_AS_IT_IS,
        "sections": _with_earlier_notes(form.principle_sections(), reflection),
        "conflict": conflict,
        **who_has_it(reflection, request.user),
    }
    return render_page(request, "reflections/edit.html", context, status=status)


def _conflict_page(
    request: HtmxHttpRequest, reflection: Reflection, form: ReflectionForm
) -> HttpResponse:
    """Both versions side by side; the form holds what was sent, based on the
    current revision, so saving it keeps it (after any merging by hand)."""
    reflection = _my_reflection(request, reflection.pk)
    saved = ReflectionForm.initial_for(reflection)
    shown = ReflectionForm(rebased(request.POST, reflection.revision), principles=form.principles)
    shown.is_valid()
    return _edit_page(request, reflection, shown, status=409, conflict=differences(form, saved))


@require_POST
def autosave(request: HtmxHttpRequest, pk: int) -> JsonResponse:
    """Save a draft as the person types (static/js/autosave.js). Answers JSON:
    {"state", "message", "revision", "saved_at"}, with 200 only when the text
    sent is stored. 400 carries none of the fields, 401 signed out, 409 changed
    elsewhere or finished, 422 invalid; nothing is changed by any of them.

    Not behind @login_required: an ended session is told plainly (401), never
    redirected, so that the text still on the page is not lost.
    """
    if not request.user.is_authenticated:
        return _autosave_answer("signed_out", SIGNED_OUT, status=401)
    reflection = _my_reflection(request, pk)
    form = ReflectionForm(request.POST, principles=_principles(reflection))
    if form.carries_nothing:
        return _autosave_answer("empty", NOTHING_SENT, status=400)
    return _autosave_into(reflection, form)


def _autosave_into(reflection: Reflection, form: ReflectionForm) -> JsonResponse:
    """Save what an autosave carries into my note, and answer in JSON."""
    if not form.is_valid():
        problems = " ".join(
            f"{form[name].label}: {' '.join(errors)}"
            for name, errors in form.errors.items()
            if name in form.fields
        )
        return _autosave_answer("invalid", f"Not saved yet. {problems}", status=422)
    outcome = form.save(reflection, autosave=True)
    if outcome is SaveOutcome.FINISHED:
        return _autosave_answer(
            "finished",
            'Not saved: this note has been finished. Press "Save changes" to keep your '
            "edits (the earlier version is kept too).",
            status=409,
        )
    if outcome is SaveOutcome.CONFLICT:
        return _autosave_answer(
            "conflict",
            "Not saved: this note was changed in another tab or window after you opened it. "
            "Nothing was overwritten. Compare the two versions to choose what to keep.",
            status=409,
            revision=reflection.current_revision(),
            reflection=reflection,
        )
    saved_at = timezone.localtime(reflection.updated_at)
    return _autosave_answer(
        "saved",
        f"Draft saved at {saved_at:%H:%M}.",
        revision=reflection.revision,
        saved_at=f"{saved_at:%H:%M}",
        reflection=reflection,
    )


SIGNED_OUT = (
    "Not saved: you have been signed out. Your text is still on this page: "
    "sign in again to save it."
)


def _autosave_answer(
    state: str,
    message: str,
    *,
    status: int = 200,
    revision: int | None = None,
    saved_at: str | None = None,
    reflection: Reflection | None = None,
) -> JsonResponse:
    answer: dict[str, object] = {
        "state": state,
        "message": message,
        "revision": revision,
        "saved_at": saved_at,
    }
    if reflection is not None:
        # Where the page saves from now on (a new note's first save created it).
        answer["autosave_url"] = reverse("reflections:autosave", args=[reflection.pk])
        answer["edit_url"] = reverse("reflections:edit", args=[reflection.pk])
    return JsonResponse(answer, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Throw a draft away, after asking (GET is the question, POST the answer).

    Only the author's own drafts: anyone else gets 404, and a finished note is
    never discarded (its page says so).
    """
    reflection = _my_reflection(request, pk)
    if not reflection.is_draft:
        messages.error(request, "Only a draft can be discarded; this note is finished.")
        return redirect(reflection)
    if request.method == "GET":
        return render(request, "reflections/discard.html", {"reflection": reflection})
    try:
        reflection.discard()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reflections:detail", pk=pk)
    messages.success(request, f"Draft discarded: {reflection.title}.")
    return redirect("home")


@login_required
@require_POST
def restore_version(request: HtmxHttpRequest, pk: int, version_pk: int) -> HttpResponse:
    """Make my note say what one of its earlier versions said (kept as a version too)."""
    reflection = _my_reflection(request, pk)
    version = get_object_or_404(reflection.versions, pk=version_pk)
    try:
        reflection.restore(version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reflection)
    messages.success(
        request,
        f"Restored the version from {timezone.localtime(version.saved_at):%-d %b %Y, %H:%M:%S}. "
        "What the note said before is kept as a version too.",
    )
    return redirect(reflection)


def who_has_it(reflection: Reflection, user: User) -> dict[str, object]:
    """Who has a note, for its author `user` (templates/reflections/includes/who_has_it.html):
    its shares, live and past, with the people of each, their responses and the
    read receipts, in a fixed number of queries however many shares there are."""
    shares = list(
        reflection.shares.select_related("supervisor", "group__facilitator").prefetch_related(
            Prefetch("group__members", User.objects.order_by("first_name", "last_name", "pk")),
            # The author's part of the response rule: the threads of their own note.
            Prefetch("responses", Response.objects.on_notes_by(user).select_related("author")),
        )
    )
    for share in shares:
        share.people = _people_of(share, reflection.author_id)
    return {
        "shares": shares,
        "live_shares": [share for share in shares if share.is_active],
        "past_shares": [share for share in shares if not share.is_active],
        "reads": list(reflection.read_receipts(user)),
    }


def _people_of(share: Share, author_id: int) -> list[str]:
    """A group share's people by name (the author left out): facilitator, then members."""
    group = share.group
    if group is None:
        return []
    people = [] if group.facilitator_id == author_id else [f"{group.facilitator}, facilitator"]
    people += [
        str(person)
        for person in group.members.all()
        if person.pk not in (author_id, group.facilitator_id)
    ]
    return people


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """My note, and who has it: shares, their threads, reviews and read receipts.
    Opening it clears its "New response" and "Reviewed" markers (shown this once)."""
    reflection = get_object_or_404(
        with_author_news(Reflection.objects.mine(request.user).with_details(), request.user),
        pk=pk,
    )
    context = {
        "reflection": reflection,
        "versions": reflection.versions.all(),
        **who_has_it(reflection, request.user),
        "addenda": reflection.addenda.all(),
        "is_locked": reflection.is_locked,
        "addendum_form": AddendumForm(),
        "aftercare": aftercare_for(reflection),
    }
    mark_seen(request.user, context["shares"])
    return render(request, "reflections/detail.html", context)


@login_required
@require_GET
def timeline(request: HtmxHttpRequest) -> HttpResponse:
    """My reflections, newest first, filtered by what the URL says."""
    form = TimelineFilterForm(request.GET or None, user=request.user)
    # Every note here is mine: the author's part of the share rule is all that applies.
    live_share = Share.objects.on_notes_by(request.user).active().filter(reflection=OuterRef("pk"))
    reflections = (
        with_author_news(Reflection.objects.mine(request.user).with_details(), request.user)
    ).annotate(is_shared=Exists(live_share))
    search = ""
    if form.is_valid():
        reflections = form.filter(reflections)
        search = form.cleaned_data["q"].strip()
    if search:
        # Notes are encrypted, so the database cannot search them: decrypt the
        # stored text of the chosen notes (no models, no joins) and look; then
        # load only the page's notes, with everything the list shows.
        found = form.filter(Reflection.objects.mine(request.user)).mentioning(search)
        page = Paginator(found, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
        loaded = reflections.in_bulk(page.object_list)
        page.object_list = [loaded[pk] for pk in page.object_list if pk in loaded]
    else:
        page = Paginator(reflections, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "search": search, "query": _query_without_page(request)}
    return render_page(request, "reflections/timeline.html", context, fragment="timeline-results")


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """All my reflections as Markdown or JSON, streamed so memory stays flat.

    The identifier guard first (Reflection.identifier_findings, without the
    addenda, which the export does not carry): unless the URL says ?checked=1,
    a note that names someone in its network or holds an NHS number, phone
    number, email address, postcode or date of birth stops the download, and a
    page (200) lists what was found in which note and part, with "Download
    anyway" (this URL with ?checked=1) and a way back; nothing is downloaded or
    audited then. With nothing found it downloads straight away. The check
    decrypts every note, in chunks, as the download does; it logs nothing.
    """
    mine = Reflection.objects.mine(request.user).with_details().order_by("written_at")
    checked = request.GET.get("checked") == "1"
    if not checked:
        notes = mine.prefetch_related("meeting__network__members").iterator(chunk_size=200)
        found = [
            (reflection, parts)
            for reflection in notes
            if (parts := reflection.identifier_findings(include_addenda=False))
        ]
        if found:
            context = {"found": found, "fmt": fmt, "anyway": f"{request.path}?checked=1"}
            return render(request, "reflections/export_check.html", context)
    reflections = mine.iterator(chunk_size=200)
    detail = {"what": f"reflections {fmt}", **({"downloaded_anyway": True} if checked else {})}
    AuditEvent.objects.record(request.user, Action.EXPORT, detail=detail)
    stamp = timezone.localdate().isoformat()
    if fmt == "json":
        response = StreamingHttpResponse(_json_lines(reflections), content_type="application/json")
    else:
        response = StreamingHttpResponse(
            _markdown_parts(reflections, request), content_type="text/markdown; charset=utf-8"
        )
    extension = "json" if fmt == "json" else "md"
    response["Content-Disposition"] = f'attachment; filename="my-reflections-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


def _json_lines(reflections: Iterator[Reflection]) -> Iterator[str]:
    yield "[\n"
    for index, reflection in enumerate(reflections):
        yield ("" if index == 0 else ",\n") + json.dumps(reflection.snapshot(), ensure_ascii=False)
    yield "\n]\n"


def _markdown_parts(reflections: Iterator[Reflection], request: HttpRequest) -> Iterator[str]:
    yield render_to_string("reflections/export_header.md", request=request)
    for reflection in reflections:
        yield render_to_string("reflections/export_item.md", {"r": reflection.snapshot()})


@login_required
@require_GET
def my_patterns(request: HttpRequest) -> HttpResponse:
    """My patterns: my own notes and time, month by month (reflections/patterns.py),
    as charts with tables of the same figures.

    Only ever the signed-in person's figures: the URL names nobody, so a
    supervisor, a team lead or an admin who opens it sees their own page.
    `?months=6|12|24` chooses how far back (DEFAULT_MONTHS otherwise); counts
    and minutes only, never what a note says.
    """
    chosen = request.GET.get("months", "")
    count = int(chosen) if chosen in {str(n) for n in MONTH_CHOICES} else DEFAULT_MONTHS
    patterns = patterns_for(request.user, MonthRange.last_months(count))
    context = {
        "patterns": patterns,
        "whole": patterns.whole,
        "charts": charts_for(patterns),
        "month_choices": MONTH_CHOICES,
        "months_shown": count,
    }
    return render(request, "reflections/patterns.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def portfolio(request: HttpRequest) -> HttpResponse:
    """Export for my portfolio: my notes as a reflective account, PDF or Word
    (reflections/portfolio.py lays it out).

    GET: My reflections' filters (the same URL parameters, so "Export these"
    there carries them over) and the notes they select, newest first, at most
    MAX_NOTES, each ticked, with an optional "What I will do differently" for
    this account only; the format and "Include my self-disclosure".
    POST (to the same URL with the filters): `note` ids (only my own written
    notes count; anyone else's id, and anything that is not an id in the
    database's range, is ignored), `format` (pdf, docx), `include_disclosure`,
    `differently_<id>`. No note, more than MAX_NOTES ids, an unknown format or
    an over-long text re-renders the page with errors (422). More fields than
    DATA_UPLOAD_MAX_NUMBER_FIELDS are Django's bare 400 before this view runs.

    The identifier guard first (`portfolio_findings`, over exactly what the
    account carries): unless the POST says checked=1, findings re-render the
    page (200) with what was found where and a "Download anyway" form that
    re-posts the same choices with checked=1; nothing is downloaded or audited
    then. Otherwise the file downloads (attachment, no-store), audited as
    Action.EXPORT with the notes' ids and counts, never text.
    """
    filters, notes, more = _portfolio_notes_shown(request)
    form = PortfolioForm(request.POST or None)
    context: dict[str, Any] = {
        "filters": filters,
        "notes": notes,
        "more": more,
        "form": form,
        "max_notes": MAX_NOTES,
        "query": request.GET.urlencode(),
        "rows": [(reflection, label_of(reflection), True, "") for reflection in notes],
        "problems": [],
        "max_differently": MAX_DIFFERENTLY,
    }
    if request.method == "GET":
        return render(request, "reflections/portfolio.html", context)
    valid = form.is_valid()
    ids = set(form.cleaned_data["note"])  # NoteIdsField: in the database's range
    too_many = len(ids) > MAX_NOTES
    chosen = list(portfolio_notes(request.user).filter(pk__in=ids)) if ids and not too_many else []
    typed = {r.pk: request.POST.get(f"differently_{r.pk}", "").strip() for r in notes + chosen}
    differently = {r.pk: typed[r.pk] for r in chosen}
    problems = _portfolio_problems(len(ids), chosen, differently)
    context.update(
        rows=[(r, label_of(r), r.pk in ids, typed[r.pk]) for r in notes], problems=problems
    )
    if problems or not valid:
        return render(request, "reflections/portfolio.html", context, status=422)
    fmt, include = form.cleaned_data["format"], form.cleaned_data["include_disclosure"]
    findings = [
        (reflection, label_of(reflection), parts)
        for reflection in chosen
        if (
            parts := portfolio_findings(
                reflection, include_disclosure=include, differently=differently[reflection.pk]
            )
        )
    ]
    checked = request.POST.get("checked") == "1"
    if findings and not checked:
        anyway = [("note", r.pk) for r in chosen] + [("format", fmt)]
        anyway += [("include_disclosure", "on")] if include else []
        anyway += [(f"differently_{pk}", text) for pk, text in differently.items() if text]
        context.update(findings=findings, anyway=anyway)
        return render(request, "reflections/portfolio.html", context)
    data, content_type, extension = render_portfolio(
        fmt, chosen, request.user, include_disclosure=include, differently=differently
    )
    detail: dict[str, Any] = {
        "what": f"portfolio {fmt}",
        "reflection_ids": sorted(r.pk for r in chosen),
        "count": len(chosen),
        "include_disclosure": include,
        "differently_written": sum(1 for text in differently.values() if text),
    }
    if findings:
        kinds = count_by_kind(part for _, _, parts in findings for part in parts)
        detail.update(downloaded_anyway=True, identifiers_downloaded_anyway=kinds)
    AuditEvent.objects.record(request.user, Action.EXPORT, detail=detail)
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="reflective-account-{stamp}.{extension}"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _portfolio_notes_shown(
    request: HttpRequest,
) -> tuple[TimelineFilterForm, list[Reflection], bool]:
    """My reflections' filters from the URL, the notes they select (newest first,
    at most MAX_NOTES) and whether more matched."""
    filters = TimelineFilterForm(request.GET or None, user=request.user)
    notes = portfolio_notes(request.user).order_by("-written_at", "-pk")
    search = ""
    if filters.is_valid():
        notes = filters.filter(notes)
        search = filters.cleaned_data["q"].strip()
    # Notes are encrypted, so the database cannot search them: decrypt mine and look.
    found = [r for r in notes if r.mentions(search)] if search else list(notes[: MAX_NOTES + 1])
    return filters, found[:MAX_NOTES], len(found) > MAX_NOTES


def _portfolio_problems(
    posted: int, chosen: list[Reflection], differently: dict[int, str]
) -> list[str]:
    """What is wrong with the choice: `posted` distinct ids (more than MAX_NOTES
    is refused before any is looked up), `chosen` my notes among them."""
    if posted > MAX_NOTES:
        return [f"Choose {MAX_NOTES} notes or fewer."]
    problems = []
    if not chosen:
        problems.append("Choose at least one note.")
    problems += [
        f"“What I will do differently” for {label_of(r)}: keep it to "
        f"{MAX_DIFFERENTLY:,} characters or fewer."
        for r in chosen
        if len(differently[r.pk]) > MAX_DIFFERENTLY
    ]
    return problems
