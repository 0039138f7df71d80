from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.network_list, name="network_list"),
    path("new/", views.network_create, name="network_create"),
    path("<int:pk>/", views.network_detail, name="network_detail"),
    path("<int:pk>/edit/", views.network_edit, name="network_edit"),
    path("<int:pk>/members/new/", views.member_create, name="member_create"),
    path("<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/new/", views.meeting_choose_network, name="meeting_choose_network"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/self-check/", views.self_check, name="self_check"),
]

# Other work: logged from My practice, or on its own page.
urlpatterns += [path("other-work/new/", views.activity_create, name="activity_create")]
