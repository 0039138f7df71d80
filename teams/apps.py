from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from teams.landing import remember_role_pages

        # Where each role lands, and the "Your roles" links (teams/landing.py).
        user_logged_in.connect(remember_role_pages, dispatch_uid="teams.role_pages")
