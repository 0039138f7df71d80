from django.contrib import admin
from django.urls import include, path

from meetings import views as meeting_views

urlpatterns = [
    path("", meeting_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
