from django.contrib import admin
from django.urls import include, path

from reflections import views as reflection_views
from teams import views as team_views

urlpatterns = [
    path("", reflection_views.home, name="home"),
    path("networks/", include("meetings.urls")),
    path("reflections/", include("reflections.urls")),
    path("supervision/", include("supervision.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("my-data.json", team_views.my_data, name="my_data"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
