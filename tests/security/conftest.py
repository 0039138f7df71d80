"""Helpers for the security tests: signing in through allauth's real form."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.fixture
def sign_in_with_password():
    """POST allauth's sign-in form, as a browser would; returns the response."""

    def sign_in(client, user, password: str = PASSWORD, **extra):
        return client.post(
            reverse("account_login"), {"login": user.email, "password": password}, **extra
        )

    return sign_in
