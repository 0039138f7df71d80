from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("shares/<int:pk>/", views.share_detail, name="share_detail"),
    path("shares/<int:pk>/respond/", views.respond, name="respond"),
    path("shares/<int:pk>/review/", views.review, name="review"),
    path("shares/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("shares/<int:pk>/ask-to-talk/", views.ask_to_talk, name="ask_to_talk"),
    path("reflections/<int:pk>/share/", views.share_note, name="share"),
    path("reflections/<int:pk>/addendum/", views.add_addendum, name="addendum"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/comment/", views.session_comment, name="session_comment"),
    path("sessions/<int:pk>/confirm/", views.session_confirm, name="session_confirm"),
    path("digest/", views.digest_preference, name="digest_preference"),
]
