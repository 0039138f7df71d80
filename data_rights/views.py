"""A person's own account data."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit.models import Action, AuditEvent
from data_rights.export import everything_about


@login_required
@require_GET
def my_data(request: HttpRequest) -> StreamingHttpResponse:
    """Everything held about me, as JSON (UK GDPR right of access and portability)."""
    AuditEvent.objects.record(request.user, Action.EXPORT, detail={"what": "my data"})
    response = StreamingHttpResponse(
        everything_about(request.user), content_type="application/json"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
