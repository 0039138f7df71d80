from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from teams.landing import landing_url


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts are made by an admin, never by open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Each role lands where its work is (teams/landing.py). allauth asks
        this only when the sign-in carries no `next`, so an explicit `next`
        (the in-page sign-in dialog's /accounts/security/signed-in/) wins."""
        return landing_url(request)
