from django.urls import path

from intervision import views

app_name = "intervision"

urlpatterns = [
    path("", views.groups, name="groups"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("groups/<int:pk>/agreement/", views.agreement_edit, name="agreement_edit"),
    path("groups/<int:pk>/agreement/accept/", views.agreement_accept, name="agreement_accept"),
    path("groups/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/notes/", views.session_notes, name="session_notes"),
    path("sessions/<int:pk>/summary/", views.summary_draft, name="summary_draft"),
    path("summaries/<int:pk>/", views.summary, name="summary"),
    path("summaries/<int:pk>/agree/", views.summary_agree, name="summary_agree"),
    path("summaries/<int:pk>/respond/", views.summary_respond, name="summary_respond"),
    path("summaries/<int:pk>/review/", views.summary_review, name="summary_review"),
]
