from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are made by an admin, never by open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
