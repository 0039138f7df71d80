from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("", views.team_list, name="team_list"),
    path("<int:pk>/", views.team, name="team"),
    path("<int:pk>/settings/", views.team_settings, name="settings"),
    path("<int:pk>/roles/new/", views.role_add, name="role_add"),
    path("<int:pk>/roles/<int:membership_pk>/end/", views.role_end, name="role_end"),
    path("<int:pk>/supervision/new/", views.link_add, name="link_add"),
    path("<int:pk>/supervision/<int:link_pk>/end/", views.link_end, name="link_end"),
    path("<int:pk>/groups/new/", views.group_add, name="group_add"),
    path("<int:pk>/groups/<int:group_pk>/", views.group_edit, name="group_edit"),
    path(
        "<int:pk>/groups/<int:group_pk>/supervision/new/",
        views.group_link_add,
        name="group_link_add",
    ),
    path(
        "<int:pk>/groups/<int:group_pk>/supervision/<int:link_pk>/end/",
        views.group_link_end,
        name="group_link_end",
    ),
    path(
        "<int:pk>/frameworks/<int:framework_pk>/switch/",
        views.framework_switch,
        name="framework_switch",
    ),
    path("<int:pk>/frameworks/own/new/", views.framework_add, name="framework_add"),
    path("<int:pk>/frameworks/own/", views.framework_edit, name="framework_edit"),
    path("<int:pk>/frameworks/own/principles/new/", views.principle_add, name="principle_add"),
    path(
        "<int:pk>/frameworks/own/principles/<int:principle_pk>/",
        views.principle_edit,
        name="principle_edit",
    ),
    path(
        "<int:pk>/frameworks/own/principles/<int:principle_pk>/up/",
        views.principle_up,
        name="principle_up",
    ),
    path("<int:pk>/people/<int:user_pk>/leaving/", views.leaver, name="leaver"),
    path("<int:pk>/invitations/new/", views.invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
]
