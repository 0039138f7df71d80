from django.urls import path

from security import views

urlpatterns = [
    path("", views.account_security, name="account_security"),
    path("sessions/<int:pk>/end/", views.end_session, name="end_session"),
]
