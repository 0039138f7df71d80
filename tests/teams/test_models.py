from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from teams.models import IntervisionGroup, SupervisionLink

pytestmark = pytest.mark.django_db


def test_a_supervisor_must_hold_the_supervisor_role(author, colleague):
    with pytest.raises(ValidationError) as excinfo:
        SupervisionLink(supervisor=colleague, supervisee=author).full_clean()

    assert excinfo.value.message_dict["supervisor"] == [
        "This person does not hold a supervisor role."
    ]


def test_supervision_cannot_end_before_it_starts(author, supervisor):
    today = timezone.localdate()
    link = SupervisionLink(
        supervisor=supervisor, supervisee=author, since=today, until=today - timedelta(days=1)
    )

    with pytest.raises(ValidationError) as excinfo:
        link.full_clean()

    assert "The end date must not be before the start date." in excinfo.value.messages


def test_current_supervision_links(author, colleague, supervisor):
    today = timezone.localdate()
    current = SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    SupervisionLink.objects.create(
        supervisor=supervisor,
        supervisee=colleague,
        since=today - timedelta(days=60),
        until=today - timedelta(days=1),
    )

    assert list(SupervisionLink.objects.current()) == [current]


def test_an_intervision_facilitator_belongs_to_the_team(team, outsider):
    with pytest.raises(ValidationError) as excinfo:
        IntervisionGroup(team=team, name="Peers", facilitator=outsider).full_clean()

    assert excinfo.value.message_dict["facilitator"] == ["The facilitator must belong to the team."]
