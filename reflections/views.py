from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meetings.models import NetworkMeeting

RECENT_MEETINGS = 10


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My practice: the signed-in person's recent network meetings."""
    meetings = (
        NetworkMeeting.objects.for_user(request.user)
        .attended_by(request.user)
        .with_is_first()
        .select_related("network")
        .prefetch_related("practitioner_attendances__practitioner")
        .order_by("-starts_at")[:RECENT_MEETINGS]
    )
    return render(request, "reflections/home.html", {"meetings": meetings})
