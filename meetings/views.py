"""Views for networks and their meetings, scoped to the person's teams.

Who may do what:
- everyone in a network's team, whatever their role, sees the network, its
  members and its meetings; to anyone else it does not exist (404);
- only the team's practising members (peer practitioners and practitioners) add
  or change networks, network members and meetings. Team leads and supervisors
  get 403 there: they can see the network, so a 404 would mislead them.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from meetings.forms import (
    ActivityForm,
    ChooseNetworkForm,
    MeetingForm,
    NetworkEditForm,
    NetworkForm,
    NetworkMemberForm,
    NetworkSearchForm,
)
from meetings.models import (
    Activity,
    Network,
    NetworkMeeting,
    NetworkMember,
    SelfCheck,
    meeting_facts,
)
from meetings.network_map import picture_of
from meetings.self_check import SelfCheckForm
from pod_site.editing import NOTHING_SENT, conflict_with, rebased
from pod_site.htmx import HtmxHttpRequest, form_status, render_page
from pod_site.redirects import safe_next
from reflections.models import Reflection
from security.submissions import submitted_once
from teams.models import Team, User

# The id of the form, in templates/meetings/meeting_form.html, that adds a
# network member from within the meeting form.
ADD_MEMBER_FORM = "add-member"


def _practises(user: User) -> bool:
    return user.practises


def _network_to_change(request: HtmxHttpRequest, pk: int) -> Network:
    """404 for a network the person cannot see, 403 for one they may only see."""
    network = get_object_or_404(
        Network.objects.for_user(request.user).select_related("team"), pk=pk
    )
    if not network.is_practised_by(request.user):
        raise PermissionDenied
    return network


def _return_url(request: HtmxHttpRequest, default: str) -> str:
    """The page that sent the person here (`next`), if it is a path on this site."""
    return safe_next(request, default)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def network_list(request: HtmxHttpRequest) -> HttpResponse:
    form = NetworkSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    networks = (
        Network.objects.for_user(request.user)
        .search(query)
        .with_meeting_summary()
        .select_related("team")
        .open_first()
    )
    context = {
        "form": form,
        "query": query,
        "networks": networks,
        "can_practise": _practises(request.user),
    }
    return render_page(request, "meetings/network_list.html", context, fragment="search_response")


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def network_create(request: HtmxHttpRequest) -> HttpResponse:
    teams = request.user.practising_teams()
    if not teams:
        raise PermissionDenied
    form = NetworkForm(request.POST or None, teams=teams)
    if form.carries_nothing:
        return _nothing_sent(request, "meetings/network_form.html", {"form": form})
    if form.is_valid():
        network = form.save()
        messages.success(request, f"Network {network} added.")
        return redirect(network)
    return render_page(
        request, "meetings/network_form.html", {"form": form}, status=form_status(form)
    )


@login_required
@require_GET
def network_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    network = get_object_or_404(
        Network.objects.for_user(request.user).select_related("team"), pk=pk
    )
    picture = picture_of(network)
    context = {
        "network": network,
        "picture": picture,
        "person": picture.person.member if picture.person else None,
        "meetings": network.meetings.timeline(),
        "can_practise": network.is_practised_by(request.user),
    }
    return render(request, "meetings/network_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def network_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    network = _network_to_change(request, pk)
    teams = Team.objects.filter(pk=network.team_id)
    form = NetworkEditForm(request.POST or None, instance=network, teams=teams)
    context = {"form": form, "network": network}
    if form.carries_nothing:
        return _nothing_sent(request, "meetings/network_form.html", context)
    if form.is_valid():
        if form.save_if_current() is None:
            fresh = _network_to_change(request, pk)
            return _conflict(
                request,
                "meetings/network_form.html",
                context,
                form,
                NetworkEditForm(instance=fresh, teams=teams),
                NetworkEditForm(rebased(request.POST, fresh.revision), instance=fresh, teams=teams),
            )
        messages.success(request, "Network details saved.")
        return redirect(network)
    return render_page(request, "meetings/network_form.html", context, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
@submitted_once
def member_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A page of its own, or, with htmx, a part of the meeting form.

    With htmx the response is the meeting form's network-members fieldset,
    keeping what was ticked, with the new member ticked or the errors shown.
    """
    network = _network_to_change(request, pk)
    return_to = _return_url(request, default=network.get_absolute_url())
    form = NetworkMemberForm(
        request.POST or None,
        instance=NetworkMember(network=network),
        prefix="member",
        form_id=ADD_MEMBER_FORM if request.htmx else "",
    )
    added = None
    if form.carries_nothing and not request.htmx:
        context = {"form": form, "network": network, "return_to": return_to}
        return _nothing_sent(request, "meetings/member_form.html", context)
    if form.is_valid():
        added = form.save()
        if not request.htmx:
            messages.success(request, f"{added} added to the network.")
            return redirect(return_to)
    if not request.htmx:
        context = {"form": form, "network": network, "return_to": return_to}
        return render_page(request, "meetings/member_form.html", context, status=form_status(form))

    ticked = (request.POST if request.method == "POST" else request.GET).getlist("members")
    if added:
        ticked.append(added.pk)
    meeting_form = MeetingForm(
        instance=NetworkMeeting(network=network), user=request.user, initial={"members": ticked}
    )
    context = {
        "form": meeting_form,
        "member_form": None if added else form,
        "added": added,
        "network": network,
        "return_to": return_to,
    }
    return render_page(
        request,
        "meetings/meeting_form.html",
        context,
        fragment="network_members",
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HtmxHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    network = _network_to_change(request, pk)
    member = get_object_or_404(network.members, pk=member_pk)
    form = NetworkMemberForm(request.POST or None, instance=member)
    context = {"form": form, "network": network, "return_to": network.get_absolute_url()}
    if form.carries_nothing:
        return _nothing_sent(request, "meetings/member_form.html", context)
    if form.is_valid():
        if form.save_if_current() is None:
            fresh = get_object_or_404(network.members, pk=member_pk)
            return _conflict(
                request,
                "meetings/member_form.html",
                context,
                form,
                NetworkMemberForm(instance=fresh),
                NetworkMemberForm(rebased(request.POST, fresh.revision), instance=fresh),
            )
        messages.success(request, f"{member} saved.")
        return redirect(network)
    return render_page(request, "meetings/member_form.html", context, status=form_status(form))


@login_required
@require_GET
def meeting_choose_network(request: HtmxHttpRequest) -> HttpResponse:
    """The first step of logging a meeting from anywhere: which network."""
    if not _practises(request.user):
        raise PermissionDenied
    form = ChooseNetworkForm(request.GET or None, user=request.user)
    if form.is_valid():
        return redirect("meetings:meeting_create", form.cleaned_data["network"].pk)
    return render_page(
        request, "meetings/meeting_choose_network.html", {"form": form}, status=form_status(form)
    )


def _confirm_saved(request: HtmxHttpRequest, meeting: NetworkMeeting, text: str) -> None:
    messages.success(request, text)
    # Fewer than two practitioners is Open Dialogue's concern, not an error.
    if warning := meeting.practitioner_warning():
        messages.warning(request, warning)


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def meeting_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    network = _network_to_change(request, pk)
    form = MeetingForm(
        request.POST or None, instance=NetworkMeeting(network=network), user=request.user
    )
    context = {"form": form, "network": network, "return_to": request.get_full_path()}
    if form.carries_nothing:
        return _nothing_sent(request, "meetings/meeting_form.html", context)
    saved = form.save_unless_taken() if form.is_valid() else None
    if saved:
        _confirm_saved(request, saved, "Meeting logged.")
        return redirect(saved)
    return render_page(request, "meetings/meeting_form.html", context, status=form_status(form))


@login_required
@require_GET
def meeting_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(NetworkMeeting.objects.for_user(request.user).timeline(), pk=pk)
    attended = any(
        attendance.practitioner_id == request.user.pk
        for attendance in meeting.practitioner_attendances.all()
    )
    context = {
        "meeting": meeting,
        "can_practise": meeting.network.is_practised_by(request.user),
        "attended": attended,
        # Only ever my own note: reflections are private to their author.
        "my_reflection": Reflection.objects.mine(request.user).filter(meeting=meeting).first(),
    }
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        NetworkMeeting.objects.for_user(request.user).select_related("network__team"), pk=pk
    )
    if not meeting.network.is_practised_by(request.user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    context = {"form": form, "network": meeting.network, "return_to": request.get_full_path()}
    if form.carries_nothing:
        return _nothing_sent(request, "meetings/meeting_form.html", context)
    if not form.is_valid():
        return render_page(request, "meetings/meeting_form.html", context, status=form_status(form))
    saved = form.save_if_current(form.save_unless_taken)
    if saved:
        _confirm_saved(request, saved, "Meeting saved.")
        return redirect(saved)
    if form.errors:  # the time was taken by another meeting meanwhile
        return render_page(request, "meetings/meeting_form.html", context, status=422)
    fresh = NetworkMeeting.objects.get(pk=pk)
    return _conflict(
        request,
        "meetings/meeting_form.html",
        context,
        form,
        MeetingForm(instance=fresh, user=request.user),
        MeetingForm(rebased(request.POST, fresh.revision), instance=fresh, user=request.user),
    )


def _nothing_sent(request: HtmxHttpRequest, template: str, context: dict) -> HttpResponse:
    """400: the request carried none of the form's fields; nothing was changed."""
    messages.error(request, NOTHING_SENT)
    return render_page(request, template, context, status=400)


def _conflict(
    request: HtmxHttpRequest,
    template: str,
    context: dict,
    sent: forms.BaseForm,
    saved: forms.BaseForm,
    shown: forms.BaseForm,
) -> HttpResponse:
    """409: both versions side by side; the form holds what was sent, rebased."""
    shown.is_valid()
    context = {**context, "form": shown, "conflict": conflict_with(sent, saved)}
    return render_page(request, template, context, status=409)


# Other work ------------------------------------------------------------------

RECENT_ACTIVITIES = 10


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def activity_create(request: HtmxHttpRequest) -> HttpResponse:
    """Log other work: from My practice's quick form, or this page's full one.

    Only peer practitioners and practitioners log work (403 for other roles,
    who can see this page exists from My practice).
    """
    teams = request.user.practising_teams().order_by("name")
    if not teams.exists():
        raise PermissionDenied
    networks = (
        Network.objects.practised_by(request.user)
        .filter(closed_on__isnull=True)
        .select_related("team")
        .order_by("reference")
    )
    form = ActivityForm(request.POST or None, teams=teams, networks=networks)
    if request.method == "POST" and form.is_valid():
        activity = form.save(commit=False)
        activity.practitioner = request.user
        activity.save()
        messages.success(
            request,
            f"Logged: {activity.get_kind_display().lower()}, {activity.duration_minutes} minutes "
            f"on {activity.done_on:%-d %B %Y}.",
        )
        return redirect(_return_url(request, reverse("meetings:activity_create")))
    recent = Activity.objects.mine(request.user).select_related("network")[:RECENT_ACTIVITIES]
    status = 422 if form.errors else 200
    return render(
        request, "meetings/activity_form.html", {"form": form, "recent": recent}, status=status
    )


# The dialogic self-check -----------------------------------------------------


def _meeting_to_check(request: HtmxHttpRequest, pk: int) -> NetworkMeeting:
    """404 for a meeting the person cannot see, 403 for one they were not
    recorded at: only the practitioners who were there answer its self-check."""
    meeting = get_object_or_404(NetworkMeeting.objects.for_user(request.user).timeline(), pk=pk)
    if not any(
        attendance.practitioner_id == request.user.pk
        for attendance in meeting.practitioner_attendances.all()
    ):
        raise PermissionDenied
    return meeting


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def self_check(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A practitioner's own self-check of a meeting: answer it, or change the answers.

    GET shows the form (with my answers, if I gave them) beside what the meeting's
    record says; POST saves through SelfCheck.record and returns to the meeting.
    400 when the request carries none of the questions, 422 with the errors, 409
    when the answers changed in another tab since the form was loaded.
    """
    meeting = _meeting_to_check(request, pk)
    principles = list(SelfCheck.principles().select_related("framework"))
    mine = SelfCheck.objects.mine(request.user).filter(meeting=meeting)
    check = mine.prefetch_related("answers__principle").first()
    form = SelfCheckForm(request.POST or None, principles=principles, check=check)
    context = {
        "form": form,
        "meeting": meeting,
        "check": check,
        "facts": meeting_facts(meeting),
        "can_change_meeting": meeting.network.is_practised_by(request.user),
        "framework": principles[0].framework if principles else None,
    }
    template = "meetings/self_check.html"
    if form.carries_nothing:
        return _nothing_sent(request, template, context)
    if not form.is_valid():
        return render_page(request, template, context, status=form_status(form))
    saved = SelfCheck.record(
        meeting,
        request.user,
        form.answers(),
        based_on=None if form.creating else form.based_on,
    )
    if saved:
        messages.success(
            request, "Self-check saved. Your answers are yours: nobody else sees them."
        )
        return redirect(meeting)
    fresh = mine.prefetch_related("answers__principle").get()
    return _conflict(
        request,
        template,
        {**context, "check": fresh},
        form,
        SelfCheckForm(principles=principles, check=fresh),
        SelfCheckForm(rebased(request.POST, fresh.revision), principles=principles, check=fresh),
    )
