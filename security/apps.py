from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in and session security around django-allauth and django-axes:
    who must use MFA, session time limits, the lockout hooks and the account
    security page. docs/security.md says what each control is for."""

    name = "security"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added, authenticator_removed
        from django.contrib.auth.signals import user_logged_in

        from security import sessions

        user_logged_in.connect(sessions.stamp_new_session, dispatch_uid="security.stamp_session")
        from allauth.account.signals import user_logged_in as signed_in_through_pages

        signed_in_through_pages.connect(
            sessions.tell_of_new_sign_in, dispatch_uid="security.tell_of_new_sign_in"
        )
        for signal in (authenticator_added, authenticator_removed):
            signal.connect(sessions.refresh_mfa_state, dispatch_uid="security.refresh_mfa")
