"""The People, Teams and Memberships admin."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from teams.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_role_changes_in_the_admin_are_audited(admin_client, team, author):
    admin_client.post(
        reverse("admin:teams_membership_add"),
        {"user": author.pk, "team": team.pk, "role": Role.SUPERVISOR, "discipline": ""},
    )
    membership = Membership.objects.get(user=author, role=Role.SUPERVISOR)
    admin_client.post(
        reverse("admin:teams_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    changes = [
        e.detail["change"]
        for e in AuditEvent.objects.filter(action=Action.ROLE_CHANGE).order_by("at")
    ]
    assert changes == ["added", "removed"]
