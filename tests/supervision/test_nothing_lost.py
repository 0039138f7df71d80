"""Without JavaScript, a refused response or addition comes back with its text."""

import pytest
from django.urls import reverse
from django.utils import timezone

from reflections.models import Status
from supervision.models import Addendum, Response, Share
from teams.models import SupervisionLink
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

TOO_LONG = "What I wanted to say. " + "x" * 20_000


@pytest.fixture
def share(author, supervisor, meeting):
    note = ReflectionFactory(author=author, meeting=meeting, text="Note.", status=Status.FINAL)
    SupervisionLink.objects.create(supervisor=supervisor, supervisee=author)
    return Share.objects.create(reflection=note, supervisor=supervisor)


def test_a_refused_response_comes_back_with_its_text(login, supervisor, share):
    response = login(supervisor).post(
        reverse("supervision:respond", args=[share.pk]), {"text": TOO_LONG}
    )

    assert response.status_code == 422
    assert "What I wanted to say." in response.content.decode()
    assert not Response.objects.exists()


def test_a_response_to_a_revoked_share_is_refused_like_one_never_shared(login, supervisor, share):
    # A share no longer visible is a 404 (nothing about it is shown, not even
    # the response typed): with JavaScript the text stays on the page.
    client = login(supervisor)
    Share.objects.filter(pk=share.pk).update(revoked_at=timezone.now())

    response = client.post(
        reverse("supervision:respond", args=[share.pk]), {"text": "Thank you for this."}
    )

    assert response.status_code == 404
    assert not Response.objects.exists()


def test_a_refused_addition_comes_back_with_its_text(login, author, share):
    response = login(author).post(
        reverse("supervision:addendum", args=[share.reflection.pk]), {"text": TOO_LONG}
    )

    assert response.status_code == 422
    assert "What I wanted to say." in response.content.decode()
    assert not Addendum.objects.exists()
