"""Adding network members: on a page of its own, or inline in the meeting form."""

import re

import pytest
from django.urls import reverse

from meetings.models import NetworkMember
from tests.factories import NetworkMemberFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def ticked(html: str, pk: int) -> bool:
    match = re.search(rf'<input type="checkbox" name="members" value="{pk}"[^>]*>', html)
    assert match, f"no checkbox for {pk}"
    return match.group().endswith(" checked>")


def add_url(network, next_url: str = "") -> str:
    url = reverse("meetings:member_create", args=[network.pk])
    return f"{url}?next={next_url}" if next_url else url


def test_the_meeting_form_adds_members_with_htmx_and_without(login, author, network):
    page = login(author).get(reverse("meetings:meeting_create", args=[network.pk])).content
    page = page.decode()

    back_here = f"/networks/{network.pk}/members/new/?next=/networks/{network.pk}/meetings/new/"
    assert f'<a href="{back_here}"' in page  # without JavaScript, a page of its own
    assert f'data-hx-get="{back_here}"' in page
    assert '<form id="add-member" method="post"' in page
    assert 'data-hx-include="#network-members"' in page


def test_htmx_opens_the_member_fields_inside_the_meeting_form(login, author, network, member):
    meeting_form = f"/networks/{network.pk}/meetings/new/"

    response = login(author).get(add_url(network, meeting_form), {"members": member.pk}, **HTMX)
    fragment = response.content.decode()

    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="network-members">')
    assert 'name="member-name" maxlength="80" class="nhsuk-input" form="add-member"' in fragment
    assert ticked(fragment, member.pk)


def test_adding_with_htmx_returns_the_fieldset_with_the_new_member_ticked(
    login, author, network, member
):
    other = NetworkMemberFactory(network=network, name="Aunt")
    data = {"member-name": "Housing officer", "member-relationship": "professional_housing"}
    data |= {"member-label": "key worker", "members": [member.pk]}

    response = login(author).post(add_url(network), data, **HTMX)
    fragment = response.content.decode()

    added = NetworkMember.objects.get(name="Housing officer")
    assert (added.network, added.relationship, added.label) == (
        network,
        "professional_housing",
        "key worker",
    )
    assert "<html" not in fragment
    assert ticked(fragment, added.pk)
    assert ticked(fragment, member.pk)
    assert not ticked(fragment, other.pk)
    assert "Housing officer was added to the network and ticked." in fragment
    assert 'name="member-name"' not in fragment  # the inline fields close


def test_bad_input_with_htmx_shows_the_errors_inline_and_keeps_the_ticks(
    login, author, network, member
):
    data = {"member-name": "M" * 81, "member-relationship": "agency", "members": [member.pk]}
    data |= {"member-label": "L" * 41}

    response = login(author).post(add_url(network), data, **HTMX)
    fragment = response.content.decode()

    assert not NetworkMember.objects.around_the_person().exclude(pk=member.pk).exists()
    assert '<a href="#id_member-name">Keep this to 80 characters or fewer.</a>' in fragment
    assert "Select a valid choice. agency is not one of the available choices." in fragment
    assert "Keep this to 40 characters or fewer." in fragment
    assert f'value="{"M" * 81}"' in fragment
    assert ticked(fragment, member.pk)


def test_without_javascript_a_member_is_added_and_i_go_back(login, author, network):
    meeting_form = f"/networks/{network.pk}/meetings/new/"

    response = login(author).post(
        add_url(network, meeting_form), {"member-name": "Dad", "member-relationship": "parent"}
    )

    assert response.status_code == 302
    assert response.url == meeting_form
    assert NetworkMember.objects.around_the_person().get().name == "Dad"


def test_a_return_address_elsewhere_is_not_followed(login, author, network):
    response = login(author).post(
        add_url(network, "https://example.com/"),
        {"member-name": "Dad", "member-relationship": "parent"},
    )

    assert response.url == network.get_absolute_url()


def test_without_javascript_bad_input_re_renders_the_page_with_what_was_typed(
    login, author, network
):
    response = login(author).post(
        add_url(network),
        {"member-name": "Gran", "member-relationship": "person"},
    )
    page = response.content.decode()

    assert "<title>Error: Add a network member" in page
    assert "Select a valid choice. person is not one of the available choices." in page
    assert 'value="Gran"' in page
    assert not NetworkMember.objects.around_the_person().exists()


def test_a_member_is_changed_on_their_own_page(login, author, network, member):
    url = reverse("meetings:member_edit", args=[network.pk, member.pk])
    client = login(author)

    refused = client.post(url, {"name": "", "relationship": "parent", "revision": "1"})
    saved = client.post(url, {"name": "Mother", "relationship": "parent", "revision": "1"})

    assert "<title>Error: Change a network member" in refused.content.decode()
    assert saved.url == network.get_absolute_url()
    member.refresh_from_db()
    assert member.name == "Mother"
