from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"

    def ready(self) -> None:
        from allauth.account.signals import password_reset

        from people.invitations import mark_accepted

        # Setting the password from an invitation's link accepts it.
        password_reset.connect(mark_accepted, dispatch_uid="people.invitation_accepted")
