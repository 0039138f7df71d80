from django.contrib import admin
from django.urls import include, path

from reflections import views as reflection_views

urlpatterns = [
    path("", reflection_views.home, name="home"),
    path("networks/", include("meetings.urls")),
    path("reflections/", include("reflections.urls")),
    path("supervision/", include("supervision.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
