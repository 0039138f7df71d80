from django.urls import path

from security import views

urlpatterns = [
    path("", views.account_security, name="account_security"),
    path("sessions/<int:pk>/end/", views.end_session, name="end_session"),
    # Sessions that end while someone is writing (security/pending.py).
    path("csrf-token/", views.csrf_token, name="csrf_token"),
    path("signed-in/", views.signed_in_again, name="signed_in_again"),
    path("pending/", views.pending_posts, name="pending_posts"),
    path("pending/<int:pk>/discard/", views.discard_pending_post, name="pending_post_discard"),
]
