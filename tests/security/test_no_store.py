"""Every answer to a signed-in person is Cache-Control: no-store, private.

Walks every route of the authorization matrix for every signed-in persona, so a
new route is covered the day it is added there (and it must be added there).
"""

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

EVERY_ROUTE = {**ROUTES, **{name: route for name, route in PATTERNS.values()}}


@pytest.mark.parametrize("name", sorted(EVERY_ROUTE))
def test_no_answer_to_a_signed_in_person_may_be_stored(world, name):  # noqa: F811
    route = EVERY_ROUTE[name]
    stored = []
    for persona in SIGNED_IN:
        with transaction.atomic():
            response = getattr(client_for(world, persona), route.method)(
                route.url(world), route.data
            )
            transaction.set_rollback(True)
        cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        if not {"no-store", "private"} <= cache_control:
            stored.append(f"{persona}: {response.status_code} {response.get('Cache-Control')}")
    assert stored == []
