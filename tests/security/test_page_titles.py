"""Every page's <title> is plain words: a screen reader says it first, and a tab shows it."""

import re

import pytest
from django.db import transaction

from tests.security.test_authorization_matrix import (
    PATTERNS,
    ROUTES,
    SIGNED_IN,
    client_for,
    world,  # noqa: F401  (the fixture)
)

pytestmark = pytest.mark.django_db

PAGES = {
    name: route
    for name, route in {**ROUTES, **{n: r for n, r in PATTERNS.values()}}.items()
    if route.method == "get"
}
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_title_holds_no_markup(world, name):  # noqa: F811
    route = PAGES[name]
    for persona in SIGNED_IN:
        with transaction.atomic():
            response = client_for(world, persona).get(route.url(world), follow=True)
            transaction.set_rollback(True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        match = TITLE.search(response.content.decode())
        assert match, f"{name} as {persona}: no <title>"
        assert "<" not in match.group(1), f"{name} as {persona}: {match.group(1)[:80]!r}"
